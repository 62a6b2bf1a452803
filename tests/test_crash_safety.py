"""Kill an ingest with SIGKILL at random moments: the store must open, hold each document wholly or
not at all, and a re-run must finish with a graph isomorphic to a clean run's."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from ontology.graph import KnowledgeGraph

from .helpers import PROJECT, SEED

pytestmark = pytest.mark.slow

# Replacement firm names, so that each variant of the seed is a document of its own.
VARIANTS = ["Альфа", "Бета", "Гамма", "Дельта", "Эпсилон", "Дзета"]


def write_corpus(folder: Path) -> None:
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for i, name in enumerate(VARIANTS):
        variant = text.replace("«Фотоэксперт»", f"«{name} Системс»").replace("12.04.2022", f"{10 + i}.05.2022")
        (folder / f"news-{i:02d}.txt").write_text(variant, encoding="utf-8")


def start_ingest(corpus: Path, home: Path) -> subprocess.Popen:
    """`zamena ingest` in a process of its own; its output goes to home/../ingest.log."""
    env = {**os.environ, "ZAMENA_HOME": str(home), "PYTHONPATH": str(PROJECT)}
    with (home.parent / "ingest.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "zamena.cli", "ingest", "--quiet", str(corpus)],
            env=env,
            cwd=PROJECT,
            stdout=log,
            stderr=log,
        )


def log_of(home: Path) -> str:
    return (home.parent / "ingest.log").read_text(encoding="utf-8", errors="replace")[-3000:]


def named_graphs(home: Path) -> dict[URIRef, Graph]:
    graphs: dict[URIRef, Graph] = {}
    with KnowledgeGraph.open("oxigraph", home / "graph") as kg:
        for s, p, o, g in kg.quads():
            graphs.setdefault(g, Graph()).add((s, p, o))
    return graphs


def test_killed_ingests_lose_nothing_and_leave_nothing_half_done(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    clean_home, crash_home = tmp_path / "clean", tmp_path / "crash"

    started = time.monotonic()
    clean = start_ingest(corpus, clean_home)
    assert clean.wait(600) == 0, log_of(clean_home)
    clean_seconds = time.monotonic() - started
    reference = named_graphs(clean_home)
    documents = [graph for graph in reference if "/graph/news-" in str(graph)]
    assert len(documents) == len(VARIANTS), log_of(clean_home)

    rng = random.Random(20220412)
    kills = 0
    for _ in range(3):
        process = start_ingest(corpus, crash_home)
        time.sleep(rng.uniform(0.3, clean_seconds))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(60)
        for graph, content in named_graphs(crash_home).items():
            # every graph in the store is exactly the graph a clean run writes: nothing half-written
            assert isomorphic(content, reference[graph]), f"{graph} is not the graph a clean run writes"
    assert kills >= 2, "the ingest finished before it could be killed: the corpus is too small to test"

    rerun = start_ingest(corpus, crash_home)
    assert rerun.wait(600) == 0, log_of(crash_home)
    final = named_graphs(crash_home)
    assert final.keys() == reference.keys()
    assert all(isomorphic(final[g], reference[g]) for g in reference)
