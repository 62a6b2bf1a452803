"""Evidence a reader can cite, values shown as values, both languages and the phone's layout, through Flask's
test client: the API's evidence names its document (title, date, address); no raw score on the search page,
a bar instead; confidence and rule names folded; every classifier chip names its scheme; the narrowest
reasons first, three at most; English names or a transliteration in English; the API page and the SPARQL
examples in both languages; the facets folded after the answers on a phone."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from search.answers import Reason, SearchResult
from web.examples import EXAMPLES
from web.search_page import relevance, shown_reasons
from web.translit import transliterate

pytest_plugins = ["tests.web_fixtures"]

SEED = "https://zamena.example.org/id/document/seed-news-2022-04-12"
PROFOTEK = "https://zamena.example.org/id/firm/profotek"
RAW_SCORE = re.compile(r"(?<![\d.])0\.\d{3,}")


def _tree(client, url: str, **params):
    response = client.get(url, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return lxml_html.fromstring(response.get_data(as_text=True))


def css(element, selector: str) -> list:
    """The elements under `element` that `selector` names: tags and classes, parts apart by spaces
    ("article.card header .code"); lxml's own cssselect needs a package this project does not use."""
    path = "."
    for part in selector.split():
        tag, *classes = part.split(".")
        path += "//" + (tag or "*")
        for name in classes:
            path += f"[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
    return element.xpath(path)


def _text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


# ---------------------------------------------------------------------------- 1: evidence with its document


def test_the_search_api_names_each_quotes_document_by_title_and_date(client) -> None:
    for kind in ("firm", "document"):
        answer = client.get("/api/search", query_string={"q": "центр компетенций импортозамещения", "kind": kind})
        quotes = [e for r in answer.get_json()["results"] for e in r["evidence"]]
        assert quotes, kind
        for quote in quotes:
            assert quote["title"], quote  # every document here has a title
            assert isinstance(quote["start"], int) and isinstance(quote["end"], int)  # the offsets stay
    seed = [q for q in quotes if q["document"] == SEED]
    assert seed, "the seed news item speaks of the centre"
    assert seed[0]["title"].startswith("Ефимов: Центр компетенций")
    assert seed[0]["date"] == "2022-04-12"


def test_the_openapi_schema_documents_the_evidence_fields(client) -> None:
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]["Evidence"]
    assert {"title", "date", "url", "start", "end"} <= set(schema["properties"])
    assert "title" not in schema["required"]  # sent where known


def test_the_entity_api_names_each_quotes_document_by_title_and_date(client) -> None:
    entity = client.get("/api/entity", query_string={"uri": PROFOTEK}).get_json()
    quotes = [q for f in entity["facts"] for q in f["evidence"]]
    from_seed = [q for q in quotes if q["document"] == SEED]
    assert from_seed and all(q["title"].startswith("Ефимов:") and q["date"] == "2022-04-12" for q in from_seed)
    assert all("start" in q and "end" in q for q in quotes)


def test_every_quote_on_the_search_page_names_its_document_with_its_date(client) -> None:
    tree = _tree(client, "/", q="центр компетенций импортозамещения")
    sources = [_text(a) for a in css(tree, "ul.evidence a.source")]
    documents = _tree(client, "/", q="центр компетенций импортозамещения", kind="document")
    sources += [_text(a) for a in css(documents, "ul.evidence a.source")]
    assert sources
    assert any("Ефимов: Центр компетенций" in s and "12.04.2022" in s for s in sources), sources
    # a profile is named as one, not by its firm's bare name
    catalogue = [s for s in sources if "Каталог продукции" in s]
    assert all(s.startswith("Источник: Профиль компании «Каталог") for s in catalogue)


# ---------------------------------------------------------------------------- 2: values as values


