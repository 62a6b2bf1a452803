"""The search page's data: the answer KnowledgeBase.search gives (search/answers.py), named in the reader's
language, and quotes with the question's words marked."""

from __future__ import annotations

import dataclasses

from markupsafe import Markup, escape
from rdflib import URIRef

from search.answers import RESULT_KINDS, Reason, SearchAnswer, SearchResult
from search.evidence import DocumentSource
from search.names import fold, word_matches
from web.describe import Describer, Description
from zamena.kb import KnowledgeBase

KINDS = RESULT_KINDS
MAX_K = 50  # the most results a page or an API call asks for


def highlight(text: str, stems: list[str]) -> Markup:
    """`text`, escaped, with every word that starts with one of `stems` in <mark>."""
    if not stems:
        return Markup(escape(text))
    parts: list[str] = []
    last = 0
    for match in word_matches(text):
        if any(fold(match.group()).startswith(stem) for stem in stems):
            parts.append(str(escape(text[last : match.start()])))
            parts.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))


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
    """The answer to `query` as the page and the API show it: an unknown kind asks for firms, k is kept
    within 1…MAX_K, and names are in the reader's language."""
    kind = kind if kind in KINDS else "firm"
    k = max(1, min(int(k), MAX_K))
    answer = kb.search(query, k=k, kind=kind, code=code or None, centre=centre)
    relabel(kb, answer.results + answer.suggestions, lang)
    if lang == "en":
        _in_english(kb, answer)
    return answer


def _in_english(kb: KnowledgeBase, answer: SearchAnswer) -> None:
    """The imported things' classes named for an English reader."""
    classes = [thing.class_uri for thing in answer.imported if thing.class_uri]
    names = Describer(kb.graph, "en").labels(URIRef(c) for c in classes) if classes else {}
    answer.imported = [
        dataclasses.replace(thing, class_label=names[thing.class_uri]) if thing.class_uri in names else thing
        for thing in answer.imported
    ]


# A concept reason is named by its scheme, which its URI's path says ({base}id/okpd2/27.11 …).
SCHEME_REASONS = {
    "/id/brand/": "brand",
    "/id/competence/": "competence",
    "/id/okpd2/": "okpd2",
    "/id/okved2/": "okved2",
}


def scheme_of(uri: str) -> str | None:
    """The scheme a concept's URI is minted in: okpd2, okved2, competence or brand; None for others."""
    return next((kind for path, kind in SCHEME_REASONS.items() if path in uri), None)


def reason_kind(reason: Reason) -> str:
    """What kind of reason the page names it as: product, imported brand, competence, ОКПД 2 class …"""
    if reason.kind == "concept" and reason.uri:
        return scheme_of(reason.uri) or "concept"
    return reason.kind


def evidence_sources(kb: KnowledgeBase, answer: SearchAnswer, lang: str) -> dict[str, str]:
    """Document URI → how a quote's source reads: its title, then who published it and when
    («Профотек наращивает выпуск — ТАСС, 12.04.2022»); a company profile as such («Профиль компании
    «Профотек»»). The titles and dates come with the quotes (Evidence); only documents without a title are
    named from the graph."""
    quotes = {e.document: e for r in answer.results for e in r.evidence}
    if not quotes:
        return {}
    describer = Describer(kb.graph, lang)
    untitled = describer.labels(URIRef(d) for d, e in quotes.items() if not e.title)
    profiles = describer.profiles(quotes)
    sources = {}
    for document, e in quotes.items():
        title = describer.document_name(e.title or untitled.get(document, document), document in profiles)
        published = describer.published(DocumentSource(e.title, e.date, e.url, e.publisher))
        when = ", ".join(part for part in published if part)
        sources[document] = f"{title} — {when}" if when else title
    return sources


def specificity(reason: Reason) -> tuple[int, int]:
    """How narrow a reason is, narrowest first: a product, then a class by the depth of its code
    (27.11.4 before 27.11), then a competence, then a sentence."""
    kind = reason_kind(reason)
    if kind == "product":
        return (0, 0)
    if kind in ("okpd2", "okved2", "brand", "concept"):
        return (1, -sum(c.isdigit() for c in reason.notation or ""))
    return (2, 0) if kind == "competence" else (3, 0)


def shown_reasons(result: SearchResult) -> list[Reason]:
    """The result's reasons that name another node, each node once, the narrowest first (a stable sort:
    of two alike, the better match first)."""
    seen: set[str] = set()
    reasons = []
    for reason in result.reasons:
        if reason.uri and reason.uri != result.uri and reason.uri not in seen:
            seen.add(reason.uri)
            reasons.append(reason)
    return sorted(reasons, key=specificity)


def relevance(results: list[SearchResult]) -> dict[str, float]:
    """Each scored result's score as a share of the best one's: what a bar can show. A raw fused score
    has no scale a reader knows."""
    best = max((r.score for r in results), default=0.0)
    if best <= 0:
        return {}
    return {r.uri: round(r.score / best, 2) for r in results if r.score > 0}


def relabel(kb: KnowledgeBase, results: list[SearchResult], lang: str) -> None:
    """Names of the results and of their reasons in the reader's language, where the graph has them."""
    uris = [r.uri for r in results] + [w.uri for r in results for w in r.reasons if w.uri]
    if not uris:
        return
    names = Describer(kb.graph, lang).labels(URIRef(u) for u in uris)
    for result in results:
        result.label = names.get(result.uri) or result.label
        result.reasons = [dataclasses.replace(w, label=names[w.uri]) if w.uri in names else w for w in result.reasons]


def similar_firms(kb: KnowledgeBase, description: Description, limit: int = 5) -> list[SearchResult]:
    """Firms nearest to this one in the index, asked with its name, products and competences."""
    words_of_firm = [description.label]
    for predicate, values in description.outgoing + description.incoming:
        if predicate.uri.endswith(("hasCompetence", "manufacturer", "classification")):
            words_of_firm += [v.label for v in values]
    answer = kb.search(" ".join(words_of_firm), k=limit + 1, kind="firm", with_facets=False, nearest=True)
    if answer.fallback:  # names that happen to match are not "similar": without the index, no such section
        return []
    return [r for r in answer.results if r.uri != description.uri][:limit]
