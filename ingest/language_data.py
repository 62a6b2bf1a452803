"""Russian words the relation rules read, by the part they play (lemmas, as pymorphy3 gives them).

Language data lives here, apart from the rules, as spaCy keeps `lex_attrs.py` and `stop_words.py`.
No name of a particular firm or product is written here.
"""

from __future__ import annotations

# Verbs of the act itself: what kind of relation each states.
ACT_VERBS = {
    "производить": "produces",
    "произвести": "produces",
    "выпускать": "produces",
    "выпустить": "produces",
    "изготавливать": "produces",
    "изготовлять": "produces",
    "изготовить": "produces",
    "собирать": "produces",
    "собрать": "produces",
    "делать": "produces",
    "сделать": "produces",
    "строить": "produces",
    "построить": "produces",
    "отливать": "produces",
    "отлить": "produces",
    "печатать": "produces",
    "напечатать": "produces",
    "выращивать": "produces",
    "вырастить": "produces",
    "синтезировать": "produces",
    "выплавлять": "produces",
    "конструировать": "develops",
    "написать": "develops",
    "разрабатываться": "develops",
    "разрабатывать": "develops",
    "разработать": "develops",
    "создать": "develops",
    "создавать": "develops",
    "спроектировать": "develops",
    "проектировать": "develops",
    "сконструировать": "develops",
    "поставлять": "supplies",
    "поставить": "supplies",
    "отгружать": "supplies",
    "отгрузить": "supplies",
}
# Nouns of the act: "наладила производство …", "линия по выпуску …", "поставки … для …".
ACT_NOUNS = {
    "производство": "produces",
    "выпуск": "produces",
    "изготовление": "produces",
    "сборка": "produces",
    "разработка": "develops",
    "печать": "produces",
    "поставка": "supplies",
    "отгрузка": "supplies",
}
# Nouns for the one who does it: "является производителем …", "«X» — поставщик …".
DOER_NOUNS = {
    "производитель": "produces",
    "изготовитель": "produces",
    "разработчик": "develops",
    "создатель": "develops",
    "поставщик": "supplies",
}
# Verbs whose subject is the doer of the act they govern: "наладила производство", "начала выпускать".
LIGHT_VERBS = {
    "наладить",
    "налаживать",
    "запустить",
    "запускать",
    "освоить",
    "осваивать",
    "начать",
    "начинать",
    "организовать",
    "развернуть",
    "открыть",
    "наращивать",
    "нарастить",
    "вести",
    "осуществлять",
    "осуществить",
    "локализовать",
    "заниматься",
    "продолжать",
    "продолжить",
    "возобновить",
    "расширить",
    "увеличить",
    "мочь",
    "смочь",
    "уметь",
    "удаться",
    "стать",
    "приступить",
    "завершить",
    "суметь",
    "перейти",
    "переходить",
    "позволить",
    "стартовать",
    "вестись",
    "идти",
    "рассматривать",
}
# Nouns that carry an act noun to its verb: "запустила линию по выпуску …".
CARRIER_NOUNS = {"линия", "цех", "участок", "мощность", "площадка", "проект", "работа"}
# Copulas: "«X» является производителем …", "разработчиком выступила «X»".
COPULA_VERBS = {
    "являться",
    "выступить",
    "выступать",
    "стать",
    "становиться",
    "быть",
    "оставаться",
    "оказаться",
    "оказываться",
    "считаться",
    "известный",
    "известен",
}
# Verbs of a plan: what they govern is only intended ("планирует выпускать …").
PLAN_WORDS = {
    "планировать",
    "намереваться",
    "собираться",
    "рассчитывать",
    "намерен",
    "намеренный",
    "планироваться",
    "готовиться",
    "хотеть",
    "предполагать",
    "возможность",
    "план",
}
# Words that deny the act ("не выпускает", "отказалась от производства").
DENIAL_WORDS = {"не", "отказаться", "отказываться", "прекратить", "прекращать", "свернуть", "остановить"}
# Subjects under which the firm itself hangs: "специалисты «X» изготавливают …", "завод компании «X» выпускает …".
HOLDER_NOUNS = {
    "специалист",
    "инженер",
    "сотрудник",
    "учёный",
    "ученый",
    "конструктор",
    "разработчик",
    "команда",
    "коллектив",
    "завод",
    "фабрика",
    "цех",
    "предприятие",
    "подразделение",
    "лаборатория",
    "бюро",
    "площадка",
    "производство",
    "мощность",
    "дочерний",
    "дочка",
    "структура",
}
# Subjects that stand for the firm named before ("Компания выпускает …", "Она поставляет …").
STAND_IN_SUBJECTS = {
    "компания",
    "предприятие",
    "завод",
    "фирма",
    "производитель",
    "холдинг",
    "концерн",
    "организация",
    "резидент",
    "она",
    "он",
    "оно",
    "стартап",
    "разработчик",
}
# Nouns that hold a product rather than name it: "партия датчиков" → датчики.
CONTAINER_NOUNS = {
    "партия",
    "линейка",
    "серия",
    "семейство",
    "ряд",
    "комплект",
    "набор",
    "ассортимент",
    "линия",
    "образец",
    "прототип",
    "опытный",
    "продукция",
    "модель",
}
# What a product is replacing: "аналог …", "заменит …", "вместо …", "альтернатива …".
SUBSTITUTE_VERBS = {"заменить", "заменять", "замещать", "заместить", "вытеснить", "вытеснять"}
SUBSTITUTE_NOUNS = {"аналог", "замена", "альтернатива", "заменитель"}
SUBSTITUTE_PREPOSITIONS = {"вместо"}
# Adjectives that mark the replaced, imported side: "импортные анализаторы замещает …".
IMPORTED_WORDS = {"импортный", "зарубежный", "иностранный", "западный", "европейский", "американский", "немецкий"}

