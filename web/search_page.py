"""The search page's data: answers from KnowledgeBase.search, facets over them, and highlighted quotes.

When the knowledge base has no search index yet (or its model is missing), names are matched in
the graph instead, and the page says so.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from rdflib import Literal, URIRef

from zamena.kb import KnowledgeBase

KINDS = ("firm", "product", "concept", "document")
MAX_K = 50
_WORD = re.compile(r"[\wё]+", re.IGNORECASE)
# Words too common in questions to be worth marking in a quote.
STOP_WORDS = {
    "кто", "что", "как", "где", "может", "могут", "делает", "делают", "вместо", "для", "или", "это", "из",
    "the", "who", "what", "can", "make", "makes", "and", "for", "with", "instead", "of",
}  # fmt: skip


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def query_stems(query: str) -> list[str]:
    """Stems of the question's words: Russian words change their endings, so a quote is matched by stem."""
    stems = []
    for word in _WORD.findall(query):
        folded = _fold(word)
        if len(folded) < 3 or folded in STOP_WORDS:
            continue
        stems.append(folded if len(folded) <= 4 else folded[: max(4, len(folded) - 2)])
    return sorted(set(stems), key=len, reverse=True)


def highlight(text: str, stems: list[str]) -> Markup:
    """`text`, escaped, with every word that starts with one of `stems` in <mark>."""
    if not stems:
        return Markup(escape(text))
    parts: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        if any(_fold(match.group()).startswith(stem) for stem in stems):
            parts.append(str(escape(text[last : match.start()])))
            parts.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))


@dataclass
class SearchAnswer:
    query: str
    kind: str
    results: list[dict[str, object]]
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)  # name → (value, label, count)
    fallback: bool = False
    stale: bool = False
    error: str | None = None


def _values(uris: list[str]) -> str:
    return " ".join(URIRef(u).n3() for u in uris)


def name_search(kb: KnowledgeBase, query: str, kind: str, k: int) -> list[dict[str, object]]:
    """Things whose names contain the question's word stems, in the shape KnowledgeBase.search answers in."""
    stems = query_stems(query)
    if not stems:
        return []
    classes = {
        "firm": "schema:Corporation",
        "product": "schema:Product",
        "concept": "skos:Concept",
        "document": "schema:CreativeWork schema:NewsArticle zo:CompanyProfile",
    }[kind]
    filters = " || ".join(f"CONTAINS(LCASE(REPLACE(STR(?l), 'ё', 'е')), {Literal(s).n3()})" for s in stems)
    rows = kb.graph.query(f"""
        SELECT ?s (SAMPLE(?name) AS ?label) (SAMPLE(?code) AS ?notation) WHERE {{
            VALUES ?class {{ {classes} }}
            ?s a ?class ; skos:prefLabel|skos:altLabel|dcterms:title ?l .
            OPTIONAL {{ ?s skos:prefLabel|dcterms:title ?name }} OPTIONAL {{ ?s skos:notation ?code }}
            FILTER({filters})
        }} GROUP BY ?s ORDER BY ?label LIMIT {int(k)}""")
    results = [
        {
            "uri": str(s),
            "label": str(label or s),
            "kind": kind,
            "score": 0.0,
            "notation": str(notation) if notation else None,
            "why": [{"kind": "text", "text": str(label or "")}],
            "evidence": [],
        }
        for s, label, notation in rows
    ]
    if results and kind in ("firm", "product"):
        quotes = kb.graph.query(f"""
            SELECT ?s ?exact ?doc ?start ?end WHERE {{
                VALUES ?s {{ {_values([str(r["uri"]) for r in results])} }}
                ?e rdf:subject ?s ; prov:wasDerivedFrom ?doc ; oa:hasSelector ?sel .
                ?sel oa:exact ?exact ; oa:start ?start ; oa:end ?end .
            }} ORDER BY ?start""")
        by_uri = {r["uri"]: r for r in results}
        for s, exact, doc, start, end in quotes:
            evidence = by_uri[str(s)]["evidence"]
            quote = {"quote": str(exact), "document": str(doc), "start": int(start), "end": int(end)}
            if len(evidence) < 3 and quote not in evidence:
                evidence.append(quote)
    return results


SECTION_QUERY = """
SELECT DISTINCT ?s ?n WHERE {
    VALUES ?s { %s }
    { ?s org:classification|zo:hasCompetence|schema:category ?c }
    UNION { ?p schema:manufacturer ?s ; schema:category ?c }
    UNION { ?s skos:notation ?own . BIND(?s AS ?c) }
    ?c skos:notation ?n .
}"""
CENTRE_QUERY = """
SELECT DISTINCT ?s WHERE {
    VALUES ?s { %s }
    { ?s org:memberOf ?centre } UNION { ?s schema:manufacturer/org:memberOf ?centre }
    ?centre a zo:CompetenceCentre .
}"""


