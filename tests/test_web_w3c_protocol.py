"""The W3C SPARQL 1.1 Protocol tests (tests/data/sparql-protocol), run against Zamena's endpoint.

The query tests must pass as written. The update tests expect an update to succeed; this endpoint is
read-only, so each of their update requests must be refused with a 4xx instead, and the data must be
left as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS

from ontology.graph import KnowledgeGraph
from tests.web_support import make_app
from zamena.settings import Settings

SUITE = Path(__file__).resolve().parent / "data" / "sparql-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"

MANIFEST = Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID=SUITE.as_uri() + "/manifest.ttl")
ENTRIES = list(Collection(MANIFEST, next(MANIFEST.objects(None, MF.entries))))


def _requests(test: URIRef) -> list[dict[str, object]]:
    action = MANIFEST.value(test, MF.action)
    out = []
    for request in Collection(MANIFEST, MANIFEST.value(action, HT.requests)):
        headers = {}
        header_list = MANIFEST.value(request, HT.headers)
        if header_list is not None:
            for header in Collection(MANIFEST, header_list):
                headers[str(MANIFEST.value(header, HT.fieldName))] = str(MANIFEST.value(header, HT.fieldValue))
        body = MANIFEST.value(request, HT.body)
        data = None
        if body is not None:
            encoding = str(MANIFEST.value(body, CNT.characterEncoding) or "UTF-8")
            data = str(MANIFEST.value(body, CNT.chars)).encode(encoding.lower().replace("utf-16", "utf-16-le"))
        response = MANIFEST.value(request, HT.resp)
        out.append(
            {
                "method": str(MANIFEST.value(request, HT.methodName)),
                "path": str(MANIFEST.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
                "headers": headers,
                "data": data,
                "status": {str(s).removeprefix(str(HTS)) for s in MANIFEST.objects(response, MF.expectedStatus)},
                "format": str(MANIFEST.value(response, MF.expectedFormat) or ""),
                "boolean": MANIFEST.value(response, MF.expectedBoolean),
            }
        )
    return out


def _is_update(request: dict[str, object]) -> bool:
    text = (request["data"] or b"").decode("utf-8", "replace") + str(request["path"])
    content_type = str(request["headers"].get("content-type", ""))
    return "update=" in text or "using-" in text or "sparql-update" in content_type or "CLEAR" in text


QUERY_TESTS = [t for t in ENTRIES if not any(_is_update(r) for r in _requests(t))]
UPDATE_TESTS = [t for t in ENTRIES if any(_is_update(r) for r in _requests(t))]


def _name(test: URIRef) -> str:
    return str(test).rsplit("#", 1)[-1]


@pytest.fixture(scope="module")
def protocol_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """An endpoint over a store holding the suite's data files, each as the named graph its label gives."""
    settings = Settings.from_env(home=tmp_path_factory.mktemp("w3c"), store="oxigraph")
    graphs = {
        str(MANIFEST.value(node, RDFS.label)): MANIFEST.value(node, UT.graph)
        for node in MANIFEST.objects(None, UT.graphData)
    }
    with KnowledgeGraph.open("oxigraph", settings.store_path) as graph:
        for name, source in graphs.items():
            data = Graph().parse(SUITE / Path(str(source)).name, format="nt")
            graph.replace_document_graph(URIRef(name), data)
    app = make_app(settings)
    yield app.test_client()
    app.extensions["zamena"].close()


def _status_class(code: int) -> str:
    return f"StatusCode{code // 100}xx"


def _boolean(response) -> bool:
    if response.mimetype.endswith("json"):
        return json.loads(response.data)["boolean"]
    root = ElementTree.fromstring(response.data)
    return root.find(f"{RESULTS_NS}boolean").text == "true"


def test_the_suite_is_all_here() -> None:
    assert len(ENTRIES) == 34
    assert len(QUERY_TESTS) == 20 and len(UPDATE_TESTS) == 14


@pytest.mark.parametrize("test", QUERY_TESTS, ids=_name)
def test_query_protocol(protocol_client, test: URIRef) -> None:
    for request in _requests(test):
        response = protocol_client.open(
            request["path"], method=request["method"], headers=request["headers"], data=request["data"]
        )
        assert _status_class(response.status_code) in request["status"], response.get_data(as_text=True)
        if request["format"] == "boolean":
            assert response.mimetype in ("application/sparql-results+json", "application/sparql-results+xml")
            if request["boolean"] is not None:
                assert _boolean(response) == bool(request["boolean"].toPython())
            else:
                _boolean(response)  # readable as a boolean result
        elif request["format"] == "tabular":
            assert response.mimetype in (
                "application/sparql-results+json",
                "application/sparql-results+xml",
                "text/csv",
                "text/tab-separated-values",
            )
        elif request["format"] == "RDF":
            assert response.mimetype in ("application/rdf+xml", "text/turtle", "application/n-triples")
            Graph().parse(data=response.data, format={"text/turtle": "turtle"}.get(response.mimetype, "xml"))
        if response.status_code >= 400:
            assert response.get_data(as_text=True).strip(), "an error must say why"


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=_name)
def test_update_is_refused(protocol_client, test: URIRef) -> None:
    for request in _requests(test):
        if not _is_update(request):
            continue  # the follow-up queries check effects of an update that must not have happened
        response = protocol_client.open(
            request["path"], method=request["method"], headers=request["headers"], data=request["data"]
        )
        assert 400 <= response.status_code < 500
        assert response.get_data(as_text=True).strip()
    still_there = protocol_client.get(
        "/sparql", query_string={"query": "ASK { GRAPH ?g { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?t } }"}
    )
    assert json.loads(still_there.data)["boolean"] is True
