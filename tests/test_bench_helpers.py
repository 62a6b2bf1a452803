"""The benchmarks' own arithmetic: exact top-k by blocks, topping up index items, steady memory."""

from __future__ import annotations

import numpy as np

from bench.search_speed import exact_top, unit
from bench.serve_memory import steady, top_up
from search.index import GraphChange
from search.items import IndexItem


def test_exact_top_by_blocks_equals_a_full_sort() -> None:
    rng = np.random.default_rng(3)
    vectors = unit(rng.normal(size=(1000, 16)))
    queries = unit(rng.normal(size=(7, 16)))
    expected = [set(np.argsort(-(vectors @ q))[:10].tolist()) for q in queries]
    for block in (1000, 64, 7):  # one block, several, and blocks smaller than k
        assert exact_top(vectors, queries, 10, block=block) == expected


def test_top_up_copies_items_until_the_target_with_unique_texts() -> None:
    items = [IndexItem(uri=f"urn:x:{i}", kind="firm", graph=f"g{i % 2}", text=f"фирма {i}", label="") for i in range(3)]
    changes = [GraphChange("g0", "d0", items[:2]), GraphChange("g1", "d1", items[2:])]
    top_up(changes, 8)
    everything = [item for change in changes for item in change.items]
    assert len(everything) == 8
    assert len({item.text for item in everything}) == 8
    originals = {item.text: item.uri for item in items}
    for change in changes:  # a copy stays in the graph of its original and names the same thing
        for item in change.items:
            source = item.text.split(" · ")[0]
            assert item.uri == originals[source]
            assert any(original.text == source for original in change.items)


def test_top_up_leaves_enough_items_alone() -> None:
    changes = [GraphChange("g", "d", [IndexItem(uri="u", kind="firm", graph="g", text="t", label="")])]
    top_up(changes, 1)
    assert len(changes[0].items) == 1


def test_steady_is_the_median_of_the_second_half() -> None:
    assert steady([100, 900, 10, 20, 30, 40]) == 30
    assert steady([]) == 0


def test_the_residents_table_gives_rows_with_named_firms() -> None:
    from bench.corpus_recall import TABLE, rows

    found = rows(TABLE)
    assert len(found) > 150
    assert all(row.url.startswith("http") and row.firms for row in found)
    elta = [row for row in found if "Элта" in row.firms]
    assert elta, "«Элта (завод «Элта»)» is read as the firm Элта"
    assert not any(name.startswith("(") for row in found for name in row.firms)
