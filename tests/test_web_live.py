"""The web app served on loopback and used by real clients: SPARQLWrapper, Comunica, rapper, PyLD.

Also the endpoint's safety under real concurrency: a never-ending query is stopped at the time limit
while a second client's query is answered, and SERVICE never opens a connection.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import Graph
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from ontology.formats import GRAPH_FORMATS, RDF_FORMATS
from tests.web_support import parse_rdf

pytest_plugins = ["tests.web_fixtures"]
pytestmark = pytest.mark.slow

JS = Path(__file__).resolve().parent / "js"
PROFOTEK = "https://zamena.example.org/id/firm/profotek"
RAPPER_NAMES = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "trig": "trig", "xml": "rdfxml"}
NEVER_ENDING = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _get(url: str, accept: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()


def _sparql(url: str, query: str) -> tuple[int, bytes, float]:
    started = time.monotonic()
    status, _type, body = _get(f"{url}/sparql?{urllib.parse.urlencode({'query': query})}")
    return status, body, time.monotonic() - started


# ---------------------------------------------------------------------------- SPARQLWrapper


def test_sparqlwrapper_select_in_json_and_xml(live_server) -> None:
    client = SPARQLWrapper(f"{live_server.url}/sparql")
    client.setQuery("SELECT ?name WHERE { ?f org:memberOf ?c ; skos:prefLabel ?name . ?c a zo:CompetenceCentre }")
    client.setReturnFormat(JSON)
    names = {b["name"]["value"] for b in client.query().convert()["results"]["bindings"]}
    assert {"Профотек", "Приводная техника", "<script>alert(1)</script>"} <= names
    client.setReturnFormat(XML)
    document = client.query().convert()
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert "Профотек" in literals


def test_sparqlwrapper_construct_and_post(live_server) -> None:
    client = SPARQLWrapper(f"{live_server.url}/sparql")
    client.setMethod("POST")
    client.setReturnFormat(TURTLE)  # parsed by rdflib here: SPARQLWrapper's own RDF/XML path is deprecated
    client.setQuery(f"CONSTRUCT {{ <{PROFOTEK}> ?p ?o }} WHERE {{ <{PROFOTEK}> ?p ?o }}")
    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")
    labels = {str(o) for o in graph.objects(None, None) if getattr(o, "language", None) == "ru"}
    assert "Профотек" in labels


def test_sparqlwrapper_sees_errors_as_errors(live_server) -> None:
    client = SPARQLWrapper(f"{live_server.url}/sparql")
    client.setReturnFormat(JSON)
    client.setQuery("SELECT ?s WHERE { ?s ?p ")
    with pytest.raises(QueryBadFormed):
        client.query()
    client.setMethod("POST")
    client.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    assert refused.value.code == 403 and b"read-only" in refused.value.read()


# ---------------------------------------------------------------------------- Comunica


@pytest.fixture(scope="session")
def comunica() -> Path:
    """Comunica from the npm registry, installed into tests/js/node_modules once."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("Node.js and npm are needed for the Comunica tests: apt-get install nodejs npm")
    if not (JS / "node_modules" / "@comunica" / "query-sparql").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, timeout=600)
    return JS / "query.mjs"


