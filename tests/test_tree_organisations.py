"""Membership, residency, quantities and people's names read from the parsed sentence, one construction
per case (sentences written for these tests, firms invented, none of them in the development set)."""

from __future__ import annotations

import pytest

from ingest.document import Document
from ingest.extract import extract
from ingest.model import Extraction
from ingest.pipeline import nominative_name


def read(text: str) -> Extraction:
    return extract(Document(text=text, source="test.txt"))


def facts(text: str, predicate: str) -> set[tuple[str, object]]:
    extraction = read(text)
    names = {ref: e.name for ref, e in extraction.entities.items()}
    return {
        (names[f.subject], names[f.object] if isinstance(f.object, tuple) else f.object["value"])
        for f in extraction.facts
        if f.predicate == predicate
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "АО «Вольтаника» вошло в состав кластера силовой электроники.",
            {("Вольтаника", "кластер силовой электроники")},
        ),
        ("К ассоциации «Роботех-Союз» присоединилось ООО «Манипулон».", {("Манипулон", "Роботех-Союз")}),
        (
            "Компания «Светокон» стала участником кластера фотоники «Люменград».",
            {("Светокон", "Люменград")},
        ),
        (
            "Входящее в кластер приборостроения «Точмаш» ООО «Калибрум» открыло новый цех.",
            {("Калибрум", "Точмаш")},
        ),
        (
            "В кластере фотоники «Люменград» заработал новый центр. В числе его участников — АО «Оптиум» и «Лазерика».",
            {("Оптиум", "Люменград"), ("Лазерика", "Люменград")},
        ),
    ],
)
def test_membership_constructions(text: str, expected: set) -> None:
    assert facts(text, "memberOf") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Компания «Вектрон» не вошла в состав кластера силовой электроники.",
        "Партнёр кластера фотоники «Люменград» ООО «Оптиум» закупило линзы у компании «Стеклонит».",
    ],
)
def test_no_membership_without_one_stated(text: str) -> None:
    assert facts(text, "memberOf") == set()


def test_a_plan_to_join_is_kept_only_marked_as_a_plan() -> None:
    extraction = read("ООО «Термоника» планирует вступить в ассоциацию «Теплопром».")
    (fact,) = [f for f in extraction.facts if f.predicate == "memberOf"]
    assert fact.rule.endswith(":plan") and fact.confidence < 0.6


@pytest.mark.parametrize(
    ("text", "firms"),
    [
        ("Компания «Нанолит», резидент ОЭЗ «Технополис „Москва“», запустила линию по выпуску линз.", {"Нанолит"}),
        ("Статус резидента технополиса «Москва» получила компания «Гидравлика-М».", {"Гидравлика-М"}),
        ("ООО «Плазмакон» разместило производство на площадке технополиса «Москва».", {"Плазмакон"}),
        ("Резидентами технополиса «Москва» стали АО «Кварцит» и компания «Оптрон».", {"Кварцит", "Оптрон"}),
    ],
)
def test_residency_constructions(text: str, firms: set[str]) -> None:
    assert {firm for firm, _ in facts(text, "residentOf")} == firms


def test_a_visit_is_no_residency() -> None:
    assert facts("Делегация ООО «Плазмакон» посетила технополис «Москва».", "residentOf") == set()


@pytest.mark.parametrize(
    ("text", "predicate", "value", "comparator"),
    [
        ("На площадке технополиса «Москва» работают свыше 210 компаний.", "residentCount", 210, "gt"),
        ("Кластер фотоники «Люменград» объединяет около сорока предприятий.", "memberCount", 40, "approx"),
        ("Завод АО «Вольтаника» рассчитан на выпуск до 2,5 тыс. инверторов в год.", "productionCapacity", 2500, "max"),
        ("В прошлом году ООО «Светокон» выпустило 1,5 млн светодиодных ламп.", "productionCapacity", 1500000, "eq"),
        ("На предприятии компании «Калибрум» трудятся почти 600 сотрудников.", "numberOfEmployees", 600, "approx"),
    ],
)
def test_quantities_with_their_comparator_and_owner(text: str, predicate: str, value: int, comparator: str) -> None:
    extraction = read(text)
    (fact,) = [f for f in extraction.facts if f.predicate == predicate]
    assert (fact.object["value"], fact.object["comparator"]) == (value, comparator)


