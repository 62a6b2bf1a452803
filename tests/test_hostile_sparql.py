"""Hostile SPARQL against a live server on loopback: every query is refused with a message (4xx) or
stopped within the time limit (503), nothing is written or fetched, and the server goes on answering.

Refused: updates in every syntax and by every protocol route, SERVICE (loopback, link-local, a variable
endpoint, hidden in sub-patterns), LOAD, FROM / FROM NAMED of a file or a remote graph, queries nested
too deeply to parse, queries over the length limit. Stopped or answered within the limit: property-path
explosions, cross products, a huge VALUES block, a string that doubles until it fills the memory.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from tests.web_support import LiveServer, get_from, make_app

pytest_plugins = ["tests.web_fixtures"]
pytestmark = pytest.mark.slow

TIME_LIMIT = 2.0
MEMORY_MB = 512
# Stopped within the limit: the time limit, the worker's kill and a little slack on a busy machine.
STOPPED_WITHIN = TIME_LIMIT + 2.0
G = "https://zamena.example.org/graph/web-catalogue"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
NORMAL = "SELECT ?name WHERE { ?p a schema:Product ; skos:prefLabel ?name }"
LINK_LOCAL = "http://169.254.169.254/latest/meta-data/"
TRIED: list[str] = []  # every query sent, for the count in the last test


class Listener:
    """A loopback socket that would see any connection the server made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.setblocking(False)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def connections(self) -> int:
        count = 0
        while True:
            try:
                conn, _ = self.socket.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1


@pytest.fixture(scope="module")
def server(web_settings) -> Iterator[LiveServer]:
    app = make_app(web_settings, QUERY_TIME_LIMIT=TIME_LIMIT, QUERY_WORKERS=2, QUERY_MEMORY_MB=MEMORY_MB)
    app.extensions["zamena"].queries.warm_up()
    with LiveServer(app) as live:
        yield live
    app.extensions["zamena"].close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    sink = Listener()
    yield sink
    sink.socket.close()