def _comunica(script: Path, endpoint: str, query: str) -> dict:
    done = subprocess.run(
        ["node", str(script), endpoint, query], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_comunica_select_and_ask(live_server, comunica) -> None:
    endpoint = f"{live_server.url}/sparql"
    query = (
        "PREFIX schema: <https://schema.org/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?product ?name WHERE { ?product a schema:Product ; skos:prefLabel ?name FILTER(LANG(?name) = 'en') }"
    )
    rows = _comunica(comunica, endpoint, query)["rows"]
    assert {r["name"] for r in rows} == {"Optical current transformer", "Frequency converter for electric motors"}
    ask = _comunica(comunica, endpoint, "ASK { ?s <https://schema.org/manufacturer> ?o }")
    assert ask == {"type": "boolean", "value": True}


def test_comunica_construct(live_server, comunica) -> None:
    query = f"CONSTRUCT {{ <{PROFOTEK}> ?p ?o }} WHERE {{ <{PROFOTEK}> ?p ?o }}"
    quads = _comunica(comunica, f"{live_server.url}/sparql", query)["quads"]
    assert [PROFOTEK, "http://www.w3.org/2004/02/skos/core#prefLabel", "Профотек"] in quads


# ---------------------------------------------------------------------------- rapper and PyLD


def _rapper(path: Path, name: str, base: str) -> int:
    """The number of triples Debian's rapper reads from `path`; fails on any parse error."""
    if shutil.which("rapper") is None:
        pytest.fail("rapper is needed: bash scripts/system-deps.sh raptor2-utils")
    done = subprocess.run(
        ["rapper", "--input", name, "--count", str(path), base], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr, done.stderr
    return int(done.stderr.split("returned ")[1].split()[0])


def _http_loader(url: str, options: dict | None = None) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": json.loads(response.read())}  # fmt: skip


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.name)
def test_every_dump_is_valid(live_server, fmt, tmp_path) -> None:
    status, content_type, body = _get(f"{live_server.url}/dumps/zamena.{fmt.extension}")
    assert status == 200 and content_type == fmt.media_type
    if fmt.name == "jsonld":
        assert len(parse_rdf(body, "json-ld", _http_loader)) > 900
        return
    path = tmp_path / f"zamena.{fmt.extension}"
    path.write_bytes(body)
    assert _rapper(path, RAPPER_NAMES[fmt.name], live_server.url + "/") > 900


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_every_conneg_format_is_valid(live_server, fmt, tmp_path) -> None:
    for url in (
        f"{live_server.url}/id/firm/profotek",
        f"{live_server.url}/.well-known/void",
        f"{live_server.url}/ontology",
    ):
        status, content_type, body = _get(url, accept=fmt.media_type)
        assert status == 200 and content_type == fmt.media_type, url
        if fmt.name == "jsonld":
            assert len(parse_rdf(body, "json-ld", _http_loader)) > 10  # the @context is fetched from the server
            continue
        path = tmp_path / f"page.{fmt.extension}"
        path.write_bytes(body)
        assert _rapper(path, RAPPER_NAMES[fmt.name], url) > 10, url


def test_jsonld_expands_with_the_published_context(live_server) -> None:
    _status, _type, body = _get(f"{live_server.url}/id/firm/profotek", accept="application/ld+json")
    document = json.loads(body)
    assert document["@context"] == f"{live_server.url}/context.jsonld"
    expanded = jsonld.expand(document, {"documentLoader": _http_loader})
    firm = next(node for node in expanded if node.get("@id") == PROFOTEK)
    labels = firm["http://www.w3.org/2004/02/skos/core#prefLabel"]
    assert {"@value": "Профотек", "@language": "ru"} in labels


# ---------------------------------------------------------------------------- safety under load


def test_a_never_ending_query_is_stopped_while_another_client_is_answered(live_server) -> None:
    outcome: dict[str, object] = {}

    def never_ending() -> None:
        outcome["slow"] = _sparql(live_server.url, NEVER_ENDING)

    slow = threading.Thread(target=never_ending)
    slow.start()
    time.sleep(0.5)  # the slow query is running in its worker now
    status, body, seconds = _sparql(
        live_server.url, "SELECT ?name WHERE { ?p a schema:Product ; skos:prefLabel ?name }"
    )
    assert status == 200 and "Оптический трансформатор тока" in body.decode()
    assert seconds < 2.0  # answered while the other query still runs
    assert "slow" not in outcome
    slow.join(timeout=30)
    slow_status, slow_body, slow_seconds = outcome["slow"]
    assert slow_status == 503
    assert b"time limit of 3 s" in slow_body
    assert 3.0 <= slow_seconds < 8.0
    status, _body, _seconds = _sparql(live_server.url, "ASK {}")
    assert status == 200  # and the server goes on


def test_service_never_opens_a_connection(live_server) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        for query in (
            f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
            f"LOAD <http://127.0.0.1:{port}/data.ttl>",
            f"SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}",
        ):
            status, body, _seconds = _sparql(live_server.url, query)
            assert status == 403, body
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()


def test_a_huge_result_is_capped(live_server) -> None:
    request = urllib.request.Request(
        f"{live_server.url}/sparql?{urllib.parse.urlencode({'query': 'SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }'})}",
        headers={"Accept": "text/csv"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.headers["Zamena-Truncated"] == "true"
        limit = int(response.headers["Zamena-Row-Limit"])
        rows = list(csv.reader(io.StringIO(response.read().decode())))
        assert rows[0] == ["a", "b", "c", "d", "e", "f"] and len(rows) == limit + 1


def test_a_refusal_reaches_the_client_as_403_with_its_reason(live_server) -> None:
    client = SPARQLWrapper(f"{live_server.url}/sparql")
    client.setQuery("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    assert refused.value.code == 403 and b"SERVICE" in refused.value.read()


# ---------------------------------------------------------------------------- zamena serve


def test_zamena_serve_answers_on_loopback(web_settings, tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "ZAMENA_HOME": str(web_settings.home), "ZAMENA_QUERY_TIME_LIMIT": "2"}
    zamena = Path(sys.executable).with_name("zamena")
    server = subprocess.Popen(
        [str(zamena), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _type, body = _get(
                    f"http://127.0.0.1:{port}/?q=%D0%9F%D1%80%D0%BE%D1%84%D0%BE%D1%82%D0%B5%D0%BA"
                )
                break
            except urllib.error.URLError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "zamena serve did not start within a minute"
                time.sleep(0.3)
        assert status == 200 and "Профотек".encode() in body
        status, body, _seconds = _sparql(f"http://127.0.0.1:{port}", NEVER_ENDING)
        assert status == 503 and b"time limit of 2 s" in body  # the setting reaches the endpoint
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()


def test_zamena_serve_without_a_store_says_what_to_do(tmp_path) -> None:
    from click.testing import CliRunner

    from zamena.cli import main

    result = CliRunner().invoke(main, ["serve", "--port", "1"], env={"ZAMENA_HOME": str(tmp_path / "empty")})
    assert result.exit_code == 1 and "zamena ingest" in result.output
