"""Relations read from the dependency tree of a parsed sentence: who makes, develops or supplies what,
and what a product replaces.

Each rule starts at a trigger word (ingest.language_data) and walks the UD tree:
- the doer: the subject (nsubj), the agent of a participle or passive (obl:agent, an instrumental
  obl), a holder under the subject («специалисты «X»», «завод компании «X»»), the subject of a copula
  («X является производителем …», «разработчиком выступила X», «X — поставщик …»), an apposition;
  through light verbs and carriers («наладила производство …», «запустила линию по выпуску …») and
  plans («планирует выпускать …», marked as a plan); a stand-in subject («она», «компания») is the
  firm named last before it;
- the product: the object's whole noun phrase (adjectives, «для …», a Latin name), each member of a
  list apart, a container noun («партия датчиков») stepped over.
A denied act («не выпускает», «отказалась от производства») states nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from spacy.tokens import Span, Token

from ingest.language_data import (
    ACT_NOUNS,
    ACT_VERBS,
    ACTIVITY_NOUNS,
    ACTIVITY_VERBS,
    CARRIER_NOUNS,
    CONTAINER_NOUNS,
    COPULA_VERBS,
    COUNT_NOUNS,
    DENIAL_WORDS,
    DOER_NOUNS,
    EVENT_NOUNS,
    FACILITY_MODIFIERS,
    FACILITY_NOUNS,
    FIRM_TRIGGERS,
    HOLDER_NOUNS,
    IMPORTED_WORDS,
    INCLUDING_VERBS,
    LAUNCH_VERBS,
    LAUNCHED_INTO,
    LIGHT_VERBS,
    MULTIPLIERS,
    NAMING_VERBS,
    NOT_ACTIVITIES,
    NOT_PRODUCT_HEADS,
    PLAN_WORDS,
    POST_HEADS,
    PRESENTING_VERBS,
    PRODUCT_OF_NOUNS,
    REPLACING_NOUNS,
    SPEECH_VERBS,
    STAND_IN_SUBJECTS,
    STARTING_VERBS,
    SUBSTITUTE_NOUNS,
    SUBSTITUTE_PREPOSITIONS,
    SUBSTITUTE_VERBS,
    SWITCH_VERBS,
    UNIT_WORDS,
)
from ingest.model import Entity, Fact
from ingest.morph import lookup_lemma, parse
from ingest.names import ORGANISATIONAL_FORMS

# The doer's confidence by how it was found: named right there, under a holder, or a stand-in.
CONFIDENCE = {"named": 0.85, "holder": 0.8, "stand-in": 0.7}
ACTIVITY_CONFIDENCE = 0.7  # a line of business is broader than a product: «занимается медицинской техникой»
PLAN_CONFIDENCE = 0.5
SUBSTITUTE_CONFIDENCE = 0.75  # both products read from the tree around «заменить», «аналог», «вместо»
PREDICATE_OF = {"produces": "manufacturer", "develops": "manufacturer", "supplies": "supplier"}
DOER_TYPES = ("FIRM", "ORG")
NOT_PRODUCT_TYPES = {"FIRM", "ORG", "ZONE", "CENTRE", "CLUSTER", "GOV", "PER", "LOC", "POST"}
# In a product's slot a name the NER took for an organisation (not known as a firm) is the product's
# («выпускает IGBT-модули»), as a brand is on the replaced side of a substitution.
NOT_IN_PRODUCT_SLOT = NOT_PRODUCT_TYPES - {"ORG"}
# Words that stand for the product named before («устройство является аналогом …»).
PRODUCT_STAND_INS = {"устройство", "изделие", "прибор", "новинка", "продукт", "аппарат", "разработка", "решение"}
# Relations that make up a product's noun phrase.
PHRASE_DEPS = {"amod", "compound", "flat", "flat:foreign", "flat:name", "goeswith", "appos", "nmod", "case"}
# Where under a noun the firm it stands for may be named, nearest first.
_FIRM_PATHS = {"appos": 0, "flat": 1, "goeswith": 1, "nmod": 2, "nsubj": 3, "obl": 4, "conj": 5, "amod": 6}
# Cases of the UD morphology as pymorphy3 names them.
GENDERS = {"Masc": "masc", "Fem": "femn", "Neut": "neut"}
LATIN_NAME_DEPS = ("flat", "flat:foreign", "flat:name")
GENERIC_ADJECTIVES = {"новый", "другой", "такой", "аналогичный", "исправный", "запасной", "свежий", "очередной"}
CASES = {"Nom": "nomn", "Gen": "gent", "Dat": "datv", "Acc": "accs", "Ins": "ablt", "Loc": "loct"}


def lemma(token: Token) -> str:
    return token.lemma_.lower()


def lemmas_of(token: Token) -> set[str]:
    """The token's lemma and its likely dictionary forms (the lemmatizer leaves ambiguous words as written)."""
    return {lemma(token), *(p.normal_form for p in parse(token.lower_)[:3])}


def _kind(token: Token, table: dict[str, str]) -> str | None:
    """The act a word names, its reflexive passive included («выпускаются» → выпускать)."""
    for form in (lemma(token), *(p.normal_form for p in parse(token.lower_)[:2])):
        for base in (form, form.removesuffix("ся")):
            if base in table:
                return table[base]
    return None


def up_from(token: Token, steps: int) -> Iterator[Token]:
    """The token and the heads above it, `steps` words at most, up to the root."""
    current = token
    for _ in range(steps):
        yield current
        if current.head.i == current.i:
            return
        current = current.head


def children(token: Token, *deps: str) -> list[Token]:
    return [child for child in token.children if child.dep_ in deps or child.dep_.split(":")[0] in deps]


def denied(token: Token) -> bool:
    """«не выпускает», «отказалась от …»: the word is denied, or governed by a verb of denial."""
    return any(lemma(c) in DENIAL_WORDS and c.dep_ in ("advmod", "dep", "discourse") for c in token.children)


def denied_above(token: Token, levels: int = 3) -> bool:
    """A denial on the word or on what governs it («проект по выпуску … свернули»)."""
    for _ in range(levels + 1):
        if denied(token) or (lemmas_of(token) & DENIAL_WORDS and token.pos_ == "VERB"):
            return True
        if token.head.i == token.i:
            return False
        token = token.head
    return False


