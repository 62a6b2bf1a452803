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
from tests.web_support import LiveServer, make_app
from zamena.settings import Settings

pytestmark = pytest.mark.slow

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
DOCUMENTS = [
    CORPORA / "profiles" / "profotek.md",
    CORPORA / "profiles" / "privodnaya-tekhnika.md",
    CORPORA / "profiles" / "npo-kompozit.md",
    CORPORA / "profiles" / "khirana-plyus.md",
    CORPORA / "profiles" / "neoros.md",
    CORPORA / "news" / "profotek-opticheskie-transformatory.md",
    CORPORA / "news" / "khirana-kommunarka.md",
]
FACTS_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
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


def test_readers_never_see_half_a_document_while_an_ingest_runs(tmp_path: Path, folder: Path) -> None:
    reference = ingest(tmp_path / "reference", folder)
    _out, err = reference.communicate(timeout=600)
    assert reference.returncode == 0, err
    final = facts_per_graph(tmp_path / "reference")
    documents = {g for g in final if "/graph/" in g and any(Path(d).stem in g for d in DOCUMENTS)}
    assert len(documents) == len(DOCUMENTS), sorted(final)

    home = tmp_path / "live"
    with KnowledgeGraph.open("oxigraph", home / "graph"):
        pass  # an empty store for the server to open
    app = make_app(Settings.from_env(home=home, store="oxigraph"), STATE_CHECK_INTERVAL=0.1, QUERY_WORKERS=2)
    app.extensions["zamena"].queries.warm_up()
    snapshots: list[dict[str, int]] = []
    errors: list[str] = []
    stop = threading.Event()

    def poll(url: str) -> None:
        target = f"{url}/sparql?{urllib.parse.urlencode({'query': FACTS_PER_GRAPH})}"
        while not stop.is_set():
            try:
                with urllib.request.urlopen(target, timeout=30) as response:
                    rows = json.load(response)["results"]["bindings"]
            except (urllib.error.URLError, OSError, ValueError) as error:
                errors.append(str(error))
                continue
            snapshots.append({row["g"]["value"]: int(row["n"]["value"]) for row in rows})

    with LiveServer(app) as server:
        readers = [threading.Thread(target=poll, args=(server.url,)) for _ in range(2)]
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
    assert facts_per_graph(home) == final  # the live ingest wrote what the reference did
    half_written = [
        (graph, count, final.get(graph))
        for snapshot in snapshots
        for graph, count in snapshot.items()
        if count != final.get(graph)
    ]
    assert half_written == [], half_written[:5]
    seen_documents = {frozenset(g for g in snapshot if g in documents) for snapshot in snapshots}
    partial = [s for s in seen_documents if 0 < len(s) < len(documents)]
    assert partial, "the readers never saw the ingest in progress; the test proves nothing"
    print(f"\n{len(snapshots)} reads during the ingest, {len(seen_documents)} states seen, 0 half-written")


def _holds_store_lock(process: subprocess.Popen, store: Path) -> bool:
    try:
        return any(Path(f.path) == store / "LOCK" for f in psutil.Process(process.pid).open_files())
    except psutil.Error:
        return False


def test_a_second_ingest_at_once_is_refused_with_a_clear_message(tmp_path: Path, folder: Path) -> None:
    home = tmp_path / "home"
    first = ingest(home, folder)
    deadline = time.monotonic() + 120
    while not _holds_store_lock(first, home / "graph"):
        assert first.poll() is None, first.communicate()[1]
        assert time.monotonic() < deadline, "the first ingest never opened the store"
        time.sleep(0.05)
    second = ingest(home, folder)
    _out, second_err = second.communicate(timeout=300)
    assert first.poll() is None, "the first ingest ended before the second was refused; the test proves nothing"
    assert second.returncode != 0
    assert "open for writing in another process" in second_err and "wait for it to finish" in second_err
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert f"documents read: {len(DOCUMENTS)}" in out and "failed: 0" in out
    graphs = facts_per_graph(home)
    assert sum(1 for g in graphs if any(Path(d).stem in g for d in DOCUMENTS)) == len(DOCUMENTS)


@pytest.fixture(autouse=True)
def _no_stray_processes() -> Iterator[None]:
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    yield
    for child in psutil.Process().children(recursive=True):
        if child.pid not in before and "zamena" in " ".join(child.cmdline()):
            child.kill()
