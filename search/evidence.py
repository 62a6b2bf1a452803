"""The quotes behind search results: for each result, the evidence sentences of the links that made it
match and, failing those, of any fact about it."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import URIRef

from search.answers import Evidence, SearchResult
from search.items import IndexItem
from search.values import iris

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


@dataclass(frozen=True)
class DocumentSource:
    """How a reader cites a document: its title, date (ISO), web address and publisher, each None where unknown."""

    title: str | None = None
    date: str | None = None
    url: str | None = None
    publisher: str | None = None


# A title in the document's own words: dcterms:title, else the page's headline.
SOURCES_QUERY = """
SELECT ?d ?title ?headline ?date ?url ?publisher WHERE {
  VALUES ?d { %s }
  OPTIONAL { ?d dcterms:title ?title } OPTIONAL { ?d schema:headline ?headline }
  OPTIONAL { ?d dcterms:date ?date } OPTIONAL { ?d schema:url ?url } OPTIONAL { ?d dcterms:publisher ?publisher }
}"""


def document_sources(graph: KnowledgeGraph, documents: Iterable[str]) -> dict[str, DocumentSource]:
    """Document URI → its DocumentSource, for each of `documents` the graph holds anything of."""
    wanted = sorted({str(d) for d in documents if d})
    found: dict[str, DocumentSource] = {}
    for start in range(0, len(wanted), 400):
        rows = graph.query(SOURCES_QUERY % iris(wanted[start : start + 400]))
        for doc, title, headline, date, url, publisher in rows:
            known = found.get(str(doc), DocumentSource())
            found[str(doc)] = DocumentSource(
                known.title or _text(title) or _text(headline),
                known.date or _text(date),
                known.url or _text(url),
                known.publisher or _text(publisher),
            )
    return {doc: source for doc, source in found.items() if source != DocumentSource()}


def _text(term: object) -> str | None:
    return str(term) if term is not None else None


def cite_documents(graph: KnowledgeGraph, results: list[SearchResult]) -> None:
    """Each quote of `results` with its document's title, date, address and publisher, where known."""
    sources = document_sources(graph, (e.document for r in results for e in r.evidence))
    for result in results:
        result.evidence = [
            dataclasses.replace(e, **dataclasses.asdict(sources[e.document])) if e.document in sources else e
            for e in result.evidence
        ]