class TreeReader:
    """The relations of one parsed sentence; `entity_at` maps token indexes to the entities found there,
    `last_firm(i)` gives the firm named last before token `i` (in this sentence or earlier ones)."""

    def __init__(
        self,
        sent: Span,
        entity_at: dict[int, Entity],
        last_firm: Callable[[int], Entity | None],
        last_product: Callable[[int], Entity | None],
        make_product: Callable[[list[Token], Token], Entity],
        where: tuple[int, int],
        make_competence: Callable[[list[Token], Token], Entity] | None = None,
    ) -> None:
        self.sent = sent
        self.entity_at = entity_at
        self.last_firm = last_firm
        self.last_product = last_product
        self.make_product = make_product
        self.make_competence = make_competence
        self.where = where

    # ------------------------------------------------------------ the doer

    def firm_under(self, token: Token, depth: int = 3) -> Entity | None:
        """The firm named at `token` or close under it (an apposition, a genitive, a name)."""
        found = self.entity_at.get(token.i)
        if found is not None and found.type in DOER_TYPES:
            return found
        if depth == 0:
            return None
        ordered = sorted(token.children, key=lambda c: _FIRM_PATHS.get(c.dep_.split(":")[0], 9))
        for child in ordered:
            if child.dep_.split(":")[0] not in _FIRM_PATHS:
                continue
            if child.dep_ == "conj" and token.dep_ not in ("nsubj", "nsubj:pass"):
                continue
            firm = self.firm_under(child, depth - 1)
            if firm is not None:
                return firm
        return None

    def doer_of_noun(self, token: Token) -> tuple[Entity, str] | None:
        """The firm a subject or agent noun stands for, and how it was found."""
        if lemmas_of(token) & HOLDER_NOUNS:  # «конструкторское бюро АО «X»»: the firm under the holder
            itself = self.entity_at.get(token.i)  # «Конструкторское бюро» the NER took for a name
            under = (self.firm_under(c) for c in token.children if c.dep_ not in ("amod", "det"))
            firm = next((f for f in under if f is not None and f is not itself), None)
            if firm is not None and firm.type in DOER_TYPES:
                return firm, "holder"
            if any(lemma(c) in ("его", "её", "ее", "их", "свой") for c in token.children):  # «его конструкторы»
                firm = self.last_firm(token.i)
                if firm is not None:
                    return firm, "stand-in"
        firm = self.firm_under(token)
        if firm is not None:
            return firm, "named" if lemma(token) not in HOLDER_NOUNS else "holder"
        ours = lemma(token) == "мы" or (
            lemmas_of(token) & STAND_IN_SUBJECTS and any(lemma(c) == "наш" for c in children(token, "det", "amod"))
        )
        if ours:  # «“Мы выпускаем …”, — сообщил директор ООО «X»», «“Наша компания …”, — …»
            firm = self._speakers_firm(token)
            if firm is not None:
                return firm, "stand-in"
        if lemmas_of(token) & STAND_IN_SUBJECTS:
            firm = self.last_firm(token.i)
            if firm is not None:
                return firm, "stand-in"
        if token.pos_ == "NOUN":  # «разработка центра» after «Зеленоградский … центр»: a word of its name
            firm = self.last_firm(token.i)
            if firm is not None and lemma(token) in {lookup_lemma(w) for w in firm.name.lower().split()}:
                return firm, "stand-in"
        return None

    def _speakers_firm(self, word: Token) -> Entity | None:
        """The firm of whoever says the quote `word` stands in: the subject of a verb of speech above it
        («Как рассказал директор «X», мы …») or beside its clause («“Мы …”, — сообщил директор «X»»)."""
        above = list(word.ancestors)
        beside = [c for a in above for c in children(a, "parataxis", "ccomp")]
        for verb in above + beside:
            if not (lemmas_of(verb) & SPEECH_VERBS) or verb.pos_ not in ("VERB", "AUX"):
                continue
            for speaker in children(verb, "nsubj"):
                found = (self.firm_under(t, 0) for t in speaker.subtree)
                firm = next((f for f in found if f is not None), None)
                if firm is not None:
                    return firm
        return None

    def doer_of_verb(self, verb: Token) -> tuple[Entity, str, bool] | None:
        """(firm, how, plan): climbing from the act through light verbs, plans and conjoined verbs.

        A plan: a verb of intention above the act, or a verb in the future tense («начнёт выпускать»)."""
        plan = False
        current = verb
        for _ in range(5):
            if denied(current):
                return None
            if current.dep_ == "nmod" and "по" in {lemma(c) for c in children(current, "case")}:
                firm = self.firm_under(current.head)  # «компании «X» по производству плат»: a firm named there
                if firm is not None:
                    return (firm, "named", plan)
            if current.i != verb.i and lemmas_of(current) & CARRIER_NOUNS:
                # «комплекс компании «X» по производству плат»: the carrier's owner does it
                for owner in children(current, "nmod"):
                    found = self.doer_of_noun(owner) if owner.morph.get("Case") == ["Gen"] else None
                    if found and not children(owner, "case"):
                        return (*found, plan)
            # «начнёт выпускать», and «будет выпускать»: «быть» in a finite form under an infinitive is the
            # future, whatever tense the tagger gives it
            future_aux = any(
                lemma(a) == "быть" and a.morph.get("Tense") != ["Past"] and current.morph.get("VerbForm") == ["Inf"]
                for a in children(current, "aux")
            )
            plan = plan or future_aux or current.morph.get("Tense") == ["Fut"]
            for agent in children(current, "obl:agent"):
                found = self.doer_of_noun(agent)
                if found:
                    return (*found, plan)
            subjects = children(current, "nsubj")
            # of two subjects the parser gave, the one in the nominative («Компании «X» … поставляет завод …»)
            subjects = [s for s in subjects if s.morph.get("Case") in (["Nom"], [])] or subjects
            for subject in subjects:
                if subject.dep_ == "nsubj:pass":
                    continue
                if lemma(subject) == "который" and current.dep_ == "acl:relcl":  # «компания «X», которая …»
                    subject = _antecedent(subject, current.head)
                found = self.doer_of_noun(subject)
                if found:
                    return (*found, plan)
                return None  # a subject that is no firm: someone else does it
            impersonal = not children(current, "nsubj") or current.morph.get("Voice") == ["Pass"]
            for agent in children(current, "obl", "iobj"):
                # «разработан инженерами «X»», «выпускается на заводе «X»», «на предприятии выпускают …»,
                # «позволило компании «X» локализовать …»
                # a dative under the act itself is its recipient («компании «X» поставляет завод …»)
                recipient = agent.morph.get("Case") == ["Dat"] and current.i == verb.i
                if (impersonal or lemma(current).endswith("ся") or agent.dep_ == "iobj") and not recipient:
                    if agent.morph.get("Case") in (["Ins"], ["Dat"]) or self._firms_premises(agent):
                        found = self.doer_of_noun(agent)
                        if found:
                            return (*found, plan)
            head = current.head
            if head.i == current.i:
                return None
            if current.dep_ == "acl:relcl" and not children(current, "nsubj"):  # «завод «X», где выпускают …»
                found = self.doer_of_noun(head)
                return (*found, plan) if found else None
            if current.dep_ in ("xcomp", "conj", "ccomp", "csubj") or (
                current.dep_ in ("obj", "obl", "nsubj") and lemmas_of(head) & (LIGHT_VERBS | CARRIER_NOUNS)
            ):
                if lemmas_of(head) & PLAN_WORDS:
                    plan = True
                elif current.dep_ != "conj" and not (lemmas_of(head) & (LIGHT_VERBS | CARRIER_NOUNS | COPULA_VERBS)):
                    return None
                current = head
                continue
            if current.dep_ == "nmod" and lemmas_of(head) & CARRIER_NOUNS:
                current = head
                continue
            return None
        return None

    def _firms_premises(self, place: Token) -> bool:
        """«на заводе «X»», «в компании «X»», «на мощностях «X»»: a firm's premises, where its own work is done."""
        if not {lemma(c) for c in children(place, "case")} & {"на", "в"}:
            return False
        return bool(lemmas_of(place) & (HOLDER_NOUNS | FIRM_TRIGGERS)) or self.firm_under(place, 0) is not None

    # ------------------------------------------------------------ the product

    def products(self, head: Token, brands: bool = False) -> list[Entity]:
        """The products a noun names: itself, each conjoined noun apart, past a container noun.

        `brands`: the noun may be an organisation's name (the product or brand a substitute replaces)."""
        found = []
        if lemma(head) == "который" and head.head.dep_ == "acl:relcl":  # «кабели, которые производит …»
            head = head.head.head
        for noun in [head, *self._conjoined(head)]:
            noun = self._past_container(noun)
            if noun is not None and _is_facility(noun):
                noun = _made_at(noun)
                noun = None if noun is None else self._past_container(noun)
            if noun is None or not _may_be_made(noun):
                continue
            if lemmas_of(noun) & SUBSTITUTE_NOUNS and not brands:  # «разработали аналог насосов X — насос КН-40»
                named = _named_after_dash(noun)
                if named:
                    noun = named[0]
            owner = self.entity_at.get(noun.i)
            if owner is not None and owner.type in NOT_IN_PRODUCT_SLOT:
                continue
            if owner is None and (
                (lemma(noun) in PRODUCT_STAND_INS and not children(noun, "amod", "nmod", "appos", *LATIN_NAME_DEPS))
                or (noun.pos_ == "PRON" and lemma(noun) in ("они", "их", "он", "она", "оно"))  # «их выпустили»
            ):
                earlier = self.last_product(noun.i)
                if earlier is not None:
                    found.append(earlier)
                continue
            if owner is not None and owner.type == "ORG":
                found.append(self.make_product(self._phrase(noun, brands), noun))
                continue
            if owner is not None and owner.type == "PRODUCT":
                found.append(owner)
                continue
            if (
                noun.pos_ not in ("NOUN", "PROPN", "X")
                and not noun.text[:1].isascii()
                and not _dictionary_noun(noun.lower_)
            ):
                continue
            phrase = self._phrase(noun, brands)
            named = next(
                (self.entity_at[t.i] for t in phrase if getattr(self.entity_at.get(t.i), "type", "") == "PRODUCT"), None
            )
            if (
                brands
                and named is not None
                and not any(t.i == noun.i for t in phrase if self.entity_at.get(t.i) is named)
            ):
                named = None  # «станкам DMG Mori»: the imported line is the machines of that brand, not the brand
            found.append(named or self.make_product(phrase, noun))  # a product the rules named inside it
            if brands and named is None:
                found += [self.make_product(other, noun) for other in _other_brands(noun, phrase)]
        return found

    def _conjoined(self, token: Token) -> Iterator[Token]:
        for child in token.children:
            if child.dep_ == "conj":
                yield child
                yield from self._conjoined(child)

    def _past_container(self, noun: Token) -> Token | None:
        counted_before = False
        for _ in range(3):  # «более 670 тыс. упаковок лекарств»: past each counting word to what it counts
            words = {lemma(noun).rstrip("."), noun.lower_.rstrip(".")}
            # «упаковка», «единица» count only after a number («34 единицы»); «тыс.», «млн» always do
            multiplier = bool(words & set(MULTIPLIERS))
            counts = multiplier or counted_before or _counted(noun)
            if not (words & (COUNT_NOUNS | set(MULTIPLIERS)) and counts):
                break
            counted_before = True
            counted = [c for c in children(noun, "nmod") if c.morph.get("Case") == ["Gen"] and not children(c, "case")]
            if not counted:  # «12 млн флаконов для инъекций»: a vessel counted is the product; a bare unit is none
                return None if words & (UNIT_WORDS | set(MULTIPLIERS)) else noun
            noun = counted[0]
        if lemma(noun) in CONTAINER_NOUNS:
            # «продукцию Bosch Rexroth»: the parser may take the brand for an apposition
            inner = [c for c in children(noun, "nmod") if c.morph.get("Case") == ["Gen"] or c.text[:1].isascii()]
            inner += [c for c in children(noun, "appos") if c.text[:1].isascii() and c.text[:1].isalpha()]
            # «партию компании «Бета»»: its buyer; «продукцию Schneider Electric» is the brand's line
            inner = [c for c in inner if c.text[:1].isascii() or self.firm_under(c, 1) is None]
            if inner:
                return inner[0]
            return noun if lemma(noun) not in ("партия", "линейка", "серия", "продукция") else None
        return noun

    def _phrase(self, head: Token, brands: bool = False) -> list[Token]:
        """The noun phrase of `head`: its modifiers and complements, not its conjuncts or clauses."""
        kept = {head.i}
        stack = [head]
        allowed = NOT_PRODUCT_TYPES - ({"ORG", "FIRM"} if brands else set())  # «центров DMG Mori»
        while stack:
            token = stack.pop()
            for child in token.children:
                if child.i in kept or (
                    child.dep_ not in PHRASE_DEPS
                    and child.dep_.split(":")[0] not in PHRASE_DEPS
                    and not _descriptive_det(child)
                ):
                    continue
                entity = self.entity_at.get(child.i)
                # a name in quotes right after the noun is its model's («коммутатор «Магистраль-24» АО …»), even
                # where the NER or a quoted-name rule took it for an organisation
                model_name = (
                    child.dep_ == "appos"
                    and entity is not None
                    and entity.type in ("ORG", "FIRM")
                    and _quoted(child)
                    and child.i == token.i + 2
                )
                if entity is not None and entity.type in allowed and entity is not self.entity_at.get(head.i):
                    if not (model_name and token.i == head.i and not brands):  # «серверами «Стойка-2U»»
                        continue
                if lemmas_of(child) & (set(ACT_NOUNS) | HOLDER_NOUNS | STAND_IN_SUBJECTS) and child.dep_ == "nmod":
                    continue  # «станки производства компании …»: whose product, not part of its name
                if (
                    child.dep_ in ("nmod", "appos")
                    and not brands
                    and not (model_name and token.i == head.i)
                    and self.firm_under(child, 1) is not None
                ):
                    continue  # «горелки ООО «Пламя»»: the maker, not part of the name
                if child.dep_ == "amod" and child.pos_ == "VERB" and token.i == head.i:
                    continue  # «ушедшим с рынка системам …»: a participle's clause, not the name
                if child.lower_.rstrip(".") in MULTIPLIERS and not child.text[:1].isupper():
                    continue  # «600 тыс. глюкометров»: how many, not the name, however the parser hung it
                if child.dep_ == "case" and (token.i == head.i or token.dep_ == "amod"):
                    continue  # the phrase's own preposition, wherever the parser hung it
                if child.dep_ in ("appos", "parataxis") and lemmas_of(child) & (
                    SUBSTITUTE_NOUNS | ACTIVITY_NOUNS | PRODUCT_OF_NOUNS
                ):
                    continue  # «шаровые краны — аналог арматуры Emerson»: what it replaces, not its name
                if child.dep_ == "nmod" and lemmas_of(child) & SUBSTITUTE_NOUNS and _under(child, "на"):
                    continue  # «насосы на замену импортным»: what they are for, not their name
                if child.dep_.startswith("nmod") and not self._complement(child):
                    continue
                kept.add(child.i)
                stack.append(child)
            if not stack:
                stack = self._noun_of_last_adjective(head, kept)
                kept.update(t.i for t in stack)
        before = head.head
        if head.dep_ == "nsubj" and before.pos_ == "ADJ" and before.dep_ == "ROOT" and before.i == min(kept) - 1:
            kept.add(before.i)  # «Светодиодные модули — профиль …»: the adjective the parser took for the root
        first, last = min(kept), max(kept)
        doc = head.doc
        tokens = [doc[i] for i in range(first, last + 1)]
        # a gap (a comma, a clause) ends the phrase at the head's side
        while tokens and tokens[0].i not in kept:
            tokens.pop(0)
        while tokens and (tokens[-1].i not in kept or tokens[-1].is_punct):
            tokens.pop()
        kept_tokens = [t for t in tokens if t.i in kept or t.text in "-" or _in_unbroken_gap(t, kept)] or [head]
        if brands:  # «центров DMG Mori»: a Latin name right after the noun is its brand, however attached
            end = kept_tokens[-1].i + 1
            while end < len(doc) and doc[end].is_alpha and doc[end].text[:1].isascii() and doc[end].text[:1].isupper():
                kept_tokens.append(doc[end])
                end += 1
        return kept_tokens

    def _noun_of_last_adjective(self, head: Token, kept: set[int]) -> list[Token]:
        """«систему машинного | зрения для …»: a phrase ending in an adjective after its own head, whose noun
        right after it the parser hung elsewhere; that noun goes on the phrase."""
        doc = head.doc
        last = doc[max(kept)]
        if last.pos_ != "ADJ" or last.head.i >= last.i or last.i + 1 >= last.sent.end:
            return []
        noun = doc[last.i + 1]
        same = all(noun.morph.get(f) == last.morph.get(f) for f in ("Case", "Number"))
        if noun.pos_ != "NOUN" or not same or noun.i in kept or self.entity_at.get(noun.i) is not None:
            return []
        return [noun]

    def _complement(self, nmod: Token) -> bool:
        """A complement that belongs to a product's name: «для ветрогенераторов», a genitive, a Latin name."""
        case_words = {lemma(c) for c in children(nmod, "case")}
        if case_words == {"на"} and nmod.morph.get("Case") == ["Loc"]:
            return lemma(nmod) in ("основа", "база")  # «на основе нитрида галлия», not «на станциях» (a place)
        if case_words:
            return bool(case_words & {"для", "на", "с", "под"})
        return nmod.morph.get("Case") == ["Gen"] or nmod.text[:1].isascii()

    # ------------------------------------------------------------ the rules

    def facts(self) -> list[Fact]:
        found: list[Fact] = []
        for token in self.sent:
            if token.is_space or token.is_punct:
                continue
            act = _kind(token, ACT_VERBS) if token.pos_ in ("VERB", "AUX") else None
            if act is None and _launched_into(token) is not None:
                act = "produces"  # «запустил в производство 59 новых изделий»: the object is made
            if act:
                found += self._verb_facts(token, act)
                continue
            if token.pos_ == "NOUN" and lemma(token) in PRODUCT_OF_NOUNS:
                found += self._owned_product_facts(token)
            noun_act = _kind(token, ACT_NOUNS) if token.pos_ == "NOUN" else None
            if noun_act:
                found += self._act_noun_facts(token, noun_act)
                continue
            doer_act = _kind(token, DOER_NOUNS) if token.pos_ == "NOUN" else None
            if doer_act:
                found += self._doer_noun_facts(token, doer_act)
        return found + self.substitutions() + self.activities()

    def _fact(self, product: Entity, act: str, firm: Entity, how: str, plan: bool, rule: str) -> Fact:
        confidence = PLAN_CONFIDENCE if plan else CONFIDENCE[how]
        rule = f"tree-{rule}-{act}" + (":plan" if plan else "")
        return Fact(product.ref, PREDICATE_OF[act], firm.ref, *self.where, confidence, rule)

    def _verb_facts(self, verb: Token, act: str) -> list[Fact]:
        passive = verb.morph.get("Voice") == ["Pass"] or lemma(verb).endswith("ся")
        if passive and any(c.morph.get("VerbForm") == ["Inf"] for c in children(verb, "xcomp")):
            return []  # «собирается наладить производство …»: an intention («собираться»), not «собирать»
        if verb.dep_ == "acl" and verb.morph.get("Voice") == ["Act"] and not lemma(verb).endswith("ся"):
            # «ООО «X», производящее удобрения, …»: the participle's noun does it
            found = self.doer_of_noun(verb.head)
            objects = children(verb, "obj") or self._shared_objects(verb)
            if found is None or denied(verb) or not objects:
                return []
            firm, how = found
            plan = bool(lemmas_of(verb) & PLAN_WORDS)
            return [
                self._fact(p, act, firm, how, plan, "participle-active")
                for o in objects
                for p in self.products(o)
                if p is not firm
            ]
        if verb.dep_ == "acl":  # «разработанный «X» дальномер», «датчики, выпускаемые компанией «X»»
            objects, rule = [_participles_noun(verb)], "participle"
        elif passive:
            objects, rule = children(verb, "nsubj:pass") or children(verb, "nsubj"), "passive"
        else:
            objects, rule = children(verb, "obj") or self._shared_objects(verb) or _counted_objects(verb), "verb"
            objects += [o for o in _objects_of_joined_verb(verb) if o not in objects]
            into = _launched_into(verb)
            if not objects and into is not None:  # «запустило в серийное производство модули» (parsed under it)
                objects = [c for c in children(into, "nmod") if not children(c, "case")]
        if not objects:
            return []
        doer = self.doer_of_verb(verb)
        if doer is None and rule == "verb":
            doer, objects, rule = self._inverted(verb, objects)
        if doer is None:
            return []
        firm, how, plan = doer
        return [self._fact(p, act, firm, how, plan, rule) for o in objects for p in self.products(o) if p is not firm]

    def _shared_objects(self, verb: Token) -> list[Token]:
        """«выпускает и поставляет турбины»: conjoined verbs share the object the parser gave one of them."""
        for other in [*children(verb, "conj"), verb.head if verb.dep_ == "conj" else verb]:
            if other.i != verb.i and other.pos_ == "VERB":
                found = children(other, "obj")
                if found:
                    return found
        return []

    def _inverted(self, verb: Token, objects: list[Token]) -> tuple[tuple[Entity, str, bool] | None, list[Token], str]:
        """«Светильники для теплиц выпускает завод «X»»: the parser took the product for the subject and
        the firm for the object; an inanimate subject and a firm in the object slot swap them back."""
        subjects = children(verb, "nsubj")
        if len(subjects) != 1 or subjects[0].morph.get("Animacy") == ["Anim"] or denied(verb):
            return None, objects, "verb"
        for obj in objects:
            found = self.doer_of_noun(obj)
            if found is not None and found[1] != "stand-in" and self.firm_under(subjects[0]) is None:
                return (*found, False), subjects, "inverted"
        return None, objects, "verb"

    def _act_noun_facts(self, noun: Token, act: str) -> list[Fact]:
        if lemmas_of(noun.head) & POST_HEADS:
            return []  # «директор по производству»: a title, not an act
        objects = [c for c in children(noun, "nmod") if not children(c, "case") and c.morph.get("Case") == ["Gen"]]
        # whose act it is: not the maker another act names («поставка долот разработки НПП «X»»)
        # nor what it is for («выпуск подшипников на замену продукции Timken»)
        holders = [c for c in children(noun, "nmod") if not lemmas_of(c) & (set(ACT_NOUNS) | SUBSTITUTE_NOUNS)]
        holder = next((self.firm_under(c) for c in holders if self.firm_under(c)), None)
        objects = [o for o in objects if self.firm_under(o) is None and not (lemmas_of(o) & STAND_IN_SUBJECTS)]
        qualified = _qualified_by(noun) if not objects and holder is not None else None
        if qualified is not None and not denied_above(noun):
            # «станки с ЧПУ производства компании «X»»: the noun it qualifies is X's product
            return [self._fact(p, act, holder, "named", False, "made-by") for p in self.products(qualified)]
        if not objects and holder is None and noun.dep_ == "obj" and lemmas_of(noun.head) & PRESENTING_VERBS:
            # «представила собственную разработку — оптический рефлектометр «ОР-7»»: the firm's own
            named = [c for c in children(noun, "appos", "parataxis", "dep") if c.pos_ == "NOUN" and c.i > noun.i]
            objects = _named_after_dash(noun) or [c for c in named if self.firm_under(c, 0) is None]
            doer = self.doer_of_verb(noun.head) if objects and not denied_above(noun) else None
            if doer is None:
                return []
            firm, how, plan = doer
            return [self._fact(p, act, firm, how, plan, "presented") for o in objects for p in self.products(o)]
        own = any(lemma(a) == "собственный" for a in children(noun, "amod"))
        if not objects and holder is None and own and noun.dep_ == "nmod" and noun.head.pos_ == "NOUN":
            return self._own_product_facts(noun, act)
        if not objects:
            return []
        if denied_above(noun):
            return []
        if holder is not None:  # «производство компании «X» …»
            doer: tuple[Entity, str, bool] | None = (holder, "named", False)
        elif noun.dep_.startswith("nsubj") and noun.head.pos_ == "VERB" and lemmas_of(noun.head) & STARTING_VERBS:
            # «на мощностях «X» стартовало производство …»: the firm whose premises they are
            places = [self.doer_of_noun(o) for o in children(noun.head, "obl") if self._firms_premises(o)]
            found = next((f for f in places if f is not None), None)
            # «стартует», «начнётся»: what has not begun yet is a plan
            planned = noun.head.morph.get("Tense") != ["Past"] or bool(lemmas_of(noun.head.head) & PLAN_WORDS)
            doer = (*found, planned) if found is not None and not denied_above(noun.head, 1) else None
        elif noun.dep_.startswith("nsubj") and noun.head.pos_ == "VERB":  # «стартовал выпуск … на площадке «X»»
            doer = self.doer_of_verb(noun.head) if lemmas_of(noun.head) & LIGHT_VERBS else None
        else:
            doer = self.doer_of_verb(noun)
        if doer is None:
            return []
        firm, how, plan = doer
        return [self._fact(p, act, firm, how, plan, "act-noun") for o in objects for p in self.products(o)]

    def _own_product_facts(self, noun: Token, act: str) -> list[Fact]:
        """«предлагает тормозные колодки собственного производства», «… контроллеры собственной разработки»:
        the product is the doer's of the nearest verb above it with a subject, whatever that verb is."""
        product = noun.head
        verb = next((a for a in product.ancestors if a.pos_ == "VERB" and children(a, "nsubj")), None)
        doer = self.doer_of_verb(verb) if verb is not None and not denied_above(noun) else None
        if doer is None:
            return []
        firm, how, plan = doer
        return [self._fact(p, act, firm, how, plan, "own") for p in self.products(product) if p is not firm]

    def _doer_noun_facts(self, noun: Token, act: str) -> list[Fact]:
        objects = [c for c in children(noun, "nmod") if not children(c, "case") and c.morph.get("Case") == ["Gen"]]
        # not the firm itself («Производитель упаковки ООО «X»»: its legal form, the name under it)
        objects = [o for o in objects if self.firm_under(o, depth=0 if self.entity_at.get(o.i) else 1) is None]
        if not objects:
            return []
        doer: tuple[Entity, str] | None = None
        for subject in children(noun, "nsubj"):  # «X — производитель …»
            doer = self.doer_of_noun(subject)
        if doer is None and noun.dep_ in ("xcomp", "obl", "nsubj", "obj") and lemmas_of(noun.head) & COPULA_VERBS:
            for subject in children(noun.head, "nsubj"):  # «X является производителем …», «разработчиком выступила X»
                if subject.i != noun.i:
                    doer = self.doer_of_noun(subject)
        if doer is None and noun.dep_ in ("xcomp", "obl") and lemmas_of(noun.head) & NAMING_VERBS:
            for named in children(noun.head, "obj", "nsubj", "xcomp"):  # «X называют единственным производителем»
                doer = doer or (self.doer_of_noun(named) if named.i != noun.i else None)
        if doer is None and noun.dep_ == "appos":  # «X, крупнейший поставщик …»
            doer = self.doer_of_noun(noun.head)
        if doer is None and {lemma(c) for c in children(noun, "case", "mark")} & {
            "как"
        }:  # «известна как разработчик …»
            for subject in children(noun.head, "nsubj"):
                doer = self.doer_of_noun(subject)
        if doer is None:  # «Производитель упаковки ООО «X» стал …»: the firm the title names, after its product
            doer = self._titled_firm(noun, objects)
        if doer is None or denied(noun.head) or denied(noun):
            return []
        firm, how = doer
        return [self._fact(p, act, firm, how, False, "doer-noun") for o in objects for p in self.products(o)]

    def _titled_firm(self, noun: Token, objects: list[Token]) -> tuple[Entity, str] | None:
        """The firm a title such as «производитель упаковки» stands before: a bare genitive or apposition
        after the product, under the title or under the product, the parser hangs it either way."""
        last = max(o.i for o in objects)
        after = [c for holder in (noun, *objects) for c in children(holder, "nmod", "appos")]
        if noun.dep_ == "nsubj":  # «разработчик систем … компания «X» привлекла …»: taken for two subjects
            after += [s for s in children(noun.head, "nsubj") if s.i != noun.i]
        for child in after:
            if child.i > last and not children(child, "case") and child not in objects:
                firm = self.firm_under(child, 1)
                if firm is not None and firm.type in DOER_TYPES:
                    return firm, "named"
        return None

    def _owned_product_facts(self, noun: Token) -> list[Fact]:
        """A firm's products named after a dash: «в числе изделий ЗИТЦ — глюкометр», «ещё одна разработка
        центра — дефибриллятор», «дефибриллятор — разработка центра»."""
        # whose: a genitive, or a name the tagger left in the nominative («Ассортимент «Лакокраса»»)
        owner = self._owner(noun, lambda c: not children(c, "case"))
        if owner is None or denied_above(noun):
            return []
        named = children(noun, "appos", "parataxis")
        if noun.dep_ == "nsubj" and noun.head.pos_ in ("NOUN", "PROPN"):  # «Продукция компании «X» — посуда …»
            named.append(noun.head)
        elif noun.dep_ == "nsubj" and lemmas_of(noun.head) & INCLUDING_VERBS:  # «Ассортимент «X» включает эмали»
            named += children(noun.head, "obj")
        for holder in children(noun, "nmod"):  # «изделий компании «X» — кардиограф»: hung on the firm's noun
            named += [a for a in children(holder, "appos") if a.i > holder.i and _after_dash(a)]
        if not named and noun.dep_ in ("appos", "parataxis"):
            named = [noun.head]
        firm, how = owner
        act = "develops" if lemma(noun) == "разработка" else "produces"
        return [
            self._fact(p, act, firm, how, False, "owned-product")
            for n in named
            if self.firm_under(n, 0) is None
            for p in self.products(n)
        ]

    def _owner(self, noun: Token, whose: Callable[[Token], bool]) -> tuple[Entity, str] | None:
        """The firm a noun's first modifier accepted by `whose` stands for («изделий компании «X»»)."""
        owners = (self.doer_of_noun(c) for c in children(noun, "nmod") if whose(c))
        return next((o for o in owners if o is not None), None)

    def activities(self) -> list[Fact]:
        """A firm's line of business as its competence: «специализируется на ортопедических изделиях»,
        «а «Y» — на медицинском оборудовании» (the verb left out), «занимается медицинской техникой»,
        «противоопухолевые препараты — профиль компании «X»»."""
        if self.make_competence is None:
            return []
        found: list[tuple[Entity, str, Token]] = []
        for token in self.sent:
            governs = ACTIVITY_VERBS.get(lemma(token)) if token.pos_ == "VERB" else None
            if governs is not None and not _denied_up(token):
                doer = self.doer_of_verb(token)
                if doer is not None:
                    found += [(doer[0], doer[1], field) for field in _fields(children(token, "obl", "obj"), *governs)]
                for gapped in children(token, "conj"):  # «…, а «Акростак» — на медицинском оборудовании»
                    firm = self.firm_under(gapped, 0)
                    if firm is not None:
                        found += [(firm, "named", field) for field in _fields(children(gapped, "orphan"), *governs)]
            elif token.pos_ == "NOUN" and lemma(token) in ACTIVITY_NOUNS and not denied_above(token):
                owner = self._owner(token, lambda c: c.morph.get("Case") == ["Gen"])
                fields = children(token, "appos", "parataxis") or (
                    [token.head] if token.dep_ in ("appos", "parataxis") else children(token, "nsubj")
                )
                if owner is not None:
                    found += [(*owner, field) for field in fields if field.pos_ == "NOUN"]
        facts = []
        for firm, how, field in found:
            for noun in [field, *self._conjoined(field)]:
                if lemma(noun) in NOT_ACTIVITIES or self.entity_at.get(noun.i) is not None:
                    continue
                competence = self.make_competence(self._phrase(noun), noun)
                confidence = min(CONFIDENCE[how], ACTIVITY_CONFIDENCE)
                facts.append(Fact(firm.ref, "hasCompetence", competence.ref, *self.where, confidence, "tree-activity"))
        return facts

    def substitutions(self) -> list[Fact]:
        """«X стал аналогом приборов Leica», «X заменит …», «Y заменены на X», «перешли с Y на X», «на смену Y
        приходят X», «X вместо / взамен Y»: the product X replaces the other. A product of ours named with
        its firm («станция компании «X»») is that firm's product too."""
        found: list[Fact] = []
        for token in self.sent:
            pair = self._substitute_pair(token)
            if pair is None or _denied_up(token):
                continue
            product_token, replaced = pair
            owner = self.entity_at.get(product_token.i)
            doer = lemmas_of(product_token) & (STAND_IN_SUBJECTS | HOLDER_NOUNS) and not self._product_pronoun(
                product_token
            )
            if (_animate(product_token) and owner is None) or doer:
                continue  # «металлурги / сервисная компания «X» заменили …»: who replaces is not the new thing
            product_token = self._past_firm(product_token)
            owner = self.entity_at.get(product_token.i)
            ours = self.products(product_token) if owner is None or owner.type == "PRODUCT" else []
            maker = self._named_maker(product_token)
            if not ours or (_imported(product_token) and maker is None):
                continue  # «… установили контроллеры Siemens S7»: one import for another
            for other in replaced:
                if lemma(other) == lemma(product_token) and self._only_a_new_one(product_token, maker):
                    continue  # «изношенные подшипники SKF заменили на новые подшипники»: a repair, like for like
                for theirs in self.products(other, brands=True):
                    if theirs is not ours[0]:
                        theirs.attributes["imported"] = "yes"
                        found.append(
                            Fact(
                                ours[0].ref,
                                "substitutes",
                                theirs.ref,
                                *self.where,
                                SUBSTITUTE_CONFIDENCE,
                                "tree-substitute",
                            )
                        )
            if maker is not None and found:
                found += [self._fact(p, "produces", maker, "named", False, "substitute-maker") for p in ours]
        return found

    def _product_pronoun(self, token: Token) -> bool:
        """«… рефлектометр «ОР-7». Он призван заменить …»: a pronoun for the product, named after the last firm."""
        if token.pos_ != "PRON":
            return False
        before = token.idx

        def last_mention(entity: Entity | None) -> int:
            return max((m.start for m in entity.mentions if m.start < before), default=-1) if entity else -1

        named = self.last_product(token.i)
        product = last_mention(named)
        if product < 0 or product <= last_mention(self.last_firm(token.i)):
            return False
        return named is not None and _pronoun_agrees(token, named.name)

    def _substitute_pair(self, token: Token) -> tuple[Token, list[Token]] | None:
        """(the new product's token, the replaced ones' tokens) of a substitution word, or None."""
        lemmas = lemmas_of(token)
        if lemma(token) in ("смена", "замена") and _under(token, "на"):  # «на смену станкам Y приходят центры X»
            # a dative by its form, whatever the tagger said («на замену продукции SKF», «арматуре Danfoss»)
            replaced = [c for c in children(token, "nmod", "iobj") if _may_be_dative(c)]
            # the parser may hang the dative on the verb: «На замену муфтам Raychem выбрали муфты …»
            replaced = replaced or [c for c in token.sent if _dative_after(c, token)]
            made = [c for c in children(token.head, "nmod") if c.i < token.i and c.morph.get("Case") == ["Gen"]]
            if token.head.dep_ == "acl":  # «арматуры «К», предназначенной на замену оборудованию Cameron»
                arriving = [token.head.head]
            elif lemmas_of(token.head) & set(ACT_NOUNS) and made:  # «выпуск подшипников на замену продукции SKF»
                arriving = made[-1:]
            else:  # who chose or offers it («энергетики выбрали муфты …», «компания «X» предлагает …») does not arrive
                things = [
                    n
                    for n in children(token.head, "nsubj")
                    if n.morph.get("Animacy") != ["Anim"] and not self._names_a_firm(n)
                ]
                arriving = things or children(token.head, "obj")
            return (arriving[0], replaced[:1]) if arriving and replaced else None
        if lemmas & REPLACING_NOUNS and token.pos_ == "NOUN":  # «замещение серверов Dell серверами «X»»
            new = [c for c in children(token, "nmod", "obl") if _bare_instrumental(c)]
            if token.dep_ == "nsubj":  # the parser hung the instrumental on the verb: «Замещение … серверами …»
                new = new or [c for c in children(token.head, "obl") if _bare_instrumental(c) and c.i > token.i]
            old = [c for c in children(token, "nmod") if c.morph.get("Case") == ["Gen"] and not children(c, "case")]
            if new and old:
                return new[0], old[:1]
        if lemmas & SUBSTITUTE_NOUNS and token.pos_ in ("NOUN", "PROPN"):  # «Альтернативой …» tagged a name
            # the replaced thing is a bare genitive or dative («аналог материалов DuPont», «альтернатива
            # камерам»); under a preposition it is a respect or a place («по прочности», «в станках»)
            replaced = [
                c
                for c in children(token, "nmod", "iobj")
                if (c.morph.get("Case") in (["Gen"], ["Dat"]) or c.text[:1].isascii()) and not children(c, "case")
            ]
            product: Token | None = None
            opener = _opening_mark(token)
            named = _named_after_dash(token)
            if named:  # «разработали аналог насосов Cryostar — насос КН-40»: the analogue is named after it
                product = named[0]
            elif children(token, "nsubj"):
                product = children(token, "nsubj")[0]
            elif lemmas_of(token.head) & COPULA_VERBS and children(token.head, "nsubj"):
                product = children(token.head, "nsubj")[0]
            elif token.dep_ in ("appos", "parataxis"):  # «вентиляторы — замену агрегатам …»
                # the phrase right before the dash or parenthesis, whatever the parser hung it on («патронов
                # ТП-250 (отечественный аналог …)» under the firm's legal form)
                product = (_phrase_ending_at(token, opener.i - 1) if opener is not None else None) or token.head
            elif token.dep_ == "obj" or "как" in {lemma(c) for c in children(token, "case", "mark")}:
                # «вывело на рынок систему … — альтернативу камерам Cognex», «представило X как альтернативу …»
                others = [o for o in children(token.head, "obj") if o.i < token.i]
                if not others and token.head.pos_ == "NOUN" and token.head.i < token.i:
                    others = [token.head]  # «предлагает фильтры как альтернативу …», hung on the product
                product = others[-1] if others else None
            elif opener is not None:  # «патронов ТП-250 (отечественный аналог …)», ««Поток-У» — аналога …»
                product = _phrase_ending_at(token, opener.i - 1)
            return (product, replaced) if product is not None and replaced else None
        if lemmas & SUBSTITUTE_VERBS and token.pos_ == "VERB":
            into = [o for o in children(token, "obl") if _under(o, "на") and o.morph.get("Case") == ["Acc"]]
            # «Y заменены центрами X», «заместить красками X продукцию Y»: the instrumental is the new thing
            into = into or [o for o in children(token, "obl") if _bare_instrumental(o)]
            if into:  # «Y заменены на X», «заменили импортные горелки на горелки X»
                replaced = children(token, "nsubj:pass") or children(token, "obj") or children(token, "nsubj")
                replaced = replaced or _nominative_before(token)
                return (into[0], replaced[:1]) if replaced else None
            replaced = children(token, "obj")
            subjects = sorted(children(token, "nsubj"), key=lambda t: t.pos_ != "NOUN")  # a noun first
            if len(subjects) > 1 and not replaced:  # «Насосы Grundfos … заменила станция компании «X»»: two
                subjects, replaced = subjects[:1], subjects[1:2]  # nominatives, sorted out below
            if len(replaced) > 1 and not subjects:  # «Системы … замещают … массивы NetApp»: two objects
                subjects, replaced = (
                    [o for o in replaced if o.i < token.i][:1],
                    [o for o in replaced if o.i > token.i][:1],
                )
            product = subjects[0] if subjects else None
            if product is None and token.dep_ == "acl" and token.morph.get("Voice") != ["Pass"]:
                # «Моноблоки «X», заменившие на линиях оборудование Krones, …»: the noun it follows, which the
                # parser may not have chosen (it hung this one on a later firm)
                product = token.head if token.head.i < token.i else _noun_before(token)
                replaced = replaced or _object_before_comma(token)
            if product is None and token.dep_ == "xcomp":  # «должен заменить», «призваны заменить»
                if token.head.dep_ == "acl":  # «спектрометр, призванный заменить …»
                    product = _participles_noun(token.head)
                else:
                    governed = children(token.head, "nsubj") or [
                        o for o in children(token.head, "obj") if o.i != token.i
                    ]
                    product = governed[0] if governed else None
            if product is not None and replaced and self._theirs_first(product, replaced[0]):
                # «импортные анализаторы Abbott замещает оборудование …», «насосы Grundfos заменила станция
                # компании «X»»: the object is the new thing
                product, replaced = replaced[0], [product]
            return (product, replaced) if product is not None and replaced else None
        if lemmas & SWITCH_VERBS and token.pos_ == "VERB":  # «перешли с долот Y на долота X»
            away = [o for o in children(token, "obl") if _under(o, "с") and o.morph.get("Case") == ["Gen"]]
            onto = [o for o in children(token, "obl") if _under(o, "на") and o.morph.get("Case") == ["Acc"]]
            return (onto[0], away[:1]) if away and onto else None
        if lemma(token) in SUBSTITUTE_PREPOSITIONS:  # «вместо Y», «взамен Y»
            if token.dep_ == "case":
                replaced, verb = token.head, token.head.head
            else:  # «Взамен клапанов Danfoss … устанавливают …»: the parser hung the noun on the verb
                after = token.doc[token.i + 1] if token.i + 1 < token.sent.end else token
                replaced, verb = after, after.head if token.head.i == after.i else token.head
                if after.morph.get("Case") != ["Gen"]:  # (the tagger may call it a verb: «гидромоторов»)
                    return None
            objects = children(verb, "obj") or children(verb, "nsubj:pass") or children(verb, "nsubj")
            # «начало выпускать подложки вместо …»: an accusative the parser hung as a modifier
            objects = objects or [
                c for c in children(verb, "nmod") if c.morph.get("Case") == ["Acc"] and not children(c, "case")
            ]
            objects = [o for o in objects if o.i != replaced.i]
            return (objects[0], [replaced]) if objects else None
        return None

    def _names_a_firm(self, noun: Token) -> bool:
        """The noun is a firm's name or a firm's common noun («компания «X»»), not a product named with its
        maker («станки с ЧПУ ООО «X»»)."""
        found = self.entity_at.get(noun.i)
        return bool(lemmas_of(noun) & STAND_IN_SUBJECTS) or (found is not None and found.type in DOER_TYPES)

    def _theirs_first(self, subject: Token, obj: Token) -> bool:
        """The subject is the replaced thing: it is marked imported and the object is not, or the object
        is named with a firm of ours and the subject with a Latin brand only."""
        if _imported(subject) and not _imported(obj):
            return True
        return _imported(subject) and self._named_maker(obj) is not None and self._named_maker(subject) is None

    def _past_firm(self, token: Token) -> Token:
        """«Серводвигатель СД-750 ООО «Мехатроника» — аналог …»: the parser hung the analogue on the maker's
        legal form; the product is the noun that form qualifies."""
        for _ in range(3):
            if lemma(token) not in ORGANISATIONAL_FORMS or token.head.i == token.i:
                break
            token = token.head
        return token

    def _only_a_new_one(self, noun: Token, maker: Entity | None) -> bool:
        """«на новые подшипники»: nothing tells the new thing from the old but «новый», «другой»: no maker,
        no name of its own, no clause about it."""
        if maker is not None or children(noun, "acl", "acl:relcl", "appos", "nmod", *LATIN_NAME_DEPS):
            return False
        return all(lemmas_of(a) & GENERIC_ADJECTIVES for a in children(noun, "amod"))

    def _named_maker(self, product: Token) -> Entity | None:
        """The firm a product is named with: «станция компании «X»», «уровнемеры АО «X»», «ОС от ООО «X»»."""
        for nmod in children(product, "nmod", "appos"):  # «муфты ООО «X»» the parser may take for an apposition
            cases = {lemma(c) for c in children(nmod, "case")}
            if (nmod.morph.get("Case") == ["Gen"] and not cases) or cases == {"от"}:
                firm = self.firm_under(nmod)
                if firm is not None and firm.type in DOER_TYPES:
                    return firm
        return None


