"""What `zamena extract --json` prints: the extraction of one file as plain JSON-ready data."""

from __future__ import annotations

from ingest.document import Document
from ingest.mapping import CLASSES, GraphMapper
from ingest.model import Extraction
from ontology.uris import UriMinter

# Every kind of organisation is reported as ORG, with its kind beside it.
REPORTED_TYPES = {"FIRM": "ORG", "ZONE": "ORG", "CENTRE": "ORG", "CLUSTER": "ORG", "GOV": "ORG", "ORG": "ORG"}


def part_of(document: Document, offset: int) -> dict[str, int]:
    """The page (PDF) or paragraph (DOCX) an offset of the document's text falls in, numbered from 1."""
    for part, spans_key in (("page", "pages"), ("paragraph", "paragraphs")):
        spans = document.metadata.get(spans_key)
        if isinstance(spans, list):
            for number, (start, end) in enumerate(spans, 1):
                if start <= offset <= end:
                    return {part: number}
    return {}


def extraction_record(extraction: Extraction, base_uri: str) -> dict[str, object]:
    mapper = GraphMapper(UriMinter(base_uri))
    text = extraction.document.text
    entities = [
        {
            "type": REPORTED_TYPES.get(e.type, e.type),
            "kind": e.type,
            "text": m.text,
            "name": e.name,
            "start": m.start,
            "end": m.end,
            # places and other kinds the graph does not store have no URI
            "uri": str(mapper.entity_uri(e.ref)) if e.type in CLASSES else None,
            **part_of(extraction.document, m.start),
        }
        for e in extraction.entities.values()
        for m in e.mentions
    ]
    names = {ref: e.name for ref, e in extraction.entities.items()}
    relations = [
        {
            "type": f.predicate,
            "subject": names.get(f.subject, f.subject[1]),
            "object": names.get(f.object, f.object[1]) if isinstance(f.object, tuple) else f.object,
            "sentence": f.sentence(text),
            "start": f.start,
            "end": f.end,
            "confidence": f.confidence,
            **part_of(extraction.document, f.start),
        }
        for f in extraction.facts
        if f.predicate != "type"
    ]
    return {
        "file": extraction.document.source,
        "entities": sorted(entities, key=lambda e: e["start"]),
        "relations": relations,
    }
