"""The writers of SPARQL answers: a SELECT table or an ASK answer, and a graph, in a format of ontology.formats."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from rdflib import Graph, Literal
from rdflib.query import Result
from rdflib.term import BNode, Node, URIRef, Variable

from ontology.formats import Format
from ontology.namespaces import PREFIXES

# The query workers look result formats up by name here (ontology/sparql/workers.py); an index of the registry.


def jsonld_context() -> dict[str, str]:
    """The JSON-LD @context of Zamena's documents: the prefixes every part binds."""
    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def _tsv_term(term: Node | None) -> str:
    """A term as SPARQL 1.1 TSV writes it: IRIs in <>, literals in Turtle syntax, blank nodes as _:x."""
    if term is None:
        return ""
    if isinstance(term, Literal | URIRef | BNode):
        text = term.n3()
        return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(term)


def write_tsv(variables: Sequence[Variable], rows: Iterable[Sequence[Node | None]]) -> bytes:
    out = io.StringIO()
    out.write("\t".join(v.n3() for v in variables) + "\n")
    for row in rows:
        out.write("\t".join(_tsv_term(term) for term in row) + "\n")
    return out.getvalue().encode("utf-8")


def serialize_table(
    form: str, variables: Sequence[Variable], rows: Sequence[Sequence[Node | None]], answer: bool, fmt: str
) -> bytes:
    """A SELECT table or an ASK answer in the result format named `fmt` (json, xml, csv, tsv)."""
    if fmt == "tsv":
        if form == "ASK":
            return ("true" if answer else "false").encode() + b"\n"
        return write_tsv(variables, rows)
    if form == "ASK" and fmt == "csv":
        return b"_askResult\r\n" + (b"true" if answer else b"false") + b"\r\n"
    result = Result(form)
    if form == "ASK":
        result.askAnswer = answer
    else:
        result.vars = list(variables)
        result.bindings = [
            {var: term for var, term in zip(variables, row, strict=True) if term is not None} for row in rows
        ]
    out = io.BytesIO()
    result.serialize(out, format=fmt, encoding="utf-8")  # rdflib names its writers json, xml, csv too
    return out.getvalue()


def serialize_graph(graph: Graph, fmt: Format, context: object | None = None) -> bytes:
    """A graph in an RDF format; JSON-LD is compacted with `context` (Zamena's prefixes by default)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    if fmt.name == "jsonld":
        return graph.serialize(format="json-ld", context=context or jsonld_context(), auto_compact=True).encode()
    return graph.serialize(format=fmt.rdflib_format, encoding="utf-8")
