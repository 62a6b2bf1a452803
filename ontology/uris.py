"""Minting URIs under the configured base: stable across re-ingests, readable, one scheme for all parts."""

from __future__ import annotations

import hashlib

from rdflib import URIRef

# Path segment of each kind of thing: /id/firm/<slug>, /id/person/<slug> …
KIND_SEGMENTS = {
    "FIRM": "firm",
    "ZONE": "zone",
    "CENTRE": "centre",
    "CLUSTER": "cluster",
    "SITE": "site",
    "GOV": "organisation",
    "PER": "person",
    "POST": "post",
    "PRODUCT": "product",
    "COMPETENCE": "competence",
    "DOCUMENT": "document",
    "EVIDENCE": "evidence",
    "QUANTITY": "quantity",
}


def short_hash(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


class UriMinter:
    def __init__(self, base: str) -> None:
        self.base = base if base.endswith("/") else base + "/"

    def entity(self, kind: str, slug: str) -> URIRef:
        return URIRef(f"{self.base}id/{KIND_SEGMENTS[kind]}/{slug}")

    def document(self, doc_id: str) -> URIRef:
        return self.entity("DOCUMENT", doc_id)

    def graph(self, doc_id: str) -> URIRef:
        return URIRef(f"{self.base}graph/{doc_id}")

    def derived(self, kind: str, *parts: object) -> URIRef:
        """A URI for a node that exists only as part of another fact (evidence, a quantity)."""
        return self.entity(kind, short_hash(*parts))