# What a name's parts hang on: quotes, an apposition («центры «Фрезер-5»»), a Latin or hyphenated name.
NAME_PART_DEPS = {"appos", "flat", "flat:foreign", "flat:name", "goeswith", "punct", "amod", "nummod"}


_PRONOUN_FORMS = {"он": ("masc", "sing"), "она": ("femn", "sing"), "оно": ("neut", "sing"), "они": (None, "plur")}


def _pronoun_agrees(pronoun: Token, name: str) -> bool:
    """«Он» for «рефлектометр …», «они» for «станки …»: the pronoun's gender and number are the name's noun's."""
    wanted = _PRONOUN_FORMS.get(lemma(pronoun))
    if wanted is None:
        return False
    for word in name.split():
        nouns = [p for p in parse(word.lower()) if p.tag.POS == "NOUN" and p.tag.case == "nomn"]
        if nouns:
            gender, number = wanted
            return any(p.tag.number == number and (gender is None or p.tag.gender == gender) for p in nouns)
    return False


def _objects_of_joined_verb(verb: Token) -> list[Token]:
    """«производит и поставляет панели …, а также полки …»: two verbs joined by «и» side by side share
    all their objects, however the parser shared them out."""
    doc = verb.doc
    for other in [*children(verb, "conj"), verb.head if verb.dep_ == "conj" else verb]:
        first = min(verb.i, other.i)
        if other.pos_ == "VERB" and abs(other.i - verb.i) == 2 and doc[first + 1].lower_ in ("и", "или"):
            return children(other, "obj")
    return []


