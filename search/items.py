"""What is indexed: the texts of one named graph, read through SPARQL, each tied to a URI and a kind.

Kinds: `firm` (name, aliases and summary), `product` (name and description), `concept` (a SKOS concept:
ОКВЭД 2 / ОКПД 2 class or competence — label and scope note), `sentence` (the quote of a zo:Evidence,
its document and character offsets). A firm described in Russian and in English gets one item per
language, so either language finds it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from rdflib import URIRef

from search.lexical import lemmas

if TYPE_CHECKING:
    from ontology.graph import KnowledgeGraph

KINDS = ("firm", "product", "concept", "sentence")
# A scope note can run to pages; its start says what the class is about, and short passages embed fast.
MAX_NOTE_CHARS = 240


@dataclass
class IndexItem:
    uri: str
    kind: str
    graph: str
    text: str  # what the dense model reads
    label: str
    notation: str | None = None
    document: str | None = None
    start: int | None = None
    end: int | None = None
    tokens: list[str] = field(default_factory=list)  # lemmas BM25 reads (labels, notation, full notes)

    def to_json(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> IndexItem:
        return cls(**data)  # type: ignore[arg-type]


# The class that decides an indexed node's kind, most specific first.
TYPE_QUERY = """
SELECT ?s ?t ?p ?o WHERE { GRAPH %(g)s {
    ?s a ?t . VALUES ?t { skos:Concept schema:Product schema:Corporation org:FormalOrganization }
    FILTER NOT EXISTS { ?s a schema:GovernmentOrganization }
    ?s ?p ?o . VALUES ?p { skos:prefLabel skos:altLabel schema:name skos:notation schema:description
                           dcterms:description dcterms:abstract rdfs:comment skos:definition skos:scopeNote }
} }"""

# A fact a source states outright is indexed in its words («Профиль компании: выпускает …»), not as the
# front-matter line it stands on.
SENTENCE_QUERY = """
SELECT DISTINCT ?doc ?line ?said ?start ?end WHERE { GRAPH %(g)s {
    ?e a zo:Evidence ; prov:wasDerivedFrom ?doc ; oa:hasSelector ?sel .
    ?sel oa:exact ?line ; oa:start ?start ; oa:end ?end .
    OPTIONAL { ?e zo:statement ?said }
} }"""

NAMES = ("prefLabel", "name")
DESCRIPTIONS = ("description", "abstract", "comment", "definition")


def _local(uri: object) -> str:
    text = str(uri)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _kind(types: set[str]) -> str | None:
    if "Concept" in types:
        return "concept"
    if "Product" in types:
        return "product"
    if types & {"Corporation", "FormalOrganization"}:
        return "firm"
    return None


def sentence_uri(document: str, start: int, end: int) -> str:
    """A sentence of a document as an RFC 5147 fragment: <document>#char=start,end."""
    return f"{document}#char={start},{end}"


def graph_items(graph: KnowledgeGraph, graph_uri: str) -> list[IndexItem]:
    """Every item the named graph `graph_uri` contributes to the index."""
    named = {"g": URIRef(graph_uri).n3()}
    types: dict[str, set[str]] = defaultdict(set)
    values: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for s, t, p, o in graph.query(TYPE_QUERY % named):
        types[str(s)].add(_local(t))
        pair = (str(o), getattr(o, "language", None) or "")
        if pair not in values[str(s)][_local(p)]:
            values[str(s)][_local(p)].append(pair)
    items: list[IndexItem] = []
    for subject in sorted(types):
        kind = _kind(types[subject])
        if kind:
            items += _node_items(subject, kind, graph_uri, values[subject])
    for doc, line, said, start, end in graph.query(SENTENCE_QUERY % named):
        quote, first, last = str(said or line).strip(), int(start), int(end)
        if quote:
            items.append(
                IndexItem(
                    uri=sentence_uri(str(doc), first, last),
                    kind="sentence",
                    graph=graph_uri,
                    text=quote,
                    label=quote,
                    document=str(doc),
                    start=first,
                    end=last,
                    tokens=lemmas(quote),
                )
            )
    return items


def _node_items(subject: str, kind: str, graph_uri: str, props: dict[str, list[tuple[str, str]]]) -> list[IndexItem]:
    names = [v for key in NAMES for v in props.get(key, [])]
    aliases = [text for text, _lang in props.get("altLabel", [])]
    notes = [v for key in (*DESCRIPTIONS, "scopeNote") for v in props.get(key, [])]
    notation = props["notation"][0][0] if props.get("notation") else None
    if not names and not notes:
        return []
    all_text = " ".join([notation or "", *(t for t, _ in names), *aliases, *(t for t, _ in notes)])
    tokens = lemmas(all_text)
    languages = sorted({lang for _t, lang in names + notes}) or [""]
    default_name = next((t for t, lang in names if lang in ("ru", "")), names[0][0] if names else subject)
    items = []
    seen: set[str] = set()
    for language in languages:
        name = next((t for t, lang in names if lang == language), default_name)
        note = " ".join(t for t, lang in notes if lang == language)
        parts = [name]
        others = [alias for alias in aliases if alias != name]
        if kind != "concept" and others and language in ("ru", ""):
            parts[0] = f"{name} ({', '.join(others)})"
        if note:
            parts.append(note[:MAX_NOTE_CHARS])
        text = ". ".join(p.rstrip(". ") for p in parts if p)
        if text in seen:
            continue
        seen.add(text)
        items.append(
            IndexItem(
                uri=subject,
                kind=kind,
                graph=graph_uri,
                text=text,
                label=default_name,
                notation=notation,
                tokens=tokens,
            )
        )
    return items
