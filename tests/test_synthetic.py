"""The synthetic corpus: seeded, readable by the ingest, products from ОКПД 2, every firm synthetic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rdflib import Literal

from bench.synthetic import generate, okpd2_products
from ingest.mapping import GraphMapper
from ingest.model import Extraction
from ingest.readers import read_documents
from ontology.namespaces import ZO
from ontology.uris import UriMinter

from .helpers import PROJECT


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.md"))}


def test_the_same_seed_writes_the_same_corpus(tmp_path: Path) -> None:
    assert generate(12, tmp_path / "a", seed=3) == (12, 2)
    generate(12, tmp_path / "b", seed=3)
    generate(12, tmp_path / "c", seed=4)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


def test_every_generated_firm_is_synthetic_and_makes_okpd2_products(tmp_path: Path) -> None:
    generate(15, tmp_path, seed=7)
    codes = {code for code, _name in okpd2_products()}
    mapper = GraphMapper(UriMinter("https://zamena.example.org/"))
    profiles = sorted((tmp_path / "profiles").glob("*.md"))
    assert len(profiles) == 15
    for path in profiles:
        [document] = read_documents(path)
        extraction = Extraction(document, {e.ref: e for e in document.entities}, document.facts)
        _graph, triples = mapper.to_triples(extraction)
        firms = [e for e in document.entities if e.type == "FIRM"]
        assert [(mapper.entity_uri(firms[0].ref), ZO.synthetic, Literal(True))] == [
            t for t in triples if t[1] == ZO.synthetic
        ]
        categories = [f.object for f in document.facts if f.predicate == "category"]
        assert categories and all(str(c).removeprefix("id/okpd2/") in codes for c in categories)
    for path in sorted((tmp_path / "news").glob("*.md")):
        [news] = read_documents(path)
        assert news.kind == "news" and news.date


def test_the_command_line_refuses_a_bad_count(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.synthetic", "--firms", "0", "--out", str(tmp_path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "--firms must be at least 1" in result.stderr
