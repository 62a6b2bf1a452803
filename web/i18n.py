"""The words of the interface in Russian (the default) and English, and names for the terms of the graph.

Terms of Zamena's own vocabulary are named by their rdfs:label in the graph; the reused vocabularies
(ORG, schema.org, SKOS, PROV-O, Web Annotation) are not loaded into the graph, so their terms that
pages show are named here.
"""

from __future__ import annotations

from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from ontology.namespaces import OA, ORG, SCHEMA, ZO

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

UI: dict[str, tuple[str, str]] = {
    # key: (Russian, English)
    "title": ("Замена", "Zamena"),
    "tagline": (
        "Кто в технополисе может сделать это вместо импортного — и откуда мы это знаем",
        "Who in the technopolis can make it instead of the imported one — and how we know",
    ),
    "nav.search": ("Поиск", "Search"),
    "nav.sparql": ("SPARQL", "SPARQL"),
    "nav.data": ("Данные", "Data"),
    "nav.api": ("API", "API"),
    "search.placeholder": (
        "Например: кто делает электродвигатели, оптические датчики, участники центра компетенций",
        "For example: who makes electric motors, optical sensors, members of the competence centre",
    ),
    "search.button": ("Найти", "Search"),
    "search.results": ("Найдено", "Found"),
    "search.none": ("Ничего не найдено. Попробуйте другие слова.", "Nothing found. Try other words."),
    "search.nobody": (
        "В графе нет фирм, о которых известно, что они отвечают на запрос «{query}».",
        "The graph knows no firm that answers «{query}».",
    ),
    "search.suggestions": ("Близкие понятия", "Nearest concepts"),
    "entity.cites": ("По данным", "According to"),
    "search.unavailable": (
        "Поиск по смыслу ещё не построен для этой базы; показаны совпадения по названиям.",
        "Semantic search is not built for this knowledge base yet; matches by name are shown.",
    ),
    "search.failed": ("Поиск не удался", "Search failed"),
    "search.why": ("Почему найдено", "Why it matched"),
    "search.evidence": ("Источники", "Evidence"),
    "search.matched": ("Совпавшие понятия", "Matched concepts"),
    "search.score": ("оценка", "score"),
    "search.relevance": ("совпадение: {share} % от лучшего ответа", "match: {share}% of the best answer"),
    "search.more_reasons": ("ещё {n}", "{n} more"),
    "source.profile": ("Профиль компании «{name}»", "Company profile «{name}»"),
    "scheme.okpd2": ("ОКПД 2", "ОКПД 2"),
    "scheme.okved2": ("ОКВЭД 2", "ОКВЭД 2"),
    "scheme.competence": ("компетенция", "competence"),
    "scheme.brand": ("импортная марка", "imported brand"),
    "facet.fold": ("Уточнить: вид, класс, центр компетенций", "Refine: kind, class, competence centre"),
    "search.examples": ("Примеры запросов", "Example questions"),
    "facet.kind": ("Вид", "Kind"),
    "facet.section": ("Раздел классификатора", "Classifier section"),
    "facet.centre": ("Центр компетенций", "Competence centre"),
    "facet.member": ("участники", "members"),
    "facet.not_member": ("не участники", "not members"),
    "facet.all": ("все", "all"),
    "kind.firm": ("фирмы", "firms"),
    "kind.product": ("продукты", "products"),
    "kind.competence": ("компетенции", "competences"),
    "kind.concept": ("понятия классификаторов", "classifier concepts"),
    "kind.person": ("люди", "people"),
    "kind.document": ("документы", "documents"),
    "kind.sentence": ("предложения", "sentences"),
    "kind.organisation": ("организации", "organisations"),
    "kind.other": ("прочее", "other"),
    "reason.product": ("продукт", "product"),
    "reason.brand": ("импортная марка", "imported brand"),
    "reason.competence": ("компетенция", "competence"),
    "reason.okpd2": ("класс ОКПД 2", "ОКПД 2 class"),
    "reason.okved2": ("вид деятельности ОКВЭД 2", "ОКВЭД 2 activity"),
    "reason.concept": ("понятие", "concept"),
    "reason.sentence": ("сказано в тексте", "stated in a text"),
    "reason.profile": ("профиль", "profile"),
    "reason.text": ("текст", "text"),
    "imported.is": ("Что это", "What it is"),
    "imported.class": ("класс ОКПД 2", "ОКПД 2 class"),
    "imported.competence": ("компетенция", "competence"),
    "imported.source": ("источник", "source"),
    "imported.general": ("общеизвестные сведения", "general knowledge"),
    "imported.nobody": (
        "В графе нет фирм, выпускающих продукцию класса ОКПД 2 {notation} или имеющих эту компетенцию.",
        "The graph knows no firm that makes products of ОКПД 2 class {notation} or has this competence.",
    ),
    "imported.nobody_makes": (
        "В графе нет фирм, о которых известно, что они выпускают продукцию класса ОКПД 2 {notation}; ниже — "
        "фирмы с той же компетенцией.",
        "The graph knows no firm that makes products of ОКПД 2 class {notation}; below are firms with the same "
        "competence.",
    ),
    "tier.0": ("Заявлены как замена", "Stated as a replacement"),
    "tier.1": ("Выпускают продукцию того же класса", "Make products of the same class"),
    "tier.2": ("Работают в той же области компетенций", "Work in the same competence"),
    "tier.3": ("Другие совпадения", "Other matches"),
    "one.firm": ("фирма", "firm"),
    "one.product": ("продукт", "product"),
    "one.concept": ("понятие", "concept"),
    "one.document": ("документ", "document"),
    "one.person": ("человек", "person"),
    "one.organisation": ("организация", "organisation"),
    "entity.uri": ("Адрес (URI)", "URI"),
    "entity.types": ("Тип", "Type"),
    "entity.aliases": ("Другие названия", "Other names"),
    "entity.properties": ("Свойства", "Properties"),
    "entity.links_in": ("Ссылаются сюда", "Linked from"),
    "entity.facts": ("Факты и их источники", "Facts and their sources"),
    "entity.fact": ("Факт", "Fact"),
    "entity.quote": ("Цитата", "Quote"),
    "entity.source": ("Источник", "Source"),
    "entity.confidence": ("уверенность", "confidence"),
    "entity.rule": ("правило", "rule"),
    "entity.details": ("подробнее", "details"),
    "entity.in_russian": ("По-русски", "In Russian"),
    "entity.chars": ("символы", "characters"),
    "entity.mentioned_in": ("Упоминается в документах", "Mentioned in documents"),
    "entity.mentions": ("Упоминает", "Mentions"),
    "entity.neighbourhood": ("Связи в графе", "Neighbourhood in the graph"),
    "entity.text": ("Текст документа", "Text of the document"),
    "entity.front_matter": ("Данные профиля (заголовок файла)", "The profile's data (the file's front matter)"),
    "entity.facts_hint": ("показать", "show"),
    "entity.similar": ("Похожие фирмы", "Similar firms"),
    "entity.downloads": ("Это описание в форматах RDF", "This description in RDF formats"),
    "entity.not_found": ("Такой сущности нет в графе", "No such entity in the graph"),
    "entity.none": ("нет", "none"),
    "entity.links_cut": (
        "Связей у этой сущности: {total}; здесь показаны первые {shown}.",
        "This entity has {total} links; the first {shown} are shown here.",
    ),
    "entity.facts_cut": ("Показаны первые {shown} фактов.", "The first {shown} facts are shown."),
    "entity.all_links": ("Все связи — в запросе SPARQL", "All links in a SPARQL query"),
    "sparql.title": ("Запрос SPARQL", "SPARQL query"),
    "sparql.intro": (
        "Запросы к графу на языке SPARQL 1.1. Префиксы zo, org, schema, skos, oa, prov, dcterms, rdf, rdfs "
        "объявлены заранее. Только чтение; время запроса ограничено.",
        "Queries over the graph in SPARQL 1.1. The prefixes zo, org, schema, skos, oa, prov, dcterms, rdf, rdfs "
        "are declared already. Read-only; a query's time is limited.",
    ),
    "sparql.examples": ("Примеры", "Examples"),
    "sparql.run": ("Выполнить", "Run"),
    "sparql.permalink": ("Постоянная ссылка", "Permalink"),
    "sparql.download": ("Скачать", "Download"),
    "sparql.rows": ("строк", "rows"),
    "sparql.triples": ("троек", "triples"),
    "sparql.seconds": ("с", "s"),
    "sparql.truncated": (
        "Показаны первые {n} строк: больше сервер не отдаёт (предел задаёт ZAMENA_RESULT_ROWS).",
        "The first {n} rows are shown: the server gives no more (ZAMENA_RESULT_ROWS sets the limit).",
    ),
    "sparql.value_cut": ("… и ещё {n} симв. — целиком в выгрузке", "… and {n} more characters, whole in the downloads"),
    "sparql.answer_yes": ("Да", "Yes"),
    "sparql.answer_no": ("Нет", "No"),
    "sparql.error": ("Ошибка", "Error"),
    "sparql.endpoint": ("Точка доступа SPARQL 1.1", "SPARQL 1.1 endpoint"),
    "sparql.prefixes": (
        "Адреса сущностей показаны сокращённо; чтобы писать их так в запросе, объявите эти префиксы:",
        "Entity IRIs are shown abbreviated; to write them so in a query, declare these prefixes:",
    ),
    "data.title": ("Данные", "Data"),
    "data.dumps": ("Полные выгрузки графа", "Full dumps of the graph"),
    "data.format": ("Формат", "Format"),
    "data.media_type": ("Тип содержимого", "Media type"),
    "data.void": ("Описание набора данных (VoID)", "Dataset description (VoID)"),
    "data.ontology": ("Словарь (онтология)", "Vocabulary (ontology)"),
    "data.context": ("Контекст JSON-LD", "JSON-LD context"),
    "data.counts": ("Что в графе", "What the graph holds"),
    "data.size": ("Размер", "Size"),
    "data.made": ("Выгрузка от", "Made on"),
    "data.licence": ("Лицензия", "Licence"),
    "data.preparing": ("готовится — обновите страницу через минуту", "being written — reload in a minute"),
    "data.licence_note": (
        "Классификаторы ОКПД 2 и ОКВЭД 2 в выгрузках — официальные документы, не охраняемые авторским правом.",
        "The ОКПД 2 and ОКВЭД 2 classifiers in the dumps are official documents, not subject to copyright.",
    ),
    "size.bytes": ("Б", "B"),
    "size.kb": ("КБ", "KB"),
    "size.mb": ("МБ", "MB"),
    "size.gb": ("ГБ", "GB"),
    "coverage.text": (
        "В графе: фирм — {firms}, документов — {documents}; самый новый документ — от {newest}.",
        "In the graph: {firms} firms and {documents} documents; the newest document is of {newest}.",
    ),
    "coverage.undated": (
        "В графе: фирм — {firms}, документов — {documents}.",
        "In the graph: {firms} firms and {documents} documents.",
    ),
    "coverage.more": ("Все данные и выгрузки", "All data and dumps"),
    "indexing.running": (
        "Поиск ещё учит классы классификаторов: {done} из {total} текстов ({percent} %). Фирмы, продукты и "
        "цитаты уже ищутся; ответы через классы ОКПД 2 и ОКВЭД 2 добавятся, когда индекс будет готов.",
        "Search is still learning the classifiers' classes: {done} of {total} texts ({percent} %). Firms, "
        "products and quotes are searchable already; answers through ОКПД 2 and ОКВЭД 2 classes come when the "
        "index is ready.",
    ),
    "indexing.behind": (
        "Индекс поиска отстаёт от графа ({graphs} графов не проиндексировано): ответы через классы "
        "классификаторов могут быть неполны. Запустите `zamena index`.",
        "The search index is behind the graph ({graphs} graphs not indexed): answers through classifier classes "
        "may be incomplete. Run `zamena index`.",
    ),
    "api.title": ("JSON API", "JSON API"),
    # the API page and the OpenAPI document (which is in English) read these
    "api.intro": (
        "Поиск высокотехнологичных фирм, всё, что граф знает о сущности, с источником каждого факта, и запросы к "
        "графу на SPARQL.",
        "Search high-tech firms, read what the graph says about an entity with the source of every fact, and "
        "query the graph in SPARQL.",
    ),
    "api.openapi": ("Описание в формате OpenAPI", "The OpenAPI document"),
    "api.parameters": ("Параметры", "Parameters"),
    "api.responses": ("Ответы", "Responses"),
    "api.required": ("обязательный", "required"),
    "api.op.search": (
        "Ответы на вопрос по-русски или по-английски, каждый с цитатами-источниками (документ, его название, "
        "дата и адрес)",
        "Answers to a question in Russian or English, each with evidence quotes (the document, its title, date "
        "and address)",
    ),
    "api.op.entity": (
        "Всё, что граф знает об одном URI, каждый факт с цитатой и источником",
        "What the graph says about one URI, every fact with its quote and source",
    ),
    "api.op.sparqlQuery": (
        "Запрос по протоколу SPARQL 1.1 (только чтение; GET без запроса даёт описание сервиса)",
        "SPARQL 1.1 Protocol query (read-only; a bare GET returns the service description)",
    ),
    "api.param.q": ("вопрос", "the question"),
    "api.param.kind": ("что искать", "what to find"),
    "api.param.k": ("сколько ответов", "how many answers"),
    "api.param.code": (
        "оставить ответы с этим префиксом кода ОКВЭД 2 / ОКПД 2",
        "keep answers under this ОКВЭД 2 / ОКПД 2 code prefix",
    ),
    "api.param.centre": ("оставить участников центра компетенций", "keep members of a competence centre"),
    "api.param.uri": ("URI сущности", "the entity's URI"),
    "api.param.lang": ("язык названий", "the language of names"),
    "api.param.query": ("текст запроса SPARQL", "the SPARQL query"),
    "api.param.default-graph-uri": ("граф по умолчанию", "the default graph"),
    "api.param.named-graph-uri": ("именованный граф", "a named graph"),
    "api.param.format": ("формат ответа", "the format of the answer"),
    "api.response.search.200": ("ответы, лучшие первыми", "answers, best first"),
    "api.response.search.400": ("нет параметра или он неверен", "a missing or bad parameter"),
    "api.response.entity.200": ("сущность", "the entity"),
    "api.response.entity.400": ("нет пригодного URI", "no usable URI"),
    "api.response.entity.404": ("граф ничего о ней не знает", "the graph knows nothing about it"),
    "api.response.sparqlQuery.200": (
        "результаты (SELECT/ASK) или граф (CONSTRUCT/DESCRIBE)",
        "results (SELECT/ASK) or a graph (CONSTRUCT/DESCRIBE)",
    ),
    "api.response.sparqlQuery.400": ("не SPARQL", "not valid SPARQL"),
    "api.response.sparqlQuery.403": (
        "изменение, SERVICE или удалённый FROM: отказ",
        "an update, SERVICE or a remote FROM: refused",
    ),
    "api.response.sparqlQuery.406": ("нет подходящего формата", "no acceptable result format"),
    "api.response.sparqlQuery.503": (
        "время вышло или все исполнители заняты",
        "over the time limit, or all workers busy",
    ),
    "count.triples": ("троек во всех графах", "triples in all graphs"),
    "count.graphs": ("именованных графов", "named graphs"),
    "count.documents": ("документов", "documents"),
    "count.firms": ("фирм", "firms"),
    "count.products": ("продуктов", "products"),
    "count.people": ("людей", "people"),
    "count.concepts": ("понятий классификаторов и компетенций", "classifier and competence concepts"),
    "count.evidence": ("фактов с источником", "facts with a source"),
    "error.title": ("Ошибка", "Error"),
    "error.400": (
        "Запрос не понят: проверьте адрес и его параметры.",
        "The request was not understood: check the address and its parameters.",
    ),
    "error.404": ("Такой страницы нет. Найдите нужное поиском.", "There is no such page. Search for what you need."),
    "error.405": ("Этот адрес не принимает такой запрос.", "This address does not take this kind of request."),
    "error.other": (
        "Сервер не смог ответить на запрос. Попробуйте ещё раз позже.",
        "The server could not answer the request. Try again later.",
    ),
    "error.bad_uri": ("Это не годный URI: {uri}", "Not a usable URI: {uri}"),
    "error.no_uri": ("Укажите URI: {example}", "Give the URI: {example}"),
    "error.unknown_uri": ("Граф ничего не знает о {uri}", "The graph knows nothing about {uri}"),
    "class.members": ("Фирмы и продукты этого класса и подклассов", "Firms and products in this class and below"),
    "class.counts": ("Фирмы: {firms} · Продукты: {products}", "Firms: {firms} · Products: {products}"),
    "class.none": (
        "В графе нет фирм и продуктов этого класса и его подклассов.",
        "The graph holds no firm or product in this class or below it.",
    ),
    "class.classified": ("сама относится к классу", "is itself in the class"),
    "class.no_maker": ("Производитель не известен", "Maker not known"),
    "class.cut": ("Показаны первые {shown} связей.", "The first {shown} links are shown."),
    "class.query": ("Этот список — запросом SPARQL", "This list as a SPARQL query"),
    "legend.title": ("Обозначения", "Legend"),
    "legend.firm": ("фирма", "firm"),
    "legend.product": ("продукт", "product"),
    "legend.document": ("документ", "document"),
    "legend.competence": ("компетенция", "competence"),
    "legend.classifier": ("класс классификатора", "classifier class"),
    "legend.brand": ("импортная марка", "imported brand"),
    "legend.concept": ("понятие", "concept"),
    "legend.person": ("человек", "person"),
    "legend.post": ("должность", "post"),
    "legend.zone": ("особая экономическая зона", "special economic zone"),
    "legend.site": ("площадка зоны", "site of the zone"),
    "legend.centre": ("центр или кластер", "centre or cluster"),
    "legend.organisation": ("организация", "organisation"),
    "legend.scheme": ("классификатор", "classifier"),
    "legend.other": ("прочее", "other"),
    "footer": (
        "Каждый факт ведёт к документу и предложению, из которых он извлечён.",
        "Every fact leads to the document and the sentence it was read from.",
    ),
}

