"""The one table of RDF formats: file extension, media type, rdflib format name.

Exports, dumps, content negotiation and the tests all read it, so a format is added in one place.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RdfFormat:
    name: str  # what users type: --format ttl
    extension: str
    media_type: str
    rdflib_format: str
    quads: bool  # can hold named graphs


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("ttl", "ttl", "text/turtle", "turtle", False),
    RdfFormat("nt", "nt", "application/n-triples", "nt", False),
    RdfFormat("nq", "nq", "application/n-quads", "nquads", True),
    RdfFormat("trig", "trig", "application/trig", "trig", True),
    RdfFormat("jsonld", "jsonld", "application/ld+json", "json-ld", True),
    RdfFormat("xml", "rdf", "application/rdf+xml", "xml", False),
)

BY_NAME: dict[str, RdfFormat] = {f.name: f for f in RDF_FORMATS}


def rdf_format(name: str) -> RdfFormat:
    """The format called `name` (ttl, nt, nq, trig, jsonld, xml); a clear error for anything else."""
    try:
        return BY_NAME[name.lower().lstrip(".")]
    except KeyError:
        known = ", ".join(BY_NAME)
        raise ValueError(f"unknown RDF format {name!r}: use one of {known}") from None
