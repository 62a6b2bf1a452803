"""A classifier class's page leads to its suppliers: the firms and products in it or any class below,
counted, each product under its firm; its links up and down named as such in both languages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ontology.graph import KnowledgeGraph
from ontology.namespaces import ORG, SCHEMA, ZO, sparql_prologue
from search.fake_embedder import HashEmbedder
from tests.helpers import concept_triples
from tests.test_web_pages import Page
from tests.web_support import make_app
from web.classes import class_suppliers
from web.describe import Describer
from web.examples import EXAMPLES
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

pytest_plugins = ["tests.web_fixtures"]

ID = "https://zamena.example.org/id/"
OKPD = {code: URIRef(f"{ID}okpd2/{code}") for code in ("27", "27.1", "27.11", "27.11.4", "27.11.5", "26.51")}
OKVED = URIRef(f"{ID}okved2/27.11")
# under 27 a classifier as large as ОКПД 2: 20 groups of 1,000 classes
WIDE = [(URIRef(f"{ID}okpd2/27.{9 - g // 10}{g % 10}"), g) for g in range(20)]


def _firm(slug: str, name: str) -> tuple[URIRef, list[tuple]]:
    firm = URIRef(f"{ID}firm/{slug}")
    return firm, [(firm, RDF.type, SCHEMA.Corporation), (firm, SKOS.prefLabel, Literal(name, lang="ru"))]


def _product(slug: str, name: str, category: URIRef, maker: URIRef | None, link=SCHEMA.manufacturer) -> list[tuple]:
    product = URIRef(f"{ID}product/{slug}")
    triples = [
        (product, RDF.type, SCHEMA.Product),
        (product, SKOS.prefLabel, Literal(name, lang="ru")),
        (product, SCHEMA.category, category),
    ]
    return triples + ([(product, link, maker)] if maker is not None else [])


def _catalogue() -> list[tuple]:
    triples = [
        *concept_triples(OKPD["27"], "27", "Оборудование электрическое"),
        *concept_triples(OKPD["27.1"], "27.1", "Электродвигатели, генераторы, трансформаторы", broader=OKPD["27"]),
        *concept_triples(OKPD["27.11"], "27.11", "Электродвигатели, генераторы и трансформаторы", broader=OKPD["27.1"]),
        *concept_triples(OKPD["27.11.4"], "27.11.4", "Трансформаторы электрические", broader=OKPD["27.11"]),
        *concept_triples(OKPD["27.11.5"], "27.11.5", "Элементы балластные", broader=OKPD["27.11"]),
        *concept_triples(OKPD["26.51"], "26.51", "Оборудование для измерения, испытаний и навигации"),
        *concept_triples(OKVED, "27.11", "Производство электродвигателей, электрогенераторов и трансформаторов"),
    ]
    for group, g in WIDE:
        triples += concept_triples(group, str(group).rsplit("/", 1)[1], f"Группа {g}", broader=OKPD["27"])
        for i in range(1_000):
            triples += concept_triples(URIRef(f"{group}.{i:03d}"), f"{g}.{i}", f"Класс {g}.{i}", broader=group)
    profotek, profotek_triples = _firm("profotek", "Профотек")
    drive, drive_triples = _firm("privodnaya-tekhnika", "Приводная техника")
    parus, parus_triples = _firm("parus-elektro", "Парус электро")
    proton, proton_triples = _firm("proton", "Завод ПРОТОН")
    maker, maker_triples = _firm("elektromash", "Электромаш")
    brand = URIRef(f"{ID}brand/siemens-simotics")
    competence = URIRef(f"{ID}competence/electric-drives")
    return [
        *triples,
        *profotek_triples,
        *drive_triples,
        *parus_triples,
        *proton_triples,
        *maker_triples,
        *_product("optical", "оптические трансформаторы тока и напряжения", OKPD["27.11.4"], profotek),
        *_product("electronic", "электронные трансформаторы тока и напряжения", OKPD["27.11.4"], profotek),
        *_product("converter", "преобразователи частоты", OKPD["27.11"], drive),
        *_product("charger", "зарядная станция для электромобилей", OKPD["27.11.5"], parus, ZO.supplier),
        *_product("orphan", "трансформатор без производителя", OKPD["27.11"], None),
        *_product("microscope", "сканирующий зондовый микроскоп", OKPD["26.51"], proton),  # another class
        (maker, ORG.classification, OKVED),
        (brand, RDF.type, SKOS.Concept),
        (brand, SKOS.prefLabel, Literal("Siemens SIMOTICS", lang="ru")),
        (brand, SKOS.broadMatch, OKPD["27.11"]),
        (competence, RDF.type, SKOS.Concept),
        (competence, SKOS.prefLabel, Literal("Электропривод", lang="ru")),
        (competence, SKOS.closeMatch, OKPD["27.11"]),
        (competence, SKOS.related, brand),
    ]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Settings:
    settings = Settings.from_env(home=tmp_path_factory.mktemp("classes"), store="oxigraph")
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        kb.graph.replace_document_graph(URIRef("https://zamena.example.org/graph/classes-test"), _catalogue())
    return settings


@pytest.fixture(scope="module")
def classes(home) -> Iterator[object]:
    app = make_app(home)
    yield app.test_client()
    app.extensions["zamena"].close()


@pytest.fixture(scope="module")
def graph(home) -> Iterator[KnowledgeGraph]:
    with KnowledgeBase(home, read_only=True, embedder=HashEmbedder()) as kb:
        yield kb.graph


def _html(client, path: str, lang: str = "ru") -> str:
    response = client.get(path, query_string={"lang": lang})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(html: str, css_class: str) -> str:
    return html.split(f'<section class="{css_class}">', 1)[1].split("</section>", 1)[0]


def _rows(html: str, heading: str) -> dict[str, list[str]]:
    """The property table under `heading`: each row's name → the links in it."""
    table = html.split(f"<h2>{heading}</h2>", 1)[1].split("</table>", 1)[0]
    rows = {}
    for name, cell in re.findall(r"<th scope=\"row\">(.*?)</th><td>(.*?)</td>", table, re.S):
        rows[Page(name).text.strip()] = re.findall(r'href="([^"]+)"', cell)
    return rows


