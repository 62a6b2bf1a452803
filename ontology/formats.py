"""The one registry of formats: RDF graphs and datasets, and SPARQL result tables.

Each format has its name, file extension, media type, the other names and media types a client may
use, rdflib's name for it and its W3C format IRI. The dumps, content negotiation, the SPARQL endpoint,
linked data, the CLI and the tests all read this table, so a format is added in one place.

Names are unique within a kind, not across kinds: `xml` is RDF/XML for a graph and SPARQL XML for a
result table, as `format=xml` means on the endpoint. Media types and extensions are unique in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

W3C_FORMATS = "http://www.w3.org/ns/formats/"


class Kind(StrEnum):
    RDF = "RDF"  # a graph, or a dataset of named graphs
    RESULTS = "SPARQL result"  # the table of a SELECT or the answer of an ASK


@dataclass(frozen=True)
class Format:
    name: str  # what users type: --format ttl, ?format=ttl
    kind: Kind
    extension: str  # without the dot
    media_type: str
    iri: str  # the W3C format IRI, for VoID and the service description
    rdflib_format: str | None  # rdflib's serializer; None for result tables, which results.py writes
    quads: bool = False  # holds named graphs
    aliases: tuple[str, ...] = ()  # other names and media types a client may use

    @property
    def media_types(self) -> tuple[str, ...]:
        """The media type, then the media types among the aliases (what an Accept header may name)."""
        return (self.media_type, *(alias for alias in self.aliases if "/" in alias))


FORMATS: tuple[Format, ...] = (
    Format("ttl", Kind.RDF, "ttl", "text/turtle", W3C_FORMATS + "Turtle", "turtle",
           aliases=("turtle", "application/x-turtle")),
    Format("nt", Kind.RDF, "nt", "application/n-triples", W3C_FORMATS + "N-Triples", "nt",
           aliases=("ntriples", "n-triples", "text/plain")),
    Format("nq", Kind.RDF, "nq", "application/n-quads", W3C_FORMATS + "N-Quads", "nquads", quads=True),
    Format("trig", Kind.RDF, "trig", "application/trig", W3C_FORMATS + "TriG", "trig", quads=True),
    Format("jsonld", Kind.RDF, "jsonld", "application/ld+json", W3C_FORMATS + "JSON-LD", "json-ld", quads=True,
           aliases=("json-ld", "json", "application/json")),
    Format("xml", Kind.RDF, "rdf", "application/rdf+xml", W3C_FORMATS + "RDF_XML", "xml",
           aliases=("rdf", "rdfxml")),
    Format("json", Kind.RESULTS, "srj", "application/sparql-results+json", W3C_FORMATS + "SPARQL_Results_JSON",
           None, aliases=("application/json",)),
    Format("xml", Kind.RESULTS, "srx", "application/sparql-results+xml", W3C_FORMATS + "SPARQL_Results_XML",
           None, aliases=("application/xml", "text/xml")),
    Format("csv", Kind.RESULTS, "csv", "text/csv", W3C_FORMATS + "SPARQL_Results_CSV", None),
    Format("tsv", Kind.RESULTS, "tsv", "text/tab-separated-values", W3C_FORMATS + "SPARQL_Results_TSV", None),
)  # fmt: skip


def formats(kind: Kind | None = None) -> tuple[Format, ...]:
    """The formats of one kind (all of them without `kind`), in the table's order."""
    return tuple(f for f in FORMATS if kind is None or f.kind is kind)


RDF_FORMATS: tuple[Format, ...] = formats(Kind.RDF)
RESULT_FORMATS: tuple[Format, ...] = formats(Kind.RESULTS)


def _normal(value: str) -> str:
    return value.strip().lower().lstrip(".")  # " TTL", ".ttl" and "ttl" are one name


def _one(matches: list[Format], value: str, what: str, kind: Kind | None, known: list[str]) -> Format:
    """The one format matched; a ValueError naming `value` and the known values when none or several are."""
    label = f"{kind} format" if kind else "format"
    if not matches:
        raise ValueError(f"unknown {label} {what} {value!r}: use one of {', '.join(dict.fromkeys(known))}")
    if len(matches) > 1:
        kinds = " or ".join(f"{f.kind} {f.name}" for f in matches)
        raise ValueError(f"the {what} {value!r} names more than one format ({kinds}): say which kind")
    return matches[0]


def by_name(name: str, kind: Kind | None = None) -> Format:
    """The format called `name`, by its name, its media type or an alias (what format= and --format take)."""
    key = _normal(name)
    candidates = formats(kind)
    matches = [f for f in candidates if key in (f.name, f.media_type, *f.aliases)]
    return _one(matches, name, "name", kind, [f.name for f in candidates])


def by_media_type(media_type: str, kind: Kind | None = None) -> Format:
    """The format served as `media_type` or under a media-type alias (what an Accept header names)."""
    key = media_type.strip().lower()
    candidates = formats(kind)
    matches = [f for f in candidates if key in f.media_types]
    return _one(matches, media_type, "media type", kind, [m for f in candidates for m in f.media_types])


def by_extension(extension: str, kind: Kind | None = None) -> Format:
    """The format whose files end in `extension` (with or without the dot)."""
    key = _normal(extension)
    candidates = formats(kind)
    matches = [f for f in candidates if f.extension == key]
    return _one(matches, extension, "extension", kind, [f.extension for f in candidates])


def rdf_format(name: str) -> Format:
    """The RDF format called `name` (ttl, nt, nq, trig, jsonld, xml): the names the dumps and export take."""
    key = _normal(name)
    for fmt in RDF_FORMATS:
        if fmt.name == key:
            return fmt
    known = ", ".join(f.name for f in RDF_FORMATS)
    raise ValueError(f"unknown RDF format {name!r}: use one of {known}")


# One graph (an entity, a CONSTRUCT answer, VoID) is offered in these, the default first; N-Quads and
# TriG are for the dumps, where the named graphs are.
GRAPH_FORMATS: tuple[Format, ...] = tuple(rdf_format(name) for name in ("ttl", "nt", "xml", "jsonld"))
