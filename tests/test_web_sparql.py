"""The /sparql endpoint through Flask's test client: the three ways to ask, every result format, every error."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from ontology.formats import GRAPH_FORMATS, RESULT_FORMATS, Format, Kind
from ontology.namespaces import SCHEMA
from tests.web_support import CATALOGUE_GRAPH, XSS_NAME, make_app, parse_rdf

pytest_plugins = ["tests.web_fixtures"]  # the shared knowledge base, apps and live server

FIRMS = "SELECT DISTINCT ?firm ?name WHERE { ?firm a schema:Corporation ; skos:prefLabel ?name } ORDER BY ?name"
PROFOTEK = "https://zamena.example.org/id/firm/profotek"
SD = "http://www.w3.org/ns/sparql-service-description#"


def _json(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.data)


def _names(data: dict) -> set[str]:
    return {row["name"]["value"] for row in data["results"]["bindings"]}


def test_get_post_form_and_post_direct_give_the_same_answer(client) -> None:
    by_get = _json(client.get("/sparql", query_string={"query": FIRMS}))
    by_form = _json(client.post("/sparql", data={"query": FIRMS}))
    by_body = _json(client.post("/sparql", data=FIRMS.encode(), content_type="application/sparql-query"))
    assert by_get == by_form == by_body
    assert {"Профотек", "Приводная техника", XSS_NAME} <= _names(by_get)
    assert by_get["head"]["vars"] == ["firm", "name"]


@pytest.mark.parametrize("fmt", RESULT_FORMATS, ids=lambda f: f.name)
def test_select_in_every_result_format_by_accept_and_by_format(client, fmt) -> None:
    by_accept = client.get("/sparql", query_string={"query": FIRMS}, headers={"Accept": fmt.media_type})
    by_param = client.get("/sparql", query_string={"query": FIRMS, "format": fmt.name})
    for response in (by_accept, by_param):
        assert response.status_code == 200
        assert response.mimetype == fmt.media_type
        assert "Accept" in response.headers["Vary"]
    assert by_accept.data == by_param.data
    text = by_accept.get_data(as_text=True)
    if fmt.name == "json":
        assert "Профотек" in _names(json.loads(text))
    elif fmt.name == "xml":
        root = ElementTree.fromstring(by_accept.data)
        literals = [e.text for e in root.iter("{http://www.w3.org/2005/sparql-results#}literal")]
        assert "Профотек" in literals and XSS_NAME in literals
    elif fmt.name == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {"firm": PROFOTEK, "name": "Профотек"} in rows
    else:
        lines = text.splitlines()
        assert lines[0] == "?firm\t?name"
        assert f'<{PROFOTEK}>\t"Профотек"@ru' in lines


def test_ask_in_json_and_xml(client) -> None:
    ask = "ASK { ?p schema:manufacturer ?f ; schema:category ?c }"
    assert _json(client.get("/sparql", query_string={"query": ask}))["boolean"] is True
    response = client.get(
        "/sparql",
        query_string={"query": "ASK { ?x zo:nothing ?y }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert ElementTree.fromstring(response.data).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "false"


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_construct_in_every_graph_format(client, fmt) -> None:
    query = f"CONSTRUCT {{ <{PROFOTEK}> ?p ?o }} WHERE {{ <{PROFOTEK}> ?p ?o }}"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": fmt.media_type})
    assert response.status_code == 200 and response.mimetype == fmt.media_type
    graph = parse_rdf(response.data, fmt.rdflib_format)
    assert (URIRef(PROFOTEK), SKOS.prefLabel, None) in graph
    assert (URIRef(PROFOTEK), URIRef(str(SCHEMA) + "Corporation"), None) not in graph
    assert len(graph) >= 5


@pytest.mark.parametrize("fmt", RESULT_FORMATS + GRAPH_FORMATS, ids=lambda f: f"{f.kind.name}-{f.name}")
def test_every_name_and_alias_of_a_format_is_answered_in_it(client: FlaskClient, fmt: Format) -> None:
    query = FIRMS if fmt.kind is Kind.RESULTS else f"DESCRIBE <{PROFOTEK}>"
    for name in (fmt.name, *fmt.aliases):
        assert client.get("/sparql", query_string={"query": query, "format": name}).mimetype == fmt.media_type, name
    for media_type in fmt.media_types:
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media_type})
        assert response.mimetype == fmt.media_type, media_type
    download = client.get("/sparql", query_string={"query": query, "format": fmt.name, "download": "1"})
    assert download.headers["Content-Disposition"] == f'attachment; filename="zamena-result.{fmt.extension}"'


def test_describe_returns_turtle_by_default(client) -> None:
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{PROFOTEK}>"})
    assert response.mimetype == "text/turtle"
    assert (URIRef(PROFOTEK), SKOS.prefLabel, None) in Graph().parse(data=response.data, format="turtle")


def test_known_prefixes_need_no_declaration_and_own_prefixes_work(client) -> None:
    own = "PREFIX s: <https://schema.org/> SELECT ?p WHERE { ?p a s:Product }"
    assert len(_json(client.get("/sparql", query_string={"query": own}))["results"]["bindings"]) == 2


def test_service_description_on_a_bare_get(client) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    endpoints = list(graph.objects(None, URIRef(SD + "endpoint")))
    assert endpoints == [URIRef("http://localhost/sparql")]
    names = {str(o) for o in graph.objects(None, URIRef(SD + "name"))}
    assert CATALOGUE_GRAPH in names
    result_formats = {str(o) for o in graph.objects(None, URIRef(SD + "resultFormat"))}
    assert result_formats == {f.iri for f in RESULT_FORMATS + GRAPH_FORMATS}
    browser = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 302 and browser.headers["Location"].endswith("/query")


def test_unknown_parameters_are_tolerated_and_cors_is_open(client) -> None:
    response = client.get("/sparql", query_string={"query": "ASK {}", "timeout": "30", "debug": "on"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/sparql", headers={"Origin": "http://elsewhere.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_protocol_dataset_overrides_the_union_default_graph(client) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?p a schema:Product }"
    only_catalogue = _json(client.get("/sparql", query_string={"query": count, "default-graph-uri": CATALOGUE_GRAPH}))
    assert only_catalogue["results"]["bindings"][0]["n"]["value"] == "2"
    other = "https://zamena.example.org/graph/seed-news-2022-04-12"
    none_there = _json(client.get("/sparql", query_string={"query": count, "default-graph-uri": other}))
    assert none_there["results"]["bindings"][0]["n"]["value"] == "0"
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    graphs = _json(client.get("/sparql", query_string={"query": named, "named-graph-uri": CATALOGUE_GRAPH}))
    assert [b["g"]["value"] for b in graphs["results"]["bindings"]] == [CATALOGUE_GRAPH]


def test_from_a_graph_held_here_is_honoured(client) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{CATALOGUE_GRAPH}> WHERE {{ ?p a schema:Product }}"
    assert _json(client.get("/sparql", query_string={"query": query}))["results"]["bindings"][0]["n"]["value"] == "2"


def test_relative_iris_resolve_against_the_endpoint(client) -> None:
    response = client.get("/sparql", query_string={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}", "format": "nt"})
    assert response.get_data(as_text=True).startswith("<http://localhost/s> <http://localhost/p>")


# ---------------------------------------------------------------------------- refused and malformed


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <https://zamena.example.org/graph/web-catalogue>",
    ],
)
def test_updates_are_refused_before_evaluation(client, query: str) -> None:
    for response in (
        client.get("/sparql", query_string={"query": query}),
        client.post("/sparql", data={"update": query}),
        client.post("/sparql", data=query.encode(), content_type="application/sparql-update"),
    ):
        assert response.status_code == 403
        assert "read-only" in response.get_data(as_text=True)
    still = _json(
        client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?p a schema:Product }"})
    )
    assert still["results"]["bindings"][0]["n"]["value"] == "2"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?q ?r } } }",
        "ASK { FILTER EXISTS { SERVICE ?endpoint { ?s ?p ?o } } }",
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }",
    ],
)
def test_service_is_refused_wherever_it_hides(client, query: str) -> None:
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 403
    assert "SERVICE" in response.get_data(as_text=True)


def test_remote_from_is_refused(client) -> None:
    for clause in ("FROM", "FROM NAMED"):
        query = f"SELECT * {clause} <http://127.0.0.1:9/remote.ttl> WHERE {{ ?s ?p ?o }}"
        response = client.get("/sparql", query_string={"query": query})
        assert response.status_code == 403
        assert "never fetched" in response.get_data(as_text=True)


def test_a_malformed_query_gets_400_with_the_parsers_message(client) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p "})
    assert response.status_code == 400
    message = response.get_data(as_text=True)
    assert "not valid SPARQL" in message and "col" in message
    unknown_prefix = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s nope:x ?o }"})
    assert unknown_prefix.status_code == 400 and "nope" in unknown_prefix.get_data(as_text=True)


def test_protocol_errors(client) -> None:
    assert client.get("/sparql", query_string=[("query", "ASK {}"), ("query", "ASK {}")]).status_code == 400
    assert client.post("/sparql", data=b"ASK {}", content_type="text/plain").status_code == 415
    assert (
        client.post(
            "/sparql", data="ASK {}".encode("utf-16"), content_type="application/sparql-query; charset=UTF-16"
        ).status_code
        == 415
    )
    assert client.put("/sparql", data={"query": "ASK {}"}).status_code == 405
    assert client.delete("/sparql").status_code == 405
    assert client.get("/sparql", query_string={"query": FIRMS}, headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/sparql", query_string={"query": FIRMS, "format": "pdf"}).status_code == 406
    assert client.get("/sparql", query_string={"query": "   "}).status_code == 400


def test_each_limit_refuses_with_its_name_and_setting(web_settings) -> None:
    app = make_app(web_settings, MAX_CONTENT_LENGTH=4000, MAX_FORM_MEMORY_SIZE=4000, MAX_QUERY_BYTES=2000)
    try:
        small = app.test_client()
        long_query = "ASK {} #" + "x" * 2500  # over the query limit, under the body limit
        for response in (
            small.get("/sparql", query_string={"query": long_query}),
            small.post("/sparql", data=long_query.encode(), content_type="application/sparql-query"),
            small.post("/sparql", data={"query": long_query}),
            small.get("/query", query_string={"query": long_query}),
        ):
            text = response.get_data(as_text=True)
            assert "limit of 2000 bytes" in text and "ZAMENA_MAX_QUERY_BYTES" in text, text[:300]
            assert response.status_code in (413, 200)  # the query page shows the refusal in the page
        huge_body = "ASK {} #" + "x" * 5000  # over the body limit
        for response in (
            small.post("/sparql", data=huge_body.encode(), content_type="application/sparql-query"),
            small.post("/sparql", data={"query": huge_body}),
            small.post("/sparql", data=huge_body.encode(), content_type="text/plain"),
        ):
            text = response.get_data(as_text=True)
            assert response.status_code == 413
            assert "limit of 4000 bytes" in text and "ZAMENA_MAX_REQUEST_BYTES" in text, text[:300]
        just_under = "ASK {} #" + "x" * (2000 - len("ASK {} #"))
        assert small.get("/sparql", query_string={"query": just_under}).status_code == 200
    finally:
        app.extensions["zamena"].close()


def test_a_huge_result_is_cut_at_the_row_limit(web_settings) -> None:
    app = make_app(web_settings, RESULT_ROW_LIMIT=50)
    try:
        response = app.test_client().get("/sparql", query_string={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"})
        assert response.status_code == 200
        assert response.headers["Zamena-Truncated"] == "true"
        assert response.headers["Zamena-Row-Limit"] == "50"
        assert "limit is 50 rows" in response.headers["Zamena-Limit"]
        assert "ZAMENA_RESULT_ROWS" in response.headers["Zamena-Limit"]
        assert len(json.loads(response.data)["results"]["bindings"]) == 50
        small = app.test_client().get("/sparql", query_string={"query": "SELECT * WHERE { ?p a schema:Product }"})
        assert "Zamena-Truncated" not in small.headers
        graph = app.test_client().get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
        assert graph.headers["Zamena-Truncated"] == "true"
        assert len(graph.get_data(as_text=True).splitlines()) == 50
    finally:
        app.extensions["zamena"].close()


def _doubled(times: int) -> str:
    """A SPARQL expression of a string of 16 · 2^times characters."""
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(times))
    return f"BIND('0123456789abcdef' AS ?s0) {binds}"


def test_the_byte_limit_counts_every_value_and_refuses_one_too_large(web_settings) -> None:
    app = make_app(web_settings, RESULT_BYTE_LIMIT=100_000)
    try:
        client = app.test_client()
        one_value = f"SELECT ?s14 WHERE {{ {_doubled(14)} }}"  # one row, one value of 262,144 characters
        response = client.get("/sparql", query_string={"query": one_value})
        text = response.get_data(as_text=True)
        assert response.status_code == 503, text[:300]
        assert "limit of 100,000 bytes" in text and len(response.data) < 1000
        # four rows of 32 KB each: the three that fit come back, and the answer says it was cut
        four = f"SELECT ?v WHERE {{ {_doubled(11)} VALUES ?k {{ 1 2 3 4 }} BIND(CONCAT(STR(?k), ?s11) AS ?v) }}"
        response = client.get("/sparql", query_string={"query": four})
        assert response.status_code == 200
        assert len(json.loads(response.data)["results"]["bindings"]) == 3
        assert response.headers["Zamena-Truncated"] == "true"
        assert "100,000 bytes" in response.headers["Zamena-Limit"]
        graph = client.get(
            "/sparql", query_string={"query": f"CONSTRUCT {{ <urn:a> <urn:b> ?s14 }} WHERE {{ {_doubled(14)} }}"}
        )
        assert graph.status_code == 503 and "limit of 100,000 bytes" in graph.get_data(as_text=True)
    finally:
        app.extensions["zamena"].close()


def test_the_query_page_reads_a_graph_answer_without_parsing_rdf(client, monkeypatch) -> None:
    """The worker writes a CONSTRUCT answer as a table; the web process never runs an RDF parser on it
    (rdflib's N-Triples parser is quadratic in the line length: a 1.6 MB literal held a thread 16 s)."""
    from rdflib.plugins.parsers import ntriples

    def refuse(*_args, **_kwargs):
        raise AssertionError("the web process parsed N-Triples")

    monkeypatch.setattr(ntriples.W3CNTriplesParser, "parse", refuse)
    query = f"CONSTRUCT {{ <urn:x:a> <urn:x:long> ?s16 . <urn:x:a> <urn:x:short> 'кратко' }} WHERE {{ {_doubled(16)} }}"
    response = client.get("/query", query_string={"query": query})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "кратко" in page and "urn:x:long" in page
    assert f"ещё {16 * 2**16 - 2000} симв." in page  # the long value is shown cut, and says how much is left
    assert len(page) < 100_000


def test_a_query_over_the_time_limit_is_stopped_with_503(web_settings) -> None:
    app = make_app(web_settings, QUERY_TIME_LIMIT=1.0)
    try:
        never_ending = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        response = app.test_client().get("/sparql", query_string={"query": never_ending})
        assert response.status_code == 503
        assert "time limit of 1 s" in response.get_data(as_text=True)
        assert "ZAMENA_QUERY_TIME_LIMIT" in response.get_data(as_text=True)
        assert response.headers["Retry-After"]
        assert app.extensions["zamena"].queries.killed == 1
        after = app.test_client().get("/sparql", query_string={"query": "ASK { ?p a schema:Product }"})
        assert json.loads(after.data)["boolean"] is True
    finally:
        app.extensions["zamena"].close()
