"""Whatever a user feeds in: each bad file gets a clear reason, the batch goes on, nothing stored is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ontology.namespaces import sparql_prologue
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

from .helpers import DATA, PROJECT, SEED, SEED_MEMBERS

HOSTILE = DATA / "hostile"

# file → what the user is told (None: the file is read)
EXPECTED = {
    "binary.txt": "binary content",
    "empty.txt": "the file is empty",
    "whitespace.txt": "the file is empty",
    "mixed-encodings.txt": "cannot detect the text encoding",
    "nested.json": "nested too deeply",
    "broken.json": "not valid JSON",
    "billion-laughs.xml": "entity declarations are not read",
    "external-entity.xml": "entity declarations are not read",
    "seed-under-another-name.txt": "already stored as document seed-news-2022-04-12",
    "unsupported.exe": "unsupported file type '.exe'",
    "koi8.txt": None,
    "cp1251.txt": None,
    "scripts.html": None,
    "broken.html": None,
    "odd-names.txt": None,
}


def firm_names(kb: KnowledgeBase) -> set[str]:
    rows = kb.graph.query(sparql_prologue() + "SELECT ?n WHERE { ?f a schema:Corporation ; skos:prefLabel ?n }")
    return {str(name) for (name,) in rows}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    settings = Settings.from_env(home=tmp_path_factory.mktemp("hostile"), store="oxigraph")
    with KnowledgeBase(settings) as kb:
        kb.ingest([SEED])
        before = kb.graph.union_graph()
        report = kb.ingest([HOSTILE / name for name in EXPECTED])
        yield kb, report, before


def test_every_bad_file_is_named_with_its_reason(hostile_run):
    _kb, report, _before = hostile_run
    failed = {Path(path).name: reason for path, reason in report.failed}
    for name, reason in EXPECTED.items():
        if reason is None:
            assert name not in failed, f"{name} should be read, but: {failed.get(name)}"
        else:
            assert name in failed, f"{name} was not refused"
            assert reason in failed[name] and name in failed[name]
    assert report.read == sum(reason is None for reason in EXPECTED.values())


def test_nothing_already_stored_is_lost(hostile_run):
    kb, _report, before = hostile_run
    after = kb.graph.union_graph()
    lost = sorted(str(t) for t in before - after)[:5]
    assert lost == []  # every triple of the seed is still there
    assert SEED_MEMBERS <= firm_names(kb)


def test_legacy_encodings_and_html_are_read_as_text(hostile_run):
    kb, _report, _before = hostile_run
    names = firm_names(kb)
    assert {"Альфа Привод", "Бета Электро"} <= names
    texts = [str(t) for (t,) in kb.graph.query(sparql_prologue() + "SELECT ?t WHERE { ?d schema:text ?t }")]
    assert not any("alert" in text or "подмена" in text or "Главная |" in text for text in texts)


def test_control_and_direction_characters_never_reach_a_name(hostile_run):
    kb, _report, _before = hostile_run
    rows = kb.graph.query(sparql_prologue() + "SELECT ?n WHERE { ?x skos:prefLabel|skos:altLabel ?n }")
    for (name,) in rows:
        assert not any(ch in str(name) for ch in "\u200b\u200f\u202e\u0007"), repr(str(name))
    assert "ЗетаТех" in firm_names(kb)


def test_a_file_over_the_size_limit_is_refused_naming_the_setting(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    line = "Компания «Омега» выпускает насосы и задвижки для водоканалов.\n".encode()
    with big.open("wb") as out:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            out.write(line)
    assert big.stat().st_size >= 50 * 1024 * 1024
    home = tmp_path / "home"
    env = {**os.environ, "ZAMENA_HOME": str(home), "PYTHONPATH": str(PROJECT)}
    cmd = [sys.executable, "-m", "zamena.cli", "ingest", "--quiet", str(SEED), str(big)]
    done = subprocess.run(cmd, env=env, cwd=PROJECT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "big.txt" in done.stdout and "ZAMENA_MAX_FILE_BYTES" in done.stdout
    assert "documents read: 1" in done.stdout


def test_memory_stays_bounded_over_the_hostile_batch(tmp_path):
    """The whole hostile folder, in a process of its own: its peak memory stays within a bound."""
    script = (
        "import json, sys\n"
        "from zamena.kb import KnowledgeBase\n"
        "from pathlib import Path\n"
        "from zamena.settings import Settings\n"
        f"kb = KnowledgeBase(Settings.from_env(home=Path({str(tmp_path / 'home')!r})))\n"
        f"report = kb.ingest([{str(HOSTILE)!r}])\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the (large) pytest process
        "peak = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(json.dumps({'peak_mb': peak / 1024,"
        " 'failed': len(report.failed), 'read': report.read}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=PROJECT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["read"] >= 5 and result["failed"] >= 8
    assert result["peak_mb"] < 2048, result
