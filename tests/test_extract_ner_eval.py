"""The organisation benchmark: its matching, and a short run of both systems on the shipped factRuEval data."""

from __future__ import annotations

from bench.ner_eval import DEFAULT_DATA, main, match


def test_matching_is_one_to_one():
    gold = [(0, 10), (2, 5), (20, 30)]
    assert match([(0, 10), (0, 10)], gold, overlap=False) == 1
    assert match([(1, 4), (3, 9), (25, 26), (40, 45)], gold, overlap=True) == 3


def test_a_short_run_prints_both_systems(capsys):
    assert DEFAULT_DATA.is_file()
    assert main(["--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "natasha (slovnet news NER) alone" in out and "zamena pipeline" in out and "docs/s" in out
