"""Bringing the index up to date with the graph: only named graphs whose zo:graphDigest changed are read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ontology.graph import KnowledgeGraph
from search.embedder import Embedder
from search.index import GraphChange, IndexUpdate, SearchIndex
from search.items import graph_items


def pending_changes(graph: KnowledgeGraph, index: SearchIndex) -> tuple[list[str], list[str]]:
    """(graphs to (re)index, graphs to drop) for the index to match the graph."""
    current = graph.graph_digests()
    indexed = index.digests()
    changed = sorted(g for g, d in current.items() if indexed.get(g) != d)
    dropped = sorted(g for g in indexed if g not in current)
    return changed, dropped


def update_index(
    graph: KnowledgeGraph,
    index: SearchIndex,
    embedder: Embedder,
    progress: Callable[[int, int], None] | None = None,
    only: Callable[[str], bool] | None = None,
) -> IndexUpdate:
    """Re-read changed graphs, embed what is new, and record the graph state the index now matches.

    `only` keeps the pass to the graphs it accepts (the documents before the classifiers' schemes, which
    hold nine texts in ten); the index then matches the graph only once a pass has taken the rest."""
    state = graph.state_token()
    current = graph.graph_digests()
    changed, dropped = pending_changes(graph, index)
    left = [g for g in changed if only is not None and not only(g)]
    changes = [GraphChange(g, current[g], graph_items(graph, g)) for g in changed if g not in left]
    report = index.apply(changes, dropped, embedder, progress)
    index.state_token = state if not left else None
    return report


def open_or_create(folder: Path, embedder: Embedder, kind: str = "flat", *, rebuild: bool = False) -> SearchIndex:
    """The saved index when it was built with this model and kind; otherwise a new, empty one."""
    index = None if rebuild else SearchIndex.load(folder)
    if index is None or index.model != embedder.name or index.kind != kind or index.dimension != embedder.dimension:
        return SearchIndex(dimension=embedder.dimension, model=embedder.name, kind=kind)
    return index
