"""The search side of a knowledge base: its index on disk, the model, whether the index is stale, and the
answers to questions (search/answers.py), with facets, filters, and names matched when the index cannot answer.

The model is loaded on first use (never at import); a reader process picks up an index that another
process saved, because the saved CURRENT pointer is checked before each search.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from search.answers import RESULT_KINDS, Filters, SearchAnswer
from search.build import open_or_create, pending_changes, update_index
from search.embedder import Embedder, load_embedder
from search.engine import MODES, SearchEngine
from search.evidence import cite_documents
from search.facets import facets, keep
from search.index import CURRENT, IndexUpdate, SearchIndex
from search.names import match_names

if TYPE_CHECKING:
    from ontology.graph import KnowledgeGraph

log = logging.getLogger(__name__)

FACET_POOL = 50  # the facets count this many of the first answers (before filters)
SUGGESTIONS = 3  # classes and competences offered when nothing answers
# People and organisations are found by their names: the index holds what firms make, not who is who.
BY_NAME_KINDS = ("person", "organisation")


class SearchService:
    def __init__(
        self,
        graph: KnowledgeGraph,
        settings,  # zamena.settings.Settings, not imported: search/ does not depend on zamena/
        embedder: Embedder | None = None,
    ) -> None:
        self.graph = graph
        self.settings = settings
        self.folder: Path = settings.index_path
        self._embedder = embedder
        self._index: SearchIndex | None = None
        self._loaded_version: str | None = None
        self._stale_warned: tuple[str, str] | None = None

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

    def update(
        self,
        *,
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
        only: Callable[[str], bool] | None = None,
    ) -> IndexUpdate:
        """Bring the index up to the graph's state (only changed named graphs are re-read; of those, the
        ones `only` accepts) and save it."""
        current = None if rebuild else self.index()
        if current is None or current.model != self.embedder.name or current.kind != self.settings.index_kind:
            current = open_or_create(self.folder, self.embedder, self.settings.index_kind, rebuild=True)
        report = update_index(self.graph, current, self.embedder, progress, only)
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
        stale = index.state_token != graph_state
        # an index that matches the graph's state has nothing pending; only a stale one reads every graph's
        # digest (0.1–0.2 s at a million triples), so the pages can ask on every request
        changed, dropped = pending_changes(self.graph, index) if stale else ([], [])
        return {
            "items": len(index),
            "graphs": len(index.graphs),
            "model": index.model,
            "kind": index.kind,
            "stale": stale,
            "pending_graphs": len(changed) + len(dropped),
            "graph_state": graph_state,
            "index_state": index.state_token,
        }

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        kind: str = "firm",
        code: str | None = None,
        centre: bool = False,
        zone: bool = False,
        mode: str = "hybrid",
        with_facets: bool = True,
        nearest: bool = False,
    ) -> SearchAnswer:
        """The answer to `query`: the best `k` results of `kind` that pass the filters (a classifier `code`
        prefix, members of a competence `centre`, residents of a `zone`), and facets over the first answers
        before the filters. Without a usable index or model, names are matched in the graph instead
        (`fallback`, and `error` says why when something failed). `nearest` asks for the nearest whatever their
        distance (similar firms): no answer floor, no generic words left out."""
        answer = self._answer(query, k, kind, code, centre, zone, mode, with_facets, nearest)
        cite_documents(self.graph, answer.results)
        return answer

    def _answer(
        self,
        query: str,
        k: int,
        kind: str,
        code: str | None,
        centre: bool,
        zone: bool,
        mode: str,
        with_facets: bool,
        nearest: bool,
    ) -> SearchAnswer:
        if kind not in RESULT_KINDS:
            raise ValueError(f"unknown result kind {kind!r}: use one of {', '.join(RESULT_KINDS)}")
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        answer = SearchAnswer(query, kind, filters=Filters(code or None, centre, zone))  # type: ignore[arg-type]
        if not query.strip():
            return answer
        if kind in BY_NAME_KINDS:
            answer.results = match_names(self.graph, query, kind, k)
            return answer
        try:
            if self._ranked(answer, k, mode, with_facets, nearest):
                return answer
        except Exception as error:  # a missing model or a damaged index must not cost the answer: names still match
            log.warning("search by names instead: %s: %s", type(error).__name__, error)
            answer.error = f"{type(error).__name__}: {error}"
        answer.fallback = True
        found = match_names(self.graph, query, kind, max(k, FACET_POOL) if with_facets else k)
        if with_facets:
            answer.facets = facets(self.graph, found)
        answer.results = keep(self.graph, found, answer.filters, k)
        return answer

    def _ranked(self, answer: SearchAnswer, k: int, mode: str, with_facets: bool, nearest: bool) -> bool:
        """Fill `answer` from the index; False when it has nothing to give (none built, or stale and empty)."""
        index = self.index()
        graph_state = self.graph.state_token()
        answer.stale = index is None or index.state_token != graph_state
        if index is None:
            return False
        if answer.stale and self._stale_warned != (index.state_token, graph_state):
            # once per pair of states: a server answering while the classes are indexed beside it would
            # otherwise write this line at every search
            self._stale_warned = (index.state_token, graph_state)
            log.info("the search index was built from an older graph: run `zamena index` to update it")
        engine = SearchEngine(self.graph, index, self.embedder, relevance=not nearest)
        unfiltered = []
        if with_facets or not answer.filters:
            pool = max(k, FACET_POOL) if with_facets else k
            unfiltered = engine.search(answer.query, k=pool, kind=answer.kind, mode=mode)
        if with_facets:
            answer.facets = facets(self.graph, unfiltered)
        if answer.filters:
            filters = answer.filters
            answer.results = engine.search(
                answer.query,
                k=k,
                kind=answer.kind,
                code=filters.code,
                centre=filters.centre,
                zone=filters.zone,
                mode=mode,
            )
        else:
            answer.results = unfiltered[:k]
        if answer.kind in ("firm", "product") and not nearest:
            answer.imported = engine.imported(answer.query)
        if not answer.results and answer.kind in ("firm", "product"):  # say so, and where to look instead
            answer.suggestions = engine.search(answer.query, k=SUGGESTIONS, kind="concept", mode=mode)
        return bool(unfiltered or answer.results) or not answer.stale
