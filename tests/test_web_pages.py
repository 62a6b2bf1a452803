"""The pages people read, through Flask's test client: search in Russian and English, entities, the query page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.web_support import XSS_NAME

pytest_plugins = ["tests.web_fixtures"]  # the shared knowledge base, apps and live server

PROFOTEK = "/id/firm/profotek"


class Page(HTMLParser):
    """Text, links and tags of an HTML page, as a reader (or a browser) would see them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tags: list[str] = []
        self.marks: list[str] = []
        self.text_parts: list[str] = []
        self._in_mark = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.links.extend(v for k, v in attrs if k == "href" and v)
        self._in_mark = tag == "mark"

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        if self._in_mark:
            self.marks.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text_parts))


def _page(client, url: str, **params) -> Page:
    response = client.get(url, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


def test_search_in_russian_finds_the_maker_with_highlighted_evidence(client) -> None:
    page = _page(client, "/", q="оптический трансформатор")
    assert "Найдено" in page.text
    assert PROFOTEK in page.links
    assert "/id/product/optical-current-transformer" in page.links  # the product that matched
    # the product's class «Приборы для измерения электрических величин …» says nothing of what is asked:
    # it is no reason of its own
    assert "/id/okpd2/26.51.4" not in page.links
    assert any(m.lower().startswith("трансформатор") for m in page.marks)  # matched words are marked
    assert any(link.startswith("/id/document/web-catalogue?mark=") for link in page.links)
    assert '<html lang="ru"' in client.get("/", query_string={"q": "трансформатор"}).get_data(as_text=True)


def test_search_in_english_with_the_switch(client) -> None:
    switch = client.get("/", query_string={"q": "transformer", "lang": "en"})
    assert "zamena_lang=en" in switch.headers["Set-Cookie"]
    assert 'id="lang-ru"' in switch.get_data(as_text=True)  # the way back
    page = _page(client, "/", q="optical current transformer", lang="en")
    assert "Found" in page.text and "Search" in page.text
    assert PROFOTEK in page.links
    assert "Optical current transformer" in page.text  # labels in the reader's language
    assert "Found" in _page(client, "/", q="transformer").text  # remembered by the cookie
    assert "Найдено" in _page(client, "/", q="трансформатор", lang="ru").text


def test_search_facets_filter_by_kind_section_and_centre(client) -> None:
    page = _page(client, "/", q="трансформатор")
    assert any("code=26" in link for link in page.links)
    assert any("centre=1" in link for link in page.links)
    products = _page(client, "/", q="трансформатор", kind="product")
    assert "/id/product/optical-current-transformer" in products.links
    assert PROFOTEK not in [link for link in products.links if link.startswith("/id/firm/")]
    electrical = _page(client, "/", q="трансформатор", code="27")
    firms = {link for link in electrical.links if link.startswith("/id/firm/")}
    assert "/id/firm/privodnoy-tekhnika" in firms and PROFOTEK not in firms
    members = _page(client, "/", q="трансформатор", centre="1")
    assert "/id/firm/script-alert" in members.links


def test_empty_and_unmatched_searches(client) -> None:
    home = _page(client, "/")
    assert "Примеры запросов" in home.text
    assert "search" in home.tags or "input" in home.tags
    assert "Найдено" in _page(client, "/", q="zzzzqqq").text  # dense search always has nearest neighbours


def test_without_a_search_index_names_are_matched(tmp_path) -> None:
    """A knowledge base whose index was never built still answers, by names, and says so."""
    from search.fake_embedder import HashEmbedder
    from tests.web_support import NEWS, make_app
    from zamena.kb import KnowledgeBase
    from zamena.settings import Settings

    settings = Settings.from_env(home=tmp_path, store="oxigraph")
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        kb.ingest([NEWS])
    app = make_app(settings)
    try:
        with app.test_client() as plain:
            found = _page(plain, "/", q="Ромашка")
            assert "Поиск по смыслу ещё не построен" in found.text
            assert "Ромашка & Ко" in found.text and "/id/firm/romashka-ko" in found.links
            assert "Ничего не найдено" in _page(plain, "/", q="Профотек").text
    finally:
        app.extensions["zamena"].close()


def test_firm_page_shows_facts_with_quotes_sources_and_a_picture(client) -> None:
    response = client.get(PROFOTEK)
    html = response.get_data(as_text=True)
    page = Page(html)
    assert "Профотек" in page.text
    assert "https://zamena.example.org/id/firm/profotek" in page.text
    assert "Факты и их источники" in page.text
    assert "«Профотек выпускает оптический трансформатор тока" in page.text
    assert any(link.startswith("/id/document/seed-news-2022-04-12?mark=") for link in page.links)
    assert "/id/centre/tsentr-kompetentsiya-v-sfera-importozameshchenie" in page.links
    assert "/id/product/optical-current-transformer" in page.links  # a link in (schema:manufacturer)
    assert "svg" in page.tags and "circle" in page.tags
    assert "Похожие фирмы" in page.text  # nearest in the search index
    similar = html.split("Похожие фирмы", 1)[1].split("</section>", 1)[0]
    assert "/id/firm/" in similar and 'href="/id/firm/profotek"' not in similar
    assert "Accept" in response.headers["Vary"]
    assert 'rel="alternate"' in response.headers["Link"]


def test_product_concept_person_and_document_pages(client) -> None:
    product = _page(client, "/id/product/optical-current-transformer")
    assert "Оптический трансформатор тока" in product.text and PROFOTEK in product.links
    concept = _page(client, "/id/okpd2/26.51")
    assert "Оборудование для измерения, испытаний и навигации" in concept.text
    assert "/id/okpd2/26.51.4" in concept.links and "/id/okpd2/26.5" in concept.links  # narrower and broader
    person = _page(client, "/id/person/vladimir-efimov")
    assert "Владимир Ефимов" in person.text
    document = _page(client, "/id/document/web-catalogue", mark="129-204")
    assert "Приводная техника производит преобразователи частоты для электродвигателей." in document.marks


def test_a_quote_is_where_its_offsets_say(client, web_app) -> None:
    from web.describe import Describer

    kb = web_app.extensions["zamena"].holder.kb
    description = Describer(kb.graph).describe("https://zamena.example.org/id/document/seed-news-2022-04-12")
    quotes = [q for f in description.facts for q in f.quotes]
    assert quotes
    for quote in quotes:
        assert description.text[quote.start : quote.end] == quote.quote


def test_a_script_name_is_shown_as_text_everywhere(client) -> None:
    for url, params in [
        ("/id/firm/script-alert", {}),
        ("/", {"q": "электропривод"}),
        ("/id/document/web-catalogue", {}),
        ("/query", {"query": "SELECT ?n WHERE { ?f skos:prefLabel ?n }"}),
        ("/neighbourhood.svg", {"uri": "https://zamena.example.org/id/firm/script-alert"}),
        ("/id/centre/tsentr-kompetentsiya-v-sfera-importozameshchenie", {}),
    ]:
        html = client.get(url, query_string=params).get_data(as_text=True)
        assert "<script" not in html.lower(), url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    page = _page(client, "/id/firm/script-alert")
    assert XSS_NAME in page.text and "script" not in page.tags and "img" not in page.tags


def test_pages_forbid_inline_scripts(client) -> None:
    policy = client.get(PROFOTEK).headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy


def test_unknown_entities_are_404(client) -> None:
    response = client.get("/id/firm/no-such-firm")
    assert response.status_code == 404
    assert "Такой сущности нет в графе" in response.get_data(as_text=True)
    assert client.get("/id/firm/no-such-firm", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/resource", query_string={"uri": "http://example.org/unknown"}).status_code == 404
    assert client.get("/resource", query_string={"uri": "http://x/<bad>"}).status_code == 400
    assert client.get("/resource").status_code == 400
    assert client.get("/no/such/page").status_code == 404


def test_resource_page_for_uris_outside_the_base(client) -> None:
    page = _page(client, "/resource", uri="https://zamena.example.org/ontology#CompetenceCentre")
    assert "центр компетенций" in page.text
    inside = client.get("/resource", query_string={"uri": "https://zamena.example.org/id/firm/profotek"})
    assert inside.status_code == 303 and inside.headers["Location"].endswith(PROFOTEK)


def test_neighbourhood_svg(client) -> None:
    response = client.get("/neighbourhood.svg", query_string={"uri": "https://zamena.example.org/id/firm/profotek"})
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and "Технополис „Москва“" in svg and 'href="/id/zone/tekhnopolis-moskva"' in svg
    assert client.get("/neighbourhood.svg", query_string={"uri": "http://nothing.example/x"}).status_code == 404


def test_query_page_runs_each_example(client) -> None:
    from web.examples import EXAMPLES

    for example in EXAMPLES:
        page = _page(client, "/query", example=example.key)
        assert "Ошибка" not in page.text, example.key
        assert "table" in page.tags, example.key
    members = _page(client, "/query", example="centre-members")
    assert "Профотек" in members.text and PROFOTEK in members.links
    assert any("format=csv" in link and "download=1" in link for link in members.links)
    assert any(link.startswith("http://localhost/query?query=") for link in members.links)  # permalink
    products = _page(client, "/query", example="products-by-okpd2")
    assert "27.11" in products.text and "Преобразователь частоты для электродвигателей" in products.text


def test_query_page_shows_errors_and_ask_answers(client) -> None:
    broken = _page(client, "/query", query="SELECT ?s WHERE {")
    assert "Ошибка" in broken.text and "not valid SPARQL" in broken.text
    refused = _page(client, "/query", query="SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert "SERVICE" in refused.text
    ask = _page(client, "/query", query="ASK { ?p a schema:Product }", lang="en")
    assert "Yes" in ask.text


def test_data_api_and_ontology_pages(client) -> None:
    data = _page(client, "/data")
    assert "/dumps/zamena.ttl" in data.links and "/.well-known/void" in data.links
    assert "фирм" in data.text
    api = _page(client, "/api/")
    assert "/api/openapi.json" in api.links and "GET /api/search" in api.text
    ontology = _page(client, "/ontology")
    assert "zo:CompetenceCentre" in ontology.text and "центр компетенций" in ontology.text


def test_static_stylesheet(client) -> None:
    with client.get("/static/style.css") as response:
        assert response.status_code == 200 and "font-family" in response.get_data(as_text=True)


def test_a_quote_holding_quotes_writes_them_as_quotes_within_quotes(client) -> None:
    html = client.get("/", query_string={"q": "Ромашка", "kind": "document"}).get_data(as_text=True)
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", html, re.S)
    inner = [re.sub(r"<[^>]+>", "", q) for q in quotes if "Ромашк" in q]
    assert inner, quotes
    for text in inner:  # «Компания „Ромашка & Ко“ заявилась …»: «ёлочки» outside, „лапки“ inside
        assert text.startswith("«") and text.endswith("»") and "«" not in text[1:-1] and "„" in text
