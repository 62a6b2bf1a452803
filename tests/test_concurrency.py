"""An ingest while the server answers: readers see each document wholly or not at all; two ingests at once:
the second is refused with a clear message and the first completes.

The ingests are real `zamena ingest` processes; the server is the app on waitress in this process, over
the same store, reading read-only snapshots.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from ontology.graph import KnowledgeGraph
from tests.web_support import LiveServer, get_from, make_app
from zamena.settings import Settings

pytestmark = pytest.mark.slow

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
# Every profile and news item: enough separate transactions that readers polling during the ingest
# catch it half-way through (seven documents were at times all written between two polls).
DOCUMENTS = sorted((CORPORA / "profiles").glob("*.md")) + sorted((CORPORA / "news").glob("*.md"))
FACTS_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
# The same with each graph's digest, written in the transaction that writes the graph: a version of a
# graph is whole when its count is the one its digest always comes with.
VERSIONS = """SELECT ?g (COUNT(*) AS ?n) (SAMPLE(?d) AS ?digest) WHERE {
    GRAPH ?g { ?s ?p ?o OPTIONAL { ?g zo:graphDigest ?d } } } GROUP BY ?g"""
ZAMENA = Path(sys.executable).with_name("zamena")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    documents = tmp_path / "documents"
    documents.mkdir()
    for path in DOCUMENTS:
        shutil.copy(path, documents / path.name)
    return documents


def ingest(home: Path, folder: Path, *, quiet: bool = True) -> subprocess.Popen:
    env = {**os.environ, "ZAMENA_HOME": str(home), "ZAMENA_STORE": "oxigraph"}
    command = [str(ZAMENA), "ingest", "--no-index", *(["--quiet"] if quiet else []), str(folder)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def facts_per_graph(home: Path) -> dict[str, int]:
    with KnowledgeGraph.open("oxigraph", home / "graph", read_only=True) as graph:
        return {str(g): int(n) for g, n in graph.query(FACTS_PER_GRAPH)}


def _is_document(graph: str) -> bool:
    return any(graph.endswith("/graph/" + path.stem) for path in DOCUMENTS)


def test_readers_never_see_half_a_document_while_an_ingest_runs(tmp_path: Path, folder: Path) -> None:
    home = tmp_path / "home"
    with KnowledgeGraph.open("oxigraph", home / "graph"):
        pass  # an empty store for the server to open
    app = make_app(Settings.from_env(home=home, store="oxigraph"), STATE_CHECK_INTERVAL=0.1, QUERY_WORKERS=2)
    app.extensions["zamena"].queries.warm_up()
    snapshots: list[dict[str, int]] = []
    errors: list[str] = []
    stop = threading.Event()

    def poll(url: str, address: str) -> None:
        target = f"{url}/sparql?{urllib.parse.urlencode({'query': VERSIONS})}"
        while not stop.is_set():
            try:
                status, body, _headers = get_from(address, target)  # two readers: two clients
                if status != 200:
                    raise ValueError(f"{status}: {body[:200]!r}")
                rows = json.loads(body)["results"]["bindings"]
            except (OSError, ValueError) as error:
                errors.append(str(error))
                continue
            snapshots.append(
                {row["g"]["value"]: (int(row["n"]["value"]), row.get("digest", {}).get("value")) for row in rows}
            )

    with LiveServer(app) as server:
        readers = [threading.Thread(target=poll, args=(server.url, f"127.0.0.{i + 2}")) for i in range(2)]
        for reader in readers:
            reader.start()
        writer = ingest(home, folder)
        _out, err = writer.communicate(timeout=600)
        time.sleep(1.0)  # the readers see the final state too
        stop.set()
        for reader in readers:
            reader.join(60)
    app.extensions["zamena"].close()

    assert writer.returncode == 0, err
    assert errors == []
    final = facts_per_graph(home)
    documents = {g for g in final if _is_document(g)}
    assert len(documents) == len(DOCUMENTS), sorted(final)
    # A document read again later in the batch (a firm it names became known) is written twice, each
    # time whole: every version seen has its digest, and always the count that digest comes with.
    counts_of: dict[tuple[str, str | None], set[int]] = {}
    for snapshot in snapshots:
        for graph, (count, digest) in snapshot.items():
            counts_of.setdefault((graph, digest), set()).add(count)
    half_written = [
        (graph, digest, counts) for (graph, digest), counts in counts_of.items() if not digest or len(counts) > 1
    ]
    assert half_written == [], half_written[:5]
    assert {graph: count for graph, (count, _digest) in snapshots[-1].items()} == final
    seen = {frozenset(g for g in snapshot if g in documents) for snapshot in snapshots}
    partial = [s for s in seen if 0 < len(s) < len(documents)]
    assert partial, "the readers never saw the ingest in progress; the test proves nothing"
    print(f"\n{len(snapshots)} reads during the ingest, {len(seen)} states of the documents seen, 0 half-written")


def test_two_ingests_at_once_one_is_refused_with_a_clear_message(tmp_path: Path, folder: Path) -> None:
    home = tmp_path / "home"
    shutil.copy(CORPORA / "classifiers" / "okved2-rosstat-20231201.csv", folder)  # a longer ingest
    both = [ingest(home, folder), ingest(home, folder)]  # started together: they reach the store together
    results = [(p.returncode, out, err) for p in both for out, err in [p.communicate(timeout=900)]]
    refused = [r for r in results if r[0] != 0]
    done = [r for r in results if r[0] == 0]
    assert len(refused) == 1 and len(done) == 1, [(code, err[-300:]) for code, _out, err in results]
    assert "open for writing in another process" in refused[0][2] and "wait for it to finish" in refused[0][2]
    assert f"documents read: {len(DOCUMENTS) + 1}" in done[0][1] and "failed: 0" in done[0][1]
    assert sum(1 for g in facts_per_graph(home) if _is_document(g)) == len(DOCUMENTS)


@pytest.fixture(autouse=True)
def _no_stray_processes() -> Iterator[None]:
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    yield
    for child in psutil.Process().children(recursive=True):
        if child.pid not in before and "zamena" in " ".join(child.cmdline()):
            child.kill()
