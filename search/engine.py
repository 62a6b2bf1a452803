"""The search engine: a question → dense and lexical hits → fused → answers grouped by what was asked for.

With `kind="firm"` (the default), every hit credits its firm: a firm's own name or summary, a product
(schema:manufacturer), a concept (firms classified under it or a narrower one, through org:classification,
zo:hasCompetence, their products' schema:category, and competences matched to it), an evidence sentence
(the firm its fact is about). Each firm comes with its score, its best evidence quotes and the "why":
the concepts, products and texts that matched.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from rdflib import Literal, URIRef

from search import fusion
from search.embedder import Embedder
from search.index import SearchIndex
from search.items import IndexItem
from search.lexical import lemmas

RESULT_KINDS = ("firm", "product", "concept", "document")
ITEM_KINDS = {
    "firm": ("firm", "product", "concept", "sentence"),
    "product": ("product",),
    "concept": ("concept",),
    "document": ("sentence",),
}
MODES = ("hybrid", "dense", "lexical")
CANDIDATES = 100  # hits taken from each list before fusion
CREDITED_HITS = 60  # fused hits whose firms are looked up
BROAD_HIT_NODES = 200  # past this many credited nodes, a hit's tail is cut (see _short_tails)
HIT_DECAY = 0.5  # a firm's score: its best hit, plus half the next, a quarter of the third…
EVIDENCE_PER_RESULT = 3
# A classifier code in a question ("27.11", "ОКПД 2 26.51.43") asks for that class: an exact look-up that
# no embedding model reads reliably, so those classes lead the hits. Naming a classifier narrows it.
CODE = re.compile(r"(?<![\d.])\d{2}(?:\.\d+)+(?![\d.])")
SCHEME_WORDS = {"окпд": "окпд", "okpd": "окпд", "оквэд": "оквэд", "okved": "оквэд"}
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
SCHEME_QUERY = """
SELECT ?c ?label WHERE { VALUES ?c { %s } ?c skos:inScheme ?scheme . ?scheme skos:prefLabel ?label }"""

# A filter, not a VALUES block: Oxigraph joined `?x a ?fc` with a VALUES of classes by walking every member
# of the classes (135 ms at 1M triples against 1 ms).
FIRM_CLASSES = "FILTER(?fc IN (schema:Corporation, org:FormalOrganization))"
# What credits a hit's firms: the hit is the firm, its product, or a concept the firm is under. Each branch
# starts from the hits (Oxigraph joins a union's branches, and a path, in the order written: with the
# hits outside the union, `?c skos:broader* ?hit` walked every concept — 2 s a search at 1M triples,
# 14 ms this way). Whether a credited node is a firm is asked afterwards, of the few found (FIRM_QUERY).
CREDIT_BRANCHES = (
    f'?hit a ?fc . {FIRM_CLASSES} BIND(?hit AS ?firm) BIND("self" AS ?via)',
    '?hit schema:manufacturer ?firm . BIND("product" AS ?via)',
    '?c skos:broader* ?hit . ?firm org:classification|zo:hasCompetence ?c . BIND("concept" AS ?via)',
    '?c skos:broader* ?hit . ?p schema:category ?c . ?p schema:manufacturer ?firm . BIND("concept" AS ?via)',
    "?c skos:broader* ?hit . "
    "?k skos:closeMatch|skos:exactMatch|skos:broadMatch|^skos:closeMatch|^skos:exactMatch|^skos:narrowMatch ?c . "
    '?firm zo:hasCompetence|org:classification ?k . BIND("concept" AS ?via)',
)
CREDIT_UNION = "\n  UNION ".join("{ VALUES ?hit { %(hits)s } " + branch + " }" for branch in CREDIT_BRANCHES)
CREDIT_QUERY = "SELECT DISTINCT ?hit ?firm ?via WHERE {\n  " + CREDIT_UNION + "\n}"
FIRM_QUERY = f"""
SELECT ?firm WHERE {{
  VALUES ?firm {{ %s }}
  ?firm a ?fc . {FIRM_CLASSES}
  FILTER NOT EXISTS {{ ?firm a schema:GovernmentOrganization }}
}}"""
# Nodes an evidence sentence states facts about (the fact's subject or object, or the subject's maker).
SENTENCE_CREDIT_QUERY = """
SELECT DISTINCT ?doc ?start ?firm WHERE {
  VALUES (?doc ?start) { %s }
  ?e prov:wasDerivedFrom ?doc ; oa:hasSelector/oa:start ?start .
  { ?e rdf:subject ?firm } UNION { ?e rdf:object ?firm } UNION { ?e rdf:subject/schema:manufacturer ?firm }
}"""
# Quotes stating a fact about a firm, or about a firm's link to one of the hits that credited it.
# Each branch starts from the pairs and holds the whole pattern, as in the credit query: with the pairs
# or the selector outside the union, Oxigraph joined the union with every evidence (1.2–1.6 s a search
# at 1M triples, or far worse).
EVIDENCE_BRANCHES = (
    "?e rdf:subject ?firm ; rdf:object ?node .",
    "?e rdf:subject ?node ; rdf:object ?firm .",
    "?e rdf:subject ?firm . FILTER(?node = ?firm)",
)
EVIDENCE_UNION = "\n  UNION ".join(
    "{ VALUES (?firm ?node) { %(pairs)s } "
    + branch
    + " ?e prov:wasDerivedFrom ?doc ; oa:hasSelector ?sel . ?sel oa:exact ?exact ; oa:start ?start ; oa:end ?end . }"
    for branch in EVIDENCE_BRANCHES
)
EVIDENCE_SELECT = "SELECT DISTINCT ?firm ?node ?doc ?exact ?start ?end WHERE {\n  "
EVIDENCE_QUERY = EVIDENCE_SELECT + EVIDENCE_UNION + "\n} ORDER BY ?start"
LABEL_QUERY = """
SELECT ?s ?label WHERE {
  VALUES ?s { %s }
  { ?s skos:prefLabel ?label } UNION { ?s dcterms:title ?label } UNION { ?s dcterms:identifier ?label }
}"""
NOTATION_QUERY = "SELECT ?s ?n WHERE { VALUES ?s { %s } ?s skos:notation ?n }"
FILTER_QUERY = """
SELECT DISTINCT ?s ?code WHERE {
  VALUES ?s { %s }
  %s
}"""
CODE_FILTER = """
  { ?s org:classification|zo:hasCompetence|schema:category ?c }
  UNION { ?p schema:manufacturer ?s ; schema:category ?c }
  UNION { ?s zo:hasCompetence/(skos:closeMatch|skos:exactMatch|skos:broadMatch) ?c }
  UNION { ?s skos:notation ?own . BIND(?s AS ?c) }
  ?c skos:notation ?n . FILTER(STRSTARTS(STR(?n), ?code))"""
CENTRE_FILTER = (
    "{ ?s org:memberOf ?centre } UNION { ?s schema:manufacturer/org:memberOf ?centre } ?centre a zo:CompetenceCentre ."
)
ZONE_FILTER = "{ ?s zo:residentOf ?zone } UNION { ?s schema:manufacturer/zo:residentOf ?zone }"


def _values(uris: list[str]) -> str:
    return " ".join(URIRef(u).n3() for u in uris)


@dataclass
class Hit:
    item_id: int
    item: IndexItem
    score: float


class SearchEngine:
    """Answers questions from one index over one graph."""

    def __init__(
        self,
        graph,  # noqa: ANN001 - a KnowledgeGraph
        index: SearchIndex,
        embedder: Embedder,
        *,
        dense_weight: float = fusion.DENSE_WEIGHT,
        lexical_weight: float = fusion.LEXICAL_WEIGHT,
        whole_match_weight: float = fusion.WHOLE_MATCH_WEIGHT,
        rrf_k: float = fusion.RRF_K,
    ) -> None:
        self.graph = graph
        self.index = index
        self.embedder = embedder
        self.dense_weight = dense_weight
        self.lexical_weight = lexical_weight
        self.whole_match_weight = whole_match_weight
        self.rrf_k = rrf_k

    # ------------------------------------------------------------ hits

    def hits(self, query: str, kinds: tuple[str, ...], mode: str = "hybrid", limit: int = CANDIDATES) -> list[Hit]:
        """Fused item hits, best first."""
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        allowed = None if set(kinds) >= {"firm", "product", "concept", "sentence"} else self.index.ids_of_kind(kinds)
        lists, weights = [], []
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_queries([query])[0]
            ids, _scores = self.index.dense(vector, limit, allowed)
            lists.append(ids)
            weights.append(self.dense_weight)
        if mode == "lexical":
            ids, _scores = self.index.lexical(query, limit, allowed)
            lists.append(ids)
            weights.append(self.lexical_weight)
        if mode == "hybrid":
            ids, _scores = self.index.lexical(query, limit, allowed)
            whole = self._containing_every_word(ids, query)
            # A third list: the lexical hits that hold every word of the question, an exact match the
            # model may rank low ("дыхательных контуров" deep in a firm's description).
            lists += [ids if CYRILLIC.search(query) else whole, whole]
            weights += [self.lexical_weight, self.whole_match_weight]
        fused = fusion.reciprocal_rank_fusion(lists, weights, self.rrf_k)
        if mode in ("hybrid", "lexical"):
            fused = self._codes_first(fused, query, kinds, best=sum(weights) / (self.rrf_k + 1))
        return [Hit(i, self.index.items[i], score) for i, score in fused]

    def _containing_every_word(self, ids: np.ndarray, query: str) -> np.ndarray:
        """The lexical hits that hold every word (lemma) of the query, best first.

        For a question without Cyrillic these are the only lexical hits fused: the lexical index is one of
        Russian lemmas, so an English question meets only the few English texts (profile summaries,
        competence labels), where one shared generic word ("equipment") would outrank the model's hits.
        A name or code matches whole and stays; a partial match is left to the model.
        """
        words = set(lemmas(query))
        return np.array([i for i in ids if words <= set(self.index.items[int(i)].tokens)], dtype=np.int64)

    def _codes_first(
        self, fused: list[tuple[int, float]], query: str, kinds: tuple[str, ...], best: float
    ) -> list[tuple[int, float]]:
        """The classes whose notation the question names, first, with the best score a fused hit can have."""
        codes = set(CODE.findall(query))
        if not codes or "concept" not in kinds:
            return fused
        exact = self.index.concepts_with_notation(codes)
        schemes = {SCHEME_WORDS[w] for w in re.findall(r"[^\W\d_]+", query.lower()) if w in SCHEME_WORDS}
        if schemes and exact:
            uris = {self.index.items[i].uri for i in exact}
            named = {
                str(c)
                for c, label in self.graph.query(SCHEME_QUERY % _values(sorted(uris)))
                if any(s in str(label).lower() for s in schemes)
            }
            exact = [i for i in exact if self.index.items[i].uri in named]
        if not exact:
            return fused
        # One item per class (a class labelled in two languages has two): the one the fusion ranked higher.
        rank = {item_id: position for position, (item_id, _score) in enumerate(fused)}
        chosen: dict[str, int] = {}
        for i in sorted(exact, key=lambda i: (rank.get(i, len(rank)), i)):
            chosen.setdefault(self.index.items[i].uri, i)
        first = set(chosen.values())
        return [(i, best) for i in chosen.values()] + [(i, s) for i, s in fused if i not in first]

    # ------------------------------------------------------------ answers

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        kind: str = "firm",
        code: str | None = None,
        centre: bool = False,
        zone: bool = False,
        mode: str = "hybrid",
    ) -> list[dict[str, object]]:
        """Answers as plain data: uri, label, kind, score, notation, why, evidence (quote, document, start, end)."""
        if kind not in RESULT_KINDS:
            raise ValueError(f"unknown result kind {kind!r}: use one of {', '.join(RESULT_KINDS)}")
        query = query.strip()
        if not query:
            return []
        hits = self.hits(query, ITEM_KINDS[kind], mode)
        if kind == "firm":
            results = self._firms(hits)
        elif kind == "document":
            results = self._documents(hits)
        else:
            results = self._by_uri(hits, kind)
        results = self._filter(results, code, centre, zone, k)
        self._add_labels(results)
        if kind in ("firm", "product"):
            self._add_evidence(results)
        for result in results:
            result["score"] = round(float(result["score"]), 6)
        return results

    def _by_uri(self, hits: list[Hit], kind: str) -> list[dict[str, object]]:
        results: dict[str, dict[str, object]] = {}
        for hit in hits:
            result = results.get(hit.item.uri)
            if result is None:
                results[hit.item.uri] = {
                    "uri": hit.item.uri,
                    "label": hit.item.label,
                    "kind": kind,
                    "score": hit.score,
                    "notation": hit.item.notation,
                    "why": [{"kind": "text", "text": hit.item.text}],
                    "evidence": [],
                }
        return list(results.values())

    def _documents(self, hits: list[Hit]) -> list[dict[str, object]]:
        results: dict[str, dict[str, object]] = {}
        for hit in hits:
            item = hit.item
            result = results.setdefault(
                item.document,
                {
                    "uri": item.document,
                    "label": "",
                    "kind": "document",
                    "score": 0.0,
                    "notation": None,
                    "why": [],
                    "evidence": [],
                    "_hits": 0,
                },
            )
            result["score"] += hit.score * HIT_DECAY ** result["_hits"]
            result["_hits"] += 1
            if len(result["evidence"]) < EVIDENCE_PER_RESULT:
                result["evidence"].append(_quote(item))
        for result in results.values():
            result.pop("_hits")
        return sorted(results.values(), key=lambda r: -r["score"])

    def _firms(self, hits: list[Hit]) -> list[dict[str, object]]:
        top = hits[:CREDITED_HITS]
        credits = self._credits(top)
        firms: dict[str, dict[str, object]] = {}
        for hit in top:
            for firm, via in credits.get(hit.item_id, []):
                result = firms.setdefault(
                    firm,
                    {
                        "uri": firm,
                        "label": "",
                        "kind": "firm",
                        "score": 0.0,
                        "notation": None,
                        "why": [],
                        "evidence": [],
                        "_hits": 0,
                        "_nodes": [],
                    },
                )
                if result["_hits"] < 3:
                    result["score"] += hit.score * HIT_DECAY ** result["_hits"]
                result["_hits"] += 1
                item = hit.item
                if item.kind == "sentence":
                    if len(result["evidence"]) < EVIDENCE_PER_RESULT and _quote(item) not in result["evidence"]:
                        result["evidence"].append(_quote(item))
                    continue
                reason = {"kind": item.kind, "uri": item.uri, "label": item.label, "via": via}
                if item.kind == "firm":
                    reason = {"kind": "profile", "uri": item.uri, "label": item.label, "text": item.text}
                if item.notation:
                    reason["notation"] = item.notation
                if all(r.get("uri") != item.uri for r in result["why"]):
                    result["why"].append(reason)
                    result["_nodes"].append(item.uri)
        ranked = sorted(firms.values(), key=lambda r: -r["score"])
        for result in ranked:
            result.pop("_hits")
        return ranked

    def _credits(self, hits: list[Hit]) -> dict[int, list[tuple[str, str]]]:
        """Item id → [(firm URI, how)] for the hits."""
        credits: dict[int, list[tuple[str, str]]] = defaultdict(list)
        by_uri: dict[str, list[int]] = defaultdict(list)
        by_sentence: dict[tuple[str, int], list[int]] = defaultdict(list)
        for hit in hits:
            if hit.item.kind == "sentence":
                by_sentence[(hit.item.document, hit.item.start)].append(hit.item_id)
            else:
                by_uri[hit.item.uri].append(hit.item_id)
        found: list[tuple[str, list[int], str, str]] = []  # (hit, its item ids, credited node, how)
        if by_uri:
            for hit_uri, node, via in self.graph.query(CREDIT_QUERY % {"hits": _values(list(by_uri))}):
                found.append((str(hit_uri), by_uri[str(hit_uri)], str(node), str(via)))
        if by_sentence:
            rows = " ".join(f"({URIRef(d).n3()} {Literal(s).n3()})" for d, s in by_sentence)
            for doc, start, node in self.graph.query(SENTENCE_CREDIT_QUERY % rows):
                key = (str(doc), int(start))
                found.append((f"{doc}#{start}", by_sentence.get(key, []), str(node), "sentence"))
        found = _short_tails(found)
        nodes = sorted({node for _hit, _ids, node, _via in found})
        firms = {str(row[0]) for row in self.graph.query(FIRM_QUERY % _values(nodes))} if nodes else set()
        for _hit, item_ids, node, via in found:
            if node in firms:
                for item_id in item_ids:
                    if (node, via) not in credits[item_id]:
                        credits[item_id].append((node, via))
        return credits

    # ------------------------------------------------------------ filters, labels, evidence

    def _filter(
        self, results: list[dict[str, object]], code: str | None, centre: bool, zone: bool, k: int
    ) -> list[dict[str, object]]:
        clauses = []
        bindings = {}
        if code:  # the code as a binding: a value from the request never becomes query text
            clauses.append(CODE_FILTER)
            bindings["code"] = Literal(code.strip())
        if centre:
            clauses.append(CENTRE_FILTER)
        if zone:
            clauses.append(ZONE_FILTER)
        if not clauses or not results:
            return results[:k]
        kept: list[dict[str, object]] = []
        # Checked in slices, best first, until k pass: most questions need only the first slice.
        for start in range(0, len(results), 4 * k):
            part = results[start : start + 4 * k]
            query = FILTER_QUERY % (_values([str(r["uri"]) for r in part]), "\n".join(clauses))
            rows = self.graph.query(query, bindings)
            passing = {str(row[0]) for row in rows}
            kept += [r for r in part if r["uri"] in passing]
            if len(kept) >= k:
                break
        return kept[:k]

    def _add_labels(self, results: list[dict[str, object]]) -> None:
        missing = [str(r["uri"]) for r in results if not r["label"] or r["kind"] == "firm"]
        if not missing:
            return
        labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for s, label in self.graph.query(LABEL_QUERY % _values(missing)):
            labels[str(s)].append((getattr(label, "language", None) or "", str(label)))
        for result in results:
            options = labels.get(str(result["uri"]))
            if options:
                options.sort(key=lambda pair: (pair[0] not in ("ru", ""), pair[1]))
                result["label"] = options[0][1]

    def _add_evidence(self, results: list[dict[str, object]]) -> None:
        """Quotes for the links that made each result match (and, failing those, any fact about it)."""
        pairs = []
        for result in results:
            nodes = result.pop("_nodes", []) or []
            for node in [*nodes, result["uri"]]:
                pairs.append((str(result["uri"]), str(node)))
        if not pairs:
            return
        rows = " ".join(f"({URIRef(f).n3()} {URIRef(n).n3()})" for f, n in dict.fromkeys(pairs))
        found: dict[str, list[tuple[int, dict[str, object]]]] = defaultdict(list)
        for firm, node, doc, exact, start, end in self.graph.query(EVIDENCE_QUERY % {"pairs": rows}):
            rank = 1 if str(node) == str(firm) else 0  # the link's own quote before other facts
            found[str(firm)].append(
                (rank, {"quote": str(exact), "document": str(doc), "start": int(start), "end": int(end)})
            )
        for result in results:
            evidence = result["evidence"]
            for _rank, quote in sorted(found.get(str(result["uri"]), []), key=lambda pair: pair[0]):
                if len(evidence) >= EVIDENCE_PER_RESULT:
                    break
                if quote not in evidence:
                    evidence.append(quote)


def _quote(item: IndexItem) -> dict[str, object]:
    return {"quote": item.text, "document": item.document, "start": item.start, "end": item.end}


def _short_tails(found: list[tuple[str, list[int], str, str]]) -> list[tuple[str, list[int], str, str]]:
    """A broad hit (a class thousands of firms are under) credits every node another hit credits too,
    and only the first BROAD_HIT_NODES of the rest: those all score the same, so the rest of that tail
    could only be shown in an arbitrary order, and checking thousands of them took most of a search."""
    per_hit: dict[str, int] = defaultdict(int)
    for hit, _ids, _node, _via in found:
        per_hit[hit] += 1
    broad = {hit for hit, count in per_hit.items() if count > BROAD_HIT_NODES}
    if not broad:
        return found
    shared = {node for hit, _ids, node, _via in found if hit not in broad}
    kept, tail = [], defaultdict(list)
    for entry in found:
        if entry[0] not in broad or entry[2] in shared:
            kept.append(entry)
        else:
            tail[entry[0]].append(entry)
    for entries in tail.values():
        kept += sorted(entries, key=lambda entry: entry[2])[:BROAD_HIT_NODES]
    return kept