def _latin_name(token: Token) -> bool:
    return token.text[:1].isascii() and token.text[:1].isupper()


def _other_brands(noun: Token, phrase: list[Token]) -> list[list[Token]]:
    """«оборудование ABB и Schneider Electric»: the noun's phrase with each further brand listed after its
    first one (the parser hangs them on the first brand)."""
    first = next((t for t in phrase if t.head.i == noun.i and t.i > noun.i and _latin_name(t)), None)
    if first is None:
        return []
    before = [t for t in phrase if t.i < first.i]
    others = []
    for brand in [c for c in first.children if c.dep_ == "conj" and _latin_name(c)]:
        others.append(before + [brand, *(c for c in brand.children if c.dep_ in LATIN_NAME_DEPS)])
    return others


def _qualified_by(noun: Token) -> Token | None:
    """The product a «производства / разработки компании «X»» stands after.

    The parser's head when it comes before with nothing between but words of a phrase (no verb, no comma):
    «батарей для электробусов производства …». Else the noun whose phrase ends right before, past the
    parts of its name: the parser often hangs such a genitive on a noun further back («в цехах …
    заменены центрами «Фрезер-5» производства АО «X»» under «цехах»). Never a noun of what is done with
    the product («поставка долот «Алмаз» разработки …» qualifies the bits)."""
    if noun.i == noun.sent.start:
        return None
    found = noun.head if _phrase_of(noun.head, noun) else _phrase_ending_at(noun, noun.i - 1)
    if found is None or lemmas_of(found) & EVENT_NOUNS:
        return None
    # up to the noun the phrase is named by: «датчики давления», «станки с ЧПУ» — not «давления», «ЧПУ»
    while found.dep_ == "nmod" and _phrase_of(found.head, found):
        found = found.head
    return found


