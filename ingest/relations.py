"""Relations about what firms make and know: products, competences, substitutes, production capacity.

Each rule reads trigger lemmas and the noun phrase that follows them; the firm is the one named
before the trigger in the sentence, or the firm the sentence goes on about ("Компания выпускает …").
No name of a particular firm or product is written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span, Token

from ingest.language_data import (
    CAPACITY_COMPARATORS,
    CAPACITY_PERIODS,
    CONTINUATION_WORDS,
    FIELD_NOUNS,
    FIELD_WORDS,
    MAKER_NOUNS,
    MAKING_WORDS,
    MONTHS,
    SPECIALISE_WORDS,
    SUBSTITUTE_WORDS,
)
from ingest.model import Entity, Fact
from ingest.morph import morph, parse
from ingest.names import name_key
from ingest.pipeline import nominative
from ingest.syntax import sentence_is_parsed
from ingest.tree_organisations import OrganisationReader
from ingest.tree_relations import PREDICATE_OF, TreeReader, tree_nominative

if TYPE_CHECKING:
    from ingest.extract import Resolver

# Confidences of the surface rules' facts, set by hand: a word of making (or a maker's noun) after the firm
# shows more than one of developing or supplying, whose objects are more often services or plans.
CONFIDENCE_OF = {"produces": 0.8, "develops": 0.75, "supplies": 0.7}
COMPETENCE_CONFIDENCE = 0.7  # the phrase after «специализируется на», «компетенции в области»: often too broad
SUBSTITUTE_CONFIDENCE = 0.7  # the product named last before «заменит», «аналог», «вместо»: it may be another's
CAPACITY_CONFIDENCE = 0.75  # «N <units> в год»: the firm is the sentence's or the last one named before
_PHRASE_PREPOSITIONS = {"для"}
_DIGITS = re.compile(r"\d+")
_SKIPPED = {"ADVB", "PRCL"}
_MAX_PHRASE = 10


def _pos(token: Token) -> str | None:
    parses = parse(token.text.lower())
    return parses[0].tag.POS if parses else None


def noun_phrase(sent: Span, start: int, entity_at: dict[int, Entity]) -> Span | None:
    """The noun phrase from token `start` on: adjectives, nouns, Latin names and numbers, 'и' between them.

    It stops at punctuation, verbs, prepositions other than 'для', and at a firm or organisation.
    """
    doc = sent.doc
    i = start
    while i < sent.end and (_pos(doc[i]) in _SKIPPED or doc[i].lower_ in {"свой", "собственный"}):
        i += 1
    if i < sent.end and _DIGITS.fullmatch(doc[i].text):
        return None  # "выпуск 1000 машин в год": a count or a date, not a name
    first, end = i, i
    while end < sent.end and end - first < _MAX_PHRASE:
        token = doc[end]
        if _is_date_at(doc, end, sent.end):
            break
        owner = entity_at.get(end)
        if owner is not None and owner.type != "PRODUCT":
            break
        if token.is_punct and token.text not in '-«»„“"':
            break
        pos = _pos(token)
        latin_or_number = bool(re.fullmatch(r"[A-Za-z0-9][\w+.-]*", token.text))
        if token.lower_ == "и" or token.lower_ in _PHRASE_PREPOSITIONS:
            end += 1
            continue
        if not (latin_or_number or token.is_punct or pos in ("NOUN", "ADJF", "PRTF", "NUMR")):
            break
        end += 1
    while end > first and (doc[end - 1].lower_ in {"и", *_PHRASE_PREPOSITIONS} or doc[end - 1].text in "-«„"):
        end -= 1
    if end <= first:
        return None
    phrase = doc[first:end]
    has_head = any(_pos(t) == "NOUN" or re.fullmatch(r"[A-Za-z0-9][\w+.-]*", t.text) for t in phrase)
    return phrase if has_head else None


def _is_date_at(doc: Doc, i: int, end: int) -> bool:
    """Whether a date starts at token `i`: a month's name, or a number before a month or 'год'."""
    if doc[i].lemma_.lower() in MONTHS:
        return True
    following = doc[i + 1].lemma_.lower() if i + 1 < end else ""
    return bool(_DIGITS.fullmatch(doc[i].text)) and (following in MONTHS or following == "год")


def _phrase_name(phrase: Span | list[Token]) -> str:
    """A phrase as a name: in the nominative, a common first word in lower case (Оптические → оптические)."""
    tokens = [t for t in phrase if t.text not in '«»„“"']
    name = nominative(tokens)
    first = tokens[0]
    if first.is_title and morph().word_is_known(first.lower_) and _pos(first) in ("NOUN", "ADJF", "PRTF"):
        name = name[:1].lower() + name[1:]
    return name