def send(
    url: str, query: str, how: str = "get", params: dict[str, str] | None = None
) -> tuple[int, str, float, dict[str, str]]:
    """(status, body, seconds, headers) of one request; `how`: get, form, body, update-form, update-body."""
    TRIED.append(query)
    headers = {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}
    target, data = f"{url}/sparql", None
    if how == "get":
        target += "?" + urllib.parse.urlencode({"query": query, **(params or {})})
    elif how in ("form", "update-form"):
        data = urllib.parse.urlencode({"query" if how == "form" else "update": query, **(params or {})}).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    else:
        data = query.encode("utf-8")
        headers["Content-Type"] = "application/sparql-query" if how == "body" else "application/sparql-update"
    request = urllib.request.Request(target, data=data, headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, body, answer_headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, body, answer_headers = error.code, error.read(), dict(error.headers)
    return status, body.decode("utf-8", "replace"), time.monotonic() - started, answer_headers


def count_all(url: str) -> int:
    status, body, _seconds, _headers = send(url, COUNT_ALL)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def assert_refused(status: int, body: str, *words: str) -> None:
    assert 400 <= status < 500, f"{status}: {body[:300]}"
    assert body.strip(), "a refusal must say why"
    for word in words:
        assert word in body, body[:300]


def ran_for(seconds: float, headers: dict[str, str]) -> float:
    """The time a query ran: the answer's time less its wait for a free worker (a killed one is replaced)."""
    return seconds - float(headers.get("Zamena-Queue-Seconds", 0))


def assert_stopped_or_answered(status: int, body: str, seconds: float, headers: dict[str, str]) -> None:
    assert ran_for(seconds, headers) < STOPPED_WITHIN, f"ran {ran_for(seconds, headers):.1f} s"
    assert float(headers.get("Zamena-Queue-Seconds", 0)) <= TIME_LIMIT + 0.5  # the wait is bounded too
    assert status in (200, 503), f"{status}: {body[:300]}"
    if status == 503:
        assert "ZAMENA_QUERY_TIME_LIMIT" in body or "ZAMENA_QUERY_MEMORY_MB" in body, body[:300]


# ---------------------------------------------------------------------------- updates

UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    f"INSERT DATA {{ GRAPH <{G}> {{ <urn:a> <urn:b> <urn:c> }} }}",
    "insert data { <urn:a> <urn:b> 'lower case' }",
    "PREFIX ex: <urn:ex:>\nINSERT DATA { ex:a ex:b ex:c }",
    "# a comment first\nDELETE DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    f"DELETE WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "INSERT { ?s <urn:copy> ?o } WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 'x' } WHERE { ?s ?p ?o }",
    f"WITH <{G}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    f"WITH <{G}> INSERT {{ ?s <urn:x> 1 }} WHERE {{ ?s ?p ?o }}",
    f"DELETE {{ ?s ?p ?o }} USING <{G}> WHERE {{ ?s ?p ?o }}",
    "LOAD <{listener}/data.ttl>",
    f"LOAD SILENT <{{listener}}/data.ttl> INTO GRAPH <{G}>",
    "LOAD <file:///etc/passwd>",
    f"LOAD <{LINK_LOCAL}>",
    "CLEAR ALL",
    "CLEAR DEFAULT",
    "CLEAR NAMED",
    f"CLEAR GRAPH <{G}>",
    f"CLEAR SILENT GRAPH <{G}>",
    "DROP ALL",
    f"DROP GRAPH <{G}>",
    "DROP SILENT NAMED",
    "CREATE GRAPH <urn:new>",
    "CREATE SILENT GRAPH <urn:new>",
    f"ADD <{G}> TO DEFAULT",
    f"ADD SILENT DEFAULT TO <{G}>",
    f"MOVE <{G}> TO DEFAULT",
    f"MOVE SILENT <{G}> TO <urn:elsewhere>",
    f"COPY <{G}> TO <urn:elsewhere>",
    f"COPY DEFAULT TO <{G}>",
    "DROP ALL ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_in_every_syntax_are_refused_by_every_route(server, listener, update: str) -> None:
    update = update.replace("{listener}", listener.url)
    before = count_all(server.url)
    for how in ("get", "form", "body", "update-form", "update-body"):
        status, body, _seconds, _headers = send(server.url, update, how)
        assert_refused(status, body)
        if how.startswith("update") or status == 403:
            assert "read-only" in body, body[:300]
    assert count_all(server.url) == before
    assert listener.connections() == 0


# ---------------------------------------------------------------------------- SERVICE, FROM, LOAD

SERVICES = [
    "SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ VALUES ?e {{ <{target}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{target}> {{ ?s ?q ?r }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{target}> {{ ?s ?q ?r }} }} }}",
    "SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{target}> {{ ?s ?q ?r }} }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE <{target}> {{ ?s ?q ?r }} }} }}",
    "SELECT * WHERE {{ BIND(EXISTS {{ SERVICE <{target}> {{ ?a ?b ?c }} }} AS ?x) }}",
    "SELECT ?s WHERE {{ ?s ?p ?o }} GROUP BY ?s HAVING(EXISTS {{ SERVICE <{target}> {{ ?s ?b ?c }} }})",
    "SELECT ?s WHERE {{ ?s ?p ?o }} ORDER BY (EXISTS {{ SERVICE <{target}> {{ ?s ?b ?c }} }})",
    "ASK {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
    "DESCRIBE ?s WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("template", SERVICES)
def test_service_to_loopback_and_link_local_is_refused_before_any_connection(server, listener, template: str) -> None:
    for target in (listener.url + "/sparql", LINK_LOCAL, "http://[::1]:9/sparql", "http://localhost:9/"):
        status, body, seconds, _headers = send(server.url, template.format(target=target))
        assert_refused(status, body, "SERVICE")
        assert status == 403
        assert seconds < 1.5  # refused at once: no connection attempt waited for a timeout
    assert listener.connections() == 0


DISGUISED = [
    'SELECT ?secret WHERE {{ BIND("\\u0022" AS ?a) SERVICE <{target}> {{ ?secret ?p ?o }} BIND("\\u0022" AS ?b) }}',
    "SELECT ?secret WHERE {{ BIND('\\u0027' AS ?a) SERVICE <{target}> {{ ?secret ?p ?o }} BIND('\\u0027' AS ?b) }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
    'SELECT * WHERE {{ BIND("\\u005Cu0022" AS ?a) SERVICE <{target}> {{ ?s ?p ?o }} BIND("\\u005Cu0022" AS ?b) }}',
]


@pytest.mark.parametrize("template", DISGUISED)
def test_service_disguised_by_codepoint_escapes_reaches_nobody(server, listener, template: str) -> None:
    """The endpoint and the query page: refused, or read as the spec reads it (a string), never a request."""
    query = template.format(target=listener.url + "/internal-admin")
    status, body, _seconds, _headers = send(server.url, query)
    assert status in (200, 400, 403), body[:300]
    TRIED.append(query)
    page = f"{server.url}/query?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(page, timeout=30) as response:
        assert response.status == 200
    assert listener.connections() == 0


def test_query_workers_have_left_the_network(server) -> None:
    """Defence in depth: the workers run in a network namespace of their own (the reason is logged if not)."""
    assert server.app.extensions["zamena"].queries.isolation_problem is None


def test_from_a_file_or_a_remote_graph_is_refused(server, listener) -> None:
    for source in ("file:///etc/passwd", LINK_LOCAL, listener.url + "/data.ttl", "http://localhost/x.ttl"):
        for clause in ("FROM", "FROM NAMED"):
            status, body, _seconds, _headers = send(server.url, f"SELECT * {clause} <{source}> WHERE {{ ?s ?p ?o }}")
            assert_refused(status, body, "never fetched")
            assert "root:" not in body
    assert listener.connections() == 0


def test_graph_names_never_reach_the_file_system_or_the_network(server, listener) -> None:
    """A protocol dataset, GRAPH or DESCRIBE naming a file or a remote IRI reads an empty graph, never the file."""
    for source in ("file:///etc/passwd", LINK_LOCAL, listener.url + "/data.ttl"):
        for params in ({"default-graph-uri": source}, {"named-graph-uri": source}):
            status, body, _seconds, _headers = send(server.url, "SELECT * WHERE { ?s ?p ?o }", params=params)
            assert status == 200 and json.loads(body)["results"]["bindings"] == []
        status, body, _seconds, _headers = send(server.url, f"SELECT * WHERE {{ GRAPH <{source}> {{ ?s ?p ?o }} }}")
        assert status == 200 and json.loads(body)["results"]["bindings"] == []
        status, body, _seconds, _headers = send(server.url, f"DESCRIBE <{source}>")
        assert status == 200 and "root:" not in body
    assert listener.connections() == 0


# ---------------------------------------------------------------------------- expensive queries

EXPLOSIONS = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:p>|!<urn:p>)* ?b }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:x>)+ ?b }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (^!<urn:x>|!<urn:x>)*/(^!<urn:x>|!<urn:x>)* ?b }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ((!<urn:x>)*)*/((^!<urn:x>)*)*/(!<urn:x>)* ?b }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c FILTER(REGEX(STR(?c), '(a|aa)+$')) }",
    "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }",
    "DESCRIBE ?a WHERE { ?a ?b ?c . ?d ?e ?f }",
]


