"""The search side of a knowledge base: its index on disk, the model, and whether the index is stale.

The model is loaded on first use (never at import); a reader process picks up an index that another
process saved, because the saved CURRENT pointer is checked before each search.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from search.build import open_or_create, pending_changes, update_index
from search.embedder import Embedder, load_embedder
from search.engine import SearchEngine
from search.index import CURRENT, IndexUpdate, SearchIndex

log = logging.getLogger(__name__)


class SearchService:
    def __init__(
        self,
        graph,  # noqa: ANN001 - a KnowledgeGraph
        settings,  # noqa: ANN001 - zamena.settings.Settings
        embedder: Embedder | None = None,
    ) -> None:
        self.graph = graph
        self.settings = settings
        self.folder: Path = settings.index_path
        self._embedder = embedder
        self._index: SearchIndex | None = None
        self._loaded_version: str | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(
                self.settings.model,
                self.settings.default_model_path,
                allow_download=self.settings.model_download,
                threads=self.settings.embed_threads,
            )
        return self._embedder

    def model_available(self) -> bool:
        """Whether an index update can run without failing on a missing model."""
        if self._embedder is not None or self.settings.model:
            return True
        from search.model_rebuild import is_rebuilt

        return is_rebuilt(self.settings.default_model_path)

    def _saved_version(self) -> str | None:
        pointer = self.folder / CURRENT
        return pointer.read_text(encoding="utf-8").strip() if pointer.exists() else None

    def index(self) -> SearchIndex | None:
        """The saved index, reloaded when another process has saved a newer one since."""
        version = self._saved_version()
        if version != self._loaded_version:
            self._index = SearchIndex.load(self.folder)
            self._loaded_version = version
        return self._index

    def update(self, *, rebuild: bool = False, progress: Callable[[int, int], None] | None = None) -> IndexUpdate:
        """Bring the index up to the graph's state (only changed named graphs are re-read) and save it."""
        current = None if rebuild else self.index()
        if current is None or current.model != self.embedder.name or current.kind != self.settings.index_kind:
            current = open_or_create(self.folder, self.embedder, self.settings.index_kind, rebuild=True)
        report = update_index(self.graph, current, self.embedder, progress)
        current.save(self.folder)
        self._index = current
        self._loaded_version = self._saved_version()
        return report

    def status(self) -> dict[str, object]:
        """What the index holds and whether it matches the graph (`stale`)."""
        index = self.index()
        graph_state = self.graph.state_token()
        if index is None:
            return {"items": 0, "graphs": 0, "stale": True, "graph_state": graph_state, "index_state": None}
        changed, dropped = pending_changes(self.graph, index)
        return {
            "items": len(index),
            "graphs": len(index.graphs),
            "model": index.model,
            "kind": index.kind,
            "stale": index.state_token != graph_state,
            "pending_graphs": len(changed) + len(dropped),
            "graph_state": graph_state,
            "index_state": index.state_token,
        }

    def search(self, query: str, **options: object) -> dict[str, object]:
        """{"query", "results", "stale"}: results as SearchEngine.search gives them."""
        index = self.index()
        if index is None:
            return {"query": query, "results": [], "stale": True}
        stale = index.state_token != self.graph.state_token()
        if stale:
            log.warning("the search index was built from an older graph: run `zamena index` to update it")
        engine = SearchEngine(self.graph, index, self.embedder)
        return {"query": query, "results": engine.search(query, **options), "stale": stale}
