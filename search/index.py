"""The search index: FAISS vectors and a persisted id map (vector id → URI, kind, named graph, text).

Vectors are grouped by the named graph they came from, and each graph's zo:graphDigest is kept, so an
update re-embeds only graphs that changed and replacing a graph never leaves its old vectors behind.
A text already embedded (in any graph) is not embedded again. Saved atomically: every save writes a new
version folder, then one `os.replace` of the CURRENT pointer makes it the index readers open.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from search.embedder import Embedder
from search.items import IndexItem
from search.lexical import LexicalIndex, lemmas

FORMAT_VERSION = 1
CURRENT = "CURRENT"
HNSW_NEIGHBOURS = 32
HNSW_EF_SEARCH = 96
# One query is too small to share among threads: OpenMP's waiting costs more than it saves, and on a
# busy machine it turns a 1 ms search into 30 ms. Queries run on one thread each.
faiss.omp_set_num_threads(1)


class IndexUnreadable(RuntimeError):
    """The index folder is unreadable or was built with a different model; the message says what to do."""


@dataclass
class GraphChange:
    """A named graph whose content is new or changed: its digest and the items it now contributes."""

    graph: str
    digest: str
    items: list[IndexItem]


@dataclass
class IndexUpdate:
    embedded: int = 0  # texts sent to the model
    reused: int = 0  # texts whose vectors were already in the index
    removed: int = 0  # vectors of replaced or dropped graphs
    graphs: int = 0


def _new_faiss(kind: str, dimension: int) -> faiss.Index:
    if kind == "hnsw":
        inner = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efSearch = HNSW_EF_SEARCH
    elif kind == "flat":
        inner = faiss.IndexFlatIP(dimension)
    else:
        raise ValueError(f"unknown index kind {kind!r} (ZAMENA_INDEX): use 'flat' or 'hnsw'")
    return faiss.IndexIDMap2(inner)


@dataclass
class SearchIndex:
    """Vectors, their items, and the graph state they were built from."""

    dimension: int
    model: str
    kind: str = "flat"
    items: dict[int, IndexItem] = field(default_factory=dict)
    graphs: dict[str, dict[str, object]] = field(default_factory=dict)  # graph → {"digest", "ids"}
    state_token: str | None = None
    next_id: int = 0
    vectors: faiss.Index | None = None
    _lexical: tuple[LexicalIndex, np.ndarray] | None = field(default=None, repr=False)
    _kind_ids: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _concepts_by_notation: dict[str, list[int]] | None = field(default=None, repr=False)
    _frequency: Counter[str] | None = field(default=None, repr=False)  # lemma → texts that hold it
    _described: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)  # URI part → lemmas

    def __post_init__(self) -> None:
        if self.vectors is None:
            self.vectors = _new_faiss(self.kind, self.dimension)

    def __len__(self) -> int:
        return int(self.vectors.ntotal)

    # ------------------------------------------------------------ updating

    def digests(self) -> dict[str, str]:
        return {graph: str(entry["digest"]) for graph, entry in self.graphs.items()}

    def apply(
        self,
        changes: Sequence[GraphChange],
        dropped: Iterable[str],
        embedder: Embedder,
        progress: Callable[[int, int], None] | None = None,
    ) -> IndexUpdate:
        """Replace the vectors of changed graphs, drop those of vanished graphs; embed only unseen texts.

        `progress(done, total)` is called as texts are embedded.
        """
        report = IndexUpdate(graphs=len(changes))
        known: dict[str, int] = {}
        for vector_id, item in self.items.items():
            known.setdefault(item.text, vector_id)
        needed = dict.fromkeys(item.text for change in changes for item in change.items)
        texts = [text for text in needed if text not in known]
        # Vectors to keep are read back before their graphs are removed.
        vector_of = {text: self.vectors.reconstruct(known[text]) for text in needed if text in known}
        done = 0

        def step(count: int) -> None:
            nonlocal done
            done += count
            if progress:
                progress(done, len(texts))

        if progress:
            progress(0, len(texts))  # the bar knows its length before the model starts
        if texts:
            vector_of.update(zip(texts, embedder.embed_passages(texts, step), strict=True))
        report.embedded = len(texts)
        remove = [g for g in dropped if g in self.graphs] + [c.graph for c in changes if c.graph in self.graphs]
        report.removed = self._remove_graphs(remove)
        ids, rows = [], []
        for change in changes:
            graph_ids = []
            for item in change.items:
                ids.append(self.next_id)
                rows.append(vector_of[item.text])
                graph_ids.append(self.next_id)
                self.items[self.next_id] = item
                self.next_id += 1
            self.graphs[change.graph] = {"digest": change.digest, "ids": graph_ids}
        report.reused = len(ids) - report.embedded
        if ids:
            self.vectors.add_with_ids(np.asarray(rows, dtype=np.float32), np.asarray(ids, dtype=np.int64))
        self._lexical = None
        self._kind_ids = {}
        self._concepts_by_notation = None
        self._frequency = None
        self._described = {}
        return report

    def _remove_graphs(self, graphs: Iterable[str]) -> int:
        gone: list[int] = []
        for graph in graphs:
            entry = self.graphs.pop(graph, None)
            if entry:
                gone += list(entry["ids"])  # type: ignore[arg-type]
        if not gone:
            return 0
        for vector_id in gone:
            self.items.pop(vector_id, None)
        if self.kind == "flat":
            self.vectors.remove_ids(np.asarray(gone, dtype=np.int64))
        else:
            self._rebuild_without(set(gone))
        return len(gone)

    def _rebuild_without(self, gone: set[int]) -> None:
        """HNSW cannot delete: build it again from the vectors that stay."""
        ids = faiss.vector_to_array(self.vectors.id_map).astype(np.int64)
        keep = np.array([i for i, vector_id in enumerate(ids) if int(vector_id) not in gone], dtype=np.int64)
        rebuilt = _new_faiss(self.kind, self.dimension)
        if keep.size:
            vectors = np.stack([self.vectors.index.reconstruct(int(i)) for i in keep])
            rebuilt.add_with_ids(vectors, ids[keep])
        self.vectors = rebuilt

    # ------------------------------------------------------------ searching

    def ids_of_kind(self, kinds: Sequence[str]) -> np.ndarray:
        key = ",".join(sorted(kinds))
        if key not in self._kind_ids:
            self._kind_ids[key] = np.array(
                sorted(i for i, item in self.items.items() if item.kind in kinds), dtype=np.int64
            )
        return self._kind_ids[key]

    def lemma_count(self, lemma: str) -> int:
        """How many indexed texts hold `lemma`: a word in many of them says little of any one."""
        if self._frequency is None:
            counts: Counter[str] = Counter()
            for item in self.items.values():
                counts.update(set(item.tokens))
            self._frequency = counts
        return self._frequency.get(lemma, 0)

    def description_lemmas(self, uri_part: str) -> frozenset[str]:
        """The lemmas of what the items whose URI holds `uri_part` say after their name («Siemens SINAMICS.
        преобразователи частоты …» → преобразователь, частота …), kept until the index changes."""
        if uri_part not in self._described:
            found: set[str] = set()
            for item in self.items.values():
                if uri_part in item.uri and item.text.startswith(f"{item.label}. "):
                    found.update(lemmas(item.text[len(item.label) + 2 :]))
            self._described[uri_part] = frozenset(found)
        return self._described[uri_part]

    def concepts_with_notation(self, codes: Iterable[str]) -> list[int]:
        """Ids of the concept items whose notation is one of `codes` (looked up, not scanned: 100k items)."""
        if self._concepts_by_notation is None:
            self._concepts_by_notation = {}
            for i, item in self.items.items():
                if item.kind == "concept" and item.notation:
                    self._concepts_by_notation.setdefault(item.notation, []).append(i)
        return [i for code in sorted(set(codes)) for i in self._concepts_by_notation.get(code, [])]

    def dense(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(vector ids, inner products) of the `k` nearest vectors, optionally among `allowed` ids only."""
        if len(self) == 0 or k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        params = None
        if allowed is not None:
            if allowed.size == 0:
                return np.zeros(0, np.int64), np.zeros(0, np.float32)
            selector = faiss.IDSelectorBatch(allowed)
            params = (
                faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, k))
                if self.kind == "hnsw"
                else faiss.SearchParameters(sel=selector)
            )
        scores, ids = self.vectors.search(query.reshape(1, -1).astype(np.float32), min(k, len(self)), params=params)
        found = ids[0] >= 0
        return ids[0][found], scores[0][found]

    def lexical(
        self, query: str | Sequence[str], k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(vector ids, BM25 scores) of the best `k` items by lemmas (of a text, or the lemmas given)."""
        if self._lexical is None:
            order = np.array(sorted(self.items), dtype=np.int64)
            self._lexical = (LexicalIndex([self.items[int(i)].tokens for i in order]), order)
        bm25, order = self._lexical
        scores = bm25.scores(query)
        if allowed is not None:
            mask = np.isin(order, allowed)
            scores = np.where(mask, scores, 0.0)
        positive = np.flatnonzero(scores > 0)
        if positive.size > k:
            positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
        best = positive[np.argsort(-scores[positive], kind="stable")]
        return order[best], scores[best]

    # ------------------------------------------------------------ persisting

    def save(self, folder: Path) -> Path:
        """Write a new version folder, then point CURRENT at it in one rename; older versions are removed."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        version = Path(tempfile.mkdtemp(prefix="v-", dir=folder))
        faiss.write_index(self.vectors, str(version / "vectors.faiss"))
        meta = {
            "format": FORMAT_VERSION,
            "model": self.model,
            "dimension": self.dimension,
            "kind": self.kind,
            "state_token": self.state_token,
            "next_id": self.next_id,
            "graphs": self.graphs,
        }
        with (version / "items.jsonl").open("w", encoding="utf-8") as out:
            for vector_id in sorted(self.items):
                record = {"id": vector_id, **self.items[vector_id].to_json()}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        (version / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        pointer = folder / f".{CURRENT}.tmp"
        pointer.write_text(version.name, encoding="utf-8")
        os.replace(pointer, folder / CURRENT)
        for old in folder.glob("v-*"):
            if old.name != version.name:
                shutil.rmtree(old, ignore_errors=True)
        return version

    @classmethod
    def load(cls, folder: Path) -> SearchIndex | None:
        """The index CURRENT points to, or None when none was saved yet."""
        folder = Path(folder)
        pointer = folder / CURRENT
        if not pointer.exists():
            return None
        version = folder / pointer.read_text(encoding="utf-8").strip()
        try:
            meta = json.loads((version / "meta.json").read_text(encoding="utf-8"))
            vectors = faiss.read_index(str(version / "vectors.faiss"))
            items = {}
            with (version / "items.jsonl").open(encoding="utf-8") as lines:
                for line in lines:
                    record = json.loads(line)
                    vector_id = int(record.pop("id"))
                    items[vector_id] = IndexItem.from_json(record)
        except (OSError, ValueError, RuntimeError) as error:
            raise IndexUnreadable(
                f"the search index at {version} is unreadable ({error}): run `zamena index --rebuild`"
            ) from error
        if meta.get("format") != FORMAT_VERSION:
            raise IndexUnreadable(f"the search index at {version} has an old format: run `zamena index --rebuild`")
        return cls(
            dimension=int(meta["dimension"]),
            model=str(meta["model"]),
            kind=str(meta["kind"]),
            items=items,
            graphs=meta["graphs"],
            state_token=meta.get("state_token"),
            next_id=int(meta["next_id"]),
            vectors=vectors,
        )