def _phrase_of(head: Token, word: Token) -> bool:
    """`word` belongs to the noun phrase of `head`, a noun before it with only words of a phrase between
    (no verb, no comma), and `head` names no act done with the product («поставка долот»)."""
    # an adjective the parser hung a noun on is a noun the tagger misread («партия датчиков(ADJ) давления»)
    nominal = head.pos_ in ("NOUN", "PROPN") or (head.pos_ == "ADJ" and head.dep_ == "nmod")
    if not (head.i < word.i and nominal) or lemmas_of(head) & EVENT_NOUNS:
        return False
    between = word.doc[head.i + 1 : word.i]
    return not any(t.pos_ in ("VERB", "AUX") or (t.is_punct and t.text not in '«»„“"-') for t in between)


def _noun_before(word: Token) -> Token | None:
    """The noun whose phrase ends before `word` and the comma before it («Моноблоки «X», заменившие …»)."""
    comma = word.i - 1
    if comma <= word.sent.start or word.doc[comma].text != ",":
        return None
    return _phrase_ending_at(word, comma - 1)


def _phrase_ending_at(word: Token, last: int) -> Token | None:
    """The noun of the phrase whose last word is at index `last`, before `word`: up from that word past
    the parts of a name (closing quotes, an apposition, a Latin name); None if no noun phrase ends there."""
    token = word.doc[last]
    if token.is_punct and token.text not in ("»", "“", '"', ")"):
        return None  # «…, производства …» after a comma: no phrase ends there
    for _ in range(8):
        if token.dep_ not in NAME_PART_DEPS or token.head.i == token.i or token.head.i >= word.i:
            break
        token = token.head
    if token.pos_ in ("NOUN", "PROPN", "X") and token.dep_ not in NAME_PART_DEPS:
        return token
    return None