# Names of terms of reused vocabularies: (Russian, English).
TERMS: dict[str, tuple[str, str]] = {
    str(RDF.type): ("тип", "type"),
    str(RDF.subject): ("субъект", "subject"),
    str(RDF.predicate): ("предикат", "predicate"),
    str(RDF.object): ("объект", "object"),
    str(RDFS.label): ("метка", "label"),
    str(RDFS.comment): ("комментарий", "comment"),
    str(RDFS.subClassOf): ("подкласс", "subclass of"),
    str(RDFS.domain): ("область определения", "domain"),
    str(RDFS.range): ("область значений", "range"),
    str(OWL.Class): ("класс", "class"),
    str(OWL.ObjectProperty): ("свойство-связь", "object property"),
    str(OWL.DatatypeProperty): ("свойство-значение", "datatype property"),
    str(SKOS.prefLabel): ("название", "name"),
    str(SKOS.altLabel): ("другое название", "other name"),
    str(SKOS.notation): ("код", "code"),
    str(SKOS.broader): ("входит в", "broader"),
    str(SKOS.narrower): ("включает", "narrower"),
    str(SKOS.broaderTransitive): ("входит на любом уровне в", "broader at any level"),
    str(SKOS.inScheme): ("схема", "scheme"),
    str(SKOS.topConceptOf): ("верхнее понятие схемы", "top concept of"),
    str(SKOS.hasTopConcept): ("верхнее понятие", "top concept"),
    str(SKOS.scopeNote): ("пояснение", "scope note"),
    str(SKOS.definition): ("определение", "definition"),
    str(SKOS.exactMatch): ("точно соответствует", "exact match"),
    str(SKOS.closeMatch): ("близко к", "close match"),
    str(SKOS.broadMatch): ("соответствует более общему", "broad match"),
    str(SKOS.narrowMatch): ("соответствует более узкому", "narrow match"),
    str(SKOS.related): ("связано с", "related"),
    str(SKOS.relatedMatch): ("связано по смыслу с", "related match"),
    str(SKOS.Concept): ("понятие", "concept"),
    str(SKOS.ConceptScheme): ("схема понятий", "concept scheme"),
    str(ORG.memberOf): ("участник", "member of"),
    str(ORG.holds): ("занимает должность", "holds"),
    str(ORG.postIn): ("должность в", "post in"),
    str(ORG.classification): ("вид деятельности (ОКВЭД 2)", "activity (OKVED 2)"),
    str(ORG.identifier): ("идентификатор", "identifier"),
    str(ORG.Organization): ("организация", "organisation"),
    str(ORG.FormalOrganization): ("юридическое лицо", "formal organisation"),
    str(ORG.Post): ("должность", "post"),
    str(ORG.Membership): ("членство", "membership"),
    str(SCHEMA.Corporation): ("фирма", "firm"),
    str(SCHEMA.Organization): ("организация", "organisation"),
    str(SCHEMA.GovernmentOrganization): ("орган власти", "government body"),
    str(SCHEMA.Person): ("человек", "person"),
    str(SCHEMA.Product): ("продукт", "product"),
    str(SCHEMA.numberOfEmployees): ("число сотрудников", "number of employees"),
    str(SCHEMA.value): ("значение", "value"),
    str(SCHEMA.unitText): ("единица", "unit"),
    str(SCHEMA.Place): ("место", "place"),
    str(SCHEMA.NewsArticle): ("новость", "news article"),
    str(SCHEMA.CreativeWork): ("документ", "document"),
    str(SCHEMA.manufacturer): ("производитель", "manufacturer"),
    str(SCHEMA.category): ("класс продукции (ОКПД 2)", "product class (OKPD 2)"),
    str(SCHEMA.mentions): ("упоминает", "mentions"),
    str(SCHEMA.location): ("находится в", "located in"),
    str(SCHEMA.containedInPlace): ("входит в", "part of"),
    str(SCHEMA.givenName): ("имя", "given name"),
    str(SCHEMA.familyName): ("фамилия", "family name"),
    str(SCHEMA.additionalName): ("отчество", "patronymic"),
    str(SCHEMA.jobTitle): ("должность", "job title"),
    str(SCHEMA.headline): ("заголовок", "headline"),
    str(SCHEMA.text): ("текст", "text"),
    str(SCHEMA.url): ("адрес в сети", "URL"),
    str(SCHEMA.value): ("значение", "value"),
    str(SCHEMA.unitText): ("единица", "unit"),
    str(SCHEMA.description): ("описание", "description"),
    str(DCTERMS.date): ("дата", "date"),
    str(DCTERMS.title): ("название", "title"),
    str(DCTERMS.source): ("файл", "source file"),
    str(DCTERMS.identifier): ("идентификатор", "identifier"),
    str(PROV.wasDerivedFrom): ("извлечено из", "derived from"),
    str(OA.hasSelector): ("фрагмент", "selector"),
    str(OA.exact): ("цитата", "quote"),
    str(OA.start): ("начало", "start"),
    str(OA.end): ("конец", "end"),
    str(ZO.confidence): ("уверенность", "confidence"),
}


