"""Paths and expected values the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "corpora" / "news" / "seed-news-2022-04-12.txt"
DATA = Path(__file__).resolve().parent / "data"

# The members of the cluster the seed news item names, as the graph must give them back
SEED_MEMBERS = {
    "Приводная техника",
    "Хирана+",
    "Диагностика-М",
    "Европейская электротехника",
    "Профотек",
    "СКТБ ПР",
    "НПО Композит",
    "Концерн Гудвин",
    "Неорос",
    "Бифорком",
    "Электромобили Мануфэкчуринг Рус",
    "Фотоэксперт",
}
