"""Organisation mentions against factRuEval-2016 news (devset): the pipeline, and natasha alone as baseline.

    python -m bench.ner_eval [--data tests/data/factru/devset-orgs.jsonl] [--limit N] [--errors FILE]
    python -m bench.ner_eval --halves

Prints precision, recall and F1 for exact and overlap matches, and documents per second: of wall-clock
time, and of the process's CPU time, which other work on a shared machine disturbs less. A predicted
mention matches at most one gold mention and the other way round (greedy, leftmost first).

`--halves` splits the documents in two by a hash of their id: half A is the one to tune on, half B the
one to report on. Each of the pipeline's organisation filters is switched off in turn, and the overlap F1
of each half printed with and without it: a filter is worth keeping when it helps half B, which no
decision was taken on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "factru" / "devset-orgs.jsonl"
ORGANISATION_LABELS = {"FIRM", "ORG", "GOV", "ZONE", "CENTRE", "CLUSTER"}

Spans = list[tuple[int, int]]


@dataclass
class Score:
    predicted: int = 0
    gold: int = 0
    matched_predicted: int = 0
    matched_gold: int = 0

    @property
    def precision(self) -> float:
        return self.matched_predicted / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def match(predicted: Spans, gold: Spans, overlap: bool) -> int:
    """How many one-to-one pairs of a predicted and a gold span agree (equal, or overlapping)."""
    free = sorted(set(gold))
    pairs = 0
    for start, end in sorted(set(predicted)):
        for i, (g_start, g_end) in enumerate(free):
            hit = (start < g_end and g_start < end) if overlap else (start, end) == (g_start, g_end)
            if hit:
                pairs += 1
                del free[i]
                break
    return pairs


def load(path: Path, limit: int | None = None) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    return records[:limit] if limit else records


def natasha_organisations(texts: list[str]) -> list[Spans]:
    """natasha's news NER alone: its ORG spans as they come out of the model."""
    from ingest.ner import recognise

    return [[(s, e) for s, e, label in recognise(text) if label == "ORG"] for text in texts]


def pipeline_organisations(texts: list[str]) -> list[Spans]:
    """The whole Zamena pipeline: every organisation mention it finds in the text (firm, zone, centre, body, other)."""
    from ingest.pipeline import ENTITIES, build_pipeline

    nlp = build_pipeline()
    return [
        [(s.start_char, s.end_char) for s in doc.spans[ENTITIES] if s.label_ in ORGANISATION_LABELS]
        for doc in nlp.pipe(texts)
    ]


@dataclass
class Speed:
    wall: float  # documents per second of wall-clock time
    cpu: float  # documents per second of the process's CPU time


def evaluate(system: Callable[[list[str]], list[Spans]], records: list[dict]) -> tuple[Score, Score, Speed, list]:
    texts = [r["text"] for r in records]
    system(texts[:1])  # load models before timing
    started, cpu_started = time.perf_counter(), time.process_time()
    predictions = system(texts)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    exact, overlap, errors = Score(), Score(), []
    for record, predicted in zip(records, predictions, strict=True):
        gold = [(start, end) for start, end, _ in record["orgs"]]
        predicted = sorted(set(predicted))
        for score, loose in ((exact, False), (overlap, True)):
            pairs = match(predicted, gold, loose)
            score.predicted += len(predicted)
            score.gold += len(set(gold))
            score.matched_predicted += pairs
            score.matched_gold += pairs
        text = record["text"]
        errors += [("extra", record["id"], text[s:e]) for s, e in set(predicted) - set(gold)]
        errors += [("missed", record["id"], text[s:e]) for s, e in set(gold) - set(predicted)]
    speed = Speed(len(records) / seconds, len(records) / cpu_seconds if cpu_seconds else float("inf"))
    return exact, overlap, speed, errors


