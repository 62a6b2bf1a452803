"""A quantity as a reader writes it: «до 72 тыс. единиц», «более 320 млн руб.», "up to 72 thousand units".

The graph keeps a figure as a zo:Quantity node (value, comparator, unit as the text wrote it, date);
pages show the figure itself, never the node's id, and each report apart with its source and date.
"""

from __future__ import annotations

from decimal import Decimal

COMPARATORS = {
    "ru": {"eq": "", "max": "до", "min": "от", "gt": "более", "lt": "менее", "approx": "около"},
    "en": {"eq": "", "max": "up to", "min": "from", "gt": "over", "lt": "under", "approx": "about"},
}
# the largest first: 343 000 000 is «343 млн», 72 000 is «72 тыс.»
SCALES = {
    "ru": ((10**9, "млрд"), (10**6, "млн"), (10**3, "тыс.")),
    "en": ((10**9, "billion"), (10**6, "million"), (10**3, "thousand")),
}
PLAN = {"ru": "план", "en": "plan"}
ACCORDING_TO = {"ru": "по данным", "en": "according to"}


def number_text(value: Decimal | float | int, lang: str) -> str:
    """343000000 → «343 млн», 1500000 → «1,5 млн», 210 → «210»; English with a point and words."""
    number = Decimal(str(value))
    for scale, word in SCALES.get(lang, SCALES["ru"]):
        if abs(number) >= scale and (number / scale) == (number / scale).quantize(Decimal("0.1")):
            return f"{_plain(number / scale, lang)} {word}"
    return _plain(number, lang)


def _plain(number: Decimal, lang: str) -> str:
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang != "en" else text


def quantity_text(value: Decimal | float | int, comparator: str, unit: str, lang: str) -> str:
    """The figure with its comparator and unit: «до 72 тыс. единиц», "about 60 специалистов"."""
    words = COMPARATORS.get(lang, COMPARATORS["ru"])
    parts = [words.get(comparator, ""), number_text(value, lang), unit]
    return " ".join(part for part in parts if part)


def date_text(iso: str, lang: str) -> str:
    """2020-06-25 → 25.06.2020 (ru) or 2020-06-25 (en); a partial date as it is."""
    if lang == "en" or len(iso) != 10:
        return iso
    year, month, day = iso.split("-")
    return f"{day}.{month}.{year}"


def report_note(sources: list[str], date: str | None, plan: bool, lang: str) -> str:
    """«по данным «…», 25.06.2020 · план»: where a figure comes from, so that two reports stand apart."""
    parts = []
    if sources:
        parts.append(f"{ACCORDING_TO.get(lang, ACCORDING_TO['ru'])} {', '.join(sources)}")
    if date:
        parts.append(date_text(date, lang))
    note = ", ".join(parts)
    if plan:
        note = f"{note} · {PLAN.get(lang, PLAN['ru'])}" if note else PLAN.get(lang, PLAN["ru"])
    return note
