"""The centre's competences (ontology/competences.ttl): where the scheme lives, and their names."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SKOS

COMPETENCES_FILE = Path(__file__).resolve().parent.parent / "ontology" / "competences.ttl"


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    graph = Graph().parse(COMPETENCES_FILE, format="turtle", publicID="https://zamena.invalid/")
    return {
        str(concept).rsplit("/", 1)[-1]: str(label)
        for concept, label in graph.subject_objects(SKOS.prefLabel)
        if getattr(label, "language", None) == "ru"
    }


def competence_label(competence: str) -> str:
    """The Russian name of a competence by its id («electric-drives» → «Электропривод и силовая электроника»)."""
    return _labels().get(competence, competence)