def table(rows: Iterable[tuple[str, Score, Score, Speed]]) -> str:
    lines = [
        "| system | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 | docs/s | docs/CPU-s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, exact, overlap, speed in rows:
        lines.append(
            f"| {name} | {exact.precision:.3f} | {exact.recall:.3f} | {exact.f1:.3f} | "
            f"{overlap.precision:.3f} | {overlap.recall:.3f} | {overlap.f1:.3f} | {speed.wall:.1f} | {speed.cpu:.1f} |"
        )
    return "\n".join(lines)


def half_of(record: dict) -> str:
    """A or B, by a stable hash of the document's id."""
    return "AB"[int(hashlib.sha1(record["id"].encode("utf-8")).hexdigest(), 16) % 2]


def _switch_off(module: object, name: str, value: object) -> Callable[[], None]:
    original = getattr(module, name)
    setattr(module, name, value)
    return lambda: setattr(module, name, original)


def _filters() -> dict[str, Callable[[], Callable[[], None]]]:
    from ingest import pipeline

    def without_component(component: str) -> Callable[[], Callable[[], None]]:
        def off() -> Callable[[], None]:
            nlp = pipeline.build_pipeline()
            nlp.disable_pipe(component)
            return lambda: nlp.enable_pipe(component)

        return off

    return {
        "model's names of crafts, buildings, works (MISC)": lambda: _switch_off(
            pipeline, "_names_no_organisation", lambda *args: False
        ),
        "quoted names of crafts, works, events (MISC)": lambda: _switch_off(
            pipeline, "names_no_organisation", lambda *args: False
        ),
        "a legal form alone is no name": lambda: _switch_off(pipeline, "_only_forms", lambda span: False),
        "a phrase of common words is no name": lambda: _switch_off(pipeline, "_common_phrase", lambda span: False),
        "later mentions of a found name": without_component("zamena_document_names"),
        "short names in brackets": without_component("zamena_bracketed_aliases"),
        "clusters and centres by their words": without_component("zamena_organisations"),
    }


def halves_report(records: list[dict]) -> None:
    """Overlap F1 per half, for natasha, the pipeline, and the pipeline with each filter switched off."""
    halves = {h: [r for r in records if half_of(r) == h] for h in "AB"}
    print(f"half A (tune): {len(halves['A'])} documents, half B (report): {len(halves['B'])} documents")
    print("| system | A overlap P / R / F1 | B overlap P / R / F1 |")
    print("|---|---|---|")

    def row(name: str, system: Callable[[list[str]], list[Spans]]) -> dict[str, float]:
        cells, f1 = [], {}
        for h in "AB":
            _, overlap, _, _ = evaluate(system, halves[h])
            cells.append(f"{overlap.precision:.3f} / {overlap.recall:.3f} / {overlap.f1:.3f}")
            f1[h] = overlap.f1
        print(f"| {name} | {' | '.join(cells)} |")
        return f1

    row("natasha alone", natasha_organisations)
    full = row("zamena pipeline", pipeline_organisations)
    for name, switch_off in _filters().items():
        restore = switch_off()
        try:
            without = row(f"without: {name}", pipeline_organisations)
        finally:
            restore()
        verdict = "keep" if full["B"] >= without["B"] else "drop"
        gain_a, gain_b = full["A"] - without["A"], full["B"] - without["B"]
        print(f"|  ↳ {verdict}: the filter changes F1 by {gain_b:+.3f} on B ({gain_a:+.3f} on A) | | |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="JSONL: {id, text, orgs: [[start, end, text]]}")
    parser.add_argument("--limit", type=int, help="only the first N documents")
    parser.add_argument("--errors", type=Path, help="write the pipeline's extra and missed mentions here (JSONL)")
    parser.add_argument("--halves", action="store_true", help="tune/report halves, each filter switched off in turn")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"{args.data}: no such file; give the annotated JSONL with --data", file=sys.stderr)
        return 2
    records = load(args.data, args.limit)
    if args.halves:
        halves_report(records)
        return 0
    gold = sum(len({(s, e) for s, e, _ in r["orgs"]}) for r in records)
    print(f"{args.data.name}: {len(records)} documents, {gold} organisation mentions")
    baseline = evaluate(natasha_organisations, records)
    ours = evaluate(pipeline_organisations, records)
    print(table([("natasha (slovnet news NER) alone", *baseline[:3]), ("zamena pipeline", *ours[:3])]))
    if args.errors:
        with args.errors.open("w", encoding="utf-8") as out:
            for error in ours[3]:
                out.write(json.dumps(error, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