def test_a_class_page_lists_its_firms_with_their_products_in_it_and_below(classes) -> None:
    html = _html(classes, "/id/okpd2/27.11")
    suppliers = _section(html, "suppliers")
    assert "Фирмы: 3 · Продукты: 5" in Page(suppliers).text
    firms = re.split(r"\n    <li>", suppliers)[1:]
    by_firm = {re.search(r'href="(/id/firm/[^"]+)"', item).group(1): item for item in firms if "/id/firm/" in item}
    assert set(by_firm) == {"/id/firm/profotek", "/id/firm/privodnaya-tekhnika", "/id/firm/parus-elektro"}
    assert (
        "/id/product/optical" in by_firm["/id/firm/profotek"]
        and "/id/product/electronic" in by_firm["/id/firm/profotek"]
    )
    assert "/id/product/converter" not in by_firm["/id/firm/profotek"]
    assert "/id/product/charger" in by_firm["/id/firm/parus-elektro"]  # a supplier counts as a source
    assert ">27.11.4</a>" in by_firm["/id/firm/profotek"]  # the narrower class each product is in
    assert "Производитель не известен" in suppliers and "/id/product/orphan" in suppliers
    assert "/id/product/microscope" not in suppliers and "/id/firm/proton" not in suppliers
    assert "/query?query=" in suppliers  # the same list as a SPARQL query

    english = Page(_section(_html(classes, "/id/okpd2/27.11", "en"), "suppliers")).text
    assert "Firms: 3 · Products: 5" in english and "Maker not known" in english


def test_a_top_class_counts_everything_below_and_a_leaf_only_its_own(classes) -> None:
    assert "Фирмы: 3 · Продукты: 5" in Page(_html(classes, "/id/okpd2/27")).text
    leaf = Page(_section(_html(classes, "/id/okpd2/27.11.4"), "suppliers")).text
    assert "Фирмы: 1 · Продукты: 2" in leaf and "Профотек" in leaf and "Приводная техника" not in leaf
    empty = Page(_section(_html(classes, "/id/okpd2/27.90.000"), "suppliers")).text
    assert "Фирмы: 0 · Продукты: 0" in empty and "В графе нет фирм и продуктов" in empty