def section_of(notation: str) -> str | None:
    """The classifier class a code belongs to: its first two digits (ОКВЭД 2 and ОКПД 2 alike), or the
    section letter itself; None for notations of other schemes (competences)."""
    code = notation.strip()
    if re.match(r"\d{2}", code):
        return code[:2]
    return code if re.fullmatch(r"[A-Z]", code) else None


def section_names(kb: KnowledgeBase, codes: list[str]) -> dict[str, str]:
    """«26 Оборудование компьютерное…» for each classifier class code."""
    if not codes:
        return {}
    values = " ".join(Literal(code).n3() for code in codes)
    rows = kb.graph.query(
        f"SELECT ?n (SAMPLE(?l) AS ?label) WHERE {{ VALUES ?n {{ {values} }} "
        "?c skos:notation ?n ; skos:prefLabel ?l } GROUP BY ?n"
    )
    return {str(n): f"{n} {label}" for n, label in rows}


def relabel(kb: KnowledgeBase, results: list[dict[str, object]], lang: str) -> None:
    """Names of the answers and of their reasons in the reader's language, where the graph has them."""
    from web.describe import Describer

    uris = [str(r["uri"]) for r in results]
    uris += [str(w["uri"]) for r in results for w in r.get("why") or [] if isinstance(w, dict) and w.get("uri")]
    names = Describer(kb.graph, lang).labels(URIRef(u) for u in uris)
    for result in results:
        result["label"] = names.get(str(result["uri"])) or result.get("label")
        for why in result.get("why") or []:
            if isinstance(why, dict) and why.get("uri") in names:
                why["label"] = names[why["uri"]]


def facets(kb: KnowledgeBase, results: list[dict[str, object]]) -> dict[str, list[tuple[str, str, int]]]:
    """Counts of the answers by classifier class and by membership of a competence centre."""
    uris = [str(r["uri"]) for r in results]
    if not uris:
        return {}
    sections: dict[str, set[str]] = {}
    for s, notation in kb.graph.query(SECTION_QUERY % _values(uris)):
        section = section_of(str(notation))
        if section:
            sections.setdefault(section, set()).add(str(s))
    members = {str(row[0]) for row in kb.graph.query(CENTRE_QUERY % _values(uris))}
    counted = Counter({section: len(found) for section, found in sections.items()})
    names = section_names(kb, list(counted))
    out: dict[str, list[tuple[str, str, int]]] = {
        "section": [(code, names.get(code, code), n) for code, n in sorted(counted.items())],
    }
    if members:
        out["centre"] = [("1", "member", len(members))]
    return out


def search(
    kb: KnowledgeBase,
    query: str,
    *,
    kind: str = "firm",
    code: str | None = None,
    centre: bool = False,
    k: int = 20,
    lang: str = "ru",
) -> SearchAnswer:
    """Answers to `query` with facets; falls back on name matching when there is no usable index."""
    kind = kind if kind in KINDS else "firm"
    k = max(1, min(int(k), MAX_K))
    answer = SearchAnswer(query, kind, [])
    if not query.strip():
        return answer
    try:
        found = kb.search(query, k=MAX_K, kind=kind)
        answer.stale = bool(found.get("stale"))
        everything = list(found.get("results") or [])
        if everything or not answer.stale:
            answer.facets = facets(kb, everything)
            if code or centre:
                found = kb.search(query, k=k, kind=kind, code=code or None, centre=centre)
                answer.results = list(found.get("results") or [])
            else:
                answer.results = everything[:k]
            relabel(kb, answer.results, lang)
            return answer
    except Exception as error:  # a missing model or index must not take the page down
        answer.error = f"{type(error).__name__}: {error}"
    answer.fallback = True
    everything = name_search(kb, query, kind, MAX_K)
    answer.facets = facets(kb, everything)
    if code or centre:
        keep = {str(r["uri"]) for r in _filtered(kb, everything, code, centre)}
        everything = [r for r in everything if r["uri"] in keep]
    answer.results = everything[:k]
    return answer


def _filtered(kb: KnowledgeBase, results: list[dict[str, object]], code: str | None, centre: bool) -> list:
    uris = [str(r["uri"]) for r in results]
    if not uris:
        return []
    keep = set(uris)
    if code:
        rows = kb.graph.query(SECTION_QUERY % _values(uris))
        keep &= {str(s) for s, n in rows if str(n).startswith(code)}
    if centre:
        keep &= {str(row[0]) for row in kb.graph.query(CENTRE_QUERY % _values(uris))}
    return [r for r in results if r["uri"] in keep]


def similar_firms(kb: KnowledgeBase, description, limit: int = 5) -> list[dict[str, object]]:  # noqa: ANN001
    """Firms nearest to this one in the index, asked with its name, products and competences."""
    words = [description.label]
    for predicate, values in description.outgoing + description.incoming:
        if predicate.uri.endswith(("hasCompetence", "manufacturer", "classification")):
            words += [v.label for v in values]
    try:
        found = kb.search(" ".join(words), k=limit + 1, kind="firm")
    except Exception:  # no index or no model: the page goes on without this section
        return []
    return [r for r in found.get("results") or [] if r["uri"] != description.uri][:limit]
