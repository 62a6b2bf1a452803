"""A synthetic corpus for scale tests: N firm profiles and news items, products drawn from ОКПД 2.

Seeded, so the same arguments write the same files. Every generated firm says `synthetic: true` in its
front matter and carries zo:synthetic true in the graph, so it is never taken for a real one.

    python -m bench.synthetic --firms 1000 --out var/synthetic [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from ingest.classifiers import Classifier, classifier_kind, read_classifier

CLASSIFIERS = Path(__file__).resolve().parent.parent / "corpora" / "classifiers"
COMPETENCES = (
    "electrical-equipment",
    "electric-drives",
    "medical-equipment",
    "fibre-optics-photonics",
    "microelectronics",
    "composites",
    "robotics",
    "electric-vehicles",
    "unmanned-systems",
    "diagnostics",
)
_SYLLABLES = "ра ко мет лин тех про сан вол тер ма ни сто гра вит ос бел нор ак ти зе".split()
_ENDINGS = ("тех", "систем", "прибор", "электро", "лаб", "маш", "оптик", "трон")
NEWS_EVERY = 5  # one news item per this many firms


def _classifier(classifiers: Path, kind: str) -> Classifier:
    files = [p for p in sorted(classifiers.iterdir()) if classifier_kind(p) == kind]
    if not files:
        raise SystemExit(f"no {kind} classifier file in {classifiers}: copy it there first")
    return read_classifier(files[0])


def okpd2_products(classifiers: Path = CLASSIFIERS) -> list[tuple[str, str]]:
    """(code, name) of the ОКПД 2 products of manufacturing (section C) at the finest levels."""
    classifier = _classifier(classifiers, "okpd2")
    return [
        (code, entry.label)
        for code, entry in classifier.entries.items()
        if entry.section == "C" and code.count(".") >= 2 and "услуг" not in entry.label.lower()
    ]


def firm_name(rng: random.Random, number: int) -> str:
    stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    return f"{stem.capitalize()}{rng.choice(_ENDINGS)}-{number}"


def okved2_for(okpd2_code: str, okved2_codes: set[str]) -> str:
    """The ОКВЭД 2 activity of a product: the two classifiers share their first levels (NN.NN, NN)."""
    group, division = okpd2_code[:5], okpd2_code[:2]
    return group if group in okved2_codes else division


def profile_text(name: str, products: list[tuple[str, str]], competences: list[str], okved: str, seed: int) -> str:
    lines = [
        "---",
        "kind: profile",
        f"name: {name}",
        "synthetic: true",
        "zone: {name: Технополис „Москва“, source: generator}",
        "products:",
    ]
    for code, label in products:
        product = json.dumps(f"{label.lower()} {name}", ensure_ascii=False)  # a JSON string is valid YAML
        lines += [f"  - name: {product}", f'    okpd2: "{code}"', "    source: generator"]
    lines.append("competences:")
    lines += [f"  - {{id: {c}, source: generator}}" for c in competences]
    lines += [
        "okved2:",
        f'  - {{code: "{okved}", source: generator}}',
        "sources:",
        "  generator:",
        f"    document: bench/synthetic.py --seed {seed}",
        "    supports: синтетические данные для испытаний на объём, не факты",
        "---",
        f"# {name}",
        "",
        f"Синтетическая компания «{name}» создана для испытаний на объём.",
        "",
    ]
    return "\n".join(lines)


def news_text(name: str, product: str, day: int) -> str:
    return "\n".join(
        [
            "---",
            "kind: news",
            f"title: Компания «{name}» начала выпуск продукции",
            f"date: 2024-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}",
            "sources:",
            "  generator:",
            "    document: bench/synthetic.py",
            "    supports: синтетическая новость для испытаний на объём",
            "---",
            f"Компания «{name}» начала выпуск изделия «{product}».",
            "",
        ]
    )


def generate(firms: int, out: Path, seed: int = 7, classifiers: Path = CLASSIFIERS) -> tuple[int, int]:
    """Write `firms` profiles and a news item for every NEWS_EVERY-th firm; returns (profiles, news)."""
    rng = random.Random(seed)
    catalogue = okpd2_products(classifiers)
    okved2_codes = set(_classifier(classifiers, "okved2").entries)
    (out / "profiles").mkdir(parents=True, exist_ok=True)
    (out / "news").mkdir(parents=True, exist_ok=True)
    news = 0
    for number in range(1, firms + 1):
        name = firm_name(rng, number)
        products = rng.sample(catalogue, rng.choice((1, 1, 2)))
        competences = rng.sample(COMPETENCES, rng.choice((1, 2)))
        (out / "profiles" / f"synthetic-firm-{number:06d}.md").write_text(
            profile_text(name, products, competences, okved2_for(products[0][0], okved2_codes), seed),
            encoding="utf-8",
        )
        if number % NEWS_EVERY == 0:
            product = products[0][1].lower()
            (out / "news" / f"synthetic-news-{number:06d}.md").write_text(
                news_text(name, product, number), encoding="utf-8"
            )
            news += 1
    return firms, news


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", type=int, required=True, help="how many firms to generate")
    parser.add_argument("--out", type=Path, required=True, help="folder to write profiles/ and news/ into")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.firms < 1:
        parser.error("--firms must be at least 1")
    started = time.perf_counter()
    profiles, news = generate(args.firms, args.out, args.seed)
    print(f"wrote {profiles} profiles and {news} news items to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