# Names of links read backwards, on the page of their object: the children of 27.11 link to it by
# skos:broader, so 27.11's page lists them as what it includes. Symmetric relations keep their name.
INVERSE_TERMS: dict[str, tuple[str, str]] = {
    str(SKOS.broader): ("включает", "narrower"),
    str(SKOS.narrower): ("входит в", "broader"),
    str(SKOS.broaderTransitive): ("включает на любом уровне", "narrower at any level"),
    str(SKOS.broadMatch): ("соответствует более узкому", "narrow match"),
    str(SKOS.narrowMatch): ("соответствует более общему", "broad match"),
    str(SKOS.related): ("связано с", "related"),
    str(SKOS.relatedMatch): ("связано по смыслу с", "related match"),
    str(SKOS.exactMatch): ("точно соответствует", "exact match"),
    str(SKOS.closeMatch): ("близко к", "close match"),
    str(SKOS.inScheme): ("понятия схемы", "concepts in the scheme"),
    str(SKOS.topConceptOf): ("верхнее понятие", "top concept"),
    str(SKOS.hasTopConcept): ("верхнее понятие схемы", "top concept of"),
}


def ui_text(key: str, lang: str) -> str:
    ru, en = UI.get(key, (key, key))
    return en if lang == "en" else ru


def term_name(uri: str, lang: str) -> str | None:
    """The name of a reused vocabulary's term, or None when this table does not know it."""
    names = TERMS.get(uri)
    if names is None:
        return None
    return names[1] if lang == "en" else names[0]


def inverse_term_name(uri: str, lang: str) -> str | None:
    """The name of a link seen from its object's side, or None when it has no name of its own that way."""
    names = INVERSE_TERMS.get(uri)
    if names is None:
        return None
    return names[1] if lang == "en" else names[0]


def local_name(uri: str) -> str:
    """The last part of a URI, for terms nobody named."""
    for separator in ("#", "/"):
        if separator in uri.rstrip(separator):
            return uri.rstrip(separator).rsplit(separator, 1)[1]
    return uri