@pytest.mark.parametrize("query", EXPLOSIONS)
def test_explosive_queries_end_within_the_time_limit(server, query: str) -> None:
    status, body, seconds, headers = send(server.url, query)
    assert_stopped_or_answered(status, body, seconds, headers)


def test_a_string_that_fills_the_memory_is_stopped(server) -> None:
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(27))  # 16 B · 2^27 = 2 GB
    query = f"SELECT (STRLEN(?s27) AS ?n) WHERE {{ BIND('0123456789abcdef' AS ?s0) {binds} }}"
    status, body, seconds, headers = send(server.url, query)
    assert status == 503 and ran_for(seconds, headers) < STOPPED_WITHIN, f"{status} after {seconds:.1f} s: {body[:300]}"
    assert f"{MEMORY_MB} MB" in body or "time limit" in body


def test_a_huge_values_block_is_refused_or_ends_within_the_time_limit(server) -> None:
    def values(rows: int) -> str:
        block = " ".join(f"(<urn:x{i}> {i})" for i in range(rows))
        return f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES (?x ?i) {{ {block} }} ?y ?p ?z }}"

    limit = server.app.config["MAX_QUERY_BYTES"]
    under = values(3000)  # just under the length limit: parsed and evaluated in a worker
    assert len(under.encode()) < limit
    status, body, seconds, headers = send(server.url, under, "body")
    assert_stopped_or_answered(status, body, seconds, headers)
    over = values(6000)  # over the length limit, under the body limit
    status, body, seconds, _headers = send(server.url, over, "body")
    assert_refused(status, body, "ZAMENA_MAX_QUERY_BYTES")
    assert status == 413 and seconds < 1.5 and len(over.encode()) < server.app.config["MAX_CONTENT_LENGTH"]
    enormous = values(60_000)  # over the request body limit (and under twice it, where waitress itself cuts off)
    assert (
        server.app.config["MAX_CONTENT_LENGTH"] < len(enormous.encode()) < 2 * server.app.config["MAX_CONTENT_LENGTH"]
    )
    status, body, _seconds, _headers = send(server.url, enormous, "body")
    assert_refused(status, body, "ZAMENA_MAX_REQUEST_BYTES")


