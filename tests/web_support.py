"""The knowledge base and apps the web tests share: built once per test session, like datasette's ds_client.

The knowledge base holds the seed news item and the web test data (tests/data/web), on the real
Oxigraph store, with a search index built by the fake hash embedder (the real model is not needed to
test pages). Test modules import the fixtures they use from here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from werkzeug.serving import make_server

from ontology.namespaces import OA, SCHEMA
from search.embedder import HashEmbedder
from web.app import create_app
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

TESTS = Path(__file__).resolve().parent
PROJECT = TESTS.parent
SEED = PROJECT / "corpora" / "news" / "seed-news-2022-04-12.txt"
WEB_DATA = TESTS / "data" / "web"
CATALOGUE = WEB_DATA / "catalogue.ttl"
NEWS = WEB_DATA / "news-web-2023-05-10.txt"
CATALOGUE_GRAPH = "https://zamena.example.org/graph/web-catalogue"
XSS_NAME = "<script>alert(1)</script>"

_built: dict[str, Settings] = {}


def catalogue_triples(kb: KnowledgeBase) -> Graph:
    """The catalogue with <urn:label:…> replaced by the URIs the ingest gave those labels, and offsets added."""
    graph = Graph().parse(CATALOGUE, format="turtle")
    by_label = {str(label): s for s, label in kb.graph.query("SELECT ?s ?l WHERE { ?s skos:prefLabel ?l }")}

    def resolve(term):  # noqa: ANN001, ANN202
        if isinstance(term, URIRef) and term.startswith("urn:label:"):
            label = unquote(term.removeprefix("urn:label:"))
            assert label in by_label, f"the seed ingest no longer yields {label!r}"
            return by_label[label]
        return term

    resolved = Graph()
    for s, p, o in graph:
        resolved.add((resolve(s), p, resolve(o)))
    text = str(next(resolved.objects(None, SCHEMA.text)))
    for selector, exact in list(resolved.subject_objects(OA.exact)):
        start = text.index(str(exact))
        resolved.add((selector, OA.start, Literal(start, datatype=XSD.integer)))
        resolved.add((selector, OA.end, Literal(start + len(str(exact)), datatype=XSD.integer)))
    return resolved


def parse_rdf(data: bytes | str, rdflib_format: str, document_loader=None) -> Graph:  # noqa: ANN001
    """A response body as a graph. JSON-LD is read by PyLD (an independent processor; rdflib's JSON-LD
    parser goes through the deprecated ConjunctiveGraph), which fetches remote contexts with `document_loader`."""
    if rdflib_format == "json-ld":
        options = {"format": "application/n-quads"}
        if document_loader is not None:
            options["documentLoader"] = document_loader
        document = json.loads(data)
        return Graph().parse(data=jsonld.to_rdf(document, options), format="nquads")
    return Graph().parse(data=data, format=rdflib_format)


def build_home(home: Path) -> Settings:
    """A knowledge base in `home`: seed news + web news through the real pipeline, the catalogue, the index."""
    settings = Settings.from_env(home=home, store="oxigraph")
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        report = kb.ingest([SEED, NEWS])
        assert report.failed == [], report.failed
        kb.graph.replace_document_graph(URIRef(CATALOGUE_GRAPH), catalogue_triples(kb))
        kb.update_index()
    return settings


def open_kb(settings: Settings) -> KnowledgeBase:
    return KnowledgeBase(settings, read_only=True, embedder=HashEmbedder())


def make_app(settings: Settings, **config: object):  # noqa: ANN201
    return create_app({"ZAMENA_SETTINGS": settings, "KB_OPENER": open_kb, "TESTING": True, **config})


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Built once per session even when several test modules import this fixture."""
    if "home" not in _built:
        _built["home"] = build_home(tmp_path_factory.mktemp("web-kb"))
    return _built["home"]


@pytest.fixture(scope="session")
def web_app(web_settings: Settings) -> Iterator[object]:
    app = make_app(web_settings, QUERY_TIME_LIMIT=5.0)
    yield app
    app.extensions["zamena"].close()


@pytest.fixture
def client(web_app):  # noqa: ANN001, ANN201
    return web_app.test_client()


class LiveServer:
    """The app served by werkzeug on a free loopback port, in a thread of the test process."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.fixture(scope="session")
def live_server(web_settings: Settings) -> Iterator[LiveServer]:
    app = make_app(web_settings, QUERY_TIME_LIMIT=3.0, QUERY_WORKERS=3)
    app.extensions["zamena"].queries.warm_up(2)
    with LiveServer(app) as server:
        yield server
    app.extensions["zamena"].close()
