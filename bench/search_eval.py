"""Search quality on tests/data/search-queries.jsonl, for BM25, dense and hybrid, today's relevance rules
against the engine without them (`baseline`):

- nDCG@10, Recall@5, MRR and P@1 over the questions that have an answer;
- abstention: the share of questions nobody in the graph answers (`"type": "nobody"`, no gold) that get an
  empty answer;
- F1 of the answered set against the gold, per question (an empty answer to a "nobody" question is 1);
- FP/q: answered results with no gold grade, per question (each firm answered to a "nobody" question is one).

Runs against the knowledge base at ZAMENA_HOME (what `make run` builds), read-only:

    python -m bench.search_eval [--json out.json] [--grid] [--calibrate]

Gold answers are entity URIs relative to `{base}id/` (see tests/data/search-queries.md). `--grid` also
prints hybrid nDCG@10 over fusion weights (dense, whole-match) and RRF k. `--calibrate` chooses the answer
floor (a share of the best answer's score) by F1 on one half of the questions (even positions) and reports
it on the other half, so that the floor is not fitted to the questions it is judged on. Questions whose gold
answers are not in the graph are listed and left out of the averages.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from search.engine import SearchEngine
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

QUERIES = Path(__file__).resolve().parent.parent / "tests" / "data" / "search-queries.jsonl"
MODES = ("lexical", "dense", "hybrid")
METRICS = ("nDCG@10", "Recall@5", "MRR", "P@1", "F1", "abstention", "FP/q")
FLOORS = tuple(round(0.05 * i, 2) for i in range(13))  # the answer floors --calibrate tries (share of the best)


def ndcg(uris: list[str], gold: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** gold.get(uri, 0) - 1) / math.log2(i + 2) for i, uri in enumerate(uris[:k]))
    ideal = sorted(gold.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall(uris: list[str], gold: dict[str, int], k: int = 5) -> float:
    return len(set(uris[:k]) & set(gold)) / len(gold)


def reciprocal_rank(uris: list[str], gold: dict[str, int]) -> float:
    return next((1.0 / (i + 1) for i, uri in enumerate(uris) if uri in gold), 0.0)


def load_queries(base_uri: str, path: Path = QUERIES) -> list[dict[str, object]]:
    """The queries, their gold answers turned into full URIs under `{base}id/`."""
    queries = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                query = json.loads(line)
                query["gold"] = {f"{base_uri}id/{key}": grade for key, grade in query["gold"].items()}
                queries.append(query)
    return queries


def known_uris(kb: KnowledgeBase, uris: set[str]) -> set[str]:
    """Those of `uris` that name a firm or a concept in the graph: gold outside it cannot be found."""
    values = " ".join(f"<{uri}>" for uri in sorted(uris))
    rows = kb.graph.query(
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} ?s a ?t . "
        "VALUES ?t { schema:Corporation skos:Concept } }"
    )
    return {str(row[0]) for row in rows}


def evaluate(engine: SearchEngine, queries: list[dict[str, object]], mode: str) -> dict[str, float]:
    """The metrics over `queries` (see the module's docstring); a metric with no question to count is 0."""
    totals = dict.fromkeys(METRICS, 0.0)
    answerable = nobody = 0
    for query in queries:
        gold = query["gold"]
        results = engine.search(str(query["query"]), k=10, kind=str(query["kind"]), mode=mode)
        uris = [r.uri for r in results]
        totals["FP/q"] += sum(1 for uri in uris if uri not in gold)
        right = sum(1 for uri in uris if uri in gold)
        totals["F1"] += (2 * right / (len(uris) + len(gold))) if gold else float(not uris)
        if not gold:
            nobody += 1
            totals["abstention"] += not uris
            continue
        answerable += 1
        totals["nDCG@10"] += ndcg(uris, gold)
        totals["Recall@5"] += recall(uris, gold)
        totals["MRR"] += reciprocal_rank(uris, gold)
        totals["P@1"] += bool(uris) and uris[0] in gold
    counts = {name: answerable for name in METRICS} | {"abstention": nobody, "FP/q": len(queries), "F1": len(queries)}
    return {name: value / max(counts[name], 1) for name, value in totals.items()}


def split_queries(kb: KnowledgeBase) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(queries with at least one gold answer in the graph, the others)."""
    queries = load_queries(kb.settings.base_uri)
    present = known_uris(kb, {uri for q in queries for uri in q["gold"]})
    kept = [q for q in queries if present & set(q["gold"]) or (q["type"] == "nobody" and not q["gold"])]
    return kept, [q for q in queries if q not in kept]


def subsets(queries: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    groups = {"all": queries}
    groups["firm"] = [q for q in queries if q["kind"] == "firm"]
    groups["concept"] = [q for q in queries if q["kind"] == "concept"]
    groups["paraphrase"] = [q for q in queries if q["type"] == "paraphrase"]
    groups["lookup"] = [q for q in queries if q["type"] == "lookup"]
    groups["nobody"] = [q for q in queries if q["type"] == "nobody"]
    groups["substitute"] = [q for q in queries if q["type"] in ("substitute", "brand")]
    groups["en"] = [q for q in queries if q["lang"] == "en"]
    groups["ru"] = [q for q in queries if q["lang"] == "ru"]
    return {name: subset for name, subset in groups.items() if subset}


def evaluation_table(engine: SearchEngine, queries: list[dict[str, object]]) -> dict[str, dict[str, float]]:
    """`{subset}/{mode}` → metrics, for every subset and mode."""
    return {
        f"{name}/{mode}": evaluate(engine, subset, mode) for name, subset in subsets(queries).items() for mode in MODES
    }


def print_table(title: str, engine: SearchEngine, queries: list[dict[str, object]], report: dict) -> None:
    print(f"\n{title}")
    print(f"{'subset':<11} {'n':>3}  {'mode':<8} " + " ".join(f"{name:>10}" for name in METRICS))
    sizes = {name: len(subset) for name, subset in subsets(queries).items()}
    for key, scores in evaluation_table(engine, queries).items():
        name, mode = key.split("/")
        report[f"{title}/{key}"] = scores
        print(f"{name:<11} {sizes[name]:>3}  {mode:<8} " + " ".join(f"{scores[m]:>10.3f}" for m in METRICS))


def calibrate(engine: SearchEngine, queries: list[dict[str, object]]) -> dict[str, object]:
    """The answer floor (a share of the best answer's score) with the best F1 on the even-numbered questions,
    judged on the odd ones; F1 counts the answered set against the gold (an empty answer to a question nobody
    answers is right), so padding costs what it should."""
    tune, held = queries[0::2], queries[1::2]
    by_floor = {}
    for floor in FLOORS:
        engine.answer_floor = floor
        by_floor[floor] = evaluate(engine, tune, "hybrid")["F1"]
    best = max(FLOORS, key=lambda floor: (round(by_floor[floor], 4), -floor))
    engine.answer_floor = 0.0
    without = evaluate(engine, held, "hybrid")["F1"]
    engine.answer_floor = best
    result = {
        "floor": best,
        "tuned": by_floor[best],
        "held": evaluate(engine, held, "hybrid")["F1"],
        "held_without": without,
    }
    print("\nanswer floor (hybrid F1 on the even half, by floor):")
    print("  " + "  ".join(f"{floor}:{value:.3f}" for floor, value in by_floor.items()))
    print(f"  chosen on the even half: {best} (F1 {result['tuned']:.3f})")
    print(f"  on the odd half: F1 {result['held']:.3f} (without a floor: {without:.3f})")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the numbers to this file.")
    parser.add_argument("--grid", action="store_true", help="Print hybrid nDCG@10 over fusion weights and RRF k.")
    parser.add_argument("--calibrate", action="store_true", help="Choose the similarity floor on half the set.")
    args = parser.parse_args(argv)

    with KnowledgeBase(Settings.from_env(), read_only=True) as kb:
        status = kb.index_status()
        if status["items"] == 0 or status["stale"]:
            print("the search index is missing or stale: run `zamena index` (or `make run`) first", file=sys.stderr)
            return 2
        queries, skipped = split_queries(kb)
        index, embedder = kb.search_service.index(), kb.search_service.embedder
        engine = SearchEngine(kb.graph, index, embedder)
        report: dict[str, object] = {"queries": len(queries), "skipped": [q["id"] for q in skipped], "index": status}
        print(f"{len(queries)} queries ({len(skipped)} skipped: gold not in the graph: {report['skipped']})")
        print(f"{status['items']} indexed items, model {status['model']}")
        if args.calibrate:
            report["calibration"] = calibrate(engine, queries)
        print_table("baseline", SearchEngine(kb.graph, index, embedder, relevance=False), queries, report)
        print_table(f"relevance (answer floor {engine.answer_floor})", engine, queries, report)
        if args.grid:
            print("\nhybrid nDCG@10 (all) by whole-match weight, RRF k and dense weight (lexical weight 1)")
            grid = {}
            for whole in (0.0, 1.0, 2.0):
                for rrf_k in (10, 20, 60):
                    row = []
                    for dense_weight in (1.0, 2.0, 3.0, 4.0):
                        engine.rrf_k, engine.dense_weight, engine.whole_match_weight = rrf_k, dense_weight, whole
                        value = evaluate(engine, queries, "hybrid")["nDCG@10"]
                        grid[f"whole={whole} k={rrf_k} dense={dense_weight}"] = value
                        row.append(f"{dense_weight}:{value:.3f}")
                    print(f"  whole={whole} k={rrf_k:<3} " + "  ".join(row))
            report["grid"] = grid
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
