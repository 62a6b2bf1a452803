"""Paths and expected values the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

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


def concept_triples(concept: URIRef, notation: str, label: str, broader: URIRef | None = None) -> list[tuple]:
    """A classifier class as the classifiers' reader writes it: notation, Russian label, broader class."""
    triples = [
        (concept, RDF.type, SKOS.Concept),
        (concept, SKOS.notation, Literal(notation)),
        (concept, SKOS.prefLabel, Literal(label, lang="ru")),
    ]
    return triples + ([(concept, SKOS.broader, broader)] if broader is not None else [])