# The surface rules' words (sentences the parser did not read).
# Verbs and nouns of making: what kind of relation each states.
MAKING_WORDS = {
    "производить": "produces",
    "произвести": "produces",
    "выпускать": "produces",
    "выпустить": "produces",
    "изготавливать": "produces",
    "изготовлять": "produces",
    "изготовить": "produces",
    "производство": "produces",
    "выпуск": "produces",
    "разрабатывать": "develops",
    "разработать": "develops",
    "разработка": "develops",
    "поставлять": "supplies",
    "поставить": "supplies",
    "поставка": "supplies",
}
# "«Хирана+» — производитель медицинского оборудования": the firm is the maker of the phrase after.
MAKER_NOUNS = {
    "производитель": "produces",
    "изготовитель": "produces",
    "разработчик": "develops",
    "поставщик": "supplies",
}
# "специализируется на …", "компетенции в области …": what a firm knows how to do.
SPECIALISE_WORDS = {"специализироваться"}
FIELD_WORDS = {"компетенция", "опыт", "экспертиза"}
FIELD_NOUNS = {"область", "сфера"}
# "заменит …", "аналог …", "вместо …": what a product replaces.
SUBSTITUTE_WORDS = {"замещать", "заместить", "заменять", "заменить", "аналог", "вместо"}
# Words that let a sentence go on about the firm of the sentence before ("Компания выпускает …").
CONTINUATION_WORDS = {"компания", "она", "предприятие", "фирма", "производитель", "завод", "холдинг"}
CAPACITY_PERIODS = {"год", "месяц", "сутки", "день", "смена"}
CAPACITY_COMPARATORS = {"до": "max", "более": "gt", "свыше": "gt", "около": "approx", "порядка": "approx"}
# A date is never a product's name: "13 апреля 2023 года", "в апреле", "с 2023 года".
MONTHS = {
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
}

# Heads of the names of bodies that firms join: «кластер фотоники «Световод»», «ассоциация разработчиков …».
CLUSTER_NOUNS = {"кластер", "ассоциация", "консорциум", "альянс", "союз"}

# Membership: "вошла в состав …", "присоединилась к …", "стала участником …", "кластер объединяет …".
MEMBER_VERBS = {
    "войти",
    "входить",
    "присоединиться",
    "присоединяться",
    "вступить",
    "вступать",
    "включить",
    "включать",
    "принять",
    "объединять",
    "объединить",
    "пополнить",
}
MEMBER_NOUNS = {"участник", "участница", "член"}
# Nouns of joining that act as the verbs do: "принять участие в работе центра", "вступление в кластер".
MEMBER_ACT_NOUNS = {"участие", "вступление"}
# Residency: "резидент ОЭЗ …", "разместила производство на площадке технополиса …".
RESIDENT_NOUNS = {"резидент"}
# "компании ОЭЗ Москвы, как «A», «B»": the firms of a zone are its residents.
FIRMS_OF_ZONE_NOUNS = {"компания", "предприятие", "фирма", "производитель"}
RESIDENCE_VERBS = {
    "разместить",
    "размещать",
    "открыть",
    "открывать",
    "запустить",
    "построить",
    "локализовать",
    "перенести",
    "зарегистрировать",
}
# What a firm places in a zone that makes it a resident (an office or a stand does not).
PRODUCTION_PLACES = {"производство", "цех", "линия", "завод", "площадка", "участок", "фабрика", "предприятие"}
# Nouns of a place inside a zone: "на площадке технополиса", "на территории ОЭЗ".
PLACE_NOUNS = {"площадка", "территория", "технополис", "технопарк", "оэз", "зона"}
# A status a firm holds in a zone or cluster: "статус резидента", "статус члена"; the verbs under which
# its holder is the subject: "статус резидента получила компания …".
STATUS_NOUNS = {"статус"}
STATUS_VERBS = {"получить", "получать", "присвоить", "присваивать", "иметь", "обладать", "подтвердить"}
# Words that stand for an organisation named before: "его участники", "в него вошли", "также резидент
# особой экономической зоны".
POSSESSIVES = {"его", "её", "ее", "их"}
PRONOUNS = {"он", "него", "нему", "нём", "нем", "ним", "она", "неё", "нее", "ней"}
BARE_ZONE_WORDS = {"зона", "оэз", "технополис"}
# The relations that open a clause of their own: a firm named there does not act in the main clause.
CLAUSE_DEPS = {"acl", "acl:relcl", "advcl", "ccomp", "csubj", "parataxis", "conj"}

