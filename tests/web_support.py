"""What the web tests share: the knowledge base they read, apps over it, a live server, an RDF reader.

The fixtures built from these live in tests/web_fixtures.py. The knowledge base holds the seed news
item and the web test data (tests/data/web) on the real Oxigraph store, with a search index built by
the fake hash embedder: the real model is not needed to test pages.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
from flask.testing import FlaskClient
from pyld import jsonld
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from waitress.server import create_server

from ontology.namespaces import OA, SCHEMA
from search.fake_embedder import HashEmbedder
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


def catalogue_triples(kb: KnowledgeBase) -> Graph:
    """The catalogue with <urn:label:…> replaced by the URIs the ingest gave those labels, and offsets added."""
    graph = Graph().parse(CATALOGUE, format="turtle")
    by_label = {str(label): s for s, label in kb.graph.query("SELECT ?s ?l WHERE { ?s skos:prefLabel ?l }")}

    def resolve(term):
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


OX_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


def _from_ox(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def parse_rdf(data: bytes | str, rdflib_format: str, document_loader=None) -> Graph:
    """A response body as one graph (the union of its named graphs).

    JSON-LD is read by PyLD, an independent processor, which fetches remote contexts with
    `document_loader`; quad formats by pyoxigraph (rdflib reads them through the deprecated
    ConjunctiveGraph); the rest by rdflib.
    """
    if rdflib_format == "json-ld":
        options = {"format": "application/n-quads"}
        if document_loader is not None:
            options["documentLoader"] = document_loader
        data, rdflib_format = jsonld.to_rdf(json.loads(data), options), "nquads"
    if rdflib_format in OX_FORMATS:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        graph = Graph()
        for quad in ox.parse(raw, format=OX_FORMATS[rdflib_format]):
            graph.add((_from_ox(quad.subject), _from_ox(quad.predicate), _from_ox(quad.object)))
        return graph
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


def make_app(settings: Settings, **config: object):
    options = {"ZAMENA_SETTINGS": settings, "KB_OPENER": open_kb, "TESTING": True, "PUBLIC_URL": "http://localhost/"}
    return create_app({**options, **config})


def get_from(address: str, url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    """GET `url` from the loopback address `address` (127.0.0.2 …): another client, as a server sees it."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60, source_address=(address, 0))
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.headers)
    finally:
        connection.close()


class LiveServer:
    """The app served by waitress (as `zamena serve` serves it) on a free loopback port, in a thread."""

    def __init__(self, app, threads: int = 8) -> None:
        self.app = app
        settings = app.config["ZAMENA_SETTINGS"]
        self.server = create_server(
            app,
            host="127.0.0.1",
            port=0,
            threads=threads,
            max_request_body_size=2 * app.config["MAX_CONTENT_LENGTH"],
            max_request_header_size=max(256 * 1024, 3 * settings.max_query_bytes + 16 * 1024),
        )
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        app.config["PUBLIC_URL"] = self.url + "/"
        self.thread = threading.Thread(target=self._serve, name="live-server", daemon=True)
        self._stopping = False

    def _serve(self) -> None:
        try:
            self.server.run()
        except OSError:
            if not self._stopping:  # closing the socket under the select loop ends it this way
                raise

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping = True
        self.server.close()
        self.server.task_dispatcher.shutdown()
        self.thread.join(timeout=10)
        # the connections the loop left open are closed here, not by the garbage collector at some later
        # test, whose warning (an error under filterwarnings) would then fail that test
        for channel in list(self.server._map.values()):
            channel.close()


def knowledge_base_of(folder: Path, documents: dict[str, str]) -> Settings:
    """The settings of a knowledge base on the real Oxigraph store that holds `documents` (file name → text,
    written into `folder`), its search index built with the fake embedder."""
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = Settings.from_env(home=folder / "home", store="oxigraph")
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        report = kb.ingest([folder / name for name in sorted(documents)])
        assert report.failed == [], report.failed
        kb.update_index()
    return settings


@contextmanager
def client_of(settings: Settings) -> Iterator[FlaskClient]:
    """A test client of the app over `settings`; the app's workers are closed after."""
    app = make_app(settings)
    try:
        with app.test_client() as client:
            yield client
    finally:
        app.extensions["zamena"].close()
