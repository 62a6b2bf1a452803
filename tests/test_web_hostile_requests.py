"""Hostile requests to every page and API: a clear 4xx naming the parameter, never a 5xx or a traceback;
hub entities read in bounded pieces; links that stay on our base; no URL taken from the Host header."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from search.fake_embedder import HashEmbedder
from tests.web_support import make_app
from web.describe import LINKS_IN, RDF_TRIPLES
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

pytest_plugins = ["tests.web_fixtures"]

HUB = "https://zamena.example.org/id/competence/hub-test"
HUB_LINKS = 3_000
SEED_DOCUMENT = "/id/document/seed-news-2022-04-12"

# Values a careless or hostile client puts where a URI, a code or an offset is expected.
HOSTILE_VALUES = [
    "a",
    "x\x7f",
    "a\x00b",
    "a\x01",
    "\ufffd\ufffe",
    "http://a b",
    "http://[::1",
    "https://zamena.example.org/id/firm/a\x00b",
    "<script>alert(1)</script>",
    "'; DROP ALL; --",
    '"} SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #',
    "\\u0022",
    "%FF%FE",
    "²-³",
    "1-" + "9" * 5000,
    "9" * 5000,
    "-1",
    "ж" * 3000,
    "",
]
ROUTES = [
    "/?q={v}",
    "/?q=трансформатор&code={v}",
    "/?q=трансформатор&kind={v}",
    "/?q={v}&lang={v}",
    "/resource?uri={v}",
    "/neighbourhood.svg?uri={v}",
    "/api/entity?uri={v}",
    "/api/search?q={v}",
    "/api/search?q=трансформатор&code={v}&k={v}",
    SEED_DOCUMENT + "?mark={v}",
    SEED_DOCUMENT + "?format={v}",
    "/id/firm/{v}",
    "/id/{v}",
    "/graph/{v}",
    "/query?query={v}",
    "/query?example={v}",
    "/sparql?query={v}",
    "/sparql?query=ASK{{}}&default-graph-uri={v}",
    "/sparql?query=ASK{{}}&format={v}",
    "/dumps/zamena.{v}",
    "/.well-known/void?format={v}",
]
TRACEBACK_WORDS = ("Traceback", 'File "', "Error:", "line ")


@pytest.fixture(scope="module")
def hostile_client(web_app):
    """The shared app with Flask's exception propagation off, as `zamena serve` runs it: a bug is a 500 here."""
    web_app.config["TESTING"] = False
    web_app.config["PROPAGATE_EXCEPTIONS"] = False
    yield web_app.test_client()
    web_app.config["TESTING"] = True


@pytest.mark.parametrize("route", ROUTES)
def test_no_hostile_value_gives_a_server_error_or_a_traceback(hostile_client, route: str) -> None:
    from urllib.parse import quote

    for value in HOSTILE_VALUES:
        url = route.format(v=quote(value, safe=""))
        response = hostile_client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code < 500, f"{url[:120]} → {response.status_code}: {body[:300]}"
        if response.status_code >= 400:
            assert body.strip(), f"{url[:120]}: a refusal must say why"
            assert not any(word in body for word in TRACEBACK_WORDS[:2]), f"{url[:120]}: {body[:300]}"
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url[:120]


def test_a_bad_uri_is_a_400_that_names_it(hostile_client) -> None:
    for url in (
        "/api/entity?uri=a",
        "/resource?uri=x%7f",
        "/neighbourhood.svg?uri=a%01",
        "/id/firm/a%00b",
        "/id/firm/%FF%FE",
        "/api/entity?uri=https://zamena.example.org/id/firm/a%00b",
    ):
        response = hostile_client.get(url)
        assert response.status_code == 400, (url, response.status_code)
        text = response.get_data(as_text=True)
        assert "URI" in text or "uri" in text, text[:300]
    api = hostile_client.get("/api/entity?uri=a")
    assert api.status_code == 400 and "uri" in json.loads(api.data)["error"]


def test_a_bad_mark_marks_nothing_and_the_page_is_shown(hostile_client) -> None:
    for mark in ("²-³", "1-" + "9" * 5000, "5-2", "a-b"):
        response = hostile_client.get(SEED_DOCUMENT, query_string={"mark": mark})
        assert response.status_code == 200
        assert 'class="marked"' not in response.get_data(as_text=True)


