"""The guard against the engine: many generated queries that try to make Oxigraph call SERVICE.

Each variant is checked by the guard; whatever it lets through is run by Oxigraph, in this process
(which has the network), on exactly the text the guard hands on, and a loopback listener must receive
no request. The same variants run unguarded show that the generator is hostile: many of them do reach
the listener when nothing stands in the way. A second part checks that a query worker cannot connect
anywhere even if a query got past the guard.
"""

from __future__ import annotations

import itertools
import random
import socket
import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from ontology.sparql.guard import QueryRejected, check_query, expand_codepoint_escapes
from ontology.sparql.isolation import leave_network
from ontology.sparql.workers import worker_context


class CountingListener:
    """A loopback HTTP sink that accepts, reads and closes each connection, counting them."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.count = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            with self._lock:
                self.count += 1
            conn.settimeout(1)
            try:
                conn.recv(4096)
            except OSError:
                pass
            conn.close()

    def connections(self) -> int:
        time.sleep(0.01)  # the accept thread may be a moment behind a connection already made
        with self._lock:
            return self.count


@pytest.fixture(scope="module")
def listener() -> Iterator[CountingListener]:
    sink = CountingListener()
    yield sink
    sink.socket.close()


def escaped(text: str) -> str:
    """Every character of `text` as a \\uXXXX escape."""
    return "".join(f"\\u{ord(ch):04X}" for ch in text)


# How SERVICE is written: (prologue, pattern). {url} is the listener, {host_port} its "127.0.0.1:port".
SERVICE_FORMS = [
    ("", "SERVICE <{url}/sparql> {{ ?s ?p ?o }}"),
    ("", "SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }}"),
    ("", "service <{url}/sparql> {{ ?s ?p ?o }}"),
    ("", "SeRvIcE <{url}/sparql> {{ ?s ?p ?o }}"),
    ("", "\\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }}"),
    ("", "\\U00000053\\U00000045RVICE <{url}/sparql> {{ ?s ?p ?o }}"),
    ("", "SERVICE <http\\u003A//{host_port}/sparql> {{ ?s ?p ?o }}"),
    ("", "SERVICE <" + escaped("http://") + "{host_port}/sparql> {{ ?s ?p ?o }}"),
    ("PREFIX ex: <{url}/>\n", "SERVICE ex:sparql {{ ?s ?p ?o }}"),
    ("PREFIX ex: <{url}/>\n", "SERVICE ex:\\u0073parql {{ ?s ?p ?o }}"),
    ("BASE <{url}/>\n", "SERVICE <sparql> {{ ?s ?p ?o }}"),
    ("", "VALUES ?endpoint {{ <{url}/sparql> }} SERVICE ?endpoint {{ ?s ?p ?o }}"),
    ("", "BIND(<{url}/sparql> AS ?endpoint) SERVICE ?endpoint {{ ?s ?p ?o }}"),
    ("", "SERVICE\t<{url}/sparql>\n{{ ?s ?p ?o }}"),
    ("", "SERVICE#c\n<{url}/sparql> {{ ?s ?p ?o }}"),
]

# Where the SERVICE pattern sits; {x} is the pattern. Each group starts with a solution to extend.
NESTINGS = [
    "{x}",
    "{{ {x} }}",
    "OPTIONAL {{ {x} }}",
    "{{ BIND(2 AS ?two) }} UNION {{ {x} }}",
    "FILTER EXISTS {{ {x} }}",
    "FILTER NOT EXISTS {{ {x} }}",
    "MINUS {{ {x} }}",
    "{{ SELECT * WHERE {{ {x} }} }}",
    "BIND(EXISTS {{ {x} }} AS ?seen)",
]

# What hides the pattern from a parser that reads the text differently (prefix, suffix).
DISGUISES = [
    ("", ""),
    ('BIND("\\u0022" AS ?a) ', ' BIND("\\u0022" AS ?b)'),
    ("BIND('\\u0027' AS ?a) ", " BIND('\\u0027' AS ?b)"),
    ('BIND("\\U00000022" AS ?a) ', ' BIND("\\U00000022" AS ?b)'),
    ('BIND("\\\\u0022" AS ?a) ', ' BIND("\\\\u0022" AS ?b)'),
    ('BIND("\\u005Cu0022" AS ?a) ', ' BIND("\\u005Cu0022" AS ?b)'),
    ('BIND("""\\u0022""" AS ?a) ', ' BIND("""\\u0022""" AS ?b)'),
    ("# \\u000A ", "\n"),
    ('BIND("#" AS ?hash) ', ""),
    ('BIND("' + "x" * 20_000 + '" AS ?long) ', ""),
    ('BIND("\\u0022 # " AS ?a)\n', '\nBIND(" \\u0022" AS ?b)'),
]


def variants(url: str) -> list[str]:
    """SERVICE forms × nestings × disguises: every pair in full, and a seeded sample of the triples."""
    host_port = url.removeprefix("http://")

    def query(form: tuple[str, str], nesting: str, disguise: tuple[str, str]) -> str:
        prologue, pattern = form
        pattern = pattern.format(url=url, host_port=host_port)
        inner = nesting.format(x=pattern)
        return f"{prologue.format(url=url)}SELECT * WHERE {{ BIND(1 AS ?one) {disguise[0]}{inner}{disguise[1]} }}"

    chosen = set()
    for form, disguise in itertools.product(SERVICE_FORMS, DISGUISES):
        chosen.add((SERVICE_FORMS.index(form), 0, DISGUISES.index(disguise)))
    for nesting, disguise in itertools.product(NESTINGS, DISGUISES):
        chosen.add((0, NESTINGS.index(nesting), DISGUISES.index(disguise)))
    every = list(itertools.product(range(len(SERVICE_FORMS)), range(len(NESTINGS)), range(len(DISGUISES))))
    chosen.update(random.Random(2026).sample(every, 150))
    return [query(SERVICE_FORMS[f], NESTINGS[n], DISGUISES[d]) for f, n, d in sorted(chosen)]


def reaches(listener: CountingListener, text: str) -> bool:
    """Does Oxigraph, with the network, connect to the listener while running `text`?"""
    before = listener.connections()
    try:
        result = ox.Store().query(text)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return listener.connections() > before


def test_the_guard_lets_through_no_query_that_makes_the_engine_call_service(listener: CountingListener) -> None:
    hostile = variants(listener.url)
    assert len(hostile) > 250
    reached_unguarded = 0
    passed = []
    for text in hostile:
        reached_unguarded += reaches(listener, text)
        try:
            checked = check_query(text)
        except QueryRejected:
            continue
        passed.append(checked.text)
        assert not reaches(listener, checked.text), f"the guard let through a query that called SERVICE:\n{text}"
    # the generator is hostile: unguarded, most variants make Oxigraph call the listener
    assert reached_unguarded > len(hostile) // 2, reached_unguarded
    # and the guard is not simply refusing everything: the disguises that make SERVICE part of a string pass
    assert passed, "no variant passed the guard"


def test_the_reported_attack_is_refused_or_harmless(listener: CountingListener) -> None:
    """The query of the report: rdflib saw a string where Oxigraph saw SERVICE."""
    target, quote = f"{listener.url}/internal-admin", '"\\u0022"'
    attack = f"SELECT ?secret {{ BIND({quote} AS ?a) SERVICE <{target}> {{ ?secret ?p ?x }} BIND({quote} AS ?b) }}"
    assert reaches(listener, attack)  # as Oxigraph reads the raw text
    checked = check_query(attack)  # as the spec reads it: one long string, no SERVICE
    assert "\\u" not in checked.text
    assert not reaches(listener, checked.text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ('SELECT * { BIND("caf\\u00E9" AS ?x) }', 'SELECT * { BIND("café" AS ?x) }'),
        ('SELECT * { BIND("\\U0001F600" AS ?x) }', 'SELECT * { BIND("😀" AS ?x) }'),
        ('SELECT * { BIND("\\uD83D\\uDE00" AS ?x) }', 'SELECT * { BIND("😀" AS ?x) }'),
        ("SELECT * { ?s ?p ?o }", "SELECT * { ?s ?p ?o }"),
    ],
)
def test_codepoint_escapes_are_expanded_once(text: str, expected: str) -> None:
    assert expand_codepoint_escapes(text) == expected


@pytest.mark.parametrize(
    "text, words",
    [
        ('SELECT * { BIND("\\u005Cu0053" AS ?x) }', "spell another escape"),
        ('SELECT * { BIND("\\U00110000" AS ?x) }', "names no Unicode character"),
        ('SELECT * { BIND("\\uD800" AS ?x) }', "half of a character"),
    ],
)
def test_escapes_that_would_read_differently_are_refused_with_the_reason(text: str, words: str) -> None:
    with pytest.raises(QueryRejected, match=words):
        check_query(text)


def _connect_after_leaving(url_port: int, conn) -> None:
    problem = leave_network()
    outcome = {"problem": problem}
    try:
        socket.create_connection(("127.0.0.1", url_port), timeout=2).close()
        outcome["connect"] = "connected"
    except OSError as error:
        outcome["connect"] = type(error).__name__
    try:
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{url_port}/sparql> {{ ?s ?p ?o }} }}"))
        outcome["service"] = "answered"
    except OSError as error:
        outcome["service"] = str(error)
    conn.send(outcome)


def test_a_query_worker_cannot_reach_the_network_even_past_the_guard(listener: CountingListener) -> None:
    """The process the workers are made in, left as a worker leaves it: no connection, no SERVICE call."""
    before = listener.connections()
    context = worker_context()
    parent, child = context.Pipe()
    process = context.Process(target=_connect_after_leaving, args=(listener.port, child))
    process.start()
    assert parent.poll(60), "the process did not answer"
    outcome = parent.recv()
    process.join(10)
    if outcome["problem"] is not None:
        pytest.skip(f"this machine gives no network namespace: {outcome['problem']}")
    assert outcome["connect"] != "connected"
    assert outcome["service"] != "answered"
    assert listener.connections() == before