def _agrees(participle: Token, noun: Token) -> bool:
    """The participle and the noun agree in number, and in gender in the singular, as the tagger says."""
    number = participle.morph.get("Number")
    if number and noun.morph.get("Number") and number != noun.morph.get("Number"):
        return False
    gender = participle.morph.get("Gender")
    return not (number == ["Sing"] and gender and noun.morph.get("Gender") and gender != noun.morph.get("Gender"))


def _participles_noun(participle: Token) -> Token:
    """The noun a participle qualifies, where the parser's head does not agree with it: the phrase right
    before the comma that opens it («Лидар «Зоркий», созданный в ООО «X», — аналог …»), or the first noun
    after a participle put before its noun («Разработанный в ООО «X» газовый хроматограф, призванный
    заменить приборы …»)."""
    head, doc = participle.head, participle.doc
    if participle.i > participle.sent.start + 1 and doc[participle.i - 1].text == ",":
        before = _phrase_ending_at(doc[participle.i - 1], participle.i - 2)
        if before is not None and before.i != head.i and _agrees(participle, before):
            return before
    if participle.i > head.i and not _agrees(participle, head):  # «анализатор воды, способный …»
        noun = head
        while noun.dep_.startswith("nmod") and noun.head.i < noun.i:
            noun = noun.head
            if _agrees(participle, noun):
                return noun
    if participle.i < head.i and (head.pos_ not in ("NOUN", "PROPN") or not _agrees(participle, head)):
        # its complements («в ООО «X»», «компанией «X»») are not what it qualifies
        complements = [c for c in participle.children if children(c, "case") or c.morph.get("Case") == ["Ins"]]
        own = {t.i for c in complements for t in c.subtree}
        after = [t for t in doc[participle.i + 1 : participle.sent.end] if t.i not in own]
        return next((t for t in after if t.pos_ == "NOUN" and not children(t, "case") and _agrees(participle, t)), head)
    return head