@pytest.mark.parametrize(
    ("text", "value", "plan"),
    [
        ("Компания «Термопласт-М» вложила в новый цех 1,2 млрд рублей.", 1_200_000_000, False),
        ("Объём инвестиций ООО «Ферротек» в производство составил 500 млн руб.", 500_000_000, False),
        ("Инвестиции АО «Гидромаш» в проект составят 800 млн руб.", 800_000_000, True),
        ("АО «Кварцит» намерено инвестировать в линию 700 млн рублей.", 700_000_000, True),
    ],
)
def test_a_sum_invested_is_an_investment_and_a_plan_stays_a_plan(text: str, value: int, plan: bool) -> None:
    (fact,) = [f for f in read(text).facts if f.predicate == "investment"]
    assert fact.object["value"] == value and fact.rule.endswith(":plan") == plan


@pytest.mark.parametrize(
    "text",
    [
        "Выручка АО «Ромашка-Электро» выросла до 2 млрд рублей.",
        "Стоимость контракта ООО «Сигмалит» составила 300 млн рублей.",
        "Компания «Векторон» получила грант в 50 млн рублей и выпускает 10 тыс. датчиков в год.",
    ],
)
def test_a_sum_that_is_not_invested_is_no_investment_and_no_capacity(text: str) -> None:
    found = [f for f in read(text).facts if f.predicate != "type" and isinstance(f.object, dict)]
    assert all(f.object["unit_lemma"] not in ("рубль", "руб.") for f in found)
    assert not [f for f in found if f.predicate == "investment"]


def test_a_figure_of_a_plan_is_kept_marked_as_a_plan() -> None:
    (planned,) = [
        f
        for f in read("Завод «Светоприбор» будет выпускать до 100 тыс. ламп в год.").facts
        if f.predicate != "type" and isinstance(f.object, dict)
    ]
    (made,) = [
        f
        for f in read("Завод «Светоприбор» выпускал до 100 тыс. ламп в год.").facts
        if f.predicate != "type" and isinstance(f.object, dict)
    ]
    assert planned.predicate == made.predicate == "productionCapacity"
    assert planned.rule.endswith(":plan") and not made.rule.endswith(":plan")


def test_two_figures_of_one_sentence_are_two_quantities_in_the_graph() -> None:
    from ingest.mapping import GraphMapper
    from ontology.namespaces import SCHEMA, ZO
    from ontology.uris import UriMinter

    text = "Инвестиции АО «Биоклеткон» в завод составят 343 млн руб., а его мощность — до 72 тыс. единиц в год."
    extraction = read(text)
    _graph, triples = GraphMapper(UriMinter("https://zamena.example.org/")).to_triples(extraction)
    by_property = {p: o for _s, p, o in triples if p in (ZO.investment, ZO.productionCapacity)}
    assert set(by_property) == {ZO.investment, ZO.productionCapacity}
    assert by_property[ZO.investment] != by_property[ZO.productionCapacity]
    values = {o: {int(v) for s, p, v in triples if s == o and p == SCHEMA.value} for o in by_property.values()}
    assert values == {by_property[ZO.investment]: {343_000_000}, by_property[ZO.productionCapacity]: {72_000}}


def test_a_year_is_no_quantity() -> None:
    extraction = read("Компания «Гелиосистемы» к 2027 году начнёт выпуск солнечных панелей.")
    assert not [f for f in extraction.facts if isinstance(f.object, dict) and f.predicate != "type"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([("Людмиле", "Name"), ("Зайцевой", "Surn")], ["Людмила", "Зайцева"]),
        ([("Сергея", "Name"), ("Кузнецова", "Surn")], ["Сергей", "Кузнецов"]),
        ([("Ирина", "Name"), ("Соколова", "Surn")], ["Ирина", "Соколова"]),
        ([("Марины", "Name"), ("Орловой", "Surn")], ["Марина", "Орлова"]),
        ([("Елена", "Name"), ("Черных", "Surn")], ["Елена", "Черных"]),
    ],
)
def test_a_persons_name_keeps_its_gender_in_the_nominative(words: list, expected: list[str]) -> None:
    assert nominative_name(words) == expected


