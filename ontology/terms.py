"""Oxigraph terms and answers as rdflib ones, cheaply: the one conversion the facade and the web workers share.

An answer repeats its terms (the same firm, class or datatype on many rows), so a `TermConverter` lives for
one answer and converts each distinct term once; a many-row answer then costs about as much to read as
Oxigraph takes to compute it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import XSD, BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result, ResultRow
from rdflib.term import Node

XSD_STRING = str(XSD.string)
_XSD_STRING = URIRef(XSD_STRING)


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
        if language:
            return Literal(term.value, lang=language, normalize=False)  # type: ignore[attr-defined]
        datatype = term.datatype.value  # type: ignore[attr-defined]
        if datatype == XSD_STRING:  # nothing to check or cast: the cheap way through rdflib's constructor
            return Literal(term.value, datatype=_XSD_STRING, normalize=False)  # type: ignore[attr-defined]
        return Literal(term.value, datatype=URIRef(datatype))  # type: ignore[attr-defined]
    if kind is ox.BlankNode:
        return BNode(term.value)  # type: ignore[attr-defined]
    if term is None:
        return None
    return Literal(str(term))


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Variable:
    """One rdflib term as a pyoxigraph term (the reverse of `to_rdflib`), for patterns and substitutions."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD_STRING)))
    if isinstance(term, Variable):
        return ox.Variable(str(term))
    raise TypeError(f"no Oxigraph term for {term!r} ({type(term).__name__})")


class TermConverter:
    """Converts the terms of one answer, each distinct IRI and literal once (call it like `to_rdflib`).

    The cache is keyed by the term's text, not by the pyoxigraph term, whose hash costs as much as the
    conversion saved."""

    __slots__ = ("_iris", "_literals")

    def __init__(self) -> None:
        self._iris: dict[str, URIRef] = {}
        self._literals: dict[tuple[str, str], Node] = {}

    def __call__(self, term: object) -> Node | None:
        kind = type(term)
        if kind is ox.NamedNode:
            value = term.value  # type: ignore[attr-defined]
            found = self._iris.get(value)
            if found is None:
                found = self._iris[value] = URIRef(value)
            return found
        if kind is ox.Literal:
            key = (term.value, term.language or term.datatype.value)  # type: ignore[attr-defined]
            found = self._literals.get(key)
            if found is None:
                found = self._literals[key] = to_rdflib(term)  # type: ignore[assignment]
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

    def __iter__(self) -> Iterator[ResultRow]:
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


@dataclass
class QueryAnswer:
    """An answer read as the caller takes it: rows of a SELECT, triples of a CONSTRUCT or DESCRIBE ("GRAPH"),
    or the boolean of an ASK. A caller with a limit stops reading there."""

    form: str  # SELECT | ASK | GRAPH
    variables: list[Variable]
    rows: Iterator[tuple[Node | None, ...]]  # solutions in variable order, or (subject, predicate, object)
    boolean: bool = False

    @classmethod
    def of(cls, result: Result) -> QueryAnswer:
        """The same answer from an rdflib Result (the memory and SPARQL server backends)."""
        if result.type == "ASK":
            return cls("ASK", [], iter(()), bool(result.askAnswer))
        if result.type == "SELECT":
            variables = list(result.vars or ())
            return cls("SELECT", variables, (tuple(b.get(v) for v in variables) for b in result.bindings))
        return cls("GRAPH", [], iter(result.graph))  # type: ignore[arg-type]
