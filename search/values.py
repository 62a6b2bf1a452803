"""VALUES blocks for the search queries: each term written by rdflib, so a value from a request or the
index never becomes query text as it is."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal, URIRef


def iris(uris: Iterable[str]) -> str:
    """`<a> <b> …`, the inside of a one-variable VALUES block of IRIs."""
    return " ".join(URIRef(uri).n3() for uri in uris)


def literals(values: Iterable[str]) -> str:
    """`"a" "b" …`, the inside of a one-variable VALUES block of plain literals."""
    return " ".join(Literal(value).n3() for value in values)
