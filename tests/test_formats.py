"""The format registry: every format found again by its name, media type, extension and aliases."""

from __future__ import annotations

import pytest
from rdflib import plugin
from rdflib.serializer import Serializer

from ontology.formats import (
    FORMATS,
    GRAPH_FORMATS,
    RDF_FORMATS,
    RESULT_FORMATS,
    W3C_FORMATS,
    Format,
    Kind,
    by_extension,
    by_media_type,
    by_name,
    rdf_format,
)

# What clients send today, besides each format's own name and media type: these must keep working.
CLIENT_NAMES = {
    Kind.RDF: {
        "turtle": "ttl",
        "application/x-turtle": "ttl",
        "ntriples": "nt",
        "n-triples": "nt",
        "text/plain": "nt",
        "json-ld": "jsonld",
        "json": "jsonld",
        "application/json": "jsonld",
        "rdf": "xml",
        "rdfxml": "xml",
    },
    Kind.RESULTS: {"application/json": "json", "application/xml": "xml", "text/xml": "xml"},
}


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f"{f.kind.name}-{f.name}")
def test_every_format_round_trips(fmt: Format) -> None:
    assert by_name(fmt.name, fmt.kind) is fmt
    assert by_media_type(by_name(fmt.name, fmt.kind).media_type, fmt.kind) is fmt
    assert by_media_type(fmt.media_type) is fmt  # a media type is one format's, whatever the kind
    assert by_extension(fmt.extension) is fmt
    assert by_extension("." + fmt.extension.upper()) is fmt
    assert by_name(f" {fmt.name.upper()} ", fmt.kind) is fmt


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f"{f.kind.name}-{f.name}")
def test_every_alias_resolves(fmt: Format) -> None:
    for alias in fmt.aliases:
        assert by_name(alias, fmt.kind) is fmt, alias
    for media_type in fmt.media_types:
        assert by_media_type(media_type, fmt.kind) is fmt, media_type
        assert by_name(media_type, fmt.kind) is fmt, media_type


def test_the_names_clients_use_resolve() -> None:
    for kind, names in CLIENT_NAMES.items():
        for alias, name in names.items():
            assert by_name(alias, kind).name == name, alias


def test_names_media_types_and_extensions_are_unambiguous() -> None:
    media_types = [f.media_type for f in FORMATS]
    extensions = [f.extension for f in FORMATS]
    assert len(set(media_types)) == len(media_types)
    assert len(set(extensions)) == len(extensions)
    for kind in Kind:
        spoken = [value for f in FORMATS if f.kind is kind for value in (f.name, f.media_type, *f.aliases)]
        assert len(set(spoken)) == len(spoken), kind


def test_each_format_has_its_w3c_iri_and_writer() -> None:
    iris = [f.iri for f in FORMATS]
    assert len(set(iris)) == len(iris)
    assert all(iri.startswith(W3C_FORMATS) for iri in iris)
    assert by_name("xml", Kind.RDF).iri == "http://www.w3.org/ns/formats/RDF_XML"
    assert by_name("json", Kind.RESULTS).iri == "http://www.w3.org/ns/formats/SPARQL_Results_JSON"
    for fmt in RDF_FORMATS:
        assert fmt.rdflib_format and plugin.get(fmt.rdflib_format, Serializer)
    assert all(f.rdflib_format is None and not f.quads for f in RESULT_FORMATS)
    assert {f.name for f in RDF_FORMATS if f.quads} == {"nq", "trig", "jsonld"}
    assert set(GRAPH_FORMATS) <= set(RDF_FORMATS) and GRAPH_FORMATS[0].name == "ttl"


def test_a_name_shared_by_two_kinds_needs_the_kind() -> None:
    assert by_name("xml", Kind.RDF).media_type == "application/rdf+xml"
    assert by_name("xml", Kind.RESULTS).media_type == "application/sparql-results+xml"
    with pytest.raises(ValueError, match="more than one format"):
        by_name("xml")
    with pytest.raises(ValueError, match="more than one format"):
        by_media_type("application/json")


def test_unknown_values_are_named_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown RDF format name 'docx': use one of ttl, nt, nq, trig, jsonld, xml"):
        by_name("docx", Kind.RDF)
    with pytest.raises(ValueError, match=r"'image/png': use one of application/sparql-results\+json, "):
        by_media_type("image/png", Kind.RESULTS)
    with pytest.raises(ValueError, match=r"extension 'pdf': use one of ttl, nt, nq, trig, jsonld, rdf, srj"):
        by_extension("pdf")


def test_rdf_format_takes_the_dump_names_only() -> None:
    assert [rdf_format(f.name) for f in RDF_FORMATS] == list(RDF_FORMATS)
    assert rdf_format(".TTL").name == "ttl"
    for other in ("turtle", "json", "csv"):
        with pytest.raises(ValueError, match=f"unknown RDF format '{other}': use one of ttl, nt, nq, trig"):
            rdf_format(other)
