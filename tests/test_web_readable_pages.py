"""Pages an expert reads to check the graph: SPARQL answers with prefixed names and labels, CSV downloads a
spreadsheet opens in Cyrillic, document pages that read as the document, and what the graph covers."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from ingest.document import is_furniture, without_furniture
from ontology.formats import RDF_FORMATS
from ontology.namespaces import SCHEMA
from search.fake_embedder import HashEmbedder
from tests.web_support import client_of, knowledge_base_of
from web.dumps import size_text
from web.result_table import prefixed_name
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

pytest_plugins = ["tests.web_fixtures"]

BASE = "https://zamena.example.org/"
PRODUCTS = "SELECT ?product ?class WHERE { ?product a schema:Product ; schema:category ?class } ORDER BY ?product"
BOM = b"\xef\xbb\xbf"


class Cells(HTMLParser):
    """The text of each cell of the results table, as a reader sees it."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _visible(html: str) -> str:
    """The page's text without its tags and attributes (a title= holds the full IRI, for a hover)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# ---------------------------------------------------------------- SPARQL answers


def test_prefixed_names_of_declared_and_minted_iris() -> None:
    assert prefixed_name("https://schema.org/Product", BASE)[0] == "schema:Product"
    assert prefixed_name("https://zamena.example.org/ontology#residentOf", BASE)[0] == "zo:residentOf"
    name, prefix = prefixed_name(f"{BASE}id/okpd2/26.51.4", BASE)
    assert name == "okpd2:26.51.4" and prefix.namespace == f"{BASE}id/okpd2/" and not prefix.declared
    assert prefixed_name(f"{BASE}id/okpd2/26.51.", BASE) is None  # a local name cannot end with a dot
    assert prefixed_name(f"{BASE}id/document/a/b", BASE) is None  # nor hold a slash
    assert prefixed_name("https://example.com/page", BASE) is None


def test_results_show_prefixed_names_with_labels_in_the_readers_language(client) -> None:
    html = client.get("/query", query_string={"query": PRODUCTS}).get_data(as_text=True)
    cells = Cells(html).cells
    assert "product:optical-current-transformer Оптический трансформатор тока" in cells
    assert "okpd2:26.51.4 Приборы для измерения электрических величин или ионизирующих излучений" in cells
    assert 'href="/id/okpd2/26.51.4"' in html and f'title="{BASE}id/okpd2/26.51.4"' in html
    assert not any("https://" in cell for cell in cells)  # no full IRI to wrap over lines
    assert f"PREFIX okpd2: &lt;{BASE}id/okpd2/&gt;" in html  # how to write the short names in a query
    english = Cells(client.get("/query", query_string={"query": PRODUCTS, "lang": "en"}).get_data(as_text=True))
    assert "product:optical-current-transformer Optical current transformer" in english.cells


def test_vocabulary_terms_are_named_and_unprefixed_iris_kept_whole(client) -> None:
    query = "SELECT ?t ?page WHERE { ?p a ?t FILTER(?t = schema:Product) BIND(<https://example.com/x> AS ?page) }"
    cells = Cells(client.get("/query", query_string={"query": query}).get_data(as_text=True)).cells
    assert "schema:Product продукт" in cells
    assert "https://example.com/x" in cells  # no prefix fits: the IRI itself, on one line by the stylesheet


def test_csv_download_starts_with_a_bom_and_the_protocol_answer_does_not(client) -> None:
    page = client.get("/query", query_string={"query": PRODUCTS}).get_data(as_text=True)
    link = re.search(r'href="(/sparql\?[^"]*format=csv[^"]*)"', page).group(1).replace("&amp;", "&")
    download = client.get(link)
    assert download.data.startswith(BOM)
    assert download.headers["Content-Disposition"] == 'attachment; filename="zamena-result.csv"'
    rows = list(csv.DictReader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert rows[0].keys() == {"product", "class"}  # the BOM is not part of the first column's name
    protocol = client.get("/sparql", query_string={"query": PRODUCTS}, headers={"Accept": "text/csv"})
    assert protocol.mimetype == "text/csv" and protocol.data.startswith(b"product,class")
    tsv = client.get("/sparql", query_string={"query": PRODUCTS, "format": "tsv", "download": "1"})
    assert tsv.data.startswith(BOM + b"?product\t?class")
    json_download = client.get("/sparql", query_string={"query": PRODUCTS, "format": "json", "download": "1"})
    assert json_download.data.startswith(b"{")  # JSON is never given a BOM


# ---------------------------------------------------------------- print and share lines at ingest


@pytest.mark.parametrize(
    "line",
    [
        "Версия для печати",
        "  Версия для печати\n",
        "🖨 Распечатать",
        "Поделиться:",
        "ВКонтакте | Telegram",
        "Поделиться · ВКонтакте · Одноклассники",
        "Print this article",
        "Share",
        "Subscribe to our newsletter",
    ],
)
def test_furniture_lines(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Telegram",
        "Печать на 3D-принтере освоена в 2023 году.",
        "Компания подписала соглашение.",
        "Версия для печати и ещё много слов, которые уже делают эту строку текстом статьи",
        "",
        "Share price fell",
    ],
)
def test_text_lines_stay(line: str) -> None:
    assert not is_furniture(line)


def test_without_furniture_keeps_every_other_line_as_it_was() -> None:
    text = "Заголовок\r\nПоделиться\r\nПервый абзац.\n\nВерсия для печати\nВторой абзац."
    assert without_furniture(text) == "Заголовок\r\nПервый абзац.\n\nВторой абзац."
    assert without_furniture("Просто текст.\n") == "Просто текст.\n"


# ---------------------------------------------------------------- document pages

NEWS = """Пресс-служба технополиса «Москва»
14.06.2024
Сигналтех стал резидентом технополиса
Поделиться
Компания «Сигналтех» стала резидентом особой экономической зоны «Технополис „Москва“».
Версия для печати | Поделиться
Компания «Сигналтех» выпускает оптические датчики тока для электрических сетей.
Версия для печати
"""
PROFILE = """---
kind: profile
name: Сигналтех
products:
  - name: оптические датчики тока
    okpd2: "27.11.4"
    source: [maker, news]
