"""Search quality on tests/data/search-queries.jsonl, for BM25, dense and hybrid, today's relevance rules
against the engine without them (`baseline`):

- nDCG@10, Recall@5, MRR and P@1 over the questions that have an answer;
- abstention: the share of questions nobody in the graph answers (`"type": "nobody"`, no gold) that get an
  empty answer;
- F1 of the answered set against the gold, per question (an empty answer to a "nobody" question is 1);
- FP/q: answered results with no gold grade, per question (each firm answered to a "nobody" question is one).

Runs against the knowledge base at ZAMENA_HOME (what `make run` builds), read-only:

    python -m bench.search_eval [--json out.json] [--grid] [--calibrate] [--synthetic 1000]

Gold answers are entity URIs relative to `{base}id/` (see tests/data/search-queries.md). `--grid` also
prints hybrid nDCG@10 over fusion weights (dense, whole-match) and RRF k. `--calibrate` chooses the answer
floor (a share of the best answer's score) by F1 on one half of the questions (even positions) and reports
it on the other half, so that the floor is not fitted to the questions it is judged on. Questions whose gold
answers are not in the graph are listed and left out of the averages. `--synthetic N` runs both tables again
on a copy of the knowledge base with N synthetic firms added (bench.synthetic: profiles and news whose
products are drawn from ОКПД 2), so that relevance is judged among distractors. None of them is gold: in
the ranking they take gold's place; F1, abstention and FP/q judge the real firms of the answer (a synthetic
firm may really make what is asked: «коньяки»); synth/q counts the synthetic firms answered and `synth ok`
the share of them with a product whose name holds every telling word of the question. The copy is kept
under ZAMENA_HOME and reused while the knowledge base it was made from is unchanged.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from dataclasses import replace
from pathlib import Path

from bench.synthetic import generate
from search.engine import SearchEngine
from search.lexical import lemmas
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

QUERIES = Path(__file__).resolve().parent.parent / "tests" / "data" / "search-queries.jsonl"
MODES = ("lexical", "dense", "hybrid")
METRICS = ("nDCG@10", "Recall@5", "MRR", "P@1", "F1", "abstention", "FP/q", "synth/q", "synth ok")
SYNTHETIC_PRODUCTS = """
SELECT ?firm ?label WHERE {
  ?firm zo:synthetic true . OPTIONAL { ?p schema:manufacturer ?firm ; skos:prefLabel ?label }
}"""
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


def synthetic_products(engine: SearchEngine) -> dict[str, list[set[str]]]:
    """Synthetic firm → the lemma sets of its products' labels (none in a knowledge base without them)."""
    products: dict[str, list[set[str]]] = {}
    for firm, label in engine.graph.query(SYNTHETIC_PRODUCTS):
        products.setdefault(str(firm), [])
        if label is not None:
            products[str(firm)].append(set(lemmas(str(label))))
    return products