def test_the_search_page_shows_a_relative_bar_and_no_raw_score(client) -> None:
    tree = _tree(client, "/", q="оптический трансформатор")
    cards = css(tree, "article.card")
    assert cards
    for card in cards:
        assert not RAW_SCORE.search(_text(card)), _text(card)
    meters = css(tree, "article.card meter.relevance")
    assert meters
    assert float(meters[0].get("value")) == 1.0  # the best answer is the full bar
    assert "от лучшего ответа" in meters[0].get("aria-label")
    assert all(0 < float(m.get("value")) <= 1 for m in meters)


def test_relevance_is_a_share_of_the_best_score() -> None:
    results = [SearchResult("a", "", "firm", 0.4), SearchResult("b", "", "firm", 0.3), SearchResult("c", "", "firm", 0)]
    assert relevance(results) == {"a": 1.0, "b": 0.75}  # a result matched by name alone gets no bar
    assert relevance([]) == {}


def test_confidence_and_rule_names_are_folded_under_details(client) -> None:
    tree = _tree(client, "/id/firm/profotek")
    facts = css(tree, "li.fact")
    assert facts
    for fact in facts:
        folded = " ".join(_text(d) for d in css(fact, "details.quote-details"))
        shown = _text(fact)
        for details in css(fact, "details.quote-details"):
            shown = shown.replace(_text(details), "")
        assert "уверенность" not in shown and "правило" not in shown, shown
    folded = " ".join(_text(d) for d in css(tree, "details.quote-details"))
    assert "уверенность" in folded and "подробнее" in folded
    assert not [d for d in css(tree, "details.quote-details") if d.get("open") is not None]


def test_the_narrowest_reasons_come_first_three_at_most() -> None:
    def concept(code: str, scheme: str = "okpd2") -> Reason:
        return Reason("concept", uri=f"https://zamena.example.org/id/{scheme}/{code}", notation=code)

    result = SearchResult(
        "https://zamena.example.org/id/firm/x",
        "X",
        "firm",
        1.0,
        reasons=[
            Reason("sentence", uri="https://zamena.example.org/id/document/d", text="…"),
            Reason("concept", uri="https://zamena.example.org/id/competence/c"),
            concept("27.11"),
            concept("27.11.4"),
            Reason("product", uri="https://zamena.example.org/id/product/p"),
            concept("27.11"),  # the same class again
            Reason("profile", uri="https://zamena.example.org/id/firm/x"),  # its own text: no chip
        ],
    )
    assert [r.uri.rsplit("/id/", 1)[1] for r in shown_reasons(result)] == [
        "product/p",
        "okpd2/27.11.4",
        "okpd2/27.11",
        "competence/c",
        "document/d",
    ]


def test_a_card_shows_three_reasons_then_the_count_of_the_rest(client) -> None:
    tree = _tree(client, "/", q="центр компетенций импортозамещения")
    for card in css(tree, "article.card"):
        why = css(card, ".why")
        if not why:
            continue
        first = [c for c in css(why[0], "a.chip") if not c.xpath("ancestor::details")]
        assert len(first) <= 3
        more = css(why[0], "details.more-reasons")
        if more:
            hidden = css(more[0], "a.chip")
            assert _text(css(more[0], "summary")[0]) == f"+{len(hidden)}"
            assert len(first) == 3


def test_every_classifier_chip_names_its_scheme(client) -> None:
    tree = _tree(client, "/", q="27.11", kind="concept")
    codes = [_text(c) for c in css(tree, "article.card header .code")]
    assert "ОКПД 2 27.11" in codes, codes
    page = _tree(client, "/", q="преобразователь частоты")
    chips = [_text(c) for c in css(page, "a.chip")]
    for chip in chips:
        if re.search(r"\d\d\.\d", chip):  # a chip with a code says whose code it is
            assert re.match(r"(класс ОКПД 2|вид деятельности ОКВЭД 2|компетенция|импортная марка):", chip), chip


# ---------------------------------------------------------------------------- 4: both languages


def test_transliteration() -> None:
    assert transliterate("Профотек") == "Profotek"
    assert transliterate("АО «Щёлковский завод»") == "AO «Shchelkovskii zavod»"
    assert transliterate("Приводная техника, ООО") == "Privodnaia tekhnika, OOO"
    assert transliterate("Siemens 27.11") == "Siemens 27.11"


