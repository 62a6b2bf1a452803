"""Linked data through the test client: dereferenceable URIs, the vocabulary, dumps, VoID, the JSON API."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from ontology.formats import GRAPH_FORMATS, RDF_FORMATS
from ontology.namespaces import OA, ORG, PROV, ZO
from tests.web_support import parse_rdf

pytest_plugins = ["tests.web_fixtures"]  # the shared knowledge base, apps and live server

PROFOTEK = URIRef("https://zamena.example.org/id/firm/profotek")
VOID = Namespace("http://rdfs.org/ns/void#")


def test_context_is_published(client) -> None:
    response = client.get("/context.jsonld")
    assert response.mimetype == "application/ld+json"
    context = json.loads(response.data)["@context"]
    assert context["zo"] == str(ZO) and context["skos"] == str(SKOS)


def _loader_for(client):
    """A PyLD document loader that fetches this app's published context through the test client."""

    def load(url: str, options: dict | None = None) -> dict:
        assert url == "http://localhost/context.jsonld", url
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": json.loads(client.get("/context.jsonld").data)}  # fmt: skip

    return load


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_entity_uri_dereferences_in_every_rdf_format(client, fmt) -> None:
    by_accept = client.get("/id/firm/profotek", headers={"Accept": fmt.media_type})
    by_param = client.get("/id/firm/profotek", query_string={"format": fmt.name})
    for response in (by_accept, by_param):
        assert response.status_code == 200 and response.mimetype == fmt.media_type
        assert "Accept" in response.headers["Vary"]
    if fmt.name == "jsonld":
        assert json.loads(by_accept.data)["@context"] == "http://localhost/context.jsonld"
    graph = parse_rdf(by_accept.data, fmt.rdflib_format, _loader_for(client))
    assert (PROFOTEK, SKOS.prefLabel, Literal("Профотек", lang="ru")) in graph
    assert (PROFOTEK, ORG.memberOf, None) in graph
    # every fact about the firm comes with its evidence: the statement, the document, the quote
    evidence = set(graph.subjects(RDF.subject, PROFOTEK))
    assert evidence
    for node in evidence:
        assert (node, RDF.type, ZO.Evidence) in graph
        assert (node, PROV.wasDerivedFrom, None) in graph
        selector = graph.value(node, OA.hasSelector)
        assert graph.value(selector, OA.exact) and graph.value(selector, OA.start) is not None