def test_a_post_of_a_woman_named_in_the_dative() -> None:
    extraction = read("Награду вручили Светлане Морозовой, коммерческому директору ООО «Калибрум».")
    people = {e.name for e in extraction.entities.values() if e.type == "PER"}
    posts = {e.name for e in extraction.entities.values() if e.type == "POST"}
    assert people == {"Светлана Морозова"}
    assert any(post.startswith("коммерческий директор") for post in posts), posts


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("Компания «Люминар» получила участок на площадке «Алабушево».", "Алабушево", "LOC"),
        ("Завод находится в индустриальном парке «Руднево».", "Руднево", "LOC"),
        ("Проект компании «Люминар» согласован Минпромторгом.", "Минпромторг", "GOV"),
        ("Росздравнадзор выдал лицензию компании «Люминар».", "Росздравнадзор", "GOV"),
    ],
)
def test_sites_and_federal_bodies_are_no_firms(text: str, name: str, kind: str) -> None:
    kinds = {e.name: e.type for e in read(text).entities.values()}
    assert kinds.get(name) == kind and kinds.get("Люминар", "FIRM") == "FIRM"


def test_the_source_of_a_report_owns_no_output() -> None:
    extraction = read("Как сообщает ТВЦ, завод выпускает около 5,5 млн упаковок в год.")
    owners = {f.subject for f in extraction.facts if f.predicate == "productionCapacity"}
    assert ("FIRM", "твц") not in owners and ("ORG", "твц") not in owners


@pytest.mark.parametrize(
    ("text", "firms"),
    [
        # the first of a quoted list the model left out is of the kind of the ones it found
        (
            "Участниками кластера «Умный свет» стали «Люмен-Тех», «Фотон-Сервис» и «Светлые решения».",
            {"Люмен-Тех", "Фотон-Сервис", "Светлые решения"},
        ),
        # a name opening the sentence, the subject of joining or of being a member
        ("«Медные провода» вошли в ассоциацию «Кабельщики Урала» в прошлом году.", {"Медные провода"}),
        ("Пермская «Гидроузел» является участником кластера «Камские технологии».", {"Гидроузел"}),
        ("«Стеклотех» (Калужская область) вступила в ассоциацию «Прозрачный мир».", {"Стеклотех"}),
        # a pronoun for the firm named before
        ("Завод «Литейный двор» выпускает отливки. Теперь он входит и в союз «Литейщики России».", {"Литейный двор"}),
    ],
)
def test_members_named_first_in_a_list_first_in_the_sentence_or_by_a_pronoun(text: str, firms: set[str]) -> None:
    assert {firm for firm, _ in facts(text, "memberOf")} == firms


def test_a_residency_stated_of_a_pronoun_and_the_residents_word_itself_is_no_firm() -> None:
    text = "Стартап «Нейролит» разработал систему контроля швов. В этом году он стал резидентом технопарка «Сколково»."
    assert {firm for firm, _ in facts(text, "residentOf")} == {"Нейролит"}
    talked = "Руководство «Телеком-Про» рассказало, какие льготы получают резиденты технополиса «Москва»."
    assert not facts(talked, "residentOf")


def test_a_name_opening_the_sentence_before_what_a_product_does_is_no_firm() -> None:
    extraction = read("«Око-5» прошло испытания на элеваторе.")
    assert not [e for e in extraction.entities.values() if e.type == "FIRM"]