class _Context:
    """The firms each sentence is about, so that rules can find the subject of a relation."""

    def __init__(self, sentences: list[Span], by_sentence: list[list[tuple[Span, Entity]]]) -> None:
        self.sentences = sentences
        self.by_sentence = by_sentence

    def firm_before(self, index: int, token_i: int) -> Entity | None:
        firms = [(s, e) for s, e in self.by_sentence[index] if e.type == "FIRM" and s.start < token_i]
        if firms:
            return max(firms, key=lambda pair: pair[0].start)[1]
        sent = self.sentences[index]
        if sent[0].lemma_.lower() in CONTINUATION_WORDS or sent[0].lower_ == "она":
            for back in self.before(index):
                earlier = [(s, e) for s, e in self.by_sentence[back] if e.type == "FIRM"]
                if earlier:
                    return max(earlier, key=lambda pair: pair[0].start)[1]
        return None

    def before(self, index: int, count: int = 3) -> list[int]:
        """The indexes of the `count` sentences before this one, nearest first; blank lines do not count."""
        found = []
        for back in range(index - 1, -1, -1):
            if len(found) == count:
                break
            if self.sentences[back].text.strip():
                found.append(back)
        return found

    def entity_at(self, index: int) -> dict[int, Entity]:
        return {i: e for s, e in self.by_sentence[index] for i in range(s.start, s.end)}

    def last_firm(self, index: int, token_i: int) -> Entity | None:
        """The firm named last before token `token_i`: in its sentence, or in the three before it."""
        return self.last_of(index, token_i, ("FIRM", "ORG"), prefer_first=True)

    def last_of(
        self,
        index: int,
        token_i: int,
        types: tuple[str, ...],
        prefer_first: bool = False,
        skip: Callable[[Token], bool] | None = None,
    ) -> Entity | None:
        """The entity of `types` named last before token `token_i`, here or in the three sentences before;
        `prefer_first`: in a sentence, one of the first type wins over the others (a firm before an
        organisation of unknown kind); `skip` leaves out a mention whose word it refuses."""
        for back in (index, *self.before(index)):
            named = [
                (s, e)
                for s, e in self.by_sentence[back]
                if e.type in types and s.end <= token_i and not (skip and skip(s.root))
            ]
            if prefer_first:
                named = [(s, e) for s, e in named if e.type == types[0]] or named
            if named:
                return max(named, key=lambda pair: pair[0].start)[1]
        return None


def _where(sent: Span) -> tuple[int, int]:
    return sent.start_char, sent.start_char + len(sent.text.rstrip())


def relation_facts(
    sentences: list[Span], by_sentence: list[list[tuple[Span, Entity]]], resolver: Resolver
) -> list[Fact]:
    """Products and their makers, competences, substitutes and capacities read from each sentence."""
    context = _Context(sentences, by_sentence)
    facts: list[Fact] = []
    products_before: list[tuple[int, Entity]] = []
    for index, sent in enumerate(sentences):
        entity_at = context.entity_at(index)
        # (token, product) of this sentence; a substitute's subject is a product named before its trigger
        products: list[tuple[int, Entity]] = [(s.start, e) for s, e in by_sentence[index] if e.type == "PRODUCT"]
        earlier_products, products_before = products_before, products
        parsed = sentence_is_parsed(sent)
        if parsed:  # making, supplying and replacing are read from the tree; the rest below as before
            facts += _tree_facts(sent, index, context, entity_at, resolver)
        for token in sent:
            lemma = token.lemma_.lower()
            kind = None if parsed else MAKING_WORDS.get(lemma) or MAKER_NOUNS.get(lemma)
            if kind:
                firm = context.firm_before(index, token.i)
                phrase = noun_phrase(sent, token.i + 1, entity_at)
                if firm is None or phrase is None:
                    continue
                product = _product(phrase, entity_at, resolver)
                products.append((phrase.start, product))
                rule = kind if lemma not in MAKER_NOUNS else f"{kind}-maker-noun"
                facts.append(Fact(product.ref, PREDICATE_OF[kind], firm.ref, *_where(sent), CONFIDENCE_OF[kind], rule))
            elif (lemma in SPECIALISE_WORDS and not parsed) or (lemma in FIELD_WORDS and _field_follows(sent, token)):
                firm = context.firm_before(index, token.i)
                skip = 2 if lemma in SPECIALISE_WORDS else 3  # "на …" / "в области …"
                phrase = noun_phrase(sent, token.i + skip, entity_at)
                if firm is None or phrase is None or entity_at.get(token.i) is not None:
                    continue
                name = _phrase_name(phrase)
                competence = resolver.add("COMPETENCE", name_key(name), name, phrase)
                facts.append(
                    Fact(
                        firm.ref,
                        "hasCompetence",
                        competence.ref,
                        *_where(sent),
                        COMPETENCE_CONFIDENCE,
                        "competence-words",
                    )
                )
            elif lemma in SUBSTITUTE_WORDS and not parsed:
                before = [e for i, e in sorted(products, key=lambda p: p[0]) if i < token.i]
                facts += _substitutes(sent, token, before or [e for _, e in earlier_products], resolver)
        if not parsed:
            facts += _capacities(sent, context, index)
    return facts


