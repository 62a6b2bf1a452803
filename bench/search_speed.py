"""Search speed: query latency p50/p95 at 1k, 10k and 100k indexed items, memory, and HNSW recall.

    python -m bench.search_speed [--sizes 1000 10000 100000] [--ef 16 32 64 96 128 256] [--json out.json]

Vectors are realistic, not uniform: the real e5 vectors of the index at ZAMENA_HOME (`make run` builds
it), and, past their number, copies of them moved by a little noise (cosine ≈ 0.95 to their source,
like a near-paraphrase), so the set keeps e5's narrow cone and its clusters. Without an index, a
clustered mixture stands in. Queries are other real vectors moved further (cosine ≈ 0.85).
Texts for BM25 are synthetic Russian words. Timed: what a query costs once its vector is known —
FAISS search (flat, and HNSW at each efSearch), BM25 and fusion; recall@10 of HNSW against exact search.
Embedding throughput is measured by bench/embed_speed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import faiss
import numpy as np
import psutil

from search import fusion
from search.index import GraphChange, SearchIndex
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

    def embed_passages(self, texts, progress=None):  # noqa: ANN001, ANN201
        out = self._vectors[self._next : self._next + len(texts)]
        self._next += len(texts)
        return out

    def embed_queries(self, texts):  # noqa: ANN001, ANN201
        raise NotImplementedError


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def nudge(rows: np.ndarray, cosine: float, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors at about `cosine` from `rows`: each moved by noise orthogonal to it."""
    noise = rng.normal(size=rows.shape).astype(np.float32)
    noise -= np.sum(noise * rows, axis=1, keepdims=True) * rows
    noise = unit(noise)
    return unit(cosine * rows + np.sqrt(1 - cosine**2) * noise)


def real_vectors() -> np.ndarray | None:
    """The vectors of the saved index at ZAMENA_HOME, or None when there is none."""
    from search.index import SearchIndex
    from zamena.settings import Settings

    index = SearchIndex.load(Settings.from_env().index_path)
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


def synthetic_items(size: int, rng: np.random.Generator) -> list[IndexItem]:
    items = []
    for i in range(size):
        words = " ".join(rng.choice(WORDS, size=8))
        items.append(IndexItem(uri=f"urn:x:{i}", kind="concept", graph="g", text=f"{i} {words}", label=words))
        items[-1].tokens = lemmas(words)
    return items


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q))


def build(kind: str, vectors: np.ndarray, items: list[IndexItem]) -> tuple[SearchIndex, float, float]:
    """(index, build seconds, MB it added to this process)."""
    rss_before = psutil.Process().memory_info().rss
    index = SearchIndex(dimension=vectors.shape[1], model="synthetic", kind=kind)
    started = time.perf_counter()
    index.apply([GraphChange("g", "d", items)], [], ArrayEmbedder(vectors))
    seconds = time.perf_counter() - started
    index.lexical("прогрев", 1)  # BM25 is built on first use
    return index, seconds, (psutil.Process().memory_info().rss - rss_before) / 2**20


def time_queries(index: SearchIndex, queries: np.ndarray, exact: list[set[int]] | None, rng) -> dict[str, float]:  # noqa: ANN001
    dense_times, total_times, recall = [], [], []
    for n, query_vector in enumerate(queries):
        text = " ".join(rng.choice(WORDS, size=3))
        start = time.perf_counter()
        dense_ids, _ = index.dense(query_vector, 100)
        middle = time.perf_counter()
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
        "query_p50_ms": round(percentile(total_times, 50), 2),
        "query_p95_ms": round(percentile(total_times, 95), 2),
    }
    if recall:
        result["recall@10"] = round(float(np.mean(recall)), 3)
    return result


def run_size(size: int, base: np.ndarray, ef_values: list[int]) -> list[dict[str, object]]:
    rng = np.random.default_rng(size)
    vectors, queries = vector_set(size, base, rng)
    items = synthetic_items(size, rng)
    rows = []
    flat, seconds, memory = build("flat", vectors, items)
    exact = [set(np.argsort(-(vectors @ q))[:10].tolist()) for q in queries]
    rows.append({"size": size, "kind": "flat", "build_s": round(seconds, 2), "memory_mb": round(memory, 1)})
    rows[-1].update(time_queries(flat, queries, None, rng))
    del flat
    hnsw, seconds, memory = build("hnsw", vectors, items)
    inner = faiss.downcast_index(hnsw.vectors.index)
    for ef in ef_values:
        inner.hnsw.efSearch = ef
        row = {"size": size, "kind": f"hnsw ef={ef}", "build_s": round(seconds, 2), "memory_mb": round(memory, 1)}
        row.update(time_queries(hnsw, queries, exact, rng))
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--ef", type=int, nargs="+", default=[16, 32, 64, 96, 128, 256], help="HNSW efSearch values.")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    base = real_vectors()
    source = f"{len(base)} real e5 vectors from the index, nudged copies past that" if base is not None else ""
    if base is None:
        base = clustered(20_000, np.random.default_rng(0))
        source = "no index at ZAMENA_HOME: a clustered mixture of 20,000 vectors, nudged copies past that"
    print(f"vectors: {source}; {os.cpu_count()} cores, load average {os.getloadavg()}")
    report: dict[str, object] = {"cpus": os.cpu_count(), "vectors": source, "index": []}
    print(
        f"{'items':>7} {'index':<13} {'build s':>8} {'dense p50':>10} {'dense p95':>10} {'query p50':>10} "
        f"{'query p95':>10} {'MB':>7} {'recall@10':>9}"
    )
    for size in args.sizes:
        for row in run_size(size, base, args.ef):
            report["index"].append(row)
            print(
                f"{row['size']:>7} {row['kind']:<13} {row['build_s']:>8} {row['dense_p50_ms']:>10} "
                f"{row['dense_p95_ms']:>10} {row['query_p50_ms']:>10} {row['query_p95_ms']:>10} "
                f"{row['memory_mb']:>7} {row.get('recall@10', '—'):>9}",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
