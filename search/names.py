"""Matching names when the search index cannot answer (none built yet, or no model): things whose names
hold the stems of the question's words. Russian words change their endings, so words match by stem."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rdflib import Literal

from search.answers import Reason, SearchResult
from search.evidence import add_evidence

if TYPE_CHECKING:
    from ontology.graph import KnowledgeGraph

_WORD = re.compile(r"[\wё]+", re.IGNORECASE)
# Words too common in questions to be worth matching, or marking in a quote.
STOP_WORDS = {
    "кто", "что", "как", "где", "может", "могут", "делает", "делают", "вместо", "для", "или", "это", "из",
    "the", "who", "what", "can", "make", "makes", "and", "for", "with", "instead", "of",
}  # fmt: skip
CLASSES = {
    "firm": "schema:Corporation",
    "product": "schema:Product",
    "concept": "skos:Concept",
    "document": "schema:CreativeWork schema:NewsArticle zo:CompanyProfile",
    "person": "schema:Person",
    "organisation": "org:Organization schema:Organization schema:GovernmentOrganization",
}
# What a kind leaves out: an organisation asked for by name is not one of the firms (they have their kind).
EXCLUDED = {"organisation": "FILTER NOT EXISTS { ?s a schema:Corporation }"}
NAME_QUERY = """
SELECT ?s (SAMPLE(?name) AS ?label) (SAMPLE(?code) AS ?notation) WHERE {
    VALUES ?class { %(classes)s }
    ?s a ?class ; skos:prefLabel|skos:altLabel|dcterms:title ?l .
    OPTIONAL { ?s skos:prefLabel|dcterms:title ?name } OPTIONAL { ?s skos:notation ?code }
    FILTER(%(filters)s) %(excluded)s
} GROUP BY ?s ORDER BY ?label LIMIT %(limit)d"""


def fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def query_stems(query: str) -> list[str]:
    """Stems of the question's words, longest first: a word cut by two letters, kept whole up to four."""
    stems = []
    for word in _WORD.findall(query):
        folded = fold(word)
        if len(folded) < 3 or folded in STOP_WORDS:
            continue
        stems.append(folded if len(folded) <= 4 else folded[: max(4, len(folded) - 2)])
    return sorted(set(stems), key=len, reverse=True)


def word_matches(text: str) -> list[re.Match[str]]:
    """The words of a text, as the stems are matched against them."""
    return list(_WORD.finditer(text))


def match_names(graph: KnowledgeGraph, query: str, kind: str, k: int) -> list[SearchResult]:
    """Up to `k` things of `kind` whose names hold a stem of the question, by name; firms and products with
    quotes of facts about them."""
    stems = query_stems(query)
    if not stems:
        return []
    filters = " || ".join(f"CONTAINS(LCASE(REPLACE(STR(?l), 'ё', 'е')), {Literal(s).n3()})" for s in stems)
    rows = graph.query(
        NAME_QUERY % {"classes": CLASSES[kind], "filters": filters, "excluded": EXCLUDED.get(kind, ""), "limit": int(k)}
    )
    results = [
        SearchResult(
            uri=str(s),
            label=str(label or s),
            kind=kind,  # type: ignore[arg-type]
            score=0.0,
            notation=str(notation) if notation else None,
            reasons=[Reason("text", text=str(label or ""))],
        )
        for s, label, notation in rows
    ]
    if kind in ("firm", "product"):
        add_evidence(graph, results)
    return results