# Quantities: what a count counts and how it compares.
UNIT_COMPANY_NOUNS = {"компания", "резидент", "фирма", "предприятие", "участник", "организация", "член", "стартап"}
STAFF_NOUNS = {"сотрудник", "специалист", "работник", "человек", "разработчик", "инженер", "рабочий", "работница"}
# Words that make a number of products a capacity: "мощностью до …", "рассчитана на …".
CAPACITY_WORDS = {"мощность", "рассчитать", "рассчитанный", "максимум", "проектный"}
# What a number of them is no count of things made, staff or members: time, money, shares.
NOT_UNITS = {"год", "месяц", "день", "неделя", "час", "раз", "процент", "рубль", "доллар", "евро", "балл", "место"}
QUANTITY_COMPARATORS = {
    "не более": "max",
    "не больше": "max",
    "не менее": "gt",
    "свыше": "gt",
    "более": "gt",
    "больше": "gt",
    "превысить": "gt",
    "менее": "lt",
    "меньше": "lt",
    "около": "approx",
    "порядка": "approx",
    "примерно": "approx",
    "приблизительно": "approx",
    "почти": "approx",
    "до": "max",
    "максимум": "max",
}
MULTIPLIERS = {
    "тыс": 1000,
    "тысяча": 1000,
    "млн": 1_000_000,
    "миллион": 1_000_000,
    "млрд": 1_000_000_000,
    "миллиард": 1_000_000_000,
}
# Numbers written in words, as written (their case forms included where they differ).
NUMBER_WORDS = {
    **dict.fromkeys(("один", "одна", "одно", "одного", "одной"), 1),
    **dict.fromkeys(("два", "две", "двух"), 2),
    **dict.fromkeys(("три", "трёх", "трех"), 3),
    **dict.fromkeys(("четыре", "четырёх", "четырех"), 4),
    **{w: n for n, w in enumerate(("пять", "шесть", "семь", "восемь", "девять", "десять"), 5)},
    **{w: n for n, w in enumerate(("пяти", "шести", "семи", "восьми", "девяти", "десяти"), 5)},
    **{
        w: n
        for n, w in enumerate(
            ("одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать", "семнадцать"), 11
        )
    },
    "восемнадцать": 18,
    "девятнадцать": 19,
    "двадцать": 20,
    "двадцати": 20,
    "тридцать": 30,
    "тридцати": 30,
    "сорок": 40,
    "сорока": 40,
    "пятидесяти": 50,
    "шестидесяти": 60,
    "семидесяти": 70,
    "восьмидесяти": 80,
    "девяноста": 90,
    "ста": 100,
    "пятьдесят": 50,
    "шестьдесят": 60,
    "семьдесят": 70,
    "восемьдесят": 80,
    "девяносто": 90,
    "сто": 100,
    "двести": 200,
    "триста": 300,
    "пятьсот": 500,
}

# The sentences worth a syntactic parse: they hold one of these lemmas.
SYNTAX_TRIGGER_LEMMAS = frozenset(
    set(ACT_VERBS)
    | set(ACT_NOUNS)
    | set(DOER_NOUNS)
    | SUBSTITUTE_VERBS
    | SUBSTITUTE_NOUNS
    | SUBSTITUTE_PREPOSITIONS
    | MEMBER_VERBS
    | MEMBER_NOUNS
    | MEMBER_ACT_NOUNS
    | RESIDENT_NOUNS
    | (RESIDENCE_VERBS - {"открыть", "запустить", "построить"})  # common verbs: their objects trigger instead
    | PRODUCTION_PLACES
)
# A number in a sentence with one of these is worth a parse too: it may count members, staff or output.
QUANTITY_TRIGGER_LEMMAS = frozenset(
    UNIT_COMPANY_NOUNS | STAFF_NOUNS | CAPACITY_WORDS | CAPACITY_PERIODS | set(ACT_VERBS)
)
