"""Mapping: an Extraction becomes the triples of its document's named graph.

Every fact gets a zo:Evidence node naming the fact (rdf:subject/predicate/object), the document,
the sentence (oa:exact) and its character offsets (oa:start, oa:end) in the document's text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin

from rdflib import XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from ingest.document import Document
from ingest.model import Entity, Extraction, Fact
from ingest.names import language_of, slug
from ontology.graph import Triple
from ontology.namespaces import OA, ORG, SCHEMA, ZO
from ontology.uris import UriMinter

# The classes of each kind of entity; the first is the one a mention is evidence for.
CLASSES: dict[str, tuple[URIRef, ...]] = {
    "FIRM": (SCHEMA.Corporation, SCHEMA.Organization, ORG.FormalOrganization),
    "ZONE": (ZO.SpecialEconomicZone, SCHEMA.Place, ORG.Organization),
    "CENTRE": (ZO.CompetenceCentre, ORG.Organization),
    "CLUSTER": (ZO.Cluster, ORG.Organization),
    "SITE": (ZO.Site, SCHEMA.Place),
    "GOV": (SCHEMA.GovernmentOrganization, ORG.FormalOrganization),
    "PER": (SCHEMA.Person,),
    "POST": (ORG.Post,),
    "PRODUCT": (SCHEMA.Product,),
    "ORG": (ORG.Organization, SCHEMA.Organization),  # an organisation the model found, kind unknown
    "COMPETENCE": (SKOS.Concept,),
}
# Kinds minted under another kind's URI path: any organisation lives under /id/organisation/.
URI_KINDS = {"ORG": "GOV"}
PREDICATES: dict[str, URIRef] = {
    "memberOf": ORG.memberOf,
    "residentOf": ZO.residentOf,
    "locatedIn": SCHEMA.location,
    "containedIn": SCHEMA.containedInPlace,  # a site → its zone
    "holds": ORG.holds,
    "postIn": ORG.postIn,
    "residentCount": ZO.residentCount,
    "memberCount": ZO.memberCount,
    "manufacturer": SCHEMA.manufacturer,  # product → firm
    "category": SCHEMA.category,  # product → ОКПД 2 concept
    "classification": ORG.classification,  # firm → ОКВЭД 2 concept
    "hasCompetence": ZO.hasCompetence,  # firm → competence concept
    "substitutes": ZO.substitutes,  # product → imported product or brand
    "supplier": ZO.supplier,  # product → firm that supplies it
    "productionCapacity": ZO.productionCapacity,  # firm → dated quantity ("1000 автомобилей в год")
    "numberOfEmployees": SCHEMA.numberOfEmployees,  # firm → dated quantity ("около 350 сотрудников")
    "investment": ZO.investment,  # firm → dated sum of money ("инвестиции составят 343 млн руб.")
    "type": RDF.type,
}
DOCUMENT_CLASSES = {
    "news": SCHEMA.NewsArticle,
    "profile": ZO.CompanyProfile,
    "zone": ZO.ZoneProfile,
    "record": SCHEMA.CreativeWork,
}
# What an organisation that is no firm of the zone is, when a zone profile says (ingest.profiles)
ORGANISATION_CLASSES = {
    "media": SCHEMA.NewsMediaOrganization,
    "bank": SCHEMA.BankOrCreditUnion,
    "university": SCHEMA.CollegeOrUniversity,
}


_WORD = re.compile(r"\w+")


def label_words(labels: list[str]) -> list[str]:
    """The lower-cased words of an entity's names, each once: its zo:labelWord, a lexical index in the graph.

    A text filter then narrows by exact word first (`?x zo:labelWord "трансформатор"`) and checks its
    phrase on the few labels left, instead of reading every label of the graph. Word forms as written:
    «трансформаторы» is another word; ё is kept, as in the labels."""
    return sorted({word for label in labels for word in _WORD.findall(label.lower())})


_DATE_TYPES = ((re.compile(r"\d{4}-\d{2}-\d{2}"), XSD.date), (re.compile(r"\d{4}-\d{2}"), XSD.gYearMonth))


def date_literal(text: str) -> Literal:
    """A date as the source gives it: a day (xsd:date), a month (xsd:gYearMonth) or a year (xsd:gYear); a
    source that says only «2022» is not made to say 1 January."""
    for form, datatype in _DATE_TYPES:
        if form.fullmatch(text):
            return Literal(text, datatype=datatype)
    return Literal(text, datatype=XSD.gYear) if re.fullmatch(r"\d{4}", text) else Literal(text)


def evidence_triples(
    evidence: URIRef, fact: tuple[URIRef, URIRef, URIRef], document: URIRef, quote: str, start: int
) -> list[Triple]:
    """One zo:Evidence: the fact it supports (reified), its document, and the quote with its offsets."""
    subject, predicate, obj = fact
    selector = URIRef(f"{evidence}#quote")
    return [
        (evidence, RDF.type, ZO.Evidence),
        (evidence, RDF.subject, subject),
        (evidence, RDF.predicate, predicate),
        (evidence, RDF.object, obj),
        (evidence, PROV.wasDerivedFrom, document),
        (evidence, OA.hasSelector, selector),
        (selector, RDF.type, OA.TextQuoteSelector),
        (selector, RDF.type, OA.TextPositionSelector),
        (selector, OA.exact, Literal(quote)),
        (selector, OA.start, Literal(start, datatype=XSD.integer)),
        (selector, OA.end, Literal(start + len(quote), datatype=XSD.integer)),
    ]


def _number(value: float) -> Literal:
    """A figure as a typed literal: «210» an xsd:integer, «2,1 га» an xsd:decimal."""
    if float(value).is_integer():
        return Literal(int(value), datatype=XSD.integer)
    return Literal(str(value), datatype=XSD.decimal)


def document_id(document: Document) -> str:
    """A document's identity: its file name without the extension, as a slug; a record's number follows."""
    path, _, record = document.source.partition("#")  # "records.jsonl#7": record 7 of a file
    stem = Path(path).stem
    return slug(f"{stem}-{record}" if record else stem)


def source_label(source: str) -> str:
    """The source path relative to the working folder when inside it, so re-ingests from elsewhere agree."""
    path = Path(source)
    try:
        return str(path.resolve().relative_to(Path(os.getcwd()).resolve()))
    except ValueError:
        return path.name


class GraphMapper:
    def __init__(self, minter: UriMinter) -> None:
        self.minter = minter

    def entity_uri(self, entity_ref: tuple[str, str]) -> URIRef:
        kind, key = entity_ref
        if kind == "POST":
            person, _, organisation = key.partition(" @ ")
            return self.minter.entity("POST", f"{slug(person)}--{slug(organisation)}")
        return self.minter.entity(URI_KINDS.get(kind, kind), slug(key))

    def document_triples(self, document: Document) -> tuple[URIRef, URIRef, list[Triple]]:
        doc_id = document_id(document)
        doc = self.minter.document(doc_id)
        triples: list[Triple] = [
            (doc, RDF.type, DOCUMENT_CLASSES.get(document.kind, SCHEMA.CreativeWork)),
            (doc, DCTERMS.identifier, Literal(doc_id)),
            (doc, DCTERMS.source, Literal(source_label(document.source))),
            (doc, ZO.contentHash, Literal(document.content_hash)),
            (doc, SCHEMA.text, Literal(document.text)),
        ]
        if document.headline:
            triples += [
                (doc, SCHEMA.headline, Literal(document.headline, lang="ru")),
                (doc, DCTERMS.title, Literal(document.headline, lang="ru")),
            ]
        if document.date:
            triples.append((doc, DCTERMS.date, date_literal(document.date)))
        if document.url:
            triples.append((doc, SCHEMA.url, URIRef(document.url)))
        # the pages a news item was written from, beside its own: how a reader checks what it says (a
        # profile cites its pages statement by statement instead)
        sources = document.metadata.get("sources")
        if document.kind == "news" and isinstance(sources, dict):
            cited = {entry["url"] for entry in sources.values() if "url" in entry} - {document.url}
            triples += [(doc, SCHEMA.citation, URIRef(url)) for url in sorted(cited)]
        if document.author:
            triples.append((doc, DCTERMS.creator, Literal(document.author)))
        if document.publisher:
            triples.append((doc, DCTERMS.publisher, Literal(document.publisher)))
        return self.minter.graph(doc_id), doc, triples

    def to_triples(self, extraction: Extraction) -> tuple[URIRef, list[Triple]]:
        """The named graph of the extraction's document and everything it holds."""
        graph, doc, triples = self.document_triples(extraction.document)
        # Places and other kinds without a class here are reported by `zamena extract`, not stored.
        stored = {ref for ref, entity in extraction.entities.items() if entity.type in CLASSES}
        for entity in extraction.entities.values():
            if entity.ref in stored:
                triples += self._entity_triples(entity, doc)
        for fact in extraction.facts:
            if fact.subject in stored and (not isinstance(fact.object, tuple) or fact.object in stored):
                triples += self._fact_triples(fact, extraction, doc)
        return graph, triples

    def _entity_triples(self, entity: Entity, doc: URIRef) -> list[Triple]:
        uri = self.entity_uri(entity.ref)
        triples: list[Triple] = [(uri, RDF.type, cls) for cls in CLASSES[entity.type]]
        triples.append((uri, SKOS.prefLabel, Literal(entity.name, lang="ru")))
        triples += [(uri, SKOS.altLabel, Literal(alias, lang=language_of(alias))) for alias in sorted(entity.aliases)]
        triples += [(uri, ZO.labelWord, Literal(word)) for word in label_words([entity.name, *entity.aliases])]
        triples.append((doc, SCHEMA.mentions, uri))
        if entity.type == "PER":
            given, _, family = entity.name.partition(" ")
            triples += [
                (uri, SCHEMA.givenName, Literal(given, lang="ru")),
                (uri, SCHEMA.familyName, Literal(family, lang="ru")),
            ]
            if "patronymic" in entity.attributes:
                triples.append((uri, SCHEMA.additionalName, Literal(entity.attributes["patronymic"], lang="ru")))
        for attribute, language in (("description", "ru"), ("description_en", "en")):
            if entity.attributes.get(attribute):  # a profile's body: what the firm is, in its own words
                triples.append((uri, SCHEMA.description, Literal(entity.attributes[attribute], lang=language)))
        for attribute in ("inn", "ogrn"):  # checked by their check digits when read (ingest.registers)
            if entity.attributes.get(attribute):
                triples.append((uri, ORG.identifier, Literal(entity.attributes[attribute])))
        if entity.attributes.get("site"):
            triples.append((uri, SCHEMA.url, URIRef(entity.attributes["site"])))
        if entity.attributes.get("organisation") in ORGANISATION_CLASSES:
            triples.append((uri, RDF.type, ORGANISATION_CLASSES[entity.attributes["organisation"]]))
        if entity.attributes.get("synthetic") == "true":  # generated for scale tests
            triples.append((uri, ZO.synthetic, Literal(True)))
        return triples

    def _fact_triples(self, fact: Fact, extraction: Extraction, doc: URIRef) -> list[Triple]:
        subject = self.entity_uri(fact.subject)
        predicate = PREDICATES[fact.predicate]
        triples: list[Triple] = []
        if fact.predicate == "type":
            obj: URIRef = CLASSES[fact.subject[0]][0]
        elif isinstance(fact.object, str):
            obj = URIRef(urljoin(self.minter.base, fact.object))  # "id/okpd2/27.11" is under the base
        elif isinstance(fact.object, dict):
            value = fact.object
            # one node per figure: a sentence may give two («343 млн руб., … до 72 тыс. единиц в год»)
            obj = self.minter.derived(
                "QUANTITY", subject, fact.predicate, fact.start, value["value"], value["comparator"], value["unit"]
            )
            triples += [
                (obj, RDF.type, ZO.Quantity),
                (obj, SCHEMA.value, _number(value["value"])),
                (obj, ZO.comparator, Literal(value["comparator"])),
                (obj, SCHEMA.unitText, Literal(value["unit"], lang="ru")),
            ]
            if extraction.document.date:
                triples.append((obj, DCTERMS.date, date_literal(extraction.document.date)))
        else:
            obj = self.entity_uri(fact.object)
        triples.append((subject, predicate, obj))
        evidence = self.minter.derived("EVIDENCE", doc, subject, predicate, obj, fact.start)
        quote = fact.sentence(extraction.document.text)
        triples += evidence_triples(evidence, (subject, predicate, obj), doc, quote, fact.start)
        triples += [
            (evidence, ZO.confidence, Literal(str(fact.confidence), datatype=XSD.decimal)),
            (evidence, ZO.extractedBy, Literal(fact.rule)),
        ]
        if fact.statement:  # a stated fact: in words, with the pages it cites (the line stays the selector)
            triples.append((evidence, ZO.statement, Literal(fact.statement, lang="ru")))
            for page in fact.cites:
                url = URIRef(page["url"])
                triples.append((evidence, DCTERMS.source, url))
                if page.get("date"):
                    triples.append((url, DCTERMS.date, date_literal(page["date"])))
        return triples
