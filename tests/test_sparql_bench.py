"""The SPARQL benchmark's Virtuoso part on a tiny graph: Oxigraph's dump loaded, every query, the same rows."""

from __future__ import annotations

import shutil

import pytest

from bench.sparql_bench import QUERIES, disagreements, measure, measure_virtuoso


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("virtuoso-t") is None, reason="virtuoso-t is not installed")
def test_virtuoso_holds_oxigraphs_quads_and_answers_every_query_with_the_same_rows(tmp_path) -> None:
    ours = measure("oxigraph", 8000, 1, tmp_path)  # the classifier and about 15 firms
    virtuoso = measure_virtuoso(tmp_path, repeats=1, buffers=10_000)
    theirs = measure("memory", 8000, 1, tmp_path)

    assert virtuoso["quads"] == ours["stored_quads"]  # the named graphs and the merge, as Oxigraph holds them
    assert virtuoso["default_graph_triples"] == ours["default_graph_triples"]
    entry = {"oxigraph": ours, "virtuoso": virtuoso, "rdflib_memory": theirs}
    assert disagreements(entry) == []
    answered = [name for name in QUERIES if ours["queries"][name]["rows"] > 0]
    assert len(answered) >= 6, answered  # not agreeing on empty answers only