def test_an_activity_class_lists_the_firms_classified_in_it(classes) -> None:
    suppliers = _section(_html(classes, "/id/okved2/27.11"), "suppliers")
    assert "Фирмы: 1 · Продукты: 0" in Page(suppliers).text
    assert "/id/firm/elektromash" in suppliers and "сама относится к классу" in suppliers


def test_broader_names_the_parent_and_narrower_the_children_in_both_languages(classes) -> None:
    html = _html(classes, "/id/okpd2/27.11")
    out, into = _rows(html, "Свойства"), _rows(html, "Ссылаются сюда")
    assert out["входит в"] == ["/id/okpd2/27.1"]
    assert sorted(into["включает"]) == ["/id/okpd2/27.11.4", "/id/okpd2/27.11.5"]
    assert into["соответствует более узкому"] == ["/id/brand/siemens-simotics"]
    assert into["близко к"] == ["/id/competence/electric-drives"]
    assert "входит в" not in into and "broadMatch" not in Page(html).text and "closeMatch" not in Page(html).text

    english = _html(classes, "/id/okpd2/27.11", "en")
    out, into = _rows(english, "Properties"), _rows(english, "Linked from")
    assert out["broader"] == ["/id/okpd2/27.1"] and "broader" not in into
    assert sorted(into["narrower"]) == ["/id/okpd2/27.11.4", "/id/okpd2/27.11.5"]
    assert into["narrow match"] == ["/id/brand/siemens-simotics"] and into["close match"]

    brand = _html(classes, "/id/brand/siemens-simotics")
    assert _rows(brand, "Свойства")["соответствует более общему"] == ["/id/okpd2/27.11"]
    assert _rows(brand, "Ссылаются сюда")["связано с"] == ["/id/competence/electric-drives"]
    assert '<section class="suppliers">' not in brand  # an imported brand is nobody's product class here


def test_the_picture_of_a_class_draws_its_children_as_what_it_includes(classes) -> None:
    svg = classes.get("/neighbourhood.svg", query_string={"uri": str(OKPD["27.11"])}).get_data(as_text=True)
    edges = re.findall(r'<g class="edge">(.*?)</g>', svg, re.S)
    includes = [edge for edge in edges if ">включает<" in edge]
    assert len(includes) == 2 and all('marker-end="url(#arrow)"' in edge for edge in includes)  # from 27.11 down
    assert any(">входит в<" in edge and 'marker-end="url(#arrow)"' in edge for edge in edges)


def test_the_suppliers_of_a_class_of_twenty_thousand_are_one_query(graph, monkeypatch) -> None:
    describer = Describer(graph)
    paths: list[str] = []
    query = KnowledgeGraph.query

    def counted(self, sparql, *args, **kwargs):
        paths.extend([sparql] if "skos:broader*" in sparql else [])
        return query(self, sparql, *args, **kwargs)

    monkeypatch.setattr(KnowledgeGraph, "query", counted)
    found = class_suppliers(describer, str(OKPD["27"]))
    assert found.firm_count == 3 and found.product_count == 5
    assert len(paths) == 1  # one query a call, walking up from the products (walking down took 0.13 s)


def test_each_sparql_example_returns_rows(web_app) -> None:
    kb = web_app.extensions["zamena"].holder.kb
    for example in EXAMPLES:
        result = kb.graph.query(sparql_prologue() + example.query)
        rows = list(result.graph) if result.type == "CONSTRUCT" else list(result)
        assert rows, example.key
    products = list(kb.graph.query(sparql_prologue() + next(e for e in EXAMPLES if e.key == "products-by-okpd2").query))
    assert {str(row[0]) for row in products} <= {"27.11", "27.11.4", "27.11.50"}


def test_the_list_as_a_sparql_query_gives_the_same_firms_and_products(graph) -> None:
    found = class_suppliers(Describer(graph), str(OKPD["27.11"]))
    rows = list(graph.query(sparql_prologue() + found.query))
    assert {str(row[0]) for row in rows if row[0] is not None} == {s.firm.uri for s in found.firms}
    assert len({str(row[1]) for row in rows if row[1] is not None}) == found.product_count == 5