def test_browsers_get_html_and_machines_get_turtle_by_accept(client) -> None:
    browser = client.get("/id/firm/profotek", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.mimetype == "text/html"
    turtle = client.get("/id/firm/profotek", headers={"Accept": "text/turtle;q=0.9, application/rdf+xml;q=0.5"})
    assert turtle.mimetype == "text/turtle"
    assert client.get("/id/firm/profotek", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/id/firm/profotek", query_string={"format": "docx"}).status_code == 406


def test_unknown_entities_are_404_in_every_format(client) -> None:
    for fmt in GRAPH_FORMATS:
        response = client.get("/id/firm/nobody", headers={"Accept": fmt.media_type})
        assert response.status_code == 404 and "Accept" in response.headers["Vary"]


def test_named_graph_of_a_document(client) -> None:
    turtle = client.get("/graph/web-catalogue", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert (URIRef("https://zamena.example.org/id/product/frequency-converter"), RDF.type, None) in graph
    person = client.get("/graph/web-catalogue", headers={"Accept": "text/html"})
    assert person.status_code == 303 and person.headers["Location"].endswith("/id/document/web-catalogue")
    assert client.get("/graph/nothing-here").status_code == 404


def test_the_vocabulary_is_served_at_its_namespace(client) -> None:
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert (ZO.CompetenceCentre, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in graph
    for fmt in GRAPH_FORMATS:
        response = client.get("/ontology", query_string={"format": fmt.name})
        assert response.mimetype == fmt.media_type
        assert len(parse_rdf(response.data, fmt.rdflib_format, _loader_for(client))) == len(graph)


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.name)
def test_dumps_in_every_format(client, fmt) -> None:
    with client.get(f"/dumps/zamena.{fmt.extension}") as response:
        assert response.status_code == 200 and response.mimetype == fmt.media_type
        assert response.is_streamed or response.direct_passthrough
        body = response.get_data()
    graph = parse_rdf(body, fmt.rdflib_format)
    assert (PROFOTEK, SKOS.prefLabel, Literal("Профотек", lang="ru")) in graph
    assert len(graph) > 900
    with client.get(f"/dumps/zamena.{fmt.extension}", headers={"If-None-Match": response.headers["ETag"]}) as again:
        assert again.status_code == 304


def test_unknown_dump_is_404_naming_the_ones_there_are(client) -> None:
    response = client.get("/dumps/zamena.docx")
    assert response.status_code == 404 and "zamena.ttl" in response.get_data(as_text=True)


def test_void_describes_endpoint_dumps_and_vocabularies(client) -> None:
    response = client.get("/.well-known/void")
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    dataset = graph.value(None, RDF.type, VOID.Dataset)
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef("http://localhost/sparql")
    dumps = {str(o) for o in graph.objects(dataset, VOID.dataDump)}
    assert {f"http://localhost/dumps/zamena.{f.extension}" for f in RDF_FORMATS} == dumps
    assert {str(o) for o in graph.objects(dataset, VOID.feature)} == {f.iri for f in RDF_FORMATS}
    assert URIRef(str(ZO)) in set(graph.objects(dataset, VOID.vocabulary))
    assert int(graph.value(dataset, VOID.triples)) > 900
    assert str(graph.value(dataset, VOID.uriSpace)) == "https://zamena.example.org/id/"
    for fmt in GRAPH_FORMATS:
        assert client.get("/.well-known/void", headers={"Accept": fmt.media_type}).mimetype == fmt.media_type


# ---------------------------------------------------------------------------- JSON API


def test_api_search(client) -> None:
    response = client.get("/api/search", query_string={"q": "оптический трансформатор", "k": 3})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    answer = json.loads(response.data)
    assert answer["query"] == "оптический трансформатор" and len(answer["results"]) <= 3
    top = answer["results"][0]
    assert top["uri"] == str(PROFOTEK) and top["kind"] == "firm"
    assert any("трансформатор" in e["quote"] for e in top["evidence"])
    assert {"uri", "label", "kind", "score", "notation", "why", "evidence"} <= set(top)
    products = json.loads(client.get("/api/search", query_string={"q": "трансформатор", "kind": "product"}).data)
    assert products["results"][0]["uri"].endswith("/id/product/optical-current-transformer")


def test_api_search_errors(client) -> None:
    for params in ({}, {"q": "x", "kind": "planet"}, {"q": "x", "k": "many"}, {"q": "x", "k": "0"}):
        response = client.get("/api/search", query_string=params)
        assert response.status_code == 400 and json.loads(response.data)["error"]


def test_api_entity(client) -> None:
    answer = json.loads(client.get("/api/entity", query_string={"uri": str(PROFOTEK)}).data)
    assert answer["label"] == "Профотек" and answer["kind"] == "firm" and answer["href"] == "/id/firm/profotek"
    member = next(f for f in answer["facts"] if f["predicate"]["uri"] == str(ORG.memberOf))
    quote = member["evidence"][0]
    assert "«Профотек»" in quote["quote"] and quote["start"] < quote["end"]
    assert quote["document"].endswith("/id/document/seed-news-2022-04-12")
    english = json.loads(client.get("/api/entity", query_string={"uri": str(PROFOTEK), "lang": "en"}).data)
    assert any(p["predicate"]["label"] == "member of" for p in english["properties"])
    assert client.get("/api/entity", query_string={"uri": "http://example.org/none"}).status_code == 404
    assert client.get("/api/entity").status_code == 400
    assert json.loads(client.get("/api/nothing").data)["status"] == 404


def test_openapi_document_describes_every_api_route(client, web_app) -> None:
    spec = json.loads(client.get("/api/openapi.json").data)
    assert spec["openapi"].startswith("3.1")
    routes = {rule.rule for rule in web_app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    documented = set(spec["paths"])
    assert routes - {"/api/", "/api/openapi.json"} <= documented
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            for ref in json.dumps(operation).split('"$ref": "')[1:]:
                name = ref.split('"')[0].rsplit("/", 1)[-1]
                assert name in spec["components"]["schemas"], (path, name)