def _animate(noun: Token) -> bool:
    """Someone, not something: animate to the tagger in context and to the dictionary («металлурги», not
    «Моноблоки», which the tagger may call animate)."""
    best = parse(noun.lower_)[0]
    return noun.morph.get("Animacy") == ["Anim"] and best.tag.animacy != "inan"


def _named_after_dash(noun: Token) -> list[Token]:
    """The noun phrase right after a dash that ends `noun`'s phrase («аналог насосов Cryostar — насос КН-40»),
    however the parser attached it."""
    end = max(t.i for t in noun.subtree)
    doc = noun.doc
    if end + 2 >= noun.sent.end or doc[end + 1].text not in ("—", "–"):
        return []
    # the dash itself may hang under the phrase it opens
    starting = [t for t in noun.sent if t.pos_ == "NOUN" and min(u.i for u in t.subtree if u.i != end + 1) == end + 2]
    return sorted(starting, key=lambda t: len(list(t.ancestors)))[:1]


def _quoted(token: Token) -> bool:
    """A name in quotes right where it stands («Стойка-2U»)."""
    return token.i > 0 and token.doc[token.i - 1].text in ("«", "„", '"')


def _opening_mark(noun: Token) -> Token | None:
    """The dash or opening parenthesis right before the phrase of `noun` (its adjectives first): «… —
    отечественного аналога …», «(отечественный аналог …)»."""
    first = min([noun.i, *(c.i for c in children(noun, "amod", "det"))])
    if first <= noun.sent.start:
        return None
    mark = noun.doc[first - 1]
    return mark if mark.text in ("—", "–", "(") else None


def _object_before_comma(participle: Token) -> list[Token]:
    """The participle's object the parser hung elsewhere: the accusative phrase that ends its clause at the
    next comma («…, заменившие на конвейерах шахты двигатели WEG, собирают …»)."""
    doc = participle.doc
    comma = next((t.i for t in doc[participle.i + 1 : participle.sent.end] if t.text == ","), None)
    if comma is None or comma - 1 <= participle.i:
        return []
    noun = _phrase_ending_at(doc[comma], comma - 1)
    if noun is None or noun.i <= participle.i or children(noun, "case"):
        return []
    return [noun] if any(p.tag.case == "accs" for p in parse(noun.lower_) if p.tag.POS == "NOUN") else []


def _descriptive_det(token: Token) -> bool:
    """An adjective the parser called a determiner («логические(det) контроллеры»), not a pronoun («этот»,
    «свой»): a word of the phrase."""
    return token.dep_ == "det" and token.pos_ == "ADJ" and "Apro" not in parse(token.lower_)[0].tag


def _may_be_dative(token: Token) -> bool:
    """A noun whose form may be a dative, whatever case the tagger gave it («продукции», «арматуре»)."""
    return any(p.tag.case == "datv" for p in parse(token.lower_) if p.tag.POS == "NOUN")


def _has_case(token: Token, case: str) -> bool:
    """The noun is in `case` (UD's name): as the tagger says, or as its form says whatever the tagger said
    («расходомерами» is an instrumental, «кабелям» a dative, in every reading the dictionary has)."""
    if token.morph.get("Case") == [case]:
        return True
    readings = [p for p in parse(token.lower_) if p.tag.POS == "NOUN"]
    return bool(readings) and all(p.tag.case == CASES[case] for p in readings)


def _bare_instrumental(token: Token) -> bool:
    """A noun in the instrumental with no preposition («заменены центрами …»): what something is replaced with."""
    return token.pos_ in ("NOUN", "PROPN") and _has_case(token, "Ins") and not children(token, "case")


def _dative_after(token: Token, word: Token) -> bool:
    """A bare dative noun whose phrase starts right after `word` («на замену кабельным муфтам Raychem»),
    however the parser attached it."""
    if token.pos_ not in ("NOUN", "PROPN") or not _has_case(token, "Dat") or children(token, "case"):
        return False
    return min(t.i for t in token.subtree) == word.i + 1 or token.i == word.i + 1


def _nominative_before(verb: Token) -> list[Token]:
    """The bare nominative noun before a passive verb the parser hung elsewhere («На заводе подшипники
    SKF заменены на …»)."""
    for i in range(verb.i - 1, verb.sent.start - 1, -1):
        noun = verb.doc[i]
        if noun.pos_ == "NOUN" and noun.morph.get("Case") == ["Nom"] and not children(noun, "case"):
            return [noun]
    return []


def _under(token: Token, preposition: str) -> bool:
    """The token is governed by `preposition` («на смену», «с долот», «на горелки»)."""
    return preposition in {lemma(c) for c in children(token, "case")}


def _antecedent(which: Token, head: Token) -> Token:
    """What «который» stands for: the parser's head when it agrees in gender and number, else the
    nearest noun before that does («завод «A» … от компании «B», которая поставила …» → компании)."""

    def agrees(noun: Token) -> bool:
        return all(noun.morph.get(f) == which.morph.get(f) for f in ("Gender", "Number") if which.morph.get(f))

    if agrees(head) or which.morph.get("Number") == ["Plur"]:
        return head
    for i in range(which.i - 1, which.sent.start - 1, -1):
        noun = which.doc[i]
        if noun.pos_ == "NOUN" and agrees(noun):
            return noun
    return head


