"""Load test on loopback: concurrent clients mixing search, SPARQL and entity pages, with a slow query in the mix.

    python -m bench.load --home var --seconds 60 --clients 16 [--json bench/results/load.json]

Starts `zamena serve` on a free loopback port over the knowledge base in --home (ingest it first), or uses
--url of a server already running on this machine. One extra client sends only a query that runs past the
time limit, to show that it does not starve the rest. Every loop is bounded by --seconds; the run stops by
itself. Prints p50/p99 per kind of request and the errors; writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SEARCHES = [
    "частотные преобразователи",
    "оптические трансформаторы тока",
    "electric truck",
    "медицинское оборудование",
    "кто делает фильтры для больниц",
    "композиты",
    "electric motors",
    "дыхательные контуры",
]
QUERIES = [
    "SELECT ?f ?n WHERE { ?f org:memberOf ?c ; skos:prefLabel ?n . ?c a zo:CompetenceCentre }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?c a skos:Concept }",
    "SELECT ?p ?o WHERE { ?e rdf:subject ?p ; oa:hasSelector/oa:exact ?o } LIMIT 20",
    'SELECT ?c ?l WHERE { ?c skos:notation ?code ; skos:prefLabel ?l FILTER(STRSTARTS(?code, "27.1")) } LIMIT 50',
]
# A cross product that runs far past any sane time limit.
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    slow_answers: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    home: Path, time_limit: float | None = None, log: Path | None = None, wait: float = 120
) -> tuple[subprocess.Popen, str]:
    """`zamena serve` on a free loopback port over `home`, once it answers (it loads the model and warms up
    search before listening: give a large graph on a busy machine a longer `wait`); output goes to `log`."""
    port = free_port()
    env = {**os.environ, "ZAMENA_HOME": str(home)}
    if time_limit is not None:
        env["ZAMENA_QUERY_TIME_LIMIT"] = str(time_limit)
    output = subprocess.DEVNULL
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        output = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "zamena.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=output,
        stderr=output,
    )
    url = f"http://127.0.0.1:{port}"
    where = f": see {log}" if log is not None else ""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/", timeout=5):
                return process, url
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"`zamena serve` exited; is there a knowledge base in --home?{where}") from None
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"`zamena serve` did not answer within {wait:.0f} s{where}")


def entity_paths(url: str) -> list[str]:
    query = "SELECT ?f WHERE { ?f a schema:Corporation } LIMIT 50"
    with urllib.request.urlopen(f"{url}/sparql?{urllib.parse.urlencode({'query': query})}", timeout=30) as response:
        rows = json.load(response)["results"]["bindings"]
    return [urllib.parse.urlparse(row["f"]["value"]).path for row in rows] or ["/"]


def client_address(number: int) -> str:
    """The loopback address client `number` sends from: each client is a client of its own to the server,
    which shares its query workers out by client address."""
    return f"127.0.0.{10 + number % 240}"


def fetch(url: str, timeout: float, source: str | None = None) -> tuple[int, str]:
    """(status, the start of the body when it is an error), sent from the loopback address `source`."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        path = parts.path or "/"
        connection.request(
            "GET", path + (f"?{parts.query}" if parts.query else ""), headers={"Accept": "text/html,application/json"}
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status >= 400:
        return response.status, body[:200].decode("utf-8", "replace").strip()
    return response.status, ""


KINDS = ("search page", "search api", "sparql", "entity page")


def client(
    url: str,
    deadline: float,
    tally: Tally,
    entities: list[str],
    seed: int,
    kinds: Sequence[str] = KINDS,
    searches: Sequence[str] = SEARCHES,
    queries: Sequence[str] = QUERIES,
) -> None:
    """Until `deadline`: requests of `kinds` in a random order, each timed into `tally`."""
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        kind = rng.choice(kinds)
        if kind == "search page":
            target = f"{url}/?{urllib.parse.urlencode({'q': rng.choice(searches)})}"
        elif kind == "search api":
            target = f"{url}/api/search?{urllib.parse.urlencode({'q': rng.choice(searches)})}"
        elif kind == "sparql":
            target = f"{url}/sparql?{urllib.parse.urlencode({'query': rng.choice(queries)})}"
        else:
            target = url + rng.choice(entities)
        started = time.monotonic()
        try:
            status, message = fetch(target, timeout=60, source=client_address(seed))
        except OSError as error:
            tally.error(f"{kind}: {error}")
            continue
        tally.record(kind, time.monotonic() - started)
        if status != 200:
            tally.error(f"{kind}: HTTP {status} for {target[:200]}: {message}")


def slow_client(url: str, deadline: float, tally: Tally) -> None:
    target = f"{url}/sparql?{urllib.parse.urlencode({'query': SLOW_QUERY})}"
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            status, _message = fetch(target, timeout=120, source=client_address(239))
        except OSError as error:
            tally.error(f"slow query: {error}")
            continue
        tally.record("slow query (stopped)", time.monotonic() - started)
        with tally.lock:
            tally.slow_answers[status] = tally.slow_answers.get(status, 0) + 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(url: str, seconds: float, clients: int) -> dict:
    """Drive the server at `url` for `seconds`; the figures as a dict."""
    tally = Tally()
    entities = entity_paths(url)
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(url, deadline, tally, entities, i)) for i in range(clients)]
    threads.append(threading.Thread(target=slow_client, args=(url, deadline, tally)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 180)
    kinds = {
        kind: {
            "requests": len(values),
            "p50_ms": statistics.median(values) * 1000,
            "p99_ms": percentile(values, 0.99) * 1000,
        }
        for kind, values in sorted(tally.latencies.items())
    }
    served = sum(len(v) for k, v in tally.latencies.items() if not k.startswith("slow"))
    return {
        "seconds": seconds,
        "clients": clients,
        "requests": served,
        "per_second": served / seconds,
        "errors": tally.errors,
        "slow_query_answers": tally.slow_answers,
        "kinds": kinds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("ZAMENA_HOME", "var")))
    parser.add_argument("--url", help="a server already running on loopback (default: start one)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--time-limit", type=float, default=3.0, help="the server's SPARQL time limit")
    parser.add_argument("--json", type=Path, default=Path("bench/results/load.json"))
    args = parser.parse_args()
    if args.url and urllib.parse.urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--url must be on loopback (127.0.0.1, localhost or ::1)")
    server = None
    url = args.url
    log = args.json.with_suffix(".server.log")
    if url is None:
        server, url = start_server(args.home, args.time_limit, log)
    try:
        result = run(url, args.seconds, args.clients)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
    print(
        f"{result['requests']} requests in {args.seconds:.0f} s from {args.clients} clients "
        f"({result['per_second']:.1f}/s), errors: {len(result['errors'])}"
    )
    print(f"{'kind':<22}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for kind, figures in result["kinds"].items():
        print(f"{kind:<22}{figures['requests']:>10}{figures['p50_ms']:>10.0f}{figures['p99_ms']:>10.0f}")
    print(f"slow query answers by status: {result['slow_query_answers']}")
    for message in result["errors"][:10]:
        print("  error:", message)
    if result["errors"] and server is not None:
        print(f"the server's log: {log}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