def test_absolute_links_come_from_the_settings_not_the_host_header(hostile_client) -> None:
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    void = hostile_client.get("/.well-known/void", headers={**evil, "Accept": "text/turtle"}).get_data(as_text=True)
    openapi = hostile_client.get("/api/openapi.json", headers=evil).get_data(as_text=True)
    query_page = hostile_client.get("/query?query=ASK%20%7B%7D", headers=evil).get_data(as_text=True)
    description = hostile_client.get("/sparql", headers={**evil, "Accept": "text/turtle"}).get_data(as_text=True)
    for body in (void, openapi, query_page, description):
        assert "evil.example" not in body
    assert "http://localhost/sparql" in void and "http://localhost" in openapi
    assert "http://localhost/query?query=" in query_page


def test_a_result_iri_that_looks_like_another_host_stays_on_our_base(hostile_client) -> None:
    query = "SELECT ?x WHERE { VALUES ?x { <https://zamena.example.org//evil.example/x> } }"
    page = hostile_client.get("/query", query_string={"query": query}).get_data(as_text=True)
    assert 'href="//evil.example' not in page
    assert "evil.example/x" in page  # the value is still shown


def test_the_code_filter_takes_any_text_as_a_value(hostile_client, monkeypatch) -> None:
    """A code with a newline and a trailing \\" is a value to compare, not query text (no syntax error)."""
    from ontology.graph import KnowledgeGraph

    seen: list[str] = []
    original = KnowledgeGraph.query

    def record(self, sparql, bindings=None, **kwargs):
        seen.append(sparql)
        return original(self, sparql, bindings, **kwargs)

    monkeypatch.setattr(KnowledgeGraph, "query", record)
    code = '27\n"\\'
    response = hostile_client.get("/api/search", query_string={"q": "трансформатор", "code": code})
    assert response.status_code == 200
    assert not any(code in text for text in seen)


# ---------------------------------------------------------------------------- hub entities


@pytest.fixture(scope="module")
def hub_client(tmp_path_factory) -> Iterator[object]:
    """A knowledge base whose one concept is linked from HUB_LINKS others, as a classifier scheme is."""
    settings = Settings.from_env(home=tmp_path_factory.mktemp("hub"), store="oxigraph")
    graph = URIRef("https://zamena.example.org/graph/hub-test")
    triples = [(URIRef(HUB), RDF.type, SKOS.Concept), (URIRef(HUB), SKOS.prefLabel, Literal("Узел", lang="ru"))]
    for i in range(HUB_LINKS):
        member = URIRef(f"https://zamena.example.org/id/competence/member-{i:05d}")
        triples += [(member, SKOS.broader, URIRef(HUB)), (member, SKOS.prefLabel, Literal(f"Член {i}", lang="ru"))]
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        kb.graph.replace_document_graph(graph, triples)
        kb.update_index()
    app = make_app(settings)
    yield app.test_client()
    app.extensions["zamena"].close()


def test_a_hub_entity_page_shows_the_first_links_and_says_how_many(hub_client) -> None:
    response = hub_client.get("/id/competence/hub-test")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # the links shown, plus the picture's 16 (web.describe neighbours), drawn and listed again for a phone
    assert page.count("member-") <= LINKS_IN + 2 * 16
    total = f"{HUB_LINKS + 2:,}".replace(",", "\u202f")  # the links in, the label and the type
    assert f"Связей у этой сущности: {total}" in page  # how many there are in all
    assert "/query?query=" in page  # and where to see them all
    api = json.loads(hub_client.get("/api/entity", query_string={"uri": HUB}).data)
    assert sum(len(link["subjects"]) for link in api["links_in"]) <= LINKS_IN
    assert api["links_total"]["links_in"] == HUB_LINKS and api["links_cut"] is True


def test_a_hub_entity_in_rdf_is_cut_and_says_so(hub_client) -> None:
    response = hub_client.get("/id/competence/hub-test", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["Zamena-Truncated"] == "true" and str(RDF_TRIPLES) in response.headers["Zamena-Limit"]
    assert len(response.get_data(as_text=True).splitlines()) <= 3 * RDF_TRIPLES
