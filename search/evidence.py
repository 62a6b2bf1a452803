"""The quotes behind search results: for each result, the evidence sentences of the links that made it
match and, failing those, of any fact about it."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from rdflib import URIRef

from search.answers import Evidence, SearchResult
from search.items import IndexItem

if TYPE_CHECKING:
    from ontology.graph import KnowledgeGraph

EVIDENCE_PER_RESULT = 3
# Quotes stating a fact about a result, or about its link to one of the nodes that credited it.
# Each branch starts from the pairs and holds the whole pattern, as in the engine's credit query: with the
# pairs or the selector outside the union, Oxigraph joined the union with every evidence (1.2–1.6 s a
# search at 1M triples, or far worse).
EVIDENCE_BRANCHES = (
    "?e rdf:subject ?firm ; rdf:object ?node .",
    "?e rdf:subject ?node ; rdf:object ?firm .",
    "?e rdf:subject ?firm . FILTER(?node = ?firm)",
)
EVIDENCE_UNION = "\n  UNION ".join(
    "{ VALUES (?firm ?node) { %(pairs)s } "
    + branch
    + " ?e prov:wasDerivedFrom ?doc ; oa:hasSelector ?sel . ?sel oa:exact ?line ; oa:start ?start ; oa:end ?end ."
    + " OPTIONAL { ?e zo:statement ?said } }"
    for branch in EVIDENCE_BRANCHES
)
EVIDENCE_SELECT = "SELECT DISTINCT ?firm ?node ?doc ?line ?said ?start ?end WHERE {\n  "
EVIDENCE_QUERY = EVIDENCE_SELECT + EVIDENCE_UNION + "\n} ORDER BY ?start"


def quote_of(item: IndexItem) -> Evidence:
    """An indexed evidence sentence as a quote."""
    return Evidence(item.text, str(item.document), item.start, item.end)


def add_evidence(graph: KnowledgeGraph, results: list[SearchResult]) -> None:
    """Up to EVIDENCE_PER_RESULT quotes for each result, after those it has: the quotes of its links to the
    nodes of its reasons; only when it has none, any fact about it."""
    pairs = [(r.uri, node) for r in results for node in [*(w.uri for w in r.reasons if w.uri), r.uri]]
    if not pairs:
        return
    rows = " ".join(f"({URIRef(f).n3()} {URIRef(n).n3()})" for f, n in dict.fromkeys(pairs))
    found: dict[str, list[tuple[int, Evidence]]] = defaultdict(list)
    for firm, node, doc, line, said, start, end in graph.query(EVIDENCE_QUERY % {"pairs": rows}):
        rank = 1 if str(node) == str(firm) else 0  # the link's own quote before other facts
        quote = str(said or line)  # a stated fact in its words, not its front-matter line
        found[str(firm)].append((rank, Evidence(quote, str(doc), int(start), int(end))))
    for result in results:
        quotes = sorted(found.get(result.uri, []), key=lambda pair: pair[0])
        if quotes and quotes[0][0] == 0:  # the quotes of its reasons; other facts about it say nothing to the question
            quotes = [pair for pair in quotes if pair[0] == 0]
        for _rank, quote in quotes:
            if len(result.evidence) >= EVIDENCE_PER_RESULT:
                break
            if quote not in result.evidence:
                result.evidence.append(quote)
