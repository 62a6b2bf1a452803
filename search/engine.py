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
from typing import TYPE_CHECKING

import numpy as np
from rdflib import Literal, URIRef

from search import fusion
from search.answers import NO_SUBSTITUTION, RESULT_KINDS, Filters, ImportedThing, Reason, SearchResult
from search.embedder import Embedder
from search.evidence import EVIDENCE_PER_RESULT, add_evidence, quote_of
from search.facets import keep
from search.index import SearchIndex
from search.items import IndexItem
from search.lexical import is_word, lemmas
from search.values import iris

if TYPE_CHECKING:
    from ontology.graph import KnowledgeGraph

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
# Words that say nothing of what is asked: a lemma found in more than this share of the indexed texts
# («производство», «оборудование», «продукция» in the classifiers' labels) matches nothing by itself —
# once the index is large enough for shares to mean something (GENERIC_TEXTS texts hold it).
GENERIC_SHARE = 0.01
GENERIC_TEXTS = 50
# The same for a small index, where shares say little: words of any question about making things.
GENERIC_LEMMAS = frozenset(
    "производство производить продукция продукт изделие оборудование компания фирма предприятие производитель "
    "выпуск выпускать товар система решение технология российский отечественный "
    "manufacturing manufacture production product equipment company firm maker system solution".split()
    # the words that ask for a substitute say what is wanted of the thing, not what the thing is
    + "аналог замена заменить заменять импортный импорт импортозамещение вместо альтернатива зарубежный "
    "иностранный analogue analog replacement replace substitute alternative imported import foreign "
    "instead".split()
)
# An answer scoring under this share of the best one is left out: the scores of firms credited only by a
# distant hit (a class's label, one shared word) fall far below the answer's, and padded every list
# (`python -m bench.search_eval --calibrate` chooses it on half the questions).
ANSWER_FLOOR = 0.55
# A classifier class credits the firms under it only when it says what they make: not a section («C»)
# nor a two-digit class («26»), which hold thousands of unrelated products.
SPECIFIC_NOTATION = re.compile(r"\d{2}\.\d")
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
    # an imported product a firm's product is said to replace: the firm, with that product as the bridge
    "?p zo:substitutes ?hit . ?p schema:manufacturer|zo:supplier ?firm . "
    'BIND(?p AS ?bridge) BIND("substitutes" AS ?via)',
    # an imported brand or line (corpora/brands): the firms that make its class, or have its competence; the
    # product or competence that links them is the bridge, whose quote the answer shows
    "?hit skos:inScheme ?brands . FILTER(STRENDS(STR(?brands), '/id/brand')) ?hit skos:broadMatch ?class . "
    "?c skos:broader* ?class . ?p schema:category ?c . ?p schema:manufacturer ?firm . "
    'BIND(?p AS ?bridge) BIND("substitute" AS ?via)',
    "?hit skos:inScheme ?brands . FILTER(STRENDS(STR(?brands), '/id/brand')) ?hit skos:related ?k . "
    '?firm zo:hasCompetence ?k . BIND(?k AS ?bridge) BIND("substitute" AS ?via)',
)
# How a substitution question ranks its firms: an explicit substitution first, then a product of the
# imported thing's class, then its competence, then anything else (SUBSTITUTION_TIERS[via or bridge kind]).
SUBSTITUTION_TIERS = {"substitutes": 0, "product": 1, "concept": 2}
IMPORTED_SHOWN = 3  # imported things said to be named by one question
BRIDGE_QUERY = """
SELECT ?b ?label ?product WHERE {
  VALUES ?b { %s } ?b skos:prefLabel ?label . BIND(EXISTS { ?b a schema:Product } AS ?product)
}"""
IMPORTED_QUERY = """
SELECT ?b ?label ?definition ?class ?notation ?classLabel ?competence ?competenceLabel ?source WHERE {
  VALUES ?b { %s }
  ?b skos:prefLabel ?label .
  OPTIONAL { ?b skos:definition ?definition }
  OPTIONAL { ?b skos:broadMatch ?class . ?class skos:notation ?notation
             OPTIONAL { ?class skos:prefLabel ?classLabel } }
  OPTIONAL { ?b skos:related ?competence . ?competence skos:prefLabel ?competenceLabel }
  OPTIONAL { ?b dcterms:source ?source }
}"""
BRAND_PATH = "/id/brand/"
BRAND_NAMES_QUERY = "SELECT ?b ?l WHERE { VALUES ?b { %s } ?b skos:prefLabel|skos:altLabel ?l }"
CREDIT_UNION = "\n  UNION ".join("{ VALUES ?hit { %(hits)s } " + branch + " }" for branch in CREDIT_BRANCHES)
CREDIT_QUERY = "SELECT DISTINCT ?hit ?firm ?via ?bridge WHERE {\n  " + CREDIT_UNION + "\n}"
FIRM_QUERY = f"""
SELECT ?firm WHERE {{
  VALUES ?firm {{ %s }}
  ?firm a ?fc . {FIRM_CLASSES}
  FILTER NOT EXISTS {{ ?firm a schema:GovernmentOrganization }}
}}"""
# Nodes an evidence sentence states facts about (the fact's subject or object, or the subject's maker).
# Only a sentence that states what a firm can do credits it: membership of a centre or residency is a
# filter, never a reason (the seed's list of twelve members matched every question about the centre).
SENTENCE_CREDIT_QUERY = """
SELECT DISTINCT ?doc ?start ?firm WHERE {
  VALUES (?doc ?start) { %(sentences)s }
  ?e prov:wasDerivedFrom ?doc ; oa:hasSelector/oa:start ?start .
  %(what)s
  { ?e rdf:subject ?firm } UNION { ?e rdf:object ?firm } UNION { ?e rdf:subject/schema:manufacturer ?firm }
}"""
# A filter on the fact found, not a VALUES block: Oxigraph joined `?e rdf:predicate ?what` with a VALUES
# of predicates by walking every evidence node of those predicates (750 ms a search at 1M triples, 9 ms so).
CAPABILITY_FACTS = """?e rdf:predicate ?what . FILTER(?what IN (schema:manufacturer, zo:supplier, zo:substitutes,
                 zo:hasCompetence, org:classification, schema:category, zo:productionCapacity))"""