def test_english_pages_give_english_names_or_transliterations(client) -> None:
    tree = _tree(client, "/", q="optical current transformer", lang="en")
    titles = [_text(h) for h in css(tree, "article.card h3")]
    assert "Profotek" in titles, titles  # no English name in this graph: its Russian name in Latin letters
    assert not any(re.search("[а-яё]", t, re.I) for t in titles), titles
    firm = _tree(client, "/id/firm/profotek", lang="en")
    assert _text(css(firm, "h1")[0]) == "Profotek"
    assert "In Russian: Профотек" in _text(css(firm, ".entity-head")[0])
    product = _tree(client, "/id/product/optical-current-transformer", lang="en")
    assert _text(css(product, "h1")[0]) == "Optical current transformer"
    assert "Measures current in high-voltage grids" in _text(css(product, ".entity-summary")[0])


def test_the_description_in_the_readers_language_comes_first(client) -> None:
    for lang, first, second in (("ru", "Измеряет ток", "Measures current"), ("en", "Measures current", "Измеряет ток")):
        page = client.get("/id/product/optical-current-transformer", query_string={"lang": lang})
        text = page.get_data(as_text=True)
        assert text.index(first) < text.index(second), lang
    tree = _tree(client, "/id/product/optical-current-transformer", lang="ru")
    assert _text(css(tree, ".entity-summary")[0]).startswith("Измеряет ток")


def test_the_api_page_in_both_languages(client) -> None:
    ru = _text(css(_tree(client, "/api/", lang="ru"), "main")[0])
    en = _text(css(_tree(client, "/api/", lang="en"), "main")[0])
    assert "Ответы на вопрос по-русски или по-английски" in ru and "граф ничего о ней не знает" in ru
    assert "Answers to a question in Russian or English" in en and "the graph knows nothing about it" in en
    assert "Answers to a question" not in ru


def test_error_pages_speak_the_readers_language(client) -> None:
    for url, params in (("/no/such/page", {}), ("/resource", {}), ("/neighbourhood.svg", {"uri": "not a uri"})):
        pages = {}
        for lang in ("ru", "en"):
            page = client.get(url, query_string={**params, "lang": lang}, headers={"Accept": "text/html"})
            assert page.status_code in (400, 404), url
            pages[lang] = _text(css(lxml_html.fromstring(page.get_data(as_text=True)), "main")[0])
        assert re.search("[а-яё]{4}", pages["ru"].replace("Ошибка", ""), re.I), (url, pages["ru"])
        assert not re.search("[а-яё]", pages["en"], re.I), (url, pages["en"])
        assert "The requested URL was not found" not in pages["ru"]


def test_the_sparql_examples_comment_in_the_readers_language(client) -> None:
    for example in EXAMPLES:
        assert re.search("[а-яё]", example.text("ru").splitlines()[0], re.I), example.key
        assert not re.search("[а-яё]", example.text("en").splitlines()[0], re.I), example.key
        assert example.text("ru").splitlines()[1:] == example.text("en").splitlines()[1:]
    english = _text(css(_tree(client, "/query", example="products-by-okpd2", lang="en"), "textarea")[0])
    assert english.startswith("# Products of OKPD 2 class 27.11")


# ---------------------------------------------------------------------------- 9: the phone's layout


def test_the_facets_are_folded_after_the_answers_for_a_phone(client) -> None:
    tree = _tree(client, "/", q="оптический трансформатор")
    layout = css(tree, ".results-layout")[0]
    fold = css(layout, "details.facets-fold")
    assert fold and fold[0].get("open") is None  # closed until asked
    children = list(layout)
    assert children.index(fold[0]) > children.index(css(layout, "section.results")[0])
    assert "фирмы" in _text(fold[0]) and _text(css(fold[0], "summary")[0]).startswith("Уточнить")
