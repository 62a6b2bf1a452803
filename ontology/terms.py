"""Oxigraph terms and answers as rdflib ones, cheaply: the one conversion the facade and the web workers share.

An answer repeats its terms (the same firm, class or datatype on many rows), so a `TermConverter` lives for
one answer and converts each distinct term once; a many-row answer then costs about as much to read as
Oxigraph takes to compute it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import XSD, BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result, ResultRow
from rdflib.term import Node

XSD_STRING = str(XSD.string)
_XSD_STRING = URIRef(XSD_STRING)


def _text_literal(value: str, language: str | None) -> Literal:
    """Literal(value, lang=language), or an xsd:string, built without rdflib's checks and casts.

    Most values in an answer are text, which has nothing to check or cast, and rdflib's constructor
    takes twenty times as long (10 µs) as setting its four fields; Oxigraph has checked the term already.
    """
    literal = str.__new__(Literal, value)
    literal._language = language
    literal._datatype = None if language else _XSD_STRING
    literal._value = value
    literal._ill_typed = None if language else False
    return literal


# rdflib's Literal is laid out as _text_literal assumes (otherwise use its constructor)
_TEXT_FAST = Literal.__slots__ == ("_language", "_datatype", "_value", "_ill_typed")


def iri_problem(text: str) -> str | None:
    """Why `text` is not an absolute IRI as the store reads one (RFC 3987), or None when it is."""
    try:
        ox.NamedNode(text)
    except ValueError as error:
        return str(error)
    return None


def to_rdflib(term: object) -> Node | None:
    """One pyoxigraph term as an rdflib term; an RDF-star triple term, which rdflib cannot hold, as its text."""
    kind = type(term)
    if kind is ox.NamedNode:
        return URIRef(term.value)  # type: ignore[attr-defined]
    if kind is ox.Literal:
        language = term.language  # type: ignore[attr-defined]
        datatype = term.datatype.value  # type: ignore[attr-defined]
        if _TEXT_FAST and (language or datatype == XSD_STRING):
            return _text_literal(term.value, language)  # type: ignore[attr-defined]
        if language:
            return Literal(term.value, lang=language)  # type: ignore[attr-defined]
        return Literal(term.value, datatype=URIRef(datatype))  # type: ignore[attr-defined]
    if kind is ox.BlankNode:
        return BNode(term.value)  # type: ignore[attr-defined]
    if term is None:
        return None
    return Literal(str(term))


class TermConverter:
    """Converts the terms of one answer, each distinct IRI and typed literal once (call it like `to_rdflib`).

    Text literals are built anew each time: that is cheaper than looking them up. The cache is keyed by
    the term's text, not by the pyoxigraph term, whose hash costs as much as the conversion saved."""

    __slots__ = ("_iris", "_typed")

    def __init__(self) -> None:
        self._iris: dict[str, URIRef] = {}
        self._typed: dict[tuple[str, str], Node] = {}

    def __call__(self, term: object) -> Node | None:
        kind = type(term)
        if kind is ox.NamedNode:
            value = term.value  # type: ignore[attr-defined]
            found = self._iris.get(value)
            if found is None:
                found = self._iris[value] = URIRef(value)
            return found
        if kind is ox.Literal:
            datatype = term.datatype.value  # type: ignore[attr-defined]
            if _TEXT_FAST and (term.language or datatype == XSD_STRING):  # type: ignore[attr-defined]
                return _text_literal(term.value, term.language)  # type: ignore[attr-defined]
            key = (term.value, datatype)  # type: ignore[attr-defined]
            found = self._typed.get(key)
            if found is None:
                found = self._typed[key] = to_rdflib(term)  # type: ignore[assignment]
            return found
        return to_rdflib(term)

    def row(self, solution: Iterable[object]) -> tuple[Node | None, ...]:
        """A solution's values in variable order, None where unbound."""
        return tuple(map(self, solution))

    def triple(self, triple: ox.Triple) -> tuple[Node, Node, Node]:
        return self(triple.subject), self(triple.predicate), self(triple.object)  # type: ignore[return-value]


class SolutionsResult(Result):
    """A SELECT answer held as rows of rdflib terms; rows and bindings are made from them only when asked for.

    Behaves as rdflib's own Result: rows by index, by name and by attribute, `vars`, `bindings`,
    `serialize`, len() — but every solution is a row, even one with no value bound (SPARQL counts it)."""

    def __init__(self, variables: list[Variable], rows: list[tuple[Node | None, ...]]) -> None:
        super().__init__("SELECT")
        self.vars = variables
        self._rows = rows
        self._labels = {str(v): i for i, v in enumerate(variables)}

    @property  # type: ignore[override]
    def bindings(self) -> list[dict[Variable, Node]]:
        if self._bindings is None:
            names = self.vars
            self._bindings = [
                {v: t for v, t in zip(names, row, strict=True) if t is not None}  # type: ignore[arg-type]
                for row in self._rows
            ]
        return self._bindings

    @bindings.setter
    def bindings(self, value: list[dict[Variable, Node]]) -> None:
        self._bindings = value

    def __iter__(self):  # noqa: ANN204 - yields ResultRow
        labels = self._labels
        for values in self._rows:
            row = tuple.__new__(ResultRow, values)  # ResultRow.__new__ rebuilds the labels per row
            row.labels = labels
            yield row

    def __len__(self) -> int:
        return len(self._rows)

    def __bool__(self) -> bool:
        return bool(self._rows)


def read_result(answer: object) -> Result:
    """A pyoxigraph query answer as an rdflib Result, read to its end (an unfinished Oxigraph answer
    would keep its snapshot of the store alive)."""
    convert = TermConverter()
    if isinstance(answer, ox.QueryBoolean):
        out = Result("ASK")
        out.askAnswer = bool(answer)
        return out
    if isinstance(answer, ox.QuerySolutions):
        variables = [Variable(v.value) for v in answer.variables]
        return SolutionsResult(variables, [convert.row(solution) for solution in answer])
    out = Result("CONSTRUCT")
    out.graph = Graph()
    out.graph.addN((*convert.triple(t), out.graph) for t in answer)  # type: ignore[attr-defined]
    return out