@pytest.mark.parametrize(
    ("text", "firms"),
    [
        ("Зарегистрированное в ОЭЗ «Алабуга» ООО «Полимер-Тек» запустило линию плёнок.", {"Полимер-Тек"}),
        (
            "Совет ОЭЗ «Дубна» одобрил заявку «Лазер-Нова», и компания включена в реестр резидентов зоны.",
            {"Лазер-Нова"},
        ),
        ("АО «Литон» исключено из реестра резидентов ОЭЗ «Алабуга».", set()),
    ],
)
def test_residency_by_registration_and_by_the_register(text: str, firms: set[str]) -> None:
    assert {firm for firm, _ in facts(text, "residentOf")} == firms


def holders(text: str) -> set[str]:
    """The people the text gives a post, each with it."""
    extraction = read(text)
    names = {ref: e.name for ref, e in extraction.entities.items()}
    return {names[f.subject] for f in extraction.facts if f.predicate == "holds"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Технический директор АО «Гидросила» Роман Белов возглавил стартап.", {"Роман Белов"}),
        ("Бывший технический директор АО «Гидросила» Роман Белов возглавил стартап.", set()),
        ("Экс-директор АО «Гидросила» Роман Белов открыл своё дело.", set()),
        ("На должность коммерческого директора ООО «Север» назначена Анна Крылова.", {"Анна Крылова"}),
        ("Претендентом на пост директора ООО «Север» считают Анну Крылову.", set()),
    ],
)
def test_a_title_held_before_or_only_sought_is_no_post(text: str, expected: set[str]) -> None:
    assert holders(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("В ОЭЗ «Титановая долина» работают 12 компаний.", {("Титановая долина", 12)}),
        ("В ОЭЗ «Титановая долина» работают ещё 12 компаний.", set()),
        ("Кластер «Композит-Юг» объединяет 40 участников.", {("Композит-Юг", 40)}),
        ("Кластер «Композит-Юг» объединяет 40 новых участников.", set()),
    ],
)
def test_a_count_of_newcomers_is_not_a_count_of_members(text: str, expected: set) -> None:
    counts = facts(text, "residentCount") | facts(text, "memberCount")
    assert counts == expected


def test_the_firms_named_after_a_dash_are_the_companies_that_became_residents() -> None:
    text = "Резидентами ОЭЗ «Титановая долина» стали три компании — «Микрон-Т», «Оптек» и АО «Кварц»."
    assert facts(text, "residentOf") == {(f, "Титановая долина") for f in ("Микрон-Т", "Оптек", "Кварц")}
    text = "Участниками ассоциации «Роботех-Союз» стали две фирмы — «Манипулон» и ООО «Грипер»."
    assert facts(text, "memberOf") == {("Манипулон", "Роботех-Союз"), ("Грипер", "Роботех-Союз")}


def posts(text: str) -> set[tuple[str, str]]:
    extraction = read(text)
    names = {ref: e.name for ref, e in extraction.entities.items()}
    return {(names[f.subject], names[f.object]) for f in extraction.facts if f.predicate == "holds"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the verb after the title, in a sentence with no relation's trigger (not parsed)
        (
            "Должность главного технолога АО «Литмаш» занял Пётр Сорокин.",
            {("Пётр Сорокин", "главный технолог АО «Литмаш»")},
        ),
        (
            "Пост финансового директора ООО «Кварцевит» заняла Светлана Ильина.",
            {("Светлана Ильина", "финансовый директор ООО «Кварцевит»")},
        ),
        # where and when it happened is not part of the title; what the deputy is for is
        (
            "Председателем правления ПАО «Уралпрокат-Инвест» на годовом собрании избран Аркадий Вишневский.",
            {("Аркадий Вишневский", "председатель правления ПАО «Уралпрокат-Инвест»")},
        ),
        (
            "Заместитель генерального директора АО «Литмаш» по производству Пётр Сорокин открыл цех.",
            {("Пётр Сорокин", "заместитель генерального директора АО «Литмаш» по производству")},
        ),
    ],
)
def test_a_title_before_the_name_ends_where_the_title_does(text: str, expected: set) -> None:
    assert posts(text) == expected
