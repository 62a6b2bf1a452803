"""The SPARQL endpoint on the other graph backends: in memory, and on a remote SPARQL 1.1 server.

There the endpoint evaluates through the KnowledgeGraph facade (no worker process can open such a
store), with the same guard, protocol dataset, formats and limits. The remote server here is Zamena's
own endpoint over the Oxigraph test store, served on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from rdflib import Graph, URIRef

from ontology.graph import KnowledgeGraph
from ontology.sparql.workers import GraphQueryService
from search.fake_embedder import HashEmbedder
from tests.web_support import CATALOGUE_GRAPH, LiveServer, make_app
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

pytest_plugins = ["tests.web_fixtures"]

PRODUCTS = "SELECT (COUNT(*) AS ?n) WHERE { ?p a schema:Product }"
SEED_GRAPH = "https://zamena.example.org/graph/seed-news-2022-04-12"


def _memory_app(web_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """An app over an in-memory knowledge base holding a copy of the test store's graphs."""
    settings = Settings.from_env(home=tmp_path_factory.mktemp("memory"), store="memory")
    with KnowledgeGraph.open("oxigraph", web_settings.store_path, read_only=True) as source:
        graphs: dict[URIRef, Graph] = {}
        for s, p, o, g in source.quads():
            graphs.setdefault(URIRef(str(g)), Graph()).add((s, p, o))
    kb = KnowledgeBase(settings, read_only=True, embedder=HashEmbedder())
    for name, triples in graphs.items():
        kb.graph.replace_document_graph(name, triples)
    return make_app(settings, KB_OPENER=lambda _settings: kb, QUERY_TIME_LIMIT=5.0)


@pytest.fixture(scope="module", params=["memory", pytest.param("remote", marks=pytest.mark.slow)])
def backend_client(request, web_settings, tmp_path_factory) -> Iterator[object]:
    if request.param == "memory":
        app = _memory_app(web_settings, tmp_path_factory)
        yield app.test_client()
        app.extensions["zamena"].close()
        return
    remote_app = make_app(web_settings, QUERY_TIME_LIMIT=5.0)
    with LiveServer(remote_app) as remote:
        settings = Settings.from_env(home=tmp_path_factory.mktemp("remote"), store=f"sparql+{remote.url}/sparql")
        app = make_app(
            settings,
            KB_OPENER=lambda s: KnowledgeBase(s, read_only=True, embedder=HashEmbedder()),
            QUERY_TIME_LIMIT=5.0,
        )
        yield app.test_client()
        app.extensions["zamena"].close()
    remote_app.extensions["zamena"].close()


def _value(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.data)["results"]["bindings"][0]["n"]["value"]


def test_the_endpoint_evaluates_through_the_facade(backend_client) -> None:
    app = backend_client.application
    assert isinstance(app.extensions["zamena"].queries, GraphQueryService)
    assert int(_value(backend_client.get("/sparql", query_string={"query": PRODUCTS}))) >= 2


def test_the_protocol_dataset_works(backend_client) -> None:
    only_catalogue = backend_client.get(
        "/sparql", query_string={"query": PRODUCTS, "default-graph-uri": CATALOGUE_GRAPH}
    )
    assert _value(only_catalogue) == "2"
    other = backend_client.get("/sparql", query_string={"query": PRODUCTS, "default-graph-uri": SEED_GRAPH})
    assert _value(other) == "0"
    named = backend_client.get(
        "/sparql",
        query_string={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": CATALOGUE_GRAPH,
        },
    )
    assert [b["g"]["value"] for b in json.loads(named.data)["results"]["bindings"]] == [CATALOGUE_GRAPH]


def test_from_a_held_graph_is_honoured_and_a_remote_one_refused(backend_client) -> None:
    held = f"SELECT (COUNT(*) AS ?n) FROM <{CATALOGUE_GRAPH}> WHERE {{ ?p a schema:Product }}"
    assert _value(backend_client.get("/sparql", query_string={"query": held})) == "2"
    remote = "SELECT * FROM <http://127.0.0.1:9/x.ttl> WHERE { ?s ?p ?o }"
    response = backend_client.get("/sparql", query_string={"query": remote})
    assert response.status_code == 403 and "never fetched" in response.get_data(as_text=True)


def test_forms_formats_and_refusals(backend_client) -> None:
    ask = backend_client.get("/sparql", query_string={"query": "ASK { ?p a schema:Product }", "format": "xml"})
    assert ask.status_code == 200 and b"<boolean>true</boolean>" in ask.data
    construct = backend_client.get(
        "/sparql", query_string={"query": "CONSTRUCT { ?p a schema:Product } WHERE { ?p a schema:Product }"}
    )
    assert construct.status_code == 200 and construct.mimetype == "text/turtle"
    assert len(Graph().parse(data=construct.data, format="turtle")) >= 2
    relative = backend_client.get("/sparql", query_string={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}", "format": "nt"})
    assert relative.get_data(as_text=True).startswith("<http://localhost/s> <http://localhost/p>")
    for refused in ("DROP ALL", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"):
        response = backend_client.get("/sparql", query_string={"query": refused})
        assert response.status_code == 403
    bad = backend_client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p "})
    assert bad.status_code == 400 and "not valid SPARQL" in bad.get_data(as_text=True)


def test_the_row_limit_holds(backend_client) -> None:
    config = backend_client.application.config
    saved = config["RESULT_ROW_LIMIT"]
    config["RESULT_ROW_LIMIT"] = 7
    try:
        response = backend_client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert response.headers["Zamena-Truncated"] == "true"
        assert len(json.loads(response.data)["results"]["bindings"]) == 7
    finally:
        config["RESULT_ROW_LIMIT"] = saved
