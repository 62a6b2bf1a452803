"""Extraction: from a processed spaCy Doc to entities and facts, each fact with its sentence.

The rules read the entity spans the pipeline found and the lemmas around them; no name of a
particular firm, person or place is written here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from ingest.document import Document
from ingest.gazetteer import PIPE_NAME as GAZETTEER_PIPE
from ingest.gazetteer import Gazetteer, one_name_in_two_forms
from ingest.language_data import (
    APPLICATION_NOUNS,
    APPOINTING_VERBS,
    CANDIDACY_WORDS,
    COMPANY_NOUNS,
    DENIAL_WORDS,
    FORMER_WORDS,
    JOINING_WORDS,
    LEAVING_WORDS,
    LOCATION_WORDS,
    MAYOR_WORDS,
    MEMBER_NOUNS,
    MEMBERSHIP_WORDS,
    PLAN_WORDS,
    POST_ABBREVIATIONS,
    POST_ADJECTIVES,
    POST_HEADS,
    RESIDENCY_WORDS,
    ROSTER_NOUNS,
    SITE_TRIGGERS,
    SURFACE_COMPARATORS,
    TITLE_PREFIXES,
    ZONE_WORDS,
)
from ingest.model import Entity, Extraction, Fact, Mention
from ingest.morph import morph, parse
from ingest.names import ORGANISATIONAL_FORMS, clean, name_key, same_name
from ingest.pipeline import ENTITIES, build_pipeline
from ingest.relations import relation_facts
from ingest.syntax import sentence_is_parsed
from ingest.tree_organisations import counts_newcomers
from ingest.tree_relations import CASES, GENDERS, inflect_to_nominative

# Confidences of the facts these rules read, set by hand on the tree rules' scale (ingest/tree_relations.py):
# each says how much the rule's clue alone shows; a fact a source states has 1.0, a plan 0.5.
TYPE_CONFIDENCE = 0.8  # an entity's kind, from the rule or the model that found its name
MEMBERSHIP_CONFIDENCE = 0.9  # a word of membership with both the firm and the centre named in its sentence
RESIDENCY_CONFIDENCE = 0.85  # firms in a sentence where «резидент»/«компании» stands right before the zone
LOCATION_CONFIDENCE = 0.85  # a centre, a zone and a word of creating or opening in one sentence
SITE_CONFIDENCE = 0.7  # a firm and a site said where («в Алабушеве») in one sentence
# Words for a site a name may follow: «на площадке «Алабушево»», «технопарка «Алабушево»», «на территории …»
SITE_WORDS = SITE_TRIGGERS | {"территория"}
POST_CONFIDENCE = 0.8  # a title phrase next to a person's name
COUNT_CONFIDENCE = 0.75  # a number before a word for companies: the zone or centre is only the nearest named


# Labels of organisations a model's ORG mention may turn out to be, in the order they are preferred.
ORGANISATION_LABELS = ("FIRM", "GOV", "ZONE", "CENTRE", "CLUSTER", "ORG")
# Order in which named mentions are resolved: firms before bare organisations, full names before surnames.
_RESOLVE_ORDER = {
    label: i for i, label in enumerate(("FIRM", "ZONE", "CENTRE", "CLUSTER", "GOV", "PRODUCT", "PER", "ORG", "LOC"))
}
IDENTIFIER_ATTRIBUTES = ("inn", "ogrn", "identifier")


class Resolver:
    """Merges mentions into entities: one entity per real thing, whatever case, quotes or script it is written in.

    Mentions without a name of their own ("ОЭЗ", "Центра") take the document's only entity of their kind.
    """

    def __init__(self) -> None:
        self.entities: dict[tuple[str, str], Entity] = {}
        self._moved: dict[tuple[str, str], tuple[str, str]] = {}

    def find(self, label: str, key: str) -> Entity | None:
        ref, seen = (label, key), set()
        while ref in self._moved and ref not in seen:
            seen.add(ref)
            ref = self._moved[ref]
        return self.entities.get(ref)

    def _same_as(self, label: str, name: str) -> Entity | None:
        """An entity already found under another key that this name names too."""
        if label in ORGANISATION_LABELS:
            labels = ORGANISATION_LABELS if label == "ORG" else (label, "ORG")
        elif label in ("PER", "LOC", "PRODUCT"):
            labels = (label,)
        else:
            return None
        for wanted in labels:
            for entity in self.entities.values():
                if entity.type != wanted:
                    continue
                if label == "PER" and len(name.split()) == 1:
                    # a surname alone: the person of that surname named in full
                    if len(entity.name.split()) > 1 and same_name(name, entity.name.split()[-1]):
                        return entity
                elif any(same_name(name, known) for known in (entity.name, *entity.aliases)):
                    return entity
        return None

    def move(self, entity: Entity, label: str, key: str) -> None:
        """Give an entity another identity (a firm of the graph, an organisation found to be a firm)."""
        old = entity.ref
        if (label, key) == old:
            return
        del self.entities[old]
        entity.type, entity.key = label, key
        other = self.entities.get(entity.ref)
        if other is not None:  # two mentions of one firm: merge them
            other.aliases |= entity.aliases | ({entity.name} - {other.name})
            other.mentions += entity.mentions
            entity = other
        self.entities[entity.ref] = entity
        self._moved.pop(entity.ref, None)  # it lives here now, whatever moved away from here before
        self._moved[old] = entity.ref

    def add(self, label: str, key: str, name: str, span: Span, written: bool = True) -> Entity:
        return self.add_mention(label, key, name, Mention(span.start_char, span.end_char, span.text), written)

    def add_given(self, given: Entity) -> Entity:
        """An entity a structured source states (a profile's firm, zone, products), merged like a mention."""
        entity: Entity | None = None
        for mention in given.mentions or [None]:
            entity = self.add_mention(given.type, given.key, given.name, mention)
        assert entity is not None
        entity.aliases |= {clean(a) for a in given.aliases} - {entity.name}
        for attribute, value in given.attributes.items():
            entity.attributes.setdefault(attribute, value)
        entity.attributes["given"] = "yes"  # stated by the source itself: its name and kind are kept
        if (given.type, given.key) != entity.ref:
            self._moved[(given.type, given.key)] = entity.ref
        return entity

    def add_mention(self, label: str, key: str, name: str, mention: Mention | None, written: bool = True) -> Entity:
        name = clean(name)  # no control, zero-width or direction characters in a stored name
        entity = self.find(label, key)
        if entity is None:
            entity = self._same_as(label, name)
            if entity is not None:
                if entity.type == "ORG" and label != "ORG" and entity.attributes.get("given") != "yes":
                    self.move(entity, label, key)  # the rules know better what kind of organisation it is
                if (label, key) != entity.ref:
                    self._moved[(label, key)] = entity.ref
        if entity is None:
            entity = self.entities[(label, key)] = Entity(label, key, name)
            entity.attributes["written"] = "yes" if written else "no"
        elif name != entity.name:
            if written and entity.attributes.get("written") == "no":
                # a name written whole in the text beats one put together from a trigger and a quote
                entity.aliases.add(entity.name)
                entity.name, entity.attributes["written"] = name, "yes"
            else:
                entity.aliases.add(name)
        if mention is not None:
            entity.mentions.append(mention)
        return entity

    def refer(self, ref: tuple[str, str]) -> tuple[str, str]:
        """Where an entity known as `ref` lives now (it may have been merged or linked to a known firm)."""
        entity = self.find(*ref)
        return entity.ref if entity is not None else ref

    def only(self, label: str) -> Entity | None:
        found = [e for e in self.entities.values() if e.type == label]
        return found[0] if len(found) == 1 else None

    def drop_firms_named_as_zones(self) -> None:
        """A firm that is also a zone's name is the zone ("технополис «Москва»" never becomes a firm)."""
        zone_keys = {e.key for e in self.entities.values() if e.type == "ZONE"}
        for ref in [
            r
            for r in self.entities
            if r[0] in ("FIRM", "ORG") and (r[1] in zone_keys or f"технополис {r[1]}" in zone_keys)
        ]:
            del self.entities[ref]

    def sort_mentions(self) -> None:
        for entity in self.entities.values():
            entity.mentions.sort(key=lambda m: m.start)

    def add_patronymics(self, patronymics: dict[str, str]) -> None:
        """People's patronymics by person key, as the pipeline found them beside the names."""
        for key, patronymic in patronymics.items():
            person = self.entities.get(("PER", key))
            if person is not None:
                person.attributes["patronymic"] = patronymic

    def link(self, gazetteer: Gazetteer) -> None:
        """Firms (and organisations) the graph already knows take its URI and name; ИНН/ОГРН first. A place
        named as a known firm is that firm's own site: «площадка «Биокада» в Алабушеве» speaks of the firm."""
        for entity in [e for e in self.entities.values() if e.type in ("FIRM", "ORG", "LOC")]:
            identifiers = {entity.attributes[a] for a in IDENTIFIER_ATTRIBUTES if entity.attributes.get(a)}
            known = None
            for name in (entity.name, *sorted(entity.aliases)):
                known = gazetteer.link(name, identifiers)
                if known is not None:
                    break
            if known is None:
                continue
            if entity.attributes.get("given") == "yes" and one_name_in_two_forms(entity.name, known.name):
                entity.aliases |= set(known.names) - {entity.name}  # «Биокад» of its profile, not «Биокада»
            elif entity.name != known.name:
                entity.aliases.add(entity.name)
                entity.name = known.name
            entity.aliases.discard(entity.name)
            self.move(entity, "FIRM", known.key)

    def recognise_others(self, gazetteer: Gazetteer, text: str) -> None:
        """Names a zone profile says are no firm of the zone take the kind it gives them: «в Алабушеве» is
        the site, «по данным РБК» the press, «карты «Мир»» a product; so does a mention the model cut short
        of such a name in `text`. What the document itself states keeps its kind."""
        for entity in [e for e in self.entities.values() if e.type in ("FIRM", "ORG", "LOC", "ZONE")]:
            if entity.attributes.get("given") == "yes":
                continue
            names = (entity.name, *sorted(entity.aliases))
            if entity.type == "ZONE":  # «ОЭЗ «Зеленоград»»: the zone's former name, not the site
                names = tuple(f"ОЭЗ «{name}»" for name in names)
            known = next(filter(None, map(gazetteer.other, names)), None)
            if known is None and entity.type in ("FIRM", "ORG"):
                known = next(filter(None, (gazetteer.other_written_at(text, m.start) for m in entity.mentions)), None)
            if known is None or entity.type == "ZONE" and known.kind != "ZONE":
                continue
            # its names are the zone profile's: a mention's own form («Алабушеве», «Алабушево завод») is none
            entity.name, entity.aliases = known.name, set()
            entity.attributes["known"] = "yes"  # never promoted to a firm
            self.move(entity, known.kind, known.key)


def _sentence_span(sent: Span) -> tuple[int, int]:
    text = sent.text
    return sent.start_char, sent.start_char + len(text.rstrip())


def _merge_by_identifier(resolver: Resolver) -> None:
    """Two firms of one document with the same ИНН or ОГРН are one firm."""
    seen: dict[str, Entity] = {}
    for entity in [e for e in resolver.entities.values() if e.type == "FIRM"]:
        for attribute in IDENTIFIER_ATTRIBUTES:
            value = entity.attributes.get(attribute)
            if not value:
                continue
            first = seen.setdefault(value, entity)
            if first is not entity and entity.ref in resolver.entities:
                first.aliases |= entity.aliases | ({entity.name} - {first.name})
                resolver.move(entity, *first.ref)


def extract(document: Document, doc: Doc | None = None, gazetteer: Gazetteer | None = None) -> Extraction:
    """Entities and facts of one document; `doc` is the pipeline's output when already computed.

    `gazetteer` holds the firms already in the graph: mentions of them get the firm's URI.
    """
    if doc is None:
        nlp = build_pipeline()
        # the pipeline is shared: without a gazetteer of its own this call must not see another call's firms
        nlp.get_pipe(GAZETTEER_PIPE).use(gazetteer)
        doc = nlp(nlp_text(document))
    resolver = Resolver()
    for given in document.entities:  # stated outright by a structured source
        resolver.add_given(given)
    spans = sorted(doc.spans[ENTITIES], key=lambda s: s.start)
    # Named mentions first, so that bare "ОЭЗ" or "Центра" can fall back on the one named entity;
    # firms before bare organisations and full names before surnames, so the later ones can join them.
    for span in sorted(spans, key=lambda s: (_RESOLVE_ORDER.get(s.label_, 9), -len(s), s.start)):
        if span._.zamena_key:
            resolver.add(span.label_, span._.zamena_key, span._.zamena_name, span, span._.zamena_written)
    resolver.drop_firms_named_as_zones()
    _merge_by_identifier(resolver)
    if gazetteer is not None:
        resolver.link(gazetteer)
        resolver.recognise_others(gazetteer, doc.text)
    resolver.sort_mentions()
    resolved: list[tuple[Span, Entity]] = []
    for span in spans:
        entity = resolver.find(span.label_, span._.zamena_key) if span._.zamena_key else resolver.only(span.label_)
        if entity is not None:
            if not span._.zamena_key:
                entity.mentions.append(Mention(span.start_char, span.end_char, span.text))
                entity.mentions.sort(key=lambda m: m.start)
            resolved.append((span, entity))

    resolver.add_patronymics(doc.user_data.get("patronymics", {}))
    facts: list[Fact] = []
    sentences = list(doc.sents)
    starts = [sent.start for sent in sentences]
    by_sentence: list[list[tuple[Span, Entity]]] = [[] for _ in sentences]
    for span, entity in resolved:
        by_sentence[bisect_right(starts, span.start) - 1].append((span, entity))
    for sent, in_sentence in zip(sentences, by_sentence, strict=True):
        for span, entity in in_sentence:
            if entity.mentions[0].start == span.start_char:
                facts.append(Fact(entity.ref, "type", {}, *_sentence_span(sent), TYPE_CONFIDENCE, "mention"))
        facts += _organisation_facts(sent, in_sentence)
        facts += _post_facts(sent, in_sentence, resolver)
    facts += _speaker_post(document, doc, resolved, resolver)
    facts += _quantities(doc, resolved)
    facts += [_followed(fact, resolver) for fact in document.facts]
    read, promoted = _promote_acting_organisations(facts + relation_facts(sentences, by_sentence, resolver), resolver)
    if promoted:  # the relations are read again, as they will be once the firm is known; the first reading goes
        read = [_followed(fact, resolver) for fact in facts] + relation_facts(sentences, by_sentence, resolver)
    read += _membership_the_tree_missed(sentences, by_sentence, read)
    read += _acts_of_a_list(sentences, by_sentence, read)
    return Extraction(document, resolver.entities, _unique(read))


def _membership_the_tree_missed(
    sentences: list[Span], by_sentence: list[list[tuple[Span, Entity]]], read: list[Fact]
) -> list[Fact]:
    """A parsed sentence with firms, a group and a word of joining, from which the tree read no membership
    (a parse that hung the names elsewhere): the words say it, at the words' lower confidence."""
    found = []
    for sent, in_sentence in zip(sentences, by_sentence, strict=True):
        start = _sentence_span(sent)[0]
        if not sentence_is_parsed(sent):
            continue
        tree = [f for f in read if f.predicate == "memberOf" and f.start == start]
        if not tree:
            found += _membership_by_words(sent, in_sentence, strict=True)
            continue
        # «вошли три компании — АО «A», ООО «B» и ООО «C»»: the tree read one of a list; the others listed
        # with it joined the same group (a plan of joining is no membership to pass on)
        group_of = {f.subject: f.object for f in tree if not f.rule.endswith(":plan")}
        pairs = _listed_together(sent, in_sentence)
        where = _sentence_span(sent)
        for firm, group in _along_the_list(pairs, group_of, {f.subject for f in tree}):
            found.append(Fact(firm, "memberOf", group, *where, MEMBERSHIP_CONFIDENCE, "membership-list"))
    return found


def _acts_of_a_list(
    sentences: list[Span], by_sentence: list[list[tuple[Span, Entity]]], read: list[Fact]
) -> list[Fact]:
    """«Прессы выпускают компании «A» и «B»»: the tree read the act of one firm of a list; the others
    listed with it do the same, at the same confidence, product by product."""
    found = []
    for sent, in_sentence in zip(sentences, by_sentence, strict=True):
        where = _sentence_span(sent)
        acts = [f for f in read if f.predicate in _FIRM_AS_OBJECT and f.start == where[0] and f.rule.startswith("tree")]
        pairs = _listed_together(sent, in_sentence) if acts else []
        for predicate, product in dict.fromkeys((f.predicate, f.subject) for f in acts):
            doers = {f.object: f for f in acts if (f.predicate, f.subject) == (predicate, product)}
            for firm, fact in _along_the_list(pairs, doers, set(doers)):
                found.append(Fact(product, predicate, firm, *where, fact.confidence, f"{fact.rule}-list"))
    return found


def _along_the_list(pairs: list[tuple[Entity, Entity]], known: dict, read: set) -> list[tuple[tuple[str, str], object]]:
    """(firm, what its neighbour in the list has) for each firm of a list that `read` has nothing for,
    passed on a neighbour at a time from the firms `known` has something for."""
    known = dict(known)
    found: list[tuple[tuple[str, str], object]] = []
    added = True
    while added:
        added = False
        for firm, neighbour in pairs:
            if firm.ref not in known and firm.ref not in read and neighbour.ref in known:
                known[firm.ref] = known[neighbour.ref]
                found.append((firm.ref, known[firm.ref]))
                added = True
    return found


LIST_JOINERS = {",", "и", "а", "также", "«", "»", '"', "„", "“"}


def _listed_together(sent: Span, in_sentence: list[tuple[Span, Entity]]) -> list[tuple[Entity, Entity]]:
    """Pairs of firms next to each other in one list, each way round («АО «A», ООО «B» и ООО «C»»): nothing
    between their names but commas, «и», «а также», quotes and legal forms, and at least one of the first three
    («центры «Фрезер-5» АО «Станкомаш»» names a model and its maker)."""
    firms = sorted(((span, e) for span, e in in_sentence if e.type == "FIRM"), key=lambda pair: pair[0].start)
    pairs = []
    for (before, first), (after, second) in zip(firms, firms[1:], strict=False):
        between = sent.doc[before.end : after.start]
        joined = any(t.lower_ in (",", "и", "также") for t in between)
        if (
            first is not second
            and joined
            and all(t.lower_ in LIST_JOINERS or t.lower_ in ORGANISATIONAL_FORMS for t in between)
        ):
            pairs += [(first, second), (second, first)]
    return pairs


# Facts that show an organisation of unknown kind acting as a firm: it makes, develops or supplies a
# product (the fact's object), or joins a cluster, settles in a zone or names its line of business (its
# subject).
_FIRM_AS_OBJECT = {"manufacturer", "supplier"}
_FIRM_AS_SUBJECT = {
    *("memberOf", "residentOf", "productionCapacity", "numberOfEmployees", "investment", "locatedIn"),
    "hasCompetence",  # «специализируется на ортопедических изделиях»
}


def _promote_acting_organisations(facts: list[Fact], resolver: Resolver) -> tuple[list[Fact], bool]:
    """An ORG the model found that makes, supplies, joins a cluster or is a zone's resident is a firm:
    the facts with their refs followed, and whether any organisation was promoted."""
    acting = {f.object for f in facts if f.predicate in _FIRM_AS_OBJECT and isinstance(f.object, tuple)}
    acting |= {f.subject for f in facts if f.predicate in _FIRM_AS_SUBJECT}
    moved = False
    for ref in acting:
        entity = resolver.entities.get(ref)
        if entity is not None and entity.type == "ORG" and entity.attributes.get("known") != "yes":
            resolver.move(entity, "FIRM", entity.key)
            moved = True
    return ([_followed(fact, resolver) for fact in facts], True) if moved else (facts, False)


def nlp_text(document: Document) -> str:
    """The text the NLP reads: the body, with what stands before it (a front matter) blanked out.

    Spaces replace the characters and line breaks stay, so offsets into it are offsets into the
    document's text.
    """
    start, end = document.body or (0, len(document.text))
    head, body = document.text[:start], document.text[start:end]
    if document.metadata.get("markup") == "markdown":
        body = _HEADING_MARK.sub(lambda mark: " " * len(mark.group()), _unwrapped(body))
    return re.sub(r"[^\r\n]", " ", head) + body


# A heading's marks («# », «## »): markup, not words; blanked, so that no name or quote starts with them.
_HEADING_MARK = re.compile(r"(?m)^[ \t]*#{1,6}(?=[ \t])")
# Lines that start a block of their own in Markdown: headings, list items, quotes, tables, code fences.
_BLOCK_LINE = re.compile(r"\s*(#|[-*+>|]\s|\d+[.)]\s|```)")


def _unwrapped(text: str) -> str:
    """Markdown's soft line breaks as spaces: a paragraph wrapped over lines reads as running text.

    Every line break elsewhere stays, as a sentence boundary; one character stands for one, so
    offsets do not move.
    """
    lines = text.split("\n")
    joined = []
    for line, following in zip(lines, lines[1:], strict=False):
        block = _BLOCK_LINE.match(line) or _BLOCK_LINE.match(following)
        soft = bool(line.strip() and following.strip()) and not block
        joined.append(line + (" " if soft else "\n"))
    return "".join(joined) + lines[-1]


def _followed(fact: Fact, resolver: Resolver) -> Fact:
    """A stated fact about the entities as resolved: merged or linked ones under their new identity."""
    subject = resolver.refer(fact.subject)
    obj = resolver.refer(fact.object) if isinstance(fact.object, tuple) else fact.object
    if (subject, obj) == (fact.subject, fact.object):
        return fact
    return replace(fact, subject=subject, object=obj)


def _unique(facts: list[Fact]) -> list[Fact]:
    seen: set[tuple] = set()
    kept = []
    for fact in facts:
        key = (fact.subject, fact.predicate, str(fact.object), fact.start)
        if key not in seen:
            seen.add(key)
            kept.append(fact)
    return kept


def _membership_by_words(sent: Span, in_sentence: list[tuple[Span, Entity]], strict: bool = False) -> list[Fact]:
    """Firms and a cluster or centre in a sentence with a word of joining (not of leaving or applying).

    `strict`, for a parsed sentence the tree read no membership from: a member noun must be said of the
    sentence's firm, and a plan is no membership yet."""
    lemmas = {t.lemma_.lower() for t in sent}
    firms = [e for _, e in in_sentence if e.type == "FIRM"]
    centres = [e for _, e in in_sentence if e.type in ("CENTRE", "CLUSTER")]
    # a member noun says so of the sentence's firm in the nominative or instrumental («стал участником»), not
    # in «с одним из участников кластера»; leaving, applying or planning is no membership yet
    joining = [t for t in sent if t.lemma_.lower() in MEMBERSHIP_WORDS and not (strict and _oblique_member_noun(t))]
    refused = LEAVING_WORDS | APPLICATION_NOUNS | (PLAN_WORDS | DENIAL_WORDS if strict else set())
    denied = strict and any(t.i > sent.start and sent.doc[t.i - 1].lower_ == "не" for t in joining)  # «не вошла»
    if not (firms and centres and joining) or lemmas & refused or denied:
        return []
    where = _sentence_span(sent)
    return [Fact(f.ref, "memberOf", centres[0].ref, *where, MEMBERSHIP_CONFIDENCE, "membership-words") for f in firms]


def _oblique_member_noun(token: Token) -> bool:
    if token.lemma_.lower() not in MEMBER_NOUNS:
        return False
    if token.i > 0 and token.doc[token.i - 1].lemma_.lower() in ROSTER_NOUNS:
        return False  # the list of members a firm is put on says it is one
    return not any(p.tag.case in ("nomn", "ablt") for p in parse(token.lower_) if p.tag.POS == "NOUN")


def _organisation_facts(sent: Span, in_sentence: list[tuple[Span, Entity]]) -> list[Fact]:
    lemmas = {t.lemma_.lower() for t in sent}
    firms = [e for _, e in in_sentence if e.type == "FIRM"]
    zones = [(s, e) for s, e in in_sentence if e.type == "ZONE"]
    centres = [e for _, e in in_sentence if e.type in ("CENTRE", "CLUSTER")]
    where = _sentence_span(sent)
    facts: list[Fact] = []
    parsed = sentence_is_parsed(sent)  # membership and residency are then read from the tree
    if not parsed:
        facts += _membership_by_words(sent, in_sentence)
    for zone_span, zone in zones:
        # "резидент ОЭЗ «…»", "компании ОЭЗ Москвы": the word before the zone, past the word "ОЭЗ" itself
        i = zone_span.start - 1
        while i > sent.start and (_may_be(sent.doc[i], ZONE_WORDS) or sent.doc[i].text in '«„"'):
            i -= 1
        before = sent.doc[i] if i >= sent.start and i < zone_span.start else None
        if firms and before is not None and before.lemma_.lower() in RESIDENCY_WORDS and not parsed:
            facts += [Fact(f.ref, "residentOf", zone.ref, *where, RESIDENCY_CONFIDENCE, "firms-of-zone") for f in firms]
    if centres and zones and lemmas & LOCATION_WORDS:
        facts.append(Fact(centres[0].ref, "locatedIn", zones[0][1].ref, *where, LOCATION_CONFIDENCE, "created-in-zone"))
    # «завод «Генериум-Некст» в Алабушеве», «на площадке «Алабушево»»: the firms of the sentence are there;
    # an organisation of unknown kind with a plant at a site of the zone acts as a firm (promoted); one whose
    # kind a zone profile gives («Москвич», a partner) does not
    sites = [(s, e) for s, e in in_sentence if e.type == "SITE" and _says_where(s)]
    placed = [(s, e) for s, e in in_sentence if e.type == "FIRM"]
    placed += [(s, e) for s, e in in_sentence if e.type == "ORG" and not _kind_given(e)]
    pairs = {(firm.ref, site.ref) for firm_span, firm in placed for site in _sites_of(firm_span, placed, sites)}
    facts += [Fact(firm, "locatedIn", site, *where, SITE_CONFIDENCE, "at-site") for firm, site in sorted(pairs)]
    return facts


def _kind_given(entity: Entity) -> bool:
    """Whether a zone profile or the document itself said what an organisation is."""
    return "yes" in (entity.attributes.get("known"), entity.attributes.get("given"))


def _sites_of(firm: Span, firms: list[tuple[Span, Entity]], sites: list[tuple[Span, Entity]]) -> list[Entity]:
    """The sites a sentence puts a firm at. One site, or one firm: every site. Several of each: the sites of the
    firm's own clause (between commas or semicolons): «„A“ выпускает в Рудневе …, а „B“
    производит в Алабушеве …»; and within a clause, the sites between it and the next firm, else between the
    one before and it: «завод „A“ в Печатниках и компания „B“ в Алабушеве»."""
    if len(sites) < 2 or len({e.ref for _, e in firms}) < 2:
        return [e for _, e in sites]
    breaks = [t.i for t in firm.sent if t.text in (",", ";")]

    def clause(span: Span) -> int:
        return sum(1 for i in breaks if i < span.start)

    here = [(s, e) for s, e in sites if clause(s) == clause(firm)]
    if not here:
        return [e for _, e in sites]  # a list of firms before the sites («„A“, „B“ и „C“ в …»): unknown, all
    neighbours = sorted(s.start for s, _ in firms if clause(s) == clause(firm) and s.start != firm.start)
    after = min((i for i in neighbours if i > firm.start), default=firm.sent.end)
    before = max((i for i in neighbours if i < firm.start), default=firm.sent.start)
    following = [e for s, e in here if firm.end <= s.start < after]
    return following or [e for s, e in here if before <= s.start < firm.start] or [e for _, e in here]


def _says_where(span: Span) -> bool:
    """Whether a place's name stands where a sentence says where something is: after «в» or «на», or after
    a word for a site («площадка», «технопарк»), quotes aside."""
    i = span.start - 1
    while i >= span.sent.start and span.doc[i].text in '«„"':
        i -= 1
    if i < span.sent.start:
        return False
    before = span.doc[i]
    return before.lower_ in ("в", "во", "на") or before.lemma_.lower() in SITE_WORDS


def _may_be(token: Token, lemmas: set[str]) -> bool:
    """Whether a word may be one of `lemmas`: the lemmatizer leaves ambiguous words as written ("особой")."""
    return token.lemma_.lower() in lemmas or any(p.normal_form in lemmas for p in parse(token.lower_)[:4])


def _is_title_word(token: Token) -> bool:
    # the lemmatizer leaves an ambiguous form as written («главного»): the dictionary's forms too
    lemmas = {token.lemma_.lower(), *(p.normal_form for p in parse(token.lower_)[:3])}
    return bool(lemmas & (POST_HEADS | POST_ADJECTIVES)) or token.lower_ in TITLE_PREFIXES


def _post_phrase_before(sent: Span, person: Span) -> Span | None:
    """'Заместитель мэра Москвы по вопросам … Владимир Ефимов': the title that stands before the name."""
    tokens = list(sent.doc[sent.start : person.start])
    leftmost = None
    end = person.start
    for i in range(len(tokens) - 1, -1, -1):
        token = tokens[i]
        verb = _is_verb(token)
        if verb and _may_be(token, APPOINTING_VERBS) and leftmost is None:
            end = token.i  # «Директором по производству ООО «X» назначен Виктор …»
            continue
        if (token.is_punct and token.text not in '«»„“"-') or verb:
            break  # «Совет директоров АО «X» возглавил Николай …»: a verb between says the title is not his
        board = i > 0 and tokens[i - 1].lemma_.lower() == "совет"  # «совет директоров» is a board
        if token.lemma_.lower() in POST_HEADS and not board:
            leftmost = i
    if leftmost is None:
        return None
    while leftmost > 0 and (_is_title_word(tokens[leftmost - 1]) or tokens[leftmost - 1].text == "-"):
        leftmost -= 1
    if _former_or_sought(tokens[max(0, leftmost - 4) : leftmost]):
        return None
    return sent.doc[tokens[leftmost].i : end]


_VERB_TAGS = ("VERB", "INFN", "PRTS")


def _is_verb(token: Token) -> bool:
    """A finite verb or an infinitive: the tagger's word, or the dictionary's where the sentence was not
    tagged (a sentence with no trigger of a relation is not parsed)."""
    if token.pos_:
        return token.pos_ in ("VERB", "AUX")
    # a word the dictionary only guesses is a name more often than a verb («Кварцевит»)
    return token.is_lower and morph().word_is_known(token.text) and parse(token.text)[0].tag.POS in _VERB_TAGS


def _former_or_sought(before: list[Token]) -> bool:
    """The words before a title make it a past one or one only sought: «Бывший директор …», «экс-глава»,
    «Кандидатом на пост директора …»."""
    if before and (before[-1].lemma_.lower() in FORMER_WORDS or before[-1].lower_.startswith("экс")):
        return True
    words = [t.lemma_.lower() for t in before]
    return any(w in CANDIDACY_WORDS for w in words) and any(w in ("пост", "должность") for w in words)


def _post_phrase_after(sent: Span, person: Span) -> Span | None:
    """'Владимир Ефимов, заместитель мэра Москвы, …', 'Ольга Петрова (коммерческий директор «X»)': the
    title in apposition after the name."""
    doc = sent.doc
    if person.end + 1 >= sent.end or doc[person.end].text not in (",", "("):
        return None
    if not _is_title_word(doc[person.end + 1]):
        return None
    end = person.end + 1
    while end < sent.end and not (doc[end].is_punct and doc[end].text not in '«»„“"-'):
        end += 1
    return doc[person.end + 1 : end]


def _post_organisation(phrase: Span, in_sentence: list[tuple[Span, Entity]]) -> tuple[str, str, str] | None:
    """The organisation a post belongs to: one named in the title, or the city government of a mayor."""
    for span, entity in in_sentence:
        if entity.type in ("GOV", "ZONE", "CENTRE", "FIRM") and phrase.start <= span.start < phrase.end:
            return entity.type, entity.key, entity.name
    tokens = list(phrase)
    for i, token in enumerate(tokens[:-1]):
        if token.lemma_.lower() in MAYOR_WORDS:
            city = tokens[i + 1]
            if city.is_title:
                name = f"Правительство {city.text}"
                return "GOV", name_key(name), name
    return None


def _up_to_organisation(phrase: Span, in_sentence: list[tuple[Span, Entity]]) -> Span:
    """The title ends with its organisation's name: «председатель совета директоров ПАО «X» на годовом
    собрании …» → «… ПАО «X»» («в», «на» after the name open where or when; «по производству» is the title's)."""
    doc = phrase.doc
    for span, entity in in_sentence:
        if entity.type in ("GOV", "ZONE", "CENTRE", "FIRM") and phrase.start <= span.start < phrase.end:
            end = span.end
            while end < phrase.end and doc[end].text in '»“"':
                end += 1
            if end < phrase.end and doc[end].lower_ in ("в", "во", "на"):
                return doc[phrase.start : end]
    return phrase


def _title_nominative(phrase: Span) -> str:
    """«финансовому директору компании «X»» → «финансовый директор компании «X»»: the title's head and the
    words before it in the nominative, in the case the head is written in; what follows as written."""
    head = next((t for t in phrase if t.lemma_.lower() in POST_HEADS), None)
    if head is None:
        return phrase.text
    tagged = CASES.get((head.morph.get("Case") or [""])[0])  # the case in context: «директора» is a genitive here
    cases = [tagged] if tagged else [p.tag.case for p in parse(head.lower_) if p.tag.POS == "NOUN"]
    before = [t for t in phrase if t.i < head.i and t.is_alpha]
    if "nomn" in cases and before:  # «коммерческого директора»: the adjective says which case «директора» is
        adjective_cases = {p.tag.case for p in parse(before[-1].lower_) if p.tag.POS in ("ADJF", "PRTF")}
        cases = [c for c in cases if c in adjective_cases] or cases
    if not cases or "nomn" in cases:
        return phrase.text
    gender = GENDERS.get((head.morph.get("Gender") or [""])[0]) or next(
        (p.tag.gender for p in parse(head.lower_) if p.tag.POS == "NOUN" and p.tag.gender), None
    )
    words = [
        inflect_to_nominative(t.text, cases[0], False, gender) + t.whitespace_
        if t.i <= head.i and t.is_alpha
        else t.text_with_ws
        for t in phrase
    ]
    return "".join(words).strip()


def _post_entity(person: Entity, organisation: tuple[str, str, str] | None, resolver: Resolver, phrase: Span) -> Entity:
    """The post a title phrase names, its title in the nominative."""
    title = clean(_title_nominative(phrase))
    title = title[:1].lower() + title[1:]
    first, _, rest = title.partition(" ")
    if first in POST_ABBREVIATIONS:  # «гендиректор компании» → «генеральный директор компании»
        title = f"{POST_ABBREVIATIONS[first]} {rest}".strip()
    org_key = organisation[1] if organisation else name_key(title)
    entity = resolver.add("POST", f"{person.key} @ {org_key}", title, phrase)
    if organisation is not None and organisation[:2] not in resolver.entities:
        resolver.add(organisation[0], organisation[1], organisation[2], phrase)
    return entity


def _holds(
    person: Entity, post: Entity, organisation: tuple[str, str, str] | None, where: tuple[int, int], rule: str
) -> list[Fact]:
    facts = [Fact(person.ref, "holds", post.ref, *where, POST_CONFIDENCE, rule)]
    if organisation is not None:
        facts.append(Fact(post.ref, "postIn", organisation[:2], *where, POST_CONFIDENCE, rule))
    return facts


def _post_facts(sent: Span, in_sentence: list[tuple[Span, Entity]], resolver: Resolver) -> list[Fact]:
    facts: list[Fact] = []
    for span, person in in_sentence:
        if person.type != "PER":
            continue
        phrase = _post_phrase_before(sent, span) or _post_phrase_after(sent, span)
        if phrase is None or len(phrase) == 0:
            continue
        organisation = _post_organisation(phrase, in_sentence)
        post = _post_entity(person, organisation, resolver, _up_to_organisation(phrase, in_sentence))
        facts += _holds(person, post, organisation, _sentence_span(sent), "title-and-name")
    return facts


def _speaker_post(document: Document, doc: Doc, resolved: list[tuple[Span, Entity]], resolver: Resolver) -> list[Fact]:
    """A statement's byline: 'Фамилия Имя Отчество. должность'."""
    line = document.metadata.get("speaker_line")
    if not line:
        return []
    start, end = line  # type: ignore[misc]
    people = [(s, e) for s, e in resolved if e.type == "PER" and start <= s.start_char < end]
    if not people:
        return []
    span, person = people[0]
    rest = re.match(r"[\s.,:—-]*", document.text[span.end_char : end])
    title_start = span.end_char + (rest.end() if rest else 0)
    phrase = doc.char_span(title_start, end, alignment_mode="expand")
    if phrase is None or len(phrase) == 0 or not _is_title_word(phrase[0]):
        return []
    in_line = [(s, e) for s, e in resolved if start <= s.start_char < end]
    organisation = _post_organisation(phrase, in_line)
    post = _post_entity(person, organisation, resolver, phrase)
    return _holds(person, post, organisation, (start, end), "statement-byline")


_NUMBER = re.compile(r"^\d[\d\s]*$")


def _quantities(doc: Doc, resolved: list[tuple[Span, Entity]]) -> list[Fact]:
    """'более чем 200 высокотехнологичных компаний': a dated count, on the zone or centre it is about."""
    facts: list[Fact] = []
    sentences = list(doc.sents)
    for index, sent in enumerate(sentences):
        if sentence_is_parsed(sent):
            continue  # read from the tree
        tokens = list(sent)
        lemmas = {t.lemma_.lower() for t in tokens}
        for i, token in enumerate(tokens):
            if not _NUMBER.match(token.text):
                continue
            noun = next((t for t in tokens[i + 1 : i + 4] if t.lemma_.lower() in COMPANY_NOUNS), None)
            if noun is None or counts_newcomers(token, noun):
                continue
            comparator = "eq"
            for previous in reversed(tokens[max(0, i - 2) : i]):
                if previous.lower_ in SURFACE_COMPARATORS:
                    comparator = SURFACE_COMPARATORS[previous.lower_]
            # the zone or centre the count is about: the nearest one named before it, here or a sentence back
            scope_start = sentences[index - 1].start if index else sent.start
            candidates = [
                (s, e)
                for s, e in resolved
                if e.type in ("ZONE", "CENTRE", "CLUSTER") and scope_start <= s.start < token.i
            ]
            if not candidates:
                continue
            _, owner = max(candidates, key=lambda pair: pair[0].start)
            if owner.type == "ZONE" and lemmas & JOINING_WORDS:
                continue  # "в кластер вошли 20 компаний ОЭЗ": they joined a part of the zone, not the zone
            predicate = "residentCount" if owner.type == "ZONE" else "memberCount"
            value = {
                "value": int(token.text.replace(" ", "")),
                "comparator": comparator,
                "unit": doc[noun.i - (noun.i - token.i - 1) : noun.i + 1].text,
                "unit_lemma": noun.lemma_.lower(),
            }
            facts.append(
                Fact(owner.ref, predicate, value, *_sentence_span(sent), COUNT_CONFIDENCE, "number-of-companies")
            )
    return facts
