"""Search quality on tests/data/search-queries.jsonl: nDCG@10, Recall@5 and MRR for BM25, dense and hybrid.

Runs against the knowledge base at ZAMENA_HOME (what `make run` builds), read-only:

    python -m bench.search_eval [--json out.json] [--grid]

`--grid` also prints hybrid nDCG@10 for a grid of fusion weights and RRF k, so a change of the
defaults in search/fusion.py can be argued from numbers. Queries whose gold answers are not in the
graph are listed and left out of the averages.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import unicodedata
from pathlib import Path

from search.engine import SearchEngine
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

QUERIES = Path(__file__).resolve().parent.parent / "tests" / "data" / "search-queries.jsonl"
MODES = ("lexical", "dense", "hybrid")


def normalise(name: str) -> str:
    name = unicodedata.normalize("NFKC", name).lower().replace("ё", "е")
    return "".join(ch for ch in name if ch.isalnum() or ch == "+")


def answer_key(result: dict[str, object]) -> str:
    return str(result.get("notation") or "") if result["kind"] == "concept" else normalise(str(result["label"]))


def ndcg(keys: list[str], gold: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** gold.get(key, 0) - 1) / math.log2(i + 2) for i, key in enumerate(keys[:k]))
    ideal = sorted(gold.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall(keys: list[str], gold: dict[str, int], k: int = 5) -> float:
    return len(set(keys[:k]) & set(gold)) / len(gold)


def reciprocal_rank(keys: list[str], gold: dict[str, int]) -> float:
    return next((1.0 / (i + 1) for i, key in enumerate(keys) if key in gold), 0.0)


def load_queries(path: Path = QUERIES) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def known_answers(kb: KnowledgeBase) -> set[str]:
    """Normalised firm labels and concept notations in the graph: gold outside it cannot be found."""
    keys = {
        normalise(str(label))
        for (label,) in kb.graph.query("SELECT ?l WHERE { ?f a schema:Corporation ; skos:prefLabel|skos:altLabel ?l }")
    }
    keys |= {str(n) for (n,) in kb.graph.query("SELECT ?n WHERE { ?c skos:notation ?n }")}
    return keys


def evaluate(engine: SearchEngine, queries: list[dict[str, object]], mode: str) -> dict[str, float]:
    totals = {"nDCG@10": 0.0, "Recall@5": 0.0, "MRR": 0.0}
    for query in queries:
        gold = {(k if query["kind"] == "concept" else normalise(k)): v for k, v in query["gold"].items()}
        results = engine.search(str(query["query"]), k=10, kind=str(query["kind"]), mode=mode)
        keys = [answer_key(r) for r in results]
        totals["nDCG@10"] += ndcg(keys, gold)
        totals["Recall@5"] += recall(keys, gold)
        totals["MRR"] += reciprocal_rank(keys, gold)
    return {name: value / max(len(queries), 1) for name, value in totals.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the numbers to this file.")
    parser.add_argument("--grid", action="store_true", help="Print hybrid nDCG@10 over fusion weights and RRF k.")
    args = parser.parse_args(argv)

    with KnowledgeBase(Settings.from_env(), read_only=True) as kb:
        status = kb.index_status()
        if status["items"] == 0 or status["stale"]:
            print("the search index is missing or stale: run `zamena index` (or `make run`) first", file=sys.stderr)
            return 2
        present = known_answers(kb)
        queries, skipped = [], []
        for query in load_queries():
            gold_keys = [k if query["kind"] == "concept" else normalise(k) for k in query["gold"]]
            (queries if any(k in present for k in gold_keys) else skipped).append(query)
        engine = SearchEngine(kb.graph, kb.search_service.index(), kb.search_service.embedder)
        report: dict[str, object] = {"queries": len(queries), "skipped": [q["id"] for q in skipped], "index": status}
        groups = {"all": queries, "firm": [q for q in queries if q["kind"] == "firm"]}
        groups["concept"] = [q for q in queries if q["kind"] == "concept"]
        groups["paraphrase"] = [q for q in queries if q["type"] == "paraphrase"]
        print(f"{len(queries)} queries ({len(skipped)} skipped: gold not in the graph: {report['skipped']})")
        print(f"{'subset':<11} {'n':>3}  {'mode':<8} {'nDCG@10':>8} {'Recall@5':>9} {'MRR':>6}")
        for name, subset in groups.items():
            if not subset:
                continue
            for mode in MODES:
                scores = evaluate(engine, subset, mode)
                report[f"{name}/{mode}"] = scores
                print(
                    f"{name:<11} {len(subset):>3}  {mode:<8} {scores['nDCG@10']:>8.3f} "
                    f"{scores['Recall@5']:>9.3f} {scores['MRR']:>6.3f}"
                )
        if args.grid:
            print("\nhybrid nDCG@10 (all) by dense weight / lexical weight and RRF k")
            grid = {}
            for rrf_k in (10, 30, 60):
                for dense_weight in (0.5, 1.0, 1.5, 2.0):
                    engine.rrf_k, engine.dense_weight, engine.lexical_weight = rrf_k, dense_weight, 1.0
                    value = evaluate(engine, queries, "hybrid")["nDCG@10"]
                    grid[f"k={rrf_k} dense={dense_weight}"] = value
                    print(f"  k={rrf_k:<3} dense={dense_weight:<4} lexical=1.0  nDCG@10={value:.3f}")
            report["grid"] = grid
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