LABEL_QUERY = """
SELECT ?s ?label WHERE {
  VALUES ?s { %s }
  { ?s skos:prefLabel ?label } UNION { ?s dcterms:title ?label } UNION { ?s dcterms:identifier ?label }
}"""


@dataclass
class Hit:
    item_id: int
    item: IndexItem
    score: float
    matched: bool = False  # its words hold a telling word of the question, or it has a code the question names
    similarity: float | None = None  # the inner product of its embedding and the question's, when a dense hit


class SearchEngine:
    """Answers questions from one index over one graph."""

    def __init__(
        self,
        graph: KnowledgeGraph,
        index: SearchIndex,
        embedder: Embedder,
        *,
        dense_weight: float = fusion.DENSE_WEIGHT,
        lexical_weight: float = fusion.LEXICAL_WEIGHT,
        whole_match_weight: float = fusion.WHOLE_MATCH_WEIGHT,
        rrf_k: float = fusion.RRF_K,
        answer_floor: float = ANSWER_FLOOR,
        relevance: bool = True,
    ) -> None:
        self.graph = graph
        self.index = index
        self.embedder = embedder
        self.answer_floor = answer_floor
        # False: every hit credits as before the floors and the generic words (the evaluation's baseline)
        self.relevance = relevance
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
        similarity: dict[int, float] = {}
        words = self.telling_words(query)
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_queries([query])[0]
            ids, scores = self.index.dense(vector, limit, allowed)
            similarity = {int(i): float(score) for i, score in zip(ids, scores, strict=True)}
            lists.append(ids)
            weights.append(self.dense_weight)
        lexical_ids: np.ndarray = np.zeros(0, dtype=np.int64)
        if mode in ("hybrid", "lexical") and words:
            lexical_ids, _scores = self.index.lexical(words, limit, allowed)
        if mode == "lexical":
            lists.append(lexical_ids)
            weights.append(self.lexical_weight)
        if mode == "hybrid":
            whole = self._containing_every_word(lexical_ids, words)
            # A third list: the lexical hits that hold every word of the question, an exact match the
            # model may rank low ("дыхательных контуров" deep in a firm's description).
            lists += [lexical_ids if CYRILLIC.search(query) else whole, whole]
            weights += [self.lexical_weight, self.whole_match_weight]
        fused = fusion.reciprocal_rank_fusion(lists, weights, self.rrf_k)
        codes: set[int] = set()
        if mode in ("hybrid", "lexical"):
            fused, codes = self._codes_first(fused, query, kinds, best=sum(weights) / (self.rrf_k + 1))
        matched = {int(i) for i in lexical_ids} | codes
        return [Hit(i, self.index.items[i], score, i in matched, similarity.get(i)) for i, score in fused]

    def telling_words(self, query: str) -> list[str]:
        """The question's lemmas that say what is asked: not those most indexed texts hold (GENERIC_SHARE),
        nor the words of any question about making things (GENERIC_LEMMAS)."""
        words = lemmas(query)
        if not self.relevance:
            return words
        size = max(1, len(self.index.items))
        return [w for w in words if w not in GENERIC_LEMMAS and not self._common(self.index.lemma_count(w), size)]

    def _has_a_word(self, query: str) -> bool:
        """Whether the question holds a word at all: one some indexed text holds, or one of the language.
        The model maps any string somewhere («zzzqqq» lands near «экзоскелет»), so a question made only of
        strings no text or dictionary knows gets the empty answer, not the model's guess."""
        words = lemmas(query)
        return any(self.index.lemma_count(w) > 0 or is_word(w) for w in words) or not words

    @staticmethod
    def _common(count: int, size: int) -> bool:
        return count > GENERIC_TEXTS and count / size > GENERIC_SHARE

    def _containing_every_word(self, ids: np.ndarray, words: list[str]) -> np.ndarray:
        """The lexical hits that hold every word (lemma) of the query, best first.

        For a question without Cyrillic these are the only lexical hits fused: the lexical index is one of
        Russian lemmas, so an English question meets only the few English texts (profile summaries,
        competence labels), where one shared generic word ("equipment") would outrank the model's hits.
        A name or code matches whole and stays; a partial match is left to the model.
        """
        wanted = set(words)
        return np.array([i for i in ids if wanted <= set(self.index.items[int(i)].tokens)], dtype=np.int64)

    def _codes_first(
        self, fused: list[tuple[int, float]], query: str, kinds: tuple[str, ...], best: float
    ) -> tuple[list[tuple[int, float]], set[int]]:
        """The classes whose notation the question names, first, with the best score a fused hit can have;
        and their item ids."""
        codes = set(CODE.findall(query))
        if not codes or "concept" not in kinds:
            return fused, set()
        exact = self.index.concepts_with_notation(codes)
        schemes = {SCHEME_WORDS[w] for w in re.findall(r"[^\W\d_]+", query.lower()) if w in SCHEME_WORDS}
        if schemes and exact:
            uris = {self.index.items[i].uri for i in exact}
            named = {
                str(c)
                for c, label in self.graph.query(SCHEME_QUERY % iris(sorted(uris)))
                if any(s in str(label).lower() for s in schemes)
            }
            exact = [i for i in exact if self.index.items[i].uri in named]
        if not exact:
            return fused, set()
        # One item per class (a class labelled in two languages has two): the one the fusion ranked higher.
        rank = {item_id: position for position, (item_id, _score) in enumerate(fused)}
        chosen: dict[str, int] = {}
        for i in sorted(exact, key=lambda i: (rank.get(i, len(rank)), i)):
            chosen.setdefault(self.index.items[i].uri, i)
        first = set(chosen.values())
        return [(i, best) for i in chosen.values()] + [(i, s) for i, s in fused if i not in first], first

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
    ) -> list[SearchResult]:
        """The best `k` results of `kind` that pass the filters, each with its score, reasons and evidence."""
        if kind not in RESULT_KINDS:
            raise ValueError(f"unknown result kind {kind!r}: use one of {', '.join(RESULT_KINDS)}")
        query = query.strip()
        if not query or self.relevance and not self._has_a_word(query):
            return []
        hits = self.hits(query, ITEM_KINDS[kind], mode)
        if kind == "firm":
            results = self._firms(hits, self.telling_words(query))
        elif kind == "document":
            results = self._documents(hits)
        else:
            results = self._by_uri(hits, kind)
        if self.relevance and results:  # far below the best answer: no reason the reader would accept
            best = max(r.score for r in results)
            # a firm whose product or competence answers for a named imported thing stays, whatever its score
            results = [r for r in results if r.score >= self.answer_floor * best or r.substitution < NO_SUBSTITUTION]
        results = keep(self.graph, results, Filters(code, centre, zone), k)
        self._add_labels(results)
        if kind in ("firm", "product"):
            add_evidence(self.graph, results)
        for result in results:
            result.score = round(float(result.score), 6)
        return results

    def _by_uri(self, hits: list[Hit], kind: str) -> list[SearchResult]:
        results: dict[str, SearchResult] = {}
        for hit in hits:
            item = hit.item
            if item.uri not in results:
                reasons = [Reason("text", text=item.text)]
                result = SearchResult(item.uri, item.label, kind, hit.score, item.notation, reasons)  # type: ignore[arg-type]
                results[item.uri] = result
        return list(results.values())

    def _documents(self, hits: list[Hit]) -> list[SearchResult]:
        results: dict[str, SearchResult] = {}
        counted: dict[str, int] = defaultdict(int)  # hits per document so far
        for hit in hits:
            item = hit.item
            document = str(item.document)
            result = results.get(document)
            if result is None:
                result = results[document] = SearchResult(document, "", "document", 0.0)
            result.score += hit.score * HIT_DECAY ** counted[document]
            counted[document] += 1
            if len(result.evidence) < EVIDENCE_PER_RESULT:
                result.evidence.append(quote_of(item))
        return sorted(results.values(), key=lambda r: -r.score)

    def _firms(self, hits: list[Hit], words: list[str]) -> list[SearchResult]:
        top = hits[:CREDITED_HITS]
        credits = self._credits(top, words)
        bridges = self._bridges({bridge for found in credits.values() for _f, _v, bridge in found if bridge})
        firms: dict[str, SearchResult] = {}
        counted: dict[str, int] = defaultdict(int)  # hits per firm so far: only the first three add to its score
        for hit in top:
            for firm, via, bridge in credits.get(hit.item_id, []):
                result = firms.get(firm)
                if result is None:
                    result = firms[firm] = SearchResult(firm, "", "firm", 0.0)
                if counted[firm] < 3:
                    result.score += hit.score * HIT_DECAY ** counted[firm]
                counted[firm] += 1
                item = hit.item
                if item.kind == "sentence":
                    quote = quote_of(item)
                    if len(result.evidence) < EVIDENCE_PER_RESULT and quote not in result.evidence:
                        result.evidence.append(quote)
                    if all(r.text != item.text for r in result.reasons):
                        result.reasons.append(Reason("sentence", uri=item.document, text=item.text))
                    continue
                notation = item.notation or None
                if item.kind == "firm":
                    reason = Reason("profile", uri=item.uri, label=item.label, text=item.text, notation=notation)
                else:
                    reason = Reason(item.kind, uri=item.uri, label=item.label, via=via, notation=notation)  # type: ignore[arg-type]
                found = [reason]
                if bridge in bridges:  # the firm's own product or competence that answers for the imported thing
                    kind, label = bridges[bridge]
                    found.append(Reason(kind, uri=bridge, label=label, via=via))  # type: ignore[arg-type]
                    tier = SUBSTITUTION_TIERS["substitutes" if via == "substitutes" else kind]
                    result.substitution = min(result.substitution, tier)
                for each in found:
                    if all(r.uri != each.uri for r in result.reasons):
                        result.reasons.append(each)
        # a substitution question: explicit substitutions first, then a product of the class, then a competence
        return sorted(firms.values(), key=lambda r: (r.substitution, -r.score))

    def _bridges(self, uris: set[str]) -> dict[str, tuple[str, str]]:
        """Bridge URI → (product or concept, its label in Russian where it has one)."""
        if not uris:
            return {}
        found: dict[str, tuple[str, str]] = {}
        for bridge, label, is_product in self.graph.query(BRIDGE_QUERY % iris(sorted(uris))):
            kind = "product" if is_product and bool(is_product.toPython()) else "concept"
            if str(bridge) not in found or getattr(label, "language", None) == "ru":
                found[str(bridge)] = (kind, str(label))
        return found

    def imported(self, query: str) -> list[ImportedThing]:
        """The imported brands or lines the question names, with what each is: its class and competence.

        Which brands a question names is decided as for its answers (`_named_brands`)."""
        words = self.telling_words(query)
        if not words or not self.relevance:
            return []
        ids, _scores = self.index.lexical(words, CANDIDATES, self.index.ids_of_kind(("concept",)))
        brands = [self.index.items[int(i)].uri for i in ids if BRAND_PATH in self.index.items[int(i)].uri]
        named = self._named_brands(brands, words)[:IMPORTED_SHOWN]
        if not named:
            return []
        things: dict[str, ImportedThing] = {}
        for row in self.graph.query(IMPORTED_QUERY % iris(named)):
            b, label, definition, class_uri, notation, class_label, competence, competence_label, source = row
            thing = things.setdefault(
                str(b),
                ImportedThing(
                    uri=str(b),
                    label=str(label),
                    class_uri=str(class_uri) if class_uri is not None else None,
                    notation=str(notation) if notation is not None else None,
                    class_label=str(class_label) if class_label is not None else None,
                    competence=str(competence) if competence is not None else None,
                    source=str(source) if source is not None else None,
                ),
            )
            for texts, literal in ((thing.definition, definition), (thing.competence_label, competence_label)):
                if literal is not None:
                    texts.setdefault(getattr(literal, "language", None) or "ru", str(literal))
        return [things[uri] for uri in named if uri in things]

    def _credits(self, hits: list[Hit], words: list[str]) -> dict[int, list[tuple[str, str, str]]]:
        """Item id → [(firm URI, how, bridge)] for the hits, the bridge being the firm's product or competence
        through which an imported thing credits it ("" for the others); an imported brand credits only when
        the question names it (a question about drives is answered by the drives' class, not by every brand
        of drives)."""
        named = set(self._named_brands([h.item.uri for h in hits if BRAND_PATH in h.item.uri], words))
        hits = [h for h in hits if BRAND_PATH not in h.item.uri or h.item.uri in named]
        credits: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        by_uri: dict[str, list[int]] = defaultdict(list)
        by_sentence: dict[tuple[str, int], list[int]] = defaultdict(list)
        known = {w for w in words if self.index.lemma_count(w)}
        for hit in hits:
            if hit.item.kind == "sentence":
                by_sentence[(hit.item.document, hit.item.start)].append(hit.item_id)
            elif hit.item.kind == "firm" and self._bare_name(hit):
                continue
            elif hit.item.kind != "concept" or self._specific(hit.item) and not self._broader(hit.item, known):
                by_uri[hit.item.uri].append(hit.item_id)
        found: list[tuple[str, list[int], str, str, str]] = []  # (hit, its item ids, credited node, how, bridge)
        if by_uri:
            for hit_uri, node, via, bridge in self.graph.query(CREDIT_QUERY % {"hits": iris(by_uri)}):
                found.append((str(hit_uri), by_uri[str(hit_uri)], str(node), str(via), str(bridge or "")))
        if by_sentence:
            rows = " ".join(f"({URIRef(d).n3()} {Literal(s).n3()})" for d, s in by_sentence)
            what = CAPABILITY_FACTS if self.relevance else ""
            for doc, start, node in self.graph.query(SENTENCE_CREDIT_QUERY % {"sentences": rows, "what": what}):
                key = (str(doc), int(start))
                found.append((f"{doc}#{start}", by_sentence.get(key, []), str(node), "sentence", ""))
        found = _short_tails(found)
        nodes = sorted({entry[2] for entry in found})
        firms = {str(row[0]) for row in self.graph.query(FIRM_QUERY % iris(nodes))} if nodes else set()
        for _hit, item_ids, node, via, bridge in found:
            if node in firms:
                for item_id in item_ids:
                    if (node, via, bridge) not in credits[item_id]:
                        credits[item_id].append((node, via, bridge))
        return credits

    def _named_brands(self, brands: list[str], words: list[str]) -> list[str]:
        """Those of `brands` the question names, in their order: of those whose name (or a spelling of it)
        shares a word with the question, those whose names hold the most of its words, and of those the ones
        with the largest share of their own words in it — «аналог Siemens SINAMICS» names SINAMICS, not
        SINAMICS G120 or S120, nor Siemens as a whole."""
        if not brands or not self.relevance:
            return list(brands)
        wanted = set(words)
        # a word of what the lines are («преобразователи частоты», "traction batteries") does not name a
        # brand that has it in its name («Schneider Electric», «BYD Blade Battery»)
        type_words = self.index.description_lemmas(BRAND_PATH)
        fit: dict[str, tuple[int, float]] = {}  # (question words its name holds, share of its name's words)
        for brand, name in self.graph.query(BRAND_NAMES_QUERY % iris(sorted(set(brands)))):
            name_words = set(lemmas(str(name)))
            if wanted & (name_words - type_words):  # a word of the name that is not a product type's
                this = (len(wanted & name_words), len(wanted & name_words) / len(name_words))
                fit[str(brand)] = max(fit.get(str(brand), this), this)
        best = max(fit.values(), default=None)
        return [uri for uri in dict.fromkeys(brands) if best and fit.get(uri) == best]

    def _bare_name(self, hit: Hit) -> bool:
        """Whether the hit is a firm's name alone (no description) that only the model found: a name says
        nothing of what the firm makes, and the model likens names by their letters («bicycles» → «Биокад»)."""
        return self.relevance and not hit.matched and ". " not in hit.item.text

    def _broader(self, item: IndexItem, words: set[str]) -> bool:
        """Whether a classifier class does not say what is asked: its label lacks a word of the question
        that the index knows — «Корабли, суда и лодки» for «подводные лодки», «Автомобили грузовые» for
        «электрический грузовик»: its firms make the kind of thing, not the thing asked for; «Компоненты
        электронные и платы» for «кабели и провода»: the model's guess. A question in English is left to the
        model: the classes' labels are Russian."""
        if not self.relevance or not item.notation or not words or not any(CYRILLIC.search(w) for w in words):
            return False
        return not words <= set(item.tokens)

    def _specific(self, item: IndexItem) -> bool:
        """A competence, or a class below the two-digit level: one that says what its firms make."""
        return not self.relevance or not item.notation or bool(SPECIFIC_NOTATION.match(item.notation))

    # ------------------------------------------------------------ labels

    def _add_labels(self, results: list[SearchResult]) -> None:
        missing = [r.uri for r in results if not r.label or r.kind == "firm"]
        if not missing:
            return
        labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for s, label in self.graph.query(LABEL_QUERY % iris(missing)):
            labels[str(s)].append((getattr(label, "language", None) or "", str(label)))
        for result in results:
            options = labels.get(result.uri)
            if options:
                options.sort(key=lambda pair: (pair[0] not in ("ru", ""), pair[1]))
                result.label = options[0][1]


def _short_tails(found: list[tuple[str, list[int], str, str, str]]) -> list[tuple[str, list[int], str, str, str]]:
    """A broad hit (a class thousands of firms are under) credits every node another hit credits too,
    and only the first BROAD_HIT_NODES of the rest: those all score the same, so the rest of that tail
    could only be shown in an arbitrary order, and checking thousands of them took most of a search."""
    per_hit: dict[str, int] = defaultdict(int)
    for entry in found:
        per_hit[entry[0]] += 1
    broad = {hit for hit, count in per_hit.items() if count > BROAD_HIT_NODES}
    if not broad:
        return found
    shared = {entry[2] for entry in found if entry[0] not in broad}
    kept, tail = [], defaultdict(list)
    for entry in found:
        if entry[0] not in broad or entry[2] in shared:
            kept.append(entry)
        else:
            tail[entry[0]].append(entry)
    for entries in tail.values():
        kept += sorted(entries, key=lambda entry: entry[2])[:BROAD_HIT_NODES]
    return kept