sources:
  maker:
    url: https://www.signaltech.example.ru/products
    date: 2024-03-05
    supports: выпускает оптические датчики тока
  news:
    document: corpora/news/signaltekh-news.txt
    date: 2024-06-14
    supports: резидент технополиса
---
# Сигналтех

Компания «Сигналтех» выпускает оптические датчики тока.
"""


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return knowledge_base_of(
        tmp_path_factory.mktemp("documents"), {"signaltekh-news.txt": NEWS, "signaltekh.md": PROFILE}
    )


def test_print_and_share_lines_are_not_stored_and_quotes_point_at_their_words(documents: Settings) -> None:
    with KnowledgeBase(documents, read_only=True, embedder=HashEmbedder()) as kb:
        texts = {str(d): str(t) for d, _p, t in kb.graph.triples((None, SCHEMA.text, None))}
        news = texts[f"{BASE}id/document/signaltekh-news"]
        assert "Версия для печати" not in news and "Поделиться" not in news
        assert "Компания «Сигналтех» выпускает оптические датчики тока" in news
        checked = 0
        for evidence, document, start, end, exact in kb.graph.query(
            "SELECT ?e ?d ?s ?t ?x WHERE { ?e prov:wasDerivedFrom ?d ; oa:hasSelector ?sel . "
            "?sel oa:exact ?x ; oa:start ?s ; oa:end ?t }"
        ):
            assert texts[str(document)][int(start) : int(end)] == str(exact), evidence
            checked += int(str(document).endswith("signaltekh-news") and int(start) > news.index("Компания"))
        assert checked, "a quote after a removed line"


def test_a_document_page_shows_the_text_first_and_its_facts_folded(documents: Settings) -> None:
    with client_of(documents) as client:
        html = client.get("/id/document/signaltekh-news").get_data(as_text=True)
    text_at = html.index('class="document-text"')
    assert "выпускает оптические датчики тока" in html[text_at : html.index("</section>", text_at)]
    folded = re.search(r'<details class="facts-fold">(.*?)</details>', html, re.DOTALL)
    assert folded and text_at < folded.start() and "Факты и их источники" in folded.group(1)
    assert '<details class="facts-fold" open' not in html
    assert "Версия для печати" not in html and "corpora/" not in html and "файл" not in _visible(html)


def test_a_profile_page_folds_its_front_matter_and_shows_no_file_path(documents: Settings) -> None:
    profile = f"{BASE}id/document/signaltekh"
    with KnowledgeBase(documents, read_only=True, embedder=HashEmbedder()) as kb:
        (text,) = [str(t) for _s, _p, t in kb.graph.triples((URIRef(profile), SCHEMA.text, None))]
        front_end = text.index("\n---\n", 4)
        offsets = sorted(
            (int(s), int(e))
            for s, e, _d in kb.graph.query(
                "SELECT ?s ?t ?d WHERE { ?e prov:wasDerivedFrom ?d ; oa:hasSelector [ oa:start ?s ; oa:end ?t ] }",
                {"d": URIRef(profile)},
            )
        )
    assert "corpora/news/signaltekh-news.txt" in text  # the stored text keeps it; the page does not show it
    start, end = next((s, e) for s, e in offsets if e < front_end)  # a fact that stands on a front-matter line
    with client_of(documents) as client:
        html = client.get("/id/document/signaltekh").get_data(as_text=True)
        marked = client.get("/id/document/signaltekh", query_string={"mark": f"{start}-{end}"}).get_data(as_text=True)
    assert "corpora/" not in html and "signaltekh-news.txt" not in html
    front = re.search(r'<details class="front-matter"( open)?>(.*?)</details>', html, re.DOTALL)
    assert front and front.group(1) is None and "okpd2:" in front.group(2)  # folded: the raw data, on request
    body = html[front.end() : html.index("</section>", front.end())]
    assert "Компания «Сигналтех» выпускает оптические датчики тока." in _visible(body)
    assert "kind: profile" not in body
    opened = re.search(r'<details class="front-matter" open>(.*?)</details>', marked, re.DOTALL)
    assert opened and f'<mark id="char-{start}" class="marked">' in opened.group(1)  # the quote one came for


# ---------------------------------------------------------------- coverage and dumps


def test_the_start_page_says_what_the_graph_covers(client, web_app) -> None:
    kb = web_app.extensions["zamena"].holder.kb
    firms = len(set(kb.graph.query("SELECT DISTINCT ?f WHERE { ?f a schema:Corporation }")))
    documents = len(set(kb.graph.query("SELECT DISTINCT ?d WHERE { ?d zo:contentHash ?h }")))
    russian = _visible(client.get("/", query_string={"lang": "ru"}).get_data(as_text=True))
    assert f"В графе: фирм — {firms}, документов — {documents}; самый новый документ — от 10.05.2023." in russian
    english = _visible(client.get("/", query_string={"lang": "en"}).get_data(as_text=True))
    assert f"In the graph: {firms} firms and {documents} documents; the newest document is of 2023-05-10." in english
    answered = client.get("/", query_string={"q": "трансформатор"}).get_data(as_text=True)
    assert 'id="coverage"' not in answered  # the answers take the place


def test_dumps_are_attachments_listed_with_size_date_and_licence(client) -> None:
    sizes = {}
    for fmt in RDF_FORMATS:
        with client.get(f"/dumps/zamena.{fmt.extension}") as response:
            assert response.headers["Content-Disposition"] == f"attachment; filename=zamena.{fmt.extension}"
            sizes[fmt.extension] = len(response.get_data())
    html = client.get("/data", query_string={"lang": "ru"}).get_data(as_text=True)
    for extension, size in sizes.items():
        row = re.search(rf'<tr>\s*<td><a href="/dumps/zamena\.{extension}"[^<]*</a></td>(.*?)</tr>', html, re.DOTALL)
        assert row, extension
        cells = _visible(row.group(1))
        assert f'data-bytes="{size}"' in row.group(1) and size_text(size, "ru") in cells
        assert re.search(r"\d\d\.\d\d\.\d{4}", cells) and "CC BY 4.0" in cells
    assert 'rel="license"' in html and "Лицензия" in html
    assert "Licence" in client.get("/data", query_string={"lang": "en"}).get_data(as_text=True)


def test_void_names_the_licence(client) -> None:
    graph = Graph().parse(data=client.get("/.well-known/void?format=ttl").data, format="turtle")
    assert URIRef("https://creativecommons.org/licenses/by/4.0/") in set(graph.objects(None, DCTERMS.license))


def test_sizes_read_as_a_person_writes_them() -> None:
    assert size_text(512, "ru") == "512 Б"
    assert size_text(11_940_920, "ru") == "11,4 МБ" and size_text(11_940_920, "en") == "11.4 MB"