def evaluate(
    engine: SearchEngine,
    queries: list[dict[str, object]],
    mode: str,
    synthetic: dict[str, list[set[str]]] | None = None,
) -> dict[str, float]:
    """The metrics over `queries` (see the module's docstring); a metric with no question to count is 0.

    Synthetic firms (`synthetic`: firm → its products' lemmas) stay in the ranking, where they take the
    place of gold; F1, abstention and FP/q judge what is left of the answer (the real firms), since a
    synthetic firm may really make what is asked. synth/q counts them per question, and `synth ok` is the
    share of them with a product whose name holds every telling word of the question."""
    synthetic = synthetic or {}
    totals = dict.fromkeys(METRICS, 0.0)
    answerable = nobody = 0
    for query in queries:
        gold = query["gold"]
        results = engine.search(str(query["query"]), k=10, kind=str(query["kind"]), mode=mode)
        ranked = [r.uri for r in results]
        made_up = [uri for uri in ranked if uri in synthetic]
        wanted = set(engine.telling_words(str(query["query"])))
        totals["synth/q"] += len(made_up)
        totals["synth ok"] += sum(1 for uri in made_up if any(wanted <= names for names in synthetic[uri]))
        uris = [uri for uri in ranked if uri not in synthetic]
        totals["FP/q"] += sum(1 for uri in uris if uri not in gold)
        right = sum(1 for uri in uris if uri in gold)
        totals["F1"] += (2 * right / (len(uris) + len(gold))) if gold else float(not uris)
        if not gold:
            nobody += 1
            totals["abstention"] += not uris
            continue
        answerable += 1
        totals["nDCG@10"] += ndcg(ranked, gold)
        totals["Recall@5"] += recall(ranked, gold)
        totals["MRR"] += reciprocal_rank(ranked, gold)
        totals["P@1"] += bool(ranked) and ranked[0] in gold
    per_question = {"abstention": nobody, "FP/q": len(queries), "F1": len(queries), "synth/q": len(queries)}
    counts = {name: answerable for name in METRICS} | per_question | {"synth ok": totals["synth/q"]}
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
    synthetic = synthetic_products(engine)
    return {
        f"{name}/{mode}": evaluate(engine, subset, mode, synthetic)
        for name, subset in subsets(queries).items()
        for mode in MODES
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


def with_synthetic_firms(settings: Settings, firms: int) -> Settings:
    """Settings of a copy of the knowledge base at `settings.home` with `firms` synthetic firms ingested and
    indexed; made once and reused while the graph it was copied from is unchanged."""
    copy = settings.home / f"search-eval-synthetic-{firms}"
    source_stamp = str((settings.store_path).stat().st_mtime_ns)
    stamp = copy / "made-from"
    if not (stamp.exists() and stamp.read_text(encoding="utf-8") == source_stamp):
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir(parents=True)
        for part in ("graph", "index", "models"):
            if (settings.home / part).exists():
                shutil.copytree(settings.home / part, copy / part)
        generate(firms, copy / "corpus")
        with KnowledgeBase(replace(settings, home=copy)) as kb:
            report = kb.ingest([copy / "corpus"])
            kb.update_index()
        print(f"{report.read} synthetic documents ingested into {copy}")
        stamp.write_text(source_stamp, encoding="utf-8")
    return replace(settings, home=copy)


def run_tables(settings: Settings, args: argparse.Namespace, report: dict[str, object], title: str = "") -> int:
    """Print (and add to `report`) the baseline and relevance tables for the knowledge base of `settings`."""
    with KnowledgeBase(settings, read_only=True) as kb:
        status = kb.index_status()
        if status["items"] == 0 or status["stale"]:
            print("the search index is missing or stale: run `zamena index` (or `make run`) first", file=sys.stderr)
            return 2
        queries, skipped = split_queries(kb)
        index, embedder = kb.search_service.index(), kb.search_service.embedder
        engine = SearchEngine(kb.graph, index, embedder)
        report[f"{title}queries"], report[f"{title}skipped"] = len(queries), [q["id"] for q in skipped]
        report[f"{title}index"] = status
        print(f"{len(queries)} queries ({len(skipped)} skipped: gold not in the graph: {report[f'{title}skipped']})")
        print(f"{status['items']} indexed items, model {status['model']}")
        if args.calibrate and not title:
            report["calibration"] = calibrate(engine, queries)
        print_table(f"{title}baseline", SearchEngine(kb.graph, index, embedder, relevance=False), queries, report)
        print_table(f"{title}relevance (answer floor {engine.answer_floor})", engine, queries, report)
        if args.grid and not title:
            report["grid"] = grid(engine, queries)
    return 0


def grid(engine: SearchEngine, queries: list[dict[str, object]]) -> dict[str, float]:
    print("\nhybrid nDCG@10 (all) by whole-match weight, RRF k and dense weight (lexical weight 1)")
    values = {}
    for whole in (0.0, 1.0, 2.0):
        for rrf_k in (10, 20, 60):
            row = []
            for dense_weight in (1.0, 2.0, 3.0, 4.0):
                engine.rrf_k, engine.dense_weight, engine.whole_match_weight = rrf_k, dense_weight, whole
                value = evaluate(engine, queries, "hybrid")["nDCG@10"]
                values[f"whole={whole} k={rrf_k} dense={dense_weight}"] = value
                row.append(f"{dense_weight}:{value:.3f}")
            print(f"  whole={whole} k={rrf_k:<3} " + "  ".join(row))
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the numbers to this file.")
    parser.add_argument("--grid", action="store_true", help="Print hybrid nDCG@10 over fusion weights and RRF k.")
    parser.add_argument("--calibrate", action="store_true", help="Choose the similarity floor on half the set.")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N", help="Also run with N synthetic firms.")
    args = parser.parse_args(argv)
    settings, report = Settings.from_env(), {}
    status = run_tables(settings, args, report)
    if status == 0 and args.synthetic > 0:
        print(f"\n=== with {args.synthetic} synthetic firms added ===")
        with_firms = with_synthetic_firms(settings, args.synthetic)
        status = run_tables(with_firms, args, report, f"+{args.synthetic} synthetic/")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
