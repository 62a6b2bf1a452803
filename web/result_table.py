"""A SPARQL answer as the query page shows it: IRIs as prefixed names with the label the graph gives them
(as the Wikidata Query Service shows items), long values cut.

The prefixes are the endpoint's own (ontology.namespaces.PREFIXES, usable in a query undeclared) and,
for entities minted under the base, the kind of entity (`okpd2:26.51.4` for `{base}id/okpd2/26.51.4`);
the page prints a PREFIX line for each of the latter, since the endpoint does not declare them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from ontology.graph import KnowledgeGraph
from ontology.namespaces import PREFIXES
from web.i18n import term_name

# The query page shows this much of a value; the downloads hold it whole.
SHOWN_CHARACTERS = 2_000
# Labels are read for at most this many distinct IRIs of an answer: a label query per 400 of them.
LABELLED_IRIS = 2_000
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCTERMS.title)  # a document's name is its title
# SPARQL 1.1's PN_LOCAL without its %XX and \-escapes: a local name that reads back as the same IRI
_LOCAL_NAME = re.compile(r"(?:[\w:](?:[\w.:\-\u00b7]*[\w:\-\u00b7])?)?")
_KIND = re.compile(r"[a-z][a-z0-9]*")


@dataclass(frozen=True)
class Prefix:
    name: str
    namespace: str
    declared: bool  # the endpoint knows it; otherwise a query must declare it


@dataclass
class Table:
    """A SELECT answer's variables and rows of cells, or an ASK answer's boolean."""

    vars: list[str] = field(default_factory=list)
    rows: list[list[dict[str, object] | None]] = field(default_factory=list)
    boolean: bool | None = None
    prefixes: list[Prefix] = field(default_factory=list)  # those the shown names use, in order of name

    @property
    def undeclared(self) -> list[Prefix]:
        return [p for p in self.prefixes if not p.declared]


def prefixed_name(iri: str, base: str) -> tuple[str, Prefix] | None:
    """`iri` as prefix:local and the prefix it uses; None when no prefix gives a valid local name."""
    best: Prefix | None = None
    for name, namespace in PREFIXES.items():
        if iri.startswith(str(namespace)) and (best is None or len(str(namespace)) > len(best.namespace)):
            best = Prefix(name, str(namespace), True)
    minted = base + "id/"
    if best is None and iri.startswith(minted):
        kind = iri[len(minted) :].split("/", 1)[0]
        if _KIND.fullmatch(kind) and kind not in PREFIXES:
            best = Prefix(kind, f"{minted}{kind}/", False)
    if best is None:
        return None
    local = iri[len(best.namespace) :]
    if not _LOCAL_NAME.fullmatch(local):
        return None
    return f"{best.name}:{local}", best


def iri_labels(graph: KnowledgeGraph, iris: list[str], lang: str) -> dict[str, str]:
    """The skos:prefLabel, rdfs:label or dcterms:title of each IRI that has one: the reader's language
    first, then a label without a language, then Russian, then any; the name of a reused vocabulary's term
    otherwise."""
    found: dict[str, tuple[int, str]] = {}
    props = ", ".join(p.n3() for p in LABEL_PROPERTIES)
    for start in range(0, len(iris), 400):
        values = " ".join(URIRef(u).n3() for u in iris[start : start + 400])
        for iri, prop, label in graph.query(
            f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} ?x ?p ?l FILTER(?p IN ({props}) && isLiteral(?l)) }}"
        ):
            tag = label.language or ""
            rank = 0 if tag == lang else 1 if not tag else 2 if tag == "ru" else 3
            score = LABEL_PROPERTIES.index(prop) + 10 * rank
            if str(iri) not in found or score < found[str(iri)][0]:
                found[str(iri)] = (score, str(label))
    labels = {iri: label for iri, (_score, label) in found.items()}
    for iri in iris:
        if iri not in labels and (name := term_name(iri, lang)):
            labels[iri] = name
    return labels


def _shown(cell: dict[str, object] | None) -> dict[str, object] | None:
    """A literal as the page shows it: a long value cut, with how much was left out."""
    if cell is None or cell.get("type") == "uri":
        return cell
    value = str(cell.get("value", ""))
    if len(value) <= SHOWN_CHARACTERS:
        return cell
    return {**cell, "value": value[:SHOWN_CHARACTERS], "cut": len(value) - SHOWN_CHARACTERS}


def result_table(body: bytes, graph: KnowledgeGraph, lang: str, base: str) -> Table:
    """The SPARQL JSON answer `body` as the page's table: each IRI cell gains `short` (its prefixed name,
    when it has one) and `label` (its label in the graph, when it has one)."""
    data = json.loads(body)
    if "boolean" in data:
        return Table(boolean=bool(data["boolean"]))
    names = data["head"]["vars"]
    rows = [[_shown(binding.get(name)) for name in names] for binding in data["results"]["bindings"]]
    iris = list(dict.fromkeys(str(c["value"]) for row in rows for c in row if c and c.get("type") == "uri"))
    labels = iri_labels(graph, iris[:LABELLED_IRIS], lang)
    used: dict[str, Prefix] = {}
    for row in rows:
        for index, cell in enumerate(row):
            if cell is None or cell.get("type") != "uri":
                continue
            iri = str(cell["value"])
            extra: dict[str, object] = {}
            if (named := prefixed_name(iri, base)) is not None:
                extra["short"], prefix = named
                used[prefix.name] = prefix
            if iri in labels:
                extra["label"] = labels[iri]
            row[index] = {**cell, **extra}
    return Table(vars=names, rows=rows, prefixes=[used[name] for name in sorted(used)])