def _may_be_made(noun: Token) -> bool:
    """Whether a noun can name a thing a firm makes: no job, share, unit of measure or person."""
    return not ({lemma(noun), noun.lower_.rstrip(".")} & NOT_PRODUCT_HEADS)


def _is_facility(noun: Token) -> bool:
    """«завод», «цех», «производство»; «центр», «комплекс» only as «инновационный центр», «биотехнологический
    комплекс» (an «обрабатывающий центр» is a machine)."""
    if lemma(noun) in FACILITY_NOUNS:
        return True
    modifiers = children(noun, "amod")
    modifiers += [part for m in modifiers for part in children(m, "goeswith")]  # «научно-исследовательский»
    return lemma(noun) in ("центр", "комплекс") and any(lemmas_of(m) & FACILITY_MODIFIERS for m in modifiers)


def _made_at(facility: Token) -> Token | None:
    """What a facility makes, if its phrase says: «завод тяговых батарей», «производство … для питания»,
    «фабрика по выпуску микросхем», «завод по производству насосов»; None for a bare place."""
    for child in children(facility, "nmod"):
        prepositions = {c.lower_ for c in children(child, "case")}
        if not prepositions and child.morph.get("Case") == ["Gen"] and lemma(child) not in ACT_NOUNS:
            return child
        if prepositions & {"для"}:
            return child
        if prepositions & {"по"} and lemma(child) in ACT_NOUNS and ACT_NOUNS[lemma(child)] == "produces":
            made = [c for c in children(child, "nmod") if c.morph.get("Case") == ["Gen"] and not children(c, "case")]
            return made[0] if made else None
    return None


def _counted(noun: Token) -> bool:
    """A number or a multiplier counts the noun: «34 единицы», «300 тыс. упаковок» (however attached)."""
    return any(
        c.like_num or c.lower_.rstrip(".") in MULTIPLIERS for c in children(noun, "nummod", "amod", "nummod:gov")
    )


def _counted_objects(verb: Token) -> list[Token]:
    """«поставило более 300 тыс. упаковок …»: a counted genitive the parser hung on the verb as a modifier."""
    return [
        c
        for c in children(verb, "nmod", "obl")
        if c.morph.get("Case") == ["Gen"] and not children(c, "case") and _counted(c)
    ]


def _after_dash(token: Token) -> bool:
    """The token's phrase starts after a dash: «… компании «X» — портативный кардиограф»."""
    words = [t for t in token.subtree if not t.is_punct]
    first = min(t.i for t in words) if words else token.i
    return first > 0 and token.doc[first - 1].text in ("—", "–", "-")


def _fields(candidates: list[Token], case: str, preposition: str | None) -> list[Token]:
    """The nouns of a line of business under its verb: in `case`, under `preposition` (or none), no act
    («занимается производством …» is read as making)."""
    return [
        c
        for c in candidates
        if c.pos_ == "NOUN"
        and c.morph.get("Case") == [case]
        # the preposition hangs on the noun, or on its first adjective as the parser sometimes has it
        and {lemma(w) for w in c.subtree if w.dep_ == "case" and w.head.i <= c.i and w.head.head.i in (c.i, c.head.i)}
        == ({preposition} if preposition else set())
        and not lemmas_of(c) & (set(ACT_NOUNS) | NOT_ACTIVITIES)
    ]


def _in_unbroken_gap(token: Token, kept: set[int]) -> bool:
    """A word between two words of a phrase with no punctuation around it belongs to the phrase, however
    the parser attached it («систему машинного [зрения] для контроля … на конвейере»)."""
    doc = token.doc
    start, end = token.i, token.i
    while start - 1 >= 0 and start - 1 not in kept:
        start -= 1
    while end + 1 < len(doc) and end + 1 not in kept:
        end += 1
    gap = doc[start : end + 1]
    return start > 0 and end + 1 < len(doc) and not any(t.is_punct and t.text != "-" for t in gap)


def _launched_into(token: Token) -> Token | None:
    """The «производство», «серия» or «выпуск» under a verb of launching («запустил в производство»)."""
    if token.pos_ != "VERB" or lemma(token) not in LAUNCH_VERBS:
        return None
    into = (c for c in children(token, "obl") if lemma(c) in LAUNCHED_INTO)
    return next((c for c in into if any(lemma(p) in ("в", "во") for p in children(c, "case"))), None)


def _denied_up(token: Token) -> bool:
    """«не могут заменить», «не является аналогом»: the word, or a verb it completes, is denied."""
    current = token
    for _ in range(3):
        if denied(current):
            return True
        if current.dep_ not in ("xcomp", "obl", "obj", "nmod") and not lemmas_of(current.head) & COPULA_VERBS:
            return False
        if current.head.i == current.i:
            return False
        current = current.head
    return False


def _imported(noun: Token) -> bool:
    """A noun phrase that names an imported thing: «импортные …», «немецкие …», a Latin brand in it."""
    phrase = [noun, *(c for c in noun.children if c.dep_ in ("amod", "nmod", "appos", "flat", "flat:foreign"))]
    return any(lemma(t) in IMPORTED_WORDS or (t.is_alpha and t.text[:1].isascii() and t.i != noun.i) for t in phrase)


def _dictionary_noun(word: str) -> bool:
    """A common noun the dictionary knows, whatever the tagger said («Системы» at a sentence's start)."""
    best = parse(word)[0]
    return (
        best.tag.POS == "NOUN"
        and best.is_known
        and not {"Name", "Surn", "Geox", "Orgn", "Trad"} & set(best.tag.grammemes)
    )


def inflect_to_nominative(word: str, case: str, plural: bool, gender: str | None = None) -> str:
    """`word` (a noun, adjective or participle in `case`) in the nominative, keeping its number; an
    adjective agrees with the head's `gender` («медицинском оборудовании» → «медицинское»)."""
    parses = parse(word.lower())
    if case == "accs" and any(p.tag.case == "nomn" for p in parses):
        return word  # an inanimate accusative is written as the nominative («кормовой белок»)
    in_case = [p for p in parses if p.tag.case == case and p.tag.POS in ("NOUN", "ADJF", "PRTF")]
    if not in_case:
        return word
    if gender is not None and not plural:  # «главного инженера»: the adjective of his gender, not «главное»
        agreeing = [p for p in in_case if p.tag.POS != "NOUN" and p.tag.gender == gender]
        in_case = agreeing or [p for p in in_case if p.tag.POS == "NOUN"] or in_case
    wanted = {"nomn", "plur"} if plural else {"nomn"}
    inflected = in_case[0].inflect(wanted) or in_case[0].inflect({"nomn"})
    if inflected is None:
        return word
    form = inflected.word
    return form.upper() if word.isupper() else form.capitalize() if word[:1].isupper() else form


def tree_nominative(tokens: list[Token], head: Token) -> str:
    """A product's phrase as a name: the head noun and the words before it put in the nominative, by the
    case and number the morphology gives the head in context; «для …» and other complements as written.
    The first common word is lower case («Оптические …» → «оптические …»)."""
    case = CASES.get((head.morph.get("Case") or [""])[0])
    # a form with one case in every reading the dictionary has is in that case, whatever the tagger said
    # («пневмоцилиндрам» tagged nominative)
    readings = {p.tag.case for p in parse(head.lower_) if p.tag.POS == "NOUN"} - {None}
    if len(readings) == 1:
        case = readings.pop()
    elif readings and case not in readings:  # «арматуре» tagged nominative: a case its form has
        case = sorted(readings)[0]
    # «три термопластавтомата» and «алкидные эмали» (the tagger took a singular genitive) name a plural
    plural = head.morph.get("Number") == ["Plur"] or _counted(head)
    plural = plural or any(a.morph.get("Number") == ["Plur"] and a.i < head.i for a in children(head, "amod"))
    gender = GENDERS.get((head.morph.get("Gender") or [""])[0])
    # the head word's last token carries its ending («СВЧ-усилителей», «литий-ионных»)
    head_word = [head, *[c for c in head.children if c.dep_ == "goeswith"]]
    head_end = max(t.i for t in head_word)
    words = []
    for token, following in zip(tokens, [*tokens[1:], None], strict=True):
        text = token.text
        inflects = token.i <= head_end and token.is_alpha and case not in (None, "nomn")
        glued_before = token.i + 1 < len(token.doc) and token.doc[token.i + 1].text == "-" and not token.whitespace_
        if inflects and not glued_before and not text[:1].isascii():
            text = inflect_to_nominative(text, case, plural, gender)
        # a space where the text has a gap: whitespace, or a quote left out («сканер «Сона» для …»)
        gap = following is not None and following.idx > token.idx + len(token.text)
        words.append(text + (" " if gap else ""))
    name = "".join(words).strip()
    name = name.replace("«", "").replace("»", "").replace("„", "").replace("“", "").strip()
    first = tokens[0]
    common = first.pos_ in ("NOUN", "ADJ", "VERB") or (first.pos_ == "PROPN" and _dictionary_noun(first.lower_))
    if first.is_title and common and not first.is_upper:
        name = name[:1].lower() + name[1:]
    return " ".join(name.split())
