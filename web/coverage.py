"""What the graph covers, said on the start page: how many firms and documents, and how recent the newest is."""

from __future__ import annotations

from dataclasses import dataclass

from ontology.graph import KnowledgeGraph

# A document is what has a content hash (see web.describe.COUNT_QUERIES); dates are ISO, so the greatest
# string is the newest date.
NEWEST_DOCUMENT = "SELECT (MAX(STR(?date)) AS ?newest) WHERE { ?d zo:contentHash ?h ; dcterms:date ?date }"


@dataclass(frozen=True)
class Coverage:
    firms: int
    documents: int
    newest: str | None  # the ISO date of the newest document, when any has a date


def newest_document_date(graph: KnowledgeGraph) -> str | None:
    rows = list(graph.query(NEWEST_DOCUMENT))  # read to its end, as graph_counts explains
    value = rows[0][0] if rows else None
    return str(value)[:10] if value is not None else None