def _tree_facts(
    sent: Span, index: int, context: _Context, entity_at: dict[int, Entity], resolver: Resolver
) -> list[Fact]:
    def make_product(tokens: list[Token], head: Token) -> Entity:
        name = tree_nominative(tokens, head)
        return resolver.add("PRODUCT", name_key(name), name, sent.doc[tokens[0].i : tokens[-1].i + 1])

    def last_product(token_i: int) -> Entity | None:
        """The product named last before token `token_i` in the document (read or found by a rule)."""
        before = sent.doc[token_i].idx
        named = [
            (max(m.start for m in e.mentions if m.start < before), e)
            for e in resolver.entities.values()
            if e.type == "PRODUCT" and any(m.start < before for m in e.mentions)
        ]
        return max(named, key=lambda pair: pair[0])[1] if named else None

    def make_competence(tokens: list[Token], head: Token) -> Entity:
        name = tree_nominative(tokens, head)
        return resolver.add("COMPETENCE", name_key(name), name, sent.doc[tokens[0].i : tokens[-1].i + 1])

    reader = TreeReader(
        sent,
        entity_at,
        lambda i: context.last_firm(index, i),
        last_product,
        make_product,
        _where(sent),
        make_competence,
    )
    organisations = OrganisationReader(reader, lambda i, types, skip=None: context.last_of(index, i, types, skip=skip))
    return reader.facts() + organisations.facts()


def _field_follows(sent: Span, token: Token) -> bool:
    doc = sent.doc
    return token.i + 2 < sent.end and doc[token.i + 1].lower_ == "в" and doc[token.i + 2].lemma_ in FIELD_NOUNS


def _product(phrase: Span, entity_at: dict[int, Entity], resolver: Resolver) -> Entity:
    """The product a phrase names: a product the rules found inside it, or the phrase itself."""
    for i in range(phrase.start, phrase.end):
        if i in entity_at and entity_at[i].type == "PRODUCT":
            return entity_at[i]
    name = _phrase_name(phrase)
    return resolver.add("PRODUCT", name_key(name), name, phrase)


def _substitutes(sent: Span, token: Token, products: list[Entity], resolver: Resolver) -> list[Fact]:
    """'… заменит импортные трансформаторы', 'аналог продукции Siemens', 'вместо импортного …'."""
    phrase = noun_phrase(sent, token.i + 1, {})
    subject = products[-1] if products else None  # the product of this sentence, or of the one before
    if phrase is None or subject is None:
        return []
    name = _phrase_name(phrase)
    replaced = resolver.add("PRODUCT", name_key(name), name, phrase)
    if replaced is subject:
        return []
    replaced.attributes["imported"] = "yes"
    return [Fact(subject.ref, "substitutes", replaced.ref, *_where(sent), SUBSTITUTE_CONFIDENCE, "substitute-words")]


def _capacities(sent: Span, context: _Context, index: int) -> list[Fact]:
    """'мощностью до 1000 автомобилей в год': a dated production capacity of the firm the sentence is about."""
    facts = []
    tokens = list(sent)
    for i, token in enumerate(tokens):
        if not token.like_num or not re.fullmatch(r"\d+", token.text):
            continue
        j, digits = i, token.text
        while j + 1 < len(tokens) and re.fullmatch(r"\d{3}", tokens[j + 1].text):  # "1 000"
            j += 1
            digits += tokens[j].text
        if j + 3 >= len(tokens) or tokens[j + 2].lower_ != "в" or tokens[j + 3].lemma_ not in CAPACITY_PERIODS:
            continue
        unit = tokens[j + 1]
        if _pos(unit) != "NOUN":
            continue
        previous = tokens[i - 1].lower_ if i else ""
        firm = context.firm_before(index, token.i)
        if firm is None:
            for back in context.before(index):
                earlier = [e for s, e in context.by_sentence[back] if e.type == "FIRM"]
                if earlier:
                    firm = earlier[-1]
                    break
        if firm is None:
            continue
        value = {
            "value": int(digits),
            "comparator": CAPACITY_COMPARATORS.get(previous, "eq"),
            "unit": sent.doc[unit.i : tokens[j + 3].i + 1].text,
            "unit_lemma": unit.lemma_.lower(),
        }
        facts.append(
            Fact(firm.ref, "productionCapacity", value, *_where(sent), CAPACITY_CONFIDENCE, "capacity-per-period")
        )
    return facts
