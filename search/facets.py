"""What narrows an answer: filters that keep results by classifier code, competence-centre membership or
zone residency, and facets that count results by classifier class and by membership."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rdflib import Literal

from search.answers import FacetValue, Filters, SearchResult
from search.values import iris, literals

if TYPE_CHECKING:
    from ontology.graph import KnowledgeGraph

FILTER_QUERY = """
SELECT DISTINCT ?s ?code WHERE {
  VALUES ?s { %s }
  %s
}"""
CODE_FILTER = """
  { ?s org:classification|zo:hasCompetence|schema:category ?c }
  UNION { ?p schema:manufacturer ?s ; schema:category ?c }
  UNION { ?s zo:hasCompetence/(skos:closeMatch|skos:exactMatch|skos:broadMatch) ?c }
  UNION { ?s skos:notation ?own . BIND(?s AS ?c) }
  ?c skos:notation ?n . FILTER(STRSTARTS(STR(?n), ?code))"""
CENTRE_FILTER = (
    "{ ?s org:memberOf ?centre } UNION { ?s schema:manufacturer/org:memberOf ?centre } ?centre a zo:CompetenceCentre ."
)
ZONE_FILTER = "{ ?s zo:residentOf ?zone } UNION { ?s schema:manufacturer/zo:residentOf ?zone }"
# The classifier codes of results: of their classes, their products' classes, or their own (a concept's).
SECTION_QUERY = """
SELECT DISTINCT ?s ?n WHERE {
    VALUES ?s { %s }
    { ?s org:classification|zo:hasCompetence|schema:category ?c }
    UNION { ?p schema:manufacturer ?s ; schema:category ?c }
    UNION { ?s skos:notation ?own . BIND(?s AS ?c) }
    ?c skos:notation ?n .
}"""
SECTION_NAME_QUERY = """
SELECT ?n (SAMPLE(?l) AS ?label) WHERE { VALUES ?n { %s } ?c skos:notation ?n ; skos:prefLabel ?l } GROUP BY ?n"""


def keep(graph: KnowledgeGraph, results: Sequence[SearchResult], filters: Filters, k: int) -> list[SearchResult]:
    """The first `k` of `results` (in their order) that pass every filter."""
    clauses = []
    bindings = {}
    if filters.code:  # the code as a binding: a value from the request never becomes query text
        clauses.append(CODE_FILTER)
        bindings["code"] = Literal(filters.code.strip())
    if filters.centre:
        clauses.append(CENTRE_FILTER)
    if filters.zone:
        clauses.append(ZONE_FILTER)
    if not clauses or not results:
        return list(results[:k])
    kept: list[SearchResult] = []
    # Checked in slices, best first, until k pass: most questions need only the first slice.
    for start in range(0, len(results), 4 * k):
        part = results[start : start + 4 * k]
        rows = graph.query(FILTER_QUERY % (iris(r.uri for r in part), "\n".join(clauses)), bindings)
        passing = {str(row[0]) for row in rows}
        kept += [r for r in part if r.uri in passing]
        if len(kept) >= k:
            break
    return kept[:k]


def section_of(notation: str) -> str | None:
    """The classifier class a code belongs to: its first two digits (ОКВЭД 2 and ОКПД 2 alike), or the
    section letter itself; None for notations of other schemes (competences)."""
    code = notation.strip()
    if re.match(r"\d{2}", code):
        return code[:2]
    return code if re.fullmatch(r"[A-Z]", code) else None


def section_names(graph: KnowledgeGraph, codes: list[str]) -> dict[str, str]:
    """«26 Оборудование компьютерное…» for each classifier class code."""
    if not codes:
        return {}
    return {str(n): f"{n} {label}" for n, label in graph.query(SECTION_NAME_QUERY % literals(codes))}


def facets(graph: KnowledgeGraph, results: Sequence[SearchResult]) -> dict[str, list[FacetValue]]:
    """Counts of the results by classifier class (`section`) and by membership of a competence centre (`centre`)."""
    if not results:
        return {}
    values = iris(r.uri for r in results)
    sections: dict[str, set[str]] = {}
    for s, notation in graph.query(SECTION_QUERY % values):
        section = section_of(str(notation))
        if section:
            sections.setdefault(section, set()).add(str(s))
    members = {str(row[0]) for row in graph.query(FILTER_QUERY % (values, CENTRE_FILTER))}
    names = section_names(graph, list(sections))
    out = {"section": [FacetValue(code, names.get(code, code), len(found)) for code, found in sorted(sections.items())]}
    if members:
        out["centre"] = [FacetValue("1", "member", len(members))]
    return out
