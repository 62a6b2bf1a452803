"""Search speed: query latency p50/p95 at 10k, 100k and 1M indexed items, memory, and HNSW recall.

    python -m bench.search_speed [--sizes 10000 100000 1000000] [--ef 32 64 96 128]
                                 [--lexical-up-to 1000000] [--json bench/results/search-speed.json]

Vectors are realistic, not uniform: the real e5 vectors of the index at ZAMENA_HOME (`make run` builds
it), and, past their number, copies of them moved by a little noise (cosine ≈ 0.95 to their source,
like a near-paraphrase), so the set keeps e5's narrow cone and its clusters. Without an index, a
clustered mixture stands in. Queries are other real vectors moved further (cosine ≈ 0.85).
Texts for BM25 are synthetic Russian words. Timed: what a query costs once its vector is known —
FAISS search (flat, and HNSW at each efSearch), BM25 and fusion; recall@10 of HNSW against exact search.
HNSW is built with search/index.py's own settings (M, efConstruction, default efSearch), on all cores as
an offline `zamena index` would; queries run on one thread, as the server's do. BM25 is built and timed
only up to --lexical-up-to items (its build is reported separately). Every row carries the machine's load
average, since the cores are shared. Embedding throughput is measured by bench/embed_speed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np
import psutil

from search import fusion
from search.index import HNSW_EF_SEARCH, HNSW_NEIGHBOURS, GraphChange, SearchIndex
from search.items import IndexItem
from search.lexical import lemmas

WORDS = (
    "преобразователь частотный электродвигатель трансформатор оптический датчик ток напряжение подстанция "
    "медицинский фильтр контур дыхательный грузовик электромобиль аккумулятор батарея привод насос клапан "
    "композитный материал микросхема плата лазер волокно камера беспилотный аппарат станок робот манипулятор "
    "сервопривод контроллер инвертор зарядный станция кабель изолятор реактор сенсор модуль антенна"
).split()


class ArrayEmbedder:
    """Hands back prepared vectors: the index is timed, not a model."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.name, self.dimension, self._vectors, self._next = "synthetic", vectors.shape[1], vectors, 0

    def embed_passages(self, texts, progress=None):
        out = self._vectors[self._next : self._next + len(texts)]
        self._next += len(texts)
        return out

    def embed_queries(self, texts):
        raise NotImplementedError


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def nudge(rows: np.ndarray, cosine: float, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors at about `cosine` from `rows`: each moved by noise orthogonal to it."""
    noise = rng.normal(size=rows.shape).astype(np.float32)
    noise -= np.sum(noise * rows, axis=1, keepdims=True) * rows
    noise = unit(noise)
    return unit(cosine * rows + np.sqrt(1 - cosine**2) * noise)


def real_vectors(folder: Path | None = None) -> np.ndarray | None:
    """The vectors of the saved index in `folder` (default: ZAMENA_HOME's), or None when there is none."""
    from zamena.settings import Settings

    index = SearchIndex.load(folder or Settings.from_env().index_path)
    if index is None or len(index) == 0:
        return None
    ids = faiss.vector_to_array(index.vectors.id_map)
    return np.stack([index.vectors.reconstruct(int(i)) for i in ids]).astype(np.float32)


def clustered(count: int, rng: np.random.Generator, dimension: int = 384) -> np.ndarray:
    """Stand-in for real vectors: a shared direction (e5's cone), 200 cluster centres, points around them."""
    common = unit(rng.normal(size=(1, dimension)))
    centres = nudge(np.repeat(common, 200, axis=0), 0.8, rng)
    return nudge(centres[rng.integers(0, 200, size=count)], 0.9, rng)


def vector_set(size: int, base: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(indexed vectors, query vectors): the real ones first, then nudged copies; 200 queries."""
    copies = base[rng.integers(0, len(base), size=max(0, size - len(base)))]
    vectors = np.concatenate([base[:size], nudge(copies, 0.95, rng)]) if len(copies) else base[:size].copy()
    queries = nudge(base[rng.integers(0, len(base), size=200)], 0.85, rng)
    return vectors, queries


def synthetic_items(size: int, rng: np.random.Generator, with_tokens: bool = True) -> list[IndexItem]:
    items = []
    choices = rng.integers(0, len(WORDS), size=(size, 8))
    for i in range(size):
        words = " ".join(WORDS[j] for j in choices[i])
        items.append(IndexItem(uri=f"urn:x:{i}", kind="concept", graph="g", text=f"{i} {words}", label=words))
        if with_tokens:
            items[-1].tokens = lemmas(words)
    return items


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int, block: int = 200_000) -> list[set[int]]:
    """The ids of the `k` largest inner products of each query: exact, by blocks so 1M rows fit in memory."""
    best_ids = np.zeros((len(queries), 0), dtype=np.int64)
    best_scores = np.zeros((len(queries), 0), dtype=np.float32)
    for start in range(0, len(vectors), block):
        scores = np.concatenate([best_scores, queries @ vectors[start : start + block].T], axis=1)
        ids = np.concatenate(
            [
                best_ids,
                np.broadcast_to(
                    np.arange(start, start + min(block, len(vectors) - start)),
                    (len(queries), min(block, len(vectors) - start)),
                ),
            ],
            axis=1,
        )
        keep = np.argpartition(-scores, min(k, scores.shape[1]) - 1, axis=1)[:, :k]
        best_scores = np.take_along_axis(scores, keep, axis=1)
        best_ids = np.take_along_axis(ids, keep, axis=1)
    return [set(row.tolist()) for row in best_ids]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q))


def build(kind: str, vectors: np.ndarray, items: list[IndexItem], lexical: bool) -> tuple[SearchIndex, dict]:
    """(index, {"build_s", "bm25_build_s", "memory_mb"}): seconds to add the vectors and to build BM25,
    and the MB the index added to this process."""
    rss_before = psutil.Process().memory_info().rss
    index = SearchIndex(dimension=vectors.shape[1], model="synthetic", kind=kind)
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # an offline build may use every core
    started = time.perf_counter()
    try:
        index.apply([GraphChange("g", "d", items)], [], ArrayEmbedder(vectors))
    finally:
        faiss.omp_set_num_threads(1)  # queries run on one thread, as in search/index.py
    figures = {"build_s": round(time.perf_counter() - started, 2)}
    if lexical:
        started = time.perf_counter()
        index.lexical("прогрев", 1)  # BM25 is built on first use
        figures["bm25_build_s"] = round(time.perf_counter() - started, 2)
    figures["memory_mb"] = round((psutil.Process().memory_info().rss - rss_before) / 2**20, 1)
    # The RSS growth above undercounts an index built into memory freed by the one before it; the size
    # of the serialized FAISS index (vectors, HNSW links, id map) is what it holds, on disk and in RAM.
    figures["faiss_mb"] = round(faiss.serialize_index(index.vectors).nbytes / 2**20, 1)
    return index, figures


def time_queries(
    index: SearchIndex,
    queries: np.ndarray,
    exact: list[set[int]] | None,
    rng,
    lexical: bool = True,
) -> dict[str, float]:
    dense_times, total_times, recall = [], [], []
    for n, query_vector in enumerate(queries):
        text = " ".join(rng.choice(WORDS, size=3))
        start = time.perf_counter()
        dense_ids, _ = index.dense(query_vector, 100)
        middle = time.perf_counter()
        if lexical:
            lexical_ids, _ = index.lexical(text, 100)
            fusion.reciprocal_rank_fusion([dense_ids, lexical_ids])
        end = time.perf_counter()
        dense_times.append(middle - start)
        total_times.append(end - start)
        if exact is not None:
            recall.append(len(exact[n] & set(dense_ids[:10].tolist())) / 10)
    result = {
        "dense_p50_ms": round(percentile(dense_times, 50), 2),
        "dense_p95_ms": round(percentile(dense_times, 95), 2),
    }
    if lexical:
        result["query_p50_ms"] = round(percentile(total_times, 50), 2)
        result["query_p95_ms"] = round(percentile(total_times, 95), 2)
    if recall:
        result["recall@10"] = round(float(np.mean(recall)), 3)
    return result


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def run_size(size: int, base: np.ndarray, ef_values: list[int], lexical: bool) -> Iterator[dict[str, object]]:
    rng = np.random.default_rng(size)
    vectors, queries = vector_set(size, base, rng)
    items = synthetic_items(size, rng, with_tokens=lexical)
    exact = exact_top(vectors, queries, 10)
    flat, figures = build("flat", vectors, items, lexical)
    row = {"size": size, "kind": "flat", **figures, **time_queries(flat, queries, None, rng, lexical)}
    yield {**row, "load_average": load_average()}
    del flat
    hnsw, figures = build("hnsw", vectors, items, lexical)
    inner = faiss.downcast_index(hnsw.vectors.index)
    for ef in ef_values:
        inner.hnsw.efSearch = ef
        row = {"size": size, "kind": f"hnsw ef={ef}", **figures, **time_queries(hnsw, queries, exact, rng, lexical)}
        yield {**row, "load_average": load_average()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--ef", type=int, nargs="+", default=[32, 64, 96, 128], help="HNSW efSearch values.")
    parser.add_argument(
        "--lexical-up-to",
        type=int,
        default=1_000_000,
        help="build and time BM25 and fusion only at sizes up to this many items (0: never)",
    )
    parser.add_argument("--json", type=Path, default=Path("bench/results/search-speed.json"))
    args = parser.parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    base = real_vectors()
    source = f"{len(base)} real e5 vectors from the index, nudged copies past that" if base is not None else ""
    if base is None:
        base = clustered(20_000, np.random.default_rng(0))
        source = "no index at ZAMENA_HOME: a clustered mixture of 20,000 vectors, nudged copies past that"
    print(f"vectors: {source}; {os.cpu_count()} cores, load average {os.getloadavg()}")
    hnsw = {"M": HNSW_NEIGHBOURS, "efConstruction": faiss.IndexHNSWFlat(8, HNSW_NEIGHBOURS).hnsw.efConstruction}
    hnsw["efSearch_default"] = HNSW_EF_SEARCH
    print(f"HNSW settings of search/index.py: {hnsw}; built on {os.cpu_count()} threads, queried on 1")
    report: dict[str, object] = {"cpus": os.cpu_count(), "vectors": source, "hnsw": hnsw, "index": []}
    print(
        f"{'items':>8} {'index':<12} {'build s':>8} {'bm25 s':>7} {'dense p50':>10} {'dense p95':>10} "
        f"{'query p50':>10} {'query p95':>10} {'RSS+ MB':>8} {'FAISS MB':>8} {'recall@10':>9} {'load':>5}"
    )
    for size in args.sizes:
        for row in run_size(size, base, args.ef, lexical=size <= args.lexical_up_to):
            report["index"].append(row)
            print(
                f"{row['size']:>8} {row['kind']:<12} {row['build_s']:>8} {row.get('bm25_build_s', '—'):>7} "
                f"{row['dense_p50_ms']:>10} {row['dense_p95_ms']:>10} {row.get('query_p50_ms', '—'):>10} "
                f"{row.get('query_p95_ms', '—'):>10} {row['memory_mb']:>8} {row['faiss_mb']:>8} "
                f"{row.get('recall@10', '—'):>9} {row['load_average']:>5}",
                flush=True,
            )
            if args.json:  # written after every row: a long run keeps what it measured
                args.json.parent.mkdir(parents=True, exist_ok=True)
                args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