def send_from(address: str, url: str, query: str) -> tuple[int, str, dict[str, str]]:
    """A GET of `query` from another loopback address: another client, as the server sees it."""
    status, body, headers = get_from(address, f"{url}/sparql?" + urllib.parse.urlencode({"query": query}))
    return status, body.decode("utf-8", "replace"), headers


def test_one_client_cannot_hold_every_worker(server) -> None:
    """Two workers, one each: the second slow query of a client is refused with 429 and Retry-After, and
    another client's ASK is answered at once instead of waiting for the slow ones."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    answers: list[tuple[int, str, dict[str, str]]] = []
    threads = [threading.Thread(target=lambda: answers.append(send_from("127.0.0.3", server.url, slow))) for _ in "ab"]
    for thread in threads:
        thread.start()
        time.sleep(0.2)  # the first is running when the second arrives
    TRIED.extend([slow, slow, "ASK {}"])
    status, body, headers = send_from("127.0.0.4", server.url, "ASK {}")
    for thread in threads:
        thread.join(30)
    assert status == 200 and json.loads(body)["boolean"] is True
    assert float(headers["Zamena-Queue-Seconds"]) < 0.5, headers  # it did not wait for the slow ones
    statuses = sorted(answer[0] for answer in answers)
    assert statuses == [429, 503], answers
    refused = next(answer for answer in answers if answer[0] == 429)
    assert "ZAMENA_QUERY_WORKERS_PER_CLIENT" in refused[1] and int(refused[2]["Retry-After"]) >= TIME_LIMIT


def test_deep_nesting_is_refused_with_a_message(server) -> None:
    def nested_selects(depth: int) -> str:
        query = "SELECT * WHERE { ?s ?p ?o }"
        for _ in range(depth):
            query = f"SELECT * WHERE {{ {{ {query} }} }}"
        return query

    status, body, _seconds, _headers = send(server.url, nested_selects(5))
    assert status == 200, body[:300]  # sub-queries nested a few levels are fine
    for query in (
        nested_selects(60),
        nested_selects(1000),
        "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
        "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 2000 + "1" + ")" * 2000 + ") }",
        "ASK { " + "OPTIONAL { " * 500 + "?s ?p ?o" + " }" * 500 + " }",
    ):
        status, body, seconds, _headers = send(server.url, query, "form")
        assert_refused(status, body, "too deeply")
        assert seconds < STOPPED_WITHIN


def test_a_query_just_over_the_length_limit_is_refused(server) -> None:
    limit = server.app.config["MAX_QUERY_BYTES"]
    padding = "ASK { } # "
    exactly = padding + "ж" * ((limit - len(padding)) // 2)  # two bytes each in UTF-8
    exactly += "x" * (limit - len(exactly.encode()))
    assert len(exactly.encode()) == limit
    for how in ("get", "form", "body"):
        status, body, _seconds, _headers = send(server.url, exactly, how)
        assert status == 200, body[:300]
        status, body, _seconds, _headers = send(server.url, exactly + "x", how)
        assert status == 413
        assert_refused(status, body, f"limit of {limit} bytes", "ZAMENA_MAX_QUERY_BYTES")


def test_malformed_requests_are_refused_with_a_message(server) -> None:
    for query in ("SELECT * WHERE { ?s ?p ?o ", "SELECT * WHERE { ?s ?p '\x00' }", "", "\ufeffSELECT", "}}}}{{{{"):
        status, body, _seconds, _headers = send(server.url, query)
        assert status in (200, 400), body[:300]
        if status == 400:
            assert_refused(status, body)
    TRIED.append("<invalid UTF-8>")
    request = urllib.request.Request(
        f"{server.url}/sparql", data=b"ASK { '\xff\xfe' }", headers={"Content-Type": "application/sparql-query"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 400 and b"UTF-8" in refused.value.read()


def test_the_server_still_answers_after_all_of_it(server) -> None:
    status, body, seconds, _headers = send(server.url, NORMAL)
    assert status == 200 and "Оптический трансформатор тока" in body
    assert seconds < TIME_LIMIT
    with urllib.request.urlopen(
        f"{server.url}/?q=%D0%9F%D1%80%D0%BE%D1%84%D0%BE%D1%82%D0%B5%D0%BA", timeout=30
    ) as page:
        assert page.status == 200
    print(f"\nhostile SPARQL: {len(TRIED)} requests tried")  # the figure for the notes (pytest -s)
    assert len(TRIED) > 300
