"""What the graph says about one URI: labels, types, links out and in, and every fact with its evidence.

Entity pages, the JSON API and the linked-data views all read a Description; the queries go through
the KnowledgeGraph facade.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from ontology.graph import KnowledgeGraph
from ontology.namespaces import PROV, SCHEMA, ZO
from ontology.terms import iri_problem
from search.evidence import DocumentSource, document_sources
from web.i18n import inverse_term_name, local_name, term_name, ui_text
from web.quantities import date_text, quantity_text, report_note
from web.translit import has_cyrillic, transliterate

# The class that names an entity's kind, most specific first.
KIND_OF_CLASS: tuple[tuple[URIRef, str], ...] = (
    (ZO.Evidence, "evidence"),
    (ZO.Quantity, "quantity"),
    (SCHEMA.Corporation, "firm"),
    (SCHEMA.Product, "product"),
    (SCHEMA.Person, "person"),
    (SKOS.ConceptScheme, "scheme"),
    (SKOS.Concept, "concept"),
    (ZO.CompetenceCentre, "centre"),
    (ZO.Cluster, "centre"),
    (ZO.SpecialEconomicZone, "zone"),
    (ZO.Site, "site"),
    (ZO.ZoneProfile, "document"),
    (SCHEMA.NewsArticle, "document"),
    (ZO.CompanyProfile, "document"),
    (SCHEMA.CreativeWork, "document"),
    (SCHEMA.GovernmentOrganization, "organisation"),
    (URIRef("http://www.w3.org/ns/org#Post"), "post"),
    (URIRef("http://www.w3.org/ns/org#Organization"), "organisation"),
    (URIRef("http://www.w3.org/2002/07/owl#Class"), "class"),
    (URIRef("http://www.w3.org/2002/07/owl#ObjectProperty"), "property"),
    (URIRef("http://www.w3.org/2002/07/owl#DatatypeProperty"), "property"),
)
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCTERMS.title, SCHEMA.name, SCHEMA.headline)
# Whose names an English page writes in Latin letters when the graph has no English one: proper names.
# A classifier class, a product or a competence is a Russian phrase, which letters alone do not translate.
NAMED_PATHS = tuple(f"/id/{kind}/" for kind in ("firm", "person", "organisation", "zone", "site", "cluster", "centre"))
# A document is cited by its title as written, in whatever language: never transliterated.
TITLE_PROPERTIES = (DCTERMS.title, SCHEMA.headline)
# Long or internal values that pages show in their own place, not in the property table.
HIDDEN_PROPERTIES = {SCHEMA.text, ZO.contentHash, ZO.graphDigest}
# Stored for queries, derived from what a page shows already (skos:broader, the names): left out of the
# links a page reads, where a section's thousands of skos:broaderTransitive would crowd out the rest.
DERIVED_FILTER = "FILTER(?p NOT IN (skos:broaderTransitive, zo:labelWord))"
# Links that belong to the evidence machinery rather than to the entity.
EVIDENCE_PROPERTIES = {RDF.subject, RDF.object, PROV.wasDerivedFrom}
# What one page or API answer reads of an entity: a hub (a classifier scheme, skos:Concept) has tens of
# thousands of links, and reading them all took seconds and megabytes a page. Past these, the page says
# how many there are and links to the SPARQL page for the rest.
LINKS_OUT = 300
LINKS_IN = 200
FACTS = 300  # evidence rows
RDF_TRIPLES = 2_000  # each of the three parts of an entity's RDF view


@dataclass
class Value:
    term: Node
    label: str
    is_link: bool
    kind: str = ""
    note: str = ""  # where a figure comes from: «по данным «…», 25.06.2020 · план»

    @property
    def uri(self) -> str:
        return str(self.term)

    @property
    def language(self) -> str | None:
        return self.term.language if isinstance(self.term, Literal) else None


@dataclass
class Quote:
    evidence: str
    quote: str
    document: str
    document_label: str
    start: int | None
    end: int | None
    confidence: str | None
    rule: str | None
    statement: str = ""  # a fact a source stated outright, in words (then `quote` is its front-matter line)
    cites: list[tuple[str, str, str]] = field(default_factory=list)  # (url, site, date) of the pages it cites
    published: str = ""  # where and when its document was published: «ТАСС, 12.04.2022»
    title: str | None = None  # its document's title, where it has one
    date: str | None = None  # its document's date (ISO)
    url: str | None = None  # its document's address on the web


@dataclass
class Fact:
    subject: Value
    predicate: Value
    object: Value
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class Description:
    uri: str
    label: str
    kind: str
    types: list[Value]
    aliases: list[str]
    outgoing: list[tuple[Value, list[Value]]]
    incoming: list[tuple[Value, list[Value]]]
    facts: list[Fact]
    text: str | None = None  # a document's text
    triples: int = 0
    kind_label: str = ""  # the name of the class that gave the kind
    # how many links there are in all, where the page shows only the first LINKS_OUT / LINKS_IN
    outgoing_total: int = 0
    incoming_total: int = 0
    facts_cut: bool = False  # more evidence than FACTS rows
    original: str = ""  # the Russian name, where an English page shows it in Latin letters
    summary: Value | None = None  # its description in the reader's language, else in Russian

    @property
    def exists(self) -> bool:
        return self.triples > 0

    @property
    def links_cut(self) -> bool:
        return self.outgoing_total > LINKS_OUT or self.incoming_total > LINKS_IN

    @property
    def links_total(self) -> int:
        return self.outgoing_total + self.incoming_total

    @property
    def links_shown(self) -> int:
        return sum(len(values) for _p, values in self.outgoing + self.incoming)


def _quoted(title: str) -> str:
    """A title in «…», unless it opens with a quote of its own."""
    return title if title.startswith(("«", '"', "„")) else f"«{title}»"


def kind_of(types: Iterable[Node]) -> str:
    found = set(types)
    for cls, kind in KIND_OF_CLASS:
        if cls in found:
            return kind
    return "other"


def sparql_iri(uri: str) -> str:
    """`uri` written for a SPARQL query; a ValueError, saying why, when it is not an absolute IRI."""
    problem = iri_problem(uri) if uri else "it is empty"
    if problem:
        raise ValueError(f"not a usable IRI: {uri[:200]!r} ({problem})")
    return f"<{uri}>"


def _this(uri: str) -> dict[str, Node]:
    """The entity as the query's ?this: a binding, so a value from a request never becomes query text.

    On Oxigraph a bound variable must be projected, so the SELECTs below list ?this."""
    sparql_iri(uri)
    return {"this": URIRef(uri)}


class Describer:
    """Reads descriptions from a KnowledgeGraph, naming things in the reader's language."""

    def __init__(self, graph: KnowledgeGraph, lang: str = "ru") -> None:
        self.graph = graph
        self.lang = lang
        self.originals: dict[str, str] = {}  # URI → the Russian name an English page shows transliterated

    # ------------------------------------------------------------ names

    def labels(self, uris: Iterable[Node]) -> dict[str, str]:
        """The best label of each URI: the reader's language first, then Russian, then any.

        An English reader gets an English name where the graph has one, an English skos:altLabel
        («Профотек» is "Profotech") included, and otherwise a proper name in Latin letters (NAMED_PATHS);
        a class's or product's Russian phrase and a document's title stay as written. The Russian names so
        replaced are kept in `self.originals`."""
        wanted = sorted({str(u) for u in uris if isinstance(u, URIRef)})
        found: dict[str, tuple[int, str, Node]] = {}
        rank = {prop: i for i, prop in enumerate(LABEL_PROPERTIES)}
        english = self.lang == "en"
        russian: dict[str, str] = {}  # the Russian names of those an English reader gets another name for
        properties = LABEL_PROPERTIES + ((SKOS.altLabel,) if english else ())
        for start in range(0, len(wanted), 400):
            values = " ".join(URIRef(u).n3() for u in wanted[start : start + 400])
            # the properties as a filter: a second VALUES block made Oxigraph walk every label (50 ms → 1.5 ms)
            props = ", ".join(p.n3() for p in properties)
            rows = self.graph.query(
                f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} ?x ?p ?l FILTER(?p IN ({props})) }}"
            )
            for x, p, label in rows:
                lang = label.language or ""
                if english and p == SKOS.prefLabel and lang in ("ru", ""):
                    russian.setdefault(str(x), str(label))
                if p == SKOS.altLabel:  # another name counts only when it is in the reader's language
                    if lang != self.lang:
                        continue
                    score = len(LABEL_PROPERTIES) * 10
                else:
                    score = rank[p] * 10 + (0 if lang == self.lang else 1 if lang == "ru" else 2 if not lang else 3)
                if english and lang == "en":
                    score -= 1000  # an English name of any kind before a Russian one
                if str(x) not in found or score < found[str(x)][0]:
                    found[str(x)] = (score, str(label), p)
        names: dict[str, str] = {}
        for uri, (score, label, prop) in found.items():
            proper_name = any(path in uri for path in NAMED_PATHS)
            if english and score >= 0 and proper_name and prop not in TITLE_PROPERTIES and has_cyrillic(label):
                self.originals[uri] = label
                label = transliterate(label)
            elif english and score < 0 and has_cyrillic(russian.get(uri, "")):
                self.originals[uri] = russian[uri]
            names[uri] = label
        for uri in wanted:
            if uri not in names:
                names[uri] = term_name(uri, self.lang) or local_name(uri)
        return names

    def kinds(self, uris: Iterable[Node]) -> dict[str, str]:
        wanted = sorted({str(u) for u in uris if isinstance(u, URIRef)})
        types: dict[str, set[Node]] = {u: set() for u in wanted}
        for start in range(0, len(wanted), 400):
            values = " ".join(URIRef(u).n3() for u in wanted[start : start + 400])
            for x, t in self.graph.query(f"SELECT ?x ?t WHERE {{ VALUES ?x {{ {values} }} ?x a ?t }}"):
                types[str(x)].add(t)
        return {u: kind_of(t) for u, t in types.items()}

    def quantity_labels(self, uris: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        """(the figure as written for the reader, its date) of each zo:Quantity among `uris`."""
        wanted = sorted(set(uris))
        found: dict[str, tuple[str, str | None]] = {}
        for start in range(0, len(wanted), 400):
            values = " ".join(URIRef(u).n3() for u in wanted[start : start + 400])
            for q, value, comparator, unit, date in self.graph.query(
                f"""SELECT ?q ?v ?c ?u ?d WHERE {{ VALUES ?q {{ {values} }} ?q schema:value ?v
                    OPTIONAL {{ ?q zo:comparator ?c }} OPTIONAL {{ ?q schema:unitText ?u }}
                    OPTIONAL {{ ?q dcterms:date ?d }} }}"""
            ):
                text = quantity_text(value.toPython(), str(comparator or "eq"), str(unit or ""), self.lang)
                found[str(q)] = (text, str(date) if date is not None else None)
        return found

    def publications(self, documents: Iterable[Node]) -> dict[str, tuple[str, str]]:
        """Where and when each document was published: (its publisher as the page names it, else its
        schema:url's host: «recipe.ru»; its date as the reader writes it), each "" where unknown."""
        return {doc: self.published(source) for doc, source in self.sources(documents).items()}

    def published(self, source: DocumentSource) -> tuple[str, str]:
        """(who published a document, when) as a page names them; see publications."""
        host = (urlsplit(source.url).hostname or "").removeprefix("www.") if source.url else ""
        return source.publisher or host, date_text(source.date, self.lang) if source.date else ""

    def sources(self, documents: Iterable[Node]) -> dict[str, DocumentSource]:
        """Each document's title, date, address and publisher, where the graph knows them."""
        return document_sources(self.graph, (str(d) for d in documents if isinstance(d, URIRef)))

    def document_name(self, title: str, profile: bool) -> str:
        """How a quote names its document: by its title; a company's profile as such («Профиль компании
        «Профотек»», not the firm's bare name)."""
        return ui_text("source.profile", self.lang).format(name=title) if profile else title

    def profiles(self, documents: Iterable[str]) -> set[str]:
        """Those of `documents` that are a company's profile (zo:CompanyProfile)."""
        wanted = sorted(set(documents))
        if not wanted:
            return set()
        values = " ".join(URIRef(u).n3() for u in wanted)
        rows = self.graph.query(f"SELECT ?d WHERE {{ VALUES ?d {{ {values} }} ?d a zo:CompanyProfile }}")
        return {str(d) for (d,) in rows}

    def publishers(self, documents: Iterable[Node]) -> dict[str, str]:
        """The publisher of each document, where known (see publications)."""
        return {doc: publisher for doc, (publisher, _date) in self.publications(documents).items() if publisher}

    def _value(self, term: Node, names: dict[str, str], kinds: dict[str, str]) -> Value:
        if isinstance(term, URIRef):
            return Value(term, names.get(str(term), local_name(str(term))), True, kinds.get(str(term), ""))
        return Value(term, str(term), False)

    def _link_in(self, predicate: Node, names: dict[str, str], kinds: dict[str, str]) -> tuple[Value, bool]:
        """A link into the entity as its page names it, and whether it now reads outwards: the children
        of 27.11 link to it by skos:broader, which 27.11's page reads as «включает» (narrower)."""
        value = self._value(predicate, names, kinds)
        inverse = inverse_term_name(str(predicate), self.lang)
        if inverse is None:
            return value, False
        value.label = inverse
        return value, True

    # ------------------------------------------------------------ description

    def _count(self, pattern: str, uri: str) -> int:
        rows = list(self.graph.query(f"SELECT ?this (COUNT(*) AS ?n) WHERE {{ {pattern} }} GROUP BY ?this", _this(uri)))
        return int(rows[0][1]) if rows else 0

    def _links(self, pattern: str, uri: str, limit: int) -> tuple[list[tuple[Node, Node]], int]:
        """The first `limit` (?x ?p) rows of `pattern` about ?this, and how many there are in all."""
        rows = [
            (x, p)
            for x, p, _this_uri in self.graph.query(
                f"SELECT ?x ?p ?this WHERE {{ {pattern} }} LIMIT {limit + 1}", _this(uri)
            )
        ]
        if len(rows) <= limit:
            return rows, len(rows)
        return rows[:limit], self._count(pattern, uri)

    def describe(self, uri: str) -> Description:
        this = URIRef(uri)
        # the types, names and text first, whatever the number of other links
        own = [
            (p, o)
            for p, o, _t in self.graph.query(
                "SELECT ?p ?o ?this WHERE { ?this ?p ?o FILTER(?p IN (rdf:type, skos:altLabel, schema:text)) }",
                _this(uri),
            )
        ]
        out_rows, out_total = self._links(f"?this ?p ?x {DERIVED_FILTER}", uri, LINKS_OUT)
        out = list(dict.fromkeys(own + [(p, o) for o, p in out_rows]))
        into_rows, into_total = self._links(f"?x ?p ?this {DERIVED_FILTER}", uri, LINKS_IN)
        into = list(into_rows)
        evidence = self._evidence(this)
        terms: set[Node] = {this}
        for p, o in out:
            terms.update((p, o))
        for s, p in into:
            terms.update((s, p))
        for row in evidence:
            terms.update(row[1:4])
            terms.add(row[4])
        names = self.labels(terms)
        kinds = self.kinds(terms)
        figures = self.quantity_labels(u for u, k in kinds.items() if k == "quantity")
        names.update({q: text for q, (text, _date) in figures.items()})
        types = [o for p, o in out if p == RDF.type]
        aliases = sorted({str(o) for p, o in out if p == SKOS.altLabel})
        text = next((str(o) for p, o in out if p == SCHEMA.text), None)

        # each figure with its own source and date: reports that disagree stand side by side
        reports: dict[str, tuple[list[str], bool]] = {}
        publishers = self.publishers(row[4] for row in evidence if str(row[3]) in figures)
        for _e, _s, _p, o, doc, *_rest, rule, _said in evidence:
            if str(o) in figures:
                sources, plan = reports.setdefault(str(o), ([], False))
                label = publishers.get(str(doc)) or _quoted(names.get(str(doc), local_name(str(doc))))
                if label not in sources:
                    sources.append(label)
                reports[str(o)] = (sources, plan or str(rule or "").endswith(":plan"))
        outgoing: dict[Node, list[Value]] = {}
        for p, o in out:
            if p in HIDDEN_PROPERTIES or p == RDF.type:
                continue
            value = self._value(o, names, kinds)
            if str(o) in figures:
                sources, plan = reports.get(str(o), ([], False))
                value.note = report_note(sources, figures[str(o)][1], plan, self.lang)
            outgoing.setdefault(p, []).append(value)
        incoming: dict[Node, list[Value]] = {}
        for s, p in into:
            if p in EVIDENCE_PROPERTIES or kinds.get(str(s)) == "evidence":
                continue
            incoming.setdefault(p, []).append(self._value(s, names, kinds))

        facts: dict[tuple[Node, Node, Node], Fact] = {}
        cited = self.cited_pages(row[0] for row in evidence if row[10] is not None)
        documents = self.sources(row[4] for row in evidence)
        profiles = self.profiles(str(row[4]) for row in evidence)
        published = {
            doc: ", ".join(part for part in self.published(source) if part) for doc, source in documents.items()
        }
        for _e, s, p, o, doc, quote, start, end, confidence, rule, said in evidence:
            fact = facts.setdefault(
                (s, p, o),
                Fact(self._value(s, names, kinds), self._value(p, names, kinds), self._value(o, names, kinds)),
            )
            fact.quotes.append(
                Quote(
                    str(_e),
                    str(quote),
                    str(doc),
                    self.document_name(names.get(str(doc), local_name(str(doc))), str(doc) in profiles),
                    int(start) if start is not None else None,
                    int(end) if end is not None else None,
                    str(confidence) if confidence is not None else None,
                    str(rule) if rule is not None else None,
                    str(said) if said is not None else "",
                    cited.get(str(_e), []),
                    published.get(str(doc), ""),
                    *self._cited_as(documents.get(str(doc))),
                )
            )

        def ordered(groups: dict[Node, list[Value]], into: bool = False) -> list[tuple[Value, list[Value]]]:
            items = [
                (
                    self._link_in(p, names, kinds)[0] if into else self._value(p, names, kinds),
                    sorted(vs, key=self._reading_order),
                )
                for p, vs in groups.items()
            ]
            return sorted(items, key=lambda item: item[0].label.lower())

        return Description(
            uri=uri,
            label=names.get(uri, local_name(uri)),
            kind=kind_of(types),
            types=sorted((self._value(t, names, kinds) for t in types), key=lambda v: v.label),
            aliases=aliases,
            outgoing=ordered(outgoing),
            incoming=ordered(incoming, into=True),
            facts=sorted(facts.values(), key=lambda f: (f.predicate.label, f.subject.label, f.object.label)),
            text=text,
            triples=len(out) + len(into),
            kind_label=next((names[str(c)] for c, _k in KIND_OF_CLASS if c in types and str(c) in names), ""),
            outgoing_total=out_total,
            incoming_total=into_total,
            facts_cut=len(evidence) >= FACTS,
            original=self.originals.get(uri, ""),
            summary=self._summary(outgoing.get(SCHEMA.description, [])),
        )

    @staticmethod
    def _cited_as(source: DocumentSource | None) -> tuple[str | None, str | None, str | None]:
        """(title, date, url) of a quote's document, each None where unknown."""
        return (source.title, source.date, source.url) if source else (None, None, None)

    def _reading_order(self, value: Value) -> tuple[int, str]:
        """Values in the reader's language (or in none) first, then the rest, each by name: a firm's Russian
        description before its English summary on a Russian page, and the other way round."""
        return (0 if value.language in (None, self.lang) else 1, value.label.lower())

    def _summary(self, descriptions: list[Value]) -> Value | None:
        """The description a page leads with: the reader's language, else Russian, else any."""
        for wanted in (self.lang, "ru", None):
            found = next((v for v in descriptions if v.language == wanted), None)
            if found is not None:
                return found
        return descriptions[0] if descriptions else None

    def _evidence(self, this: URIRef) -> list[tuple]:
        """(evidence, subject, predicate, object, document, quote, start, end, confidence, rule) about `this`.

        The evidence is reached from `this` through one pattern over the three links (VALUES), not a
        UNION: Oxigraph joined the UNION with every zo:Evidence first, 1.4 s a page at 1M triples (7 ms now).
        """
        rows = self.graph.query(
            f"""
            SELECT DISTINCT ?e ?s ?p ?o ?doc ?quote ?start ?end ?confidence ?rule ?said ?this WHERE {{
                VALUES ?link {{ rdf:subject rdf:object prov:wasDerivedFrom }}
                ?e ?link ?this ; a zo:Evidence ;
                   rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?doc .
                OPTIONAL {{ ?e oa:hasSelector ?sel . ?sel oa:exact ?quote
                           OPTIONAL {{ ?sel oa:start ?start }} OPTIONAL {{ ?sel oa:end ?end }} }}
                OPTIONAL {{ ?e zo:confidence ?confidence }}
                OPTIONAL {{ ?e zo:extractedBy ?rule }}
                OPTIONAL {{ ?e zo:statement ?said }}
            }} ORDER BY ?doc ?start LIMIT {FACTS}""",
            _this(str(this)),
        )
        return [tuple(row)[:11] for row in rows]

    def cited_pages(self, evidence: Iterable[Node]) -> dict[str, list[tuple[str, str, str]]]:
        """Evidence → the pages its statement cites: (url, site, date as the reader writes it)."""
        wanted = sorted({str(e) for e in evidence if isinstance(e, URIRef)})
        if not wanted:
            return {}
        values = " ".join(URIRef(u).n3() for u in wanted)
        found: dict[str, list[tuple[str, str, str]]] = {}
        for e, url, date in self.graph.query(
            f"SELECT ?e ?u ?d WHERE {{ VALUES ?e {{ {values} }} ?e dcterms:source ?u FILTER(isIRI(?u)) "
            "OPTIONAL { ?u dcterms:date ?d } } ORDER BY ?u"
        ):
            site = (urlsplit(str(url)).hostname or str(url)).removeprefix("www.")
            found.setdefault(str(e), []).append((str(url), site, date_text(str(date), self.lang) if date else ""))
        return found

    def graph_of(self, uri: str) -> tuple[Graph, bool]:
        """The triples about `uri` for its RDF views: its own, the links into it, and the evidence of its
        facts, each part up to RDF_TRIPLES; and whether any part was cut there."""
        graph = Graph()
        cut = False
        for part in (
            "CONSTRUCT { ?this ?p ?o } WHERE { ?this ?p ?o }",
            "CONSTRUCT { ?s ?q ?this } WHERE { ?s ?q ?this FILTER NOT EXISTS { ?s a zo:Evidence } }",
            """CONSTRUCT { ?e ?ep ?eo . ?sel ?sp ?so } WHERE {
                VALUES ?link { rdf:subject rdf:object } ?e ?link ?this ; a zo:Evidence ; ?ep ?eo .
                OPTIONAL { ?e oa:hasSelector ?sel . ?sel ?sp ?so } }""",
        ):
            triples = list(self.graph.query(f"{part} LIMIT {RDF_TRIPLES}", _this(uri)))
            cut = cut or len(triples) >= RDF_TRIPLES
            for triple in triples:
                graph.add(triple)
        return graph, cut

    def neighbours(self, uri: str, limit: int = 16) -> tuple[Value, list[tuple[Value, Value, bool]]]:
        """The entity and up to `limit` (predicate, neighbour, outgoing?) links to other entities."""
        this = URIRef(uri)
        links: list[tuple[Node, Node, bool]] = []
        # a few times `limit` of each direction is enough to choose from, however many links a hub has
        for p, o, _this_uri in self.graph.query(
            f"SELECT DISTINCT ?p ?o ?this WHERE {{ ?this ?p ?o FILTER(isIRI(?o) && ?p != rdf:type) {DERIVED_FILTER} }} "
            f"LIMIT {8 * limit}",
            _this(uri),
        ):
            links.append((p, o, True))
        for s, p, _this_uri in self.graph.query(
            f"SELECT DISTINCT ?s ?p ?this WHERE {{ ?s ?p ?this FILTER(isIRI(?s)) {DERIVED_FILTER} "
            f"FILTER NOT EXISTS {{ ?s a zo:Evidence }} FILTER(?p != schema:mentions) }} LIMIT {8 * limit}",
            _this(uri),
        ):
            links.append((p, s, False))
        kinds = self.kinds([this] + [n for _p, n, _out in links])
        links = [link for link in links if kinds.get(str(link[1])) not in ("evidence", "quantity", "", None)]
        links = sorted(links, key=lambda link: (not link[2], str(link[0]), str(link[1])))[:limit]
        names = self.labels([this] + [n for _p, n, _o in links] + [p for p, _n, _o in links])
        centre = self._value(this, names, kinds)
        drawn = []
        for p, n, out in links:
            link, reversed_ = (self._value(p, names, kinds), False) if out else self._link_in(p, names, kinds)
            drawn.append((link, self._value(n, names, kinds), out or reversed_))
        return centre, drawn


COUNT_QUERIES = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "documents": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d zo:contentHash ?h }",
    "firms": "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a schema:Corporation }",
    "products": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:Product }",
    "people": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:Person }",
    "concepts": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a skos:Concept }",
    "evidence": "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a zo:Evidence }",
}


def graph_counts(graph: KnowledgeGraph) -> dict[str, int]:
    """Counts for the data page and VoID.

    Each result is read to its end: pyoxigraph's result iterators must be dropped by the thread that
    made them, and a half-read rdflib result would be left to the garbage collector of any thread.
    """
    counts = {name: int(list(graph.query(sparql))[0][0]) for name, sparql in COUNT_QUERIES.items()}
    return {**counts, "graphs": len(graph.graph_digests())}
