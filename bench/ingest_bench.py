"""Ingest benchmark: documents per second at growing synthetic corpora, and the share of time per stage.

    python -m bench.ingest_bench --firms 100 1000 [--index] [--baseline] [--json bench/results/ingest.json]

For each size: writes a seeded synthetic corpus (bench.synthetic: firm profiles and news items whose
products come from ОКПД 2), ingests it into a fresh Oxigraph store with the real pipeline, and reports
documents per second and the wall time of each stage (read, nlp, rdf, store; with --index also the
search index: embedding and FAISS). Cost is linear in corpus size when documents per second stay flat.
`--baseline` also ingests each corpus with the pipeline without its dependency parser (the surface
rules alone), in the same run, and prints the parser's cost as a ratio of wall and NLP times.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from bench.sparql_bench import LoadSampler
from bench.synthetic import generate
from ingest import extract as extract_module
from ingest.pipeline import build_pipeline
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

STAGES = ("read", "nlp", "rdf", "store", "index")


@contextmanager
def pipeline_without_parser() -> Iterator[None]:
    """The ingest's pipeline built without the zamena_syntax component, for the baseline."""
    original = extract_module.build_pipeline
    extract_module.build_pipeline = lambda: build_pipeline(syntax=False)
    try:
        yield
    finally:
        extract_module.build_pipeline = original


def measure(firms: int, work: Path, with_index: bool, syntax: bool = True) -> dict:
    corpus, home = work / f"corpus-{firms}", work / f"home-{firms}-{'syntax' if syntax else 'surface'}"
    for folder in (corpus, home):
        shutil.rmtree(folder, ignore_errors=True)
    generate(firms, corpus)
    documents = sum(1 for _ in corpus.rglob("*.md"))
    with KnowledgeBase(Settings.from_env(home=home)) as kb, nullcontext() if syntax else pipeline_without_parser():
        kb.ingest([])  # the vocabulary and the competence scheme, outside the timing
        started = time.perf_counter()
        report = kb.ingest([corpus])
        if with_index:
            with report.timed("index"):
                kb.update_index()
        wall = time.perf_counter() - started
        triples = len(kb.graph)
    return {
        "pipeline": "with parser" if syntax else "surface rules (baseline)",
        "firms": firms,
        "documents": documents,
        "read": report.read,
        "failed": len(report.failed),
        "triples": triples,
        "wall_s": wall,
        "docs_per_s": report.read / wall,
        "stage_s": {stage: report.seconds.get(stage, 0.0) for stage in STAGES},
    }


def with_load(run: Callable[..., dict], *args: object, **kwargs: object) -> dict:
    """A measured row with the machine's load average while it ran (others may share the cores)."""
    loads = LoadSampler()
    row = run(*args, **kwargs)
    row["load_average"] = loads.stop()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--index", action="store_true", help="also build the search index (needs the model)")
    parser.add_argument("--work", type=Path, default=Path("var/bench-ingest"))
    parser.add_argument("--json", type=Path, default=Path("bench/results/ingest.json"))
    parser.add_argument("--baseline", action="store_true", help="also ingest without the parser, for the ratio")
    args = parser.parse_args()
    rows = []
    for n in args.firms:
        if args.baseline:
            rows.append(with_load(measure, n, args.work, args.index, syntax=False))
        rows.append(with_load(measure, n, args.work, args.index))
    if args.baseline:
        for surface, parsed in zip(rows[::2], rows[1::2], strict=True):
            print(
                f"{parsed['firms']} firms: the parser costs {parsed['wall_s'] / surface['wall_s']:.2f}× the wall time "
                f"and {parsed['stage_s']['nlp'] / surface['stage_s']['nlp']:.2f}× the NLP stage's "
                f"({surface['stage_s']['nlp']:.1f} s → {parsed['stage_s']['nlp']:.1f} s)"
            )
    print(f"{'firms':>7}{'docs':>7}{'triples':>10}{'wall s':>9}{'docs/s':>8}  " + "  ".join(f"{s:>6}" for s in STAGES))
    for row in rows:
        shares = "  ".join(f"{100 * row['stage_s'][s] / row['wall_s']:>5.0f}%" for s in STAGES)
        print(
            f"{row['firms']:>7}{row['documents']:>7}{row['triples']:>10,}{row['wall_s']:>9.1f}"
            f"{row['docs_per_s']:>8.2f}  {shares}  {row['pipeline']}, load average {row['load_average']['mean']:.1f} "
            f"(max {row['load_average']['max']:.1f})"
        )
    parsed_rows = [row for row in rows if row["pipeline"] == "with parser"]
    if len(parsed_rows) > 1:
        first, last = parsed_rows[0], parsed_rows[-1]
        print(
            f"docs/s at {last['firms']} firms is {last['docs_per_s'] / first['docs_per_s']:.2f}× "
            f"that at {first['firms']} (1.0 = cost linear in corpus size)"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
