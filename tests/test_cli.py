"""The command line as a user drives it: ingest, stats, sparql, export, extract."""

from __future__ import annotations

import json

from click.testing import CliRunner
from rdflib import Dataset

from zamena import cli

from .helpers import SEED


def run(monkeypatch, home, *args: str):
    monkeypatch.setenv("ZAMENA_HOME", str(home))
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def test_ingest_stats_sparql_export(monkeypatch, tmp_path):
    result = run(monkeypatch, tmp_path, "ingest", "--quiet", str(SEED))
    assert result.exit_code == 0
    assert "documents read: 1" in result.output and "failed: 0" in result.output

    stats = run(monkeypatch, tmp_path, "stats").output
    assert "firms: 12" in stats and "people: 3" in stats

    table = run(
        monkeypatch, tmp_path, "sparql", "SELECT ?n WHERE { ?f a schema:Corporation ; skos:prefLabel ?n } ORDER BY ?n"
    )
    assert "Хирана+" in table.output and "(12 rows)" in table.output

    as_json = run(monkeypatch, tmp_path, "sparql", "--format", "json", "ASK { ?f org:memberOf ?c }")
    assert json.loads(as_json.output)["boolean"] is True

    as_csv = run(
        monkeypatch, tmp_path, "sparql", "--format", "csv", "SELECT ?n WHERE { ?p a schema:Person ; skos:prefLabel ?n }"
    )
    assert as_csv.output.splitlines()[0] == "n" and len(as_csv.output.split()) == 1 + 3 * 2

    people = "SELECT ?p ?n WHERE { ?p a schema:Person ; skos:prefLabel ?n }"
    as_tsv = run(monkeypatch, tmp_path, "sparql", "--format", "tsv", people)
    header, *rows = as_tsv.output.strip().splitlines()
    assert header == "?p\t?n" and len(rows) == 3
    assert all(row.startswith("<https://") and row.endswith('"@ru') for row in rows)
    as_xml = run(monkeypatch, tmp_path, "sparql", "--format", "xml", "ASK { ?s ?p ?o }")
    assert as_xml.output.count("<boolean>true</boolean>") == 1

    out = tmp_path / "dump.trig"
    assert run(monkeypatch, tmp_path, "export", "--format", "trig", "-o", str(out)).exit_code == 0
    assert len(Dataset().parse(out, format="trig")) > 500


def test_sparql_from_a_file(monkeypatch, tmp_path):
    run(monkeypatch, tmp_path, "ingest", "--quiet", str(SEED))
    query = tmp_path / "q.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?f org:memberOf ?c }", encoding="utf-8")
    assert "12" in run(monkeypatch, tmp_path, "sparql", "-f", str(query)).output


def test_a_malformed_query_is_a_clear_error(monkeypatch, tmp_path):
    run(monkeypatch, tmp_path, "ingest", "--quiet", str(SEED))
    monkeypatch.setenv("ZAMENA_HOME", str(tmp_path))
    result = CliRunner().invoke(cli.main, ["sparql", "SELECT WHERE {"])
    assert result.exit_code != 0 and "the query failed" in result.output


def test_commands_on_an_empty_home_say_to_ingest_first(monkeypatch, tmp_path):
    monkeypatch.setenv("ZAMENA_HOME", str(tmp_path / "empty"))
    result = CliRunner().invoke(cli.main, ["stats"])
    assert result.exit_code != 0 and "zamena ingest" in result.output


def test_bad_files_are_reported_and_the_batch_goes_on(monkeypatch, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02garbage\x00")
    (corpus / "seed.txt").write_bytes(SEED.read_bytes())
    result = run(monkeypatch, tmp_path / "home", "ingest", "--quiet", str(corpus))
    assert result.exit_code == 0
    assert "documents read: 1" in result.output and "failed: 2" in result.output
    assert "empty.txt: the file is empty" in result.output
    assert "binary.txt: binary content" in result.output
    strict = CliRunner().invoke(cli.main, ["ingest", "--quiet", "--strict", str(corpus)])
    assert strict.exit_code != 0 and "binary.txt" in strict.output


def test_the_same_text_under_another_name_is_not_stored_twice(monkeypatch, tmp_path):
    copy = tmp_path / "copy-of-seed.txt"
    copy.write_bytes(SEED.read_bytes())
    run(monkeypatch, tmp_path / "home", "ingest", "--quiet", str(SEED))
    result = run(monkeypatch, tmp_path / "home", "ingest", "--quiet", str(copy))
    assert "already stored as document seed-news-2022-04-12" in result.output
    stats = run(monkeypatch, tmp_path / "home", "stats").output
    assert "documents: 1" in stats


def test_a_cp1251_file_reads_like_its_utf8_original(monkeypatch, tmp_path):
    legacy = tmp_path / "seed-cp1251.txt"
    legacy.write_bytes(SEED.read_text(encoding="utf-8").replace("„", "«").replace("“", "»").encode("cp1251"))
    result = run(monkeypatch, tmp_path, "extract", "--json", str(legacy))
    record = json.loads(result.output)
    firms = {e["name"] for e in record["entities"] if e.get("kind") == "FIRM"}
    assert len(firms) == 12 and "Хирана+" in firms
