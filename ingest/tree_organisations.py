"""Membership, residency and quantities read from the dependency tree of a parsed sentence.

- membership: a firm joins or belongs to a cluster or centre («вошла в состав …», «стала участником …»,
  «присоединилась к …», «входящая в кластер компания …», «в числе участников … — компании …»);
- residency: a firm is a zone's resident («резидент ОЭЗ …», «получила статус резидента …») or places its
  production there («разместила производство на площадке технополиса …»);
- quantities: a number with its comparator and unit, on what it counts: a zone's residents, a cluster's
  members, a firm's staff or production capacity («свыше 190 компаний», «до 12 тысяч электромобилей в год»).

The firms of a relation are the ones named in the trigger's own clause (a relative or adverbial clause is
another one). A plan («планирует войти», «подала заявку на вступление») or a denial states nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from spacy.tokens import Token

from ingest.language_data import (
    APPLICATION_NOUNS,
    BARE_ZONE_WORDS,
    CAPACITY_PERIODS,
    CAPACITY_WORDS,
    CLAUSE_DEPS,
    CLUSTER_NOUNS,
    COPULA_VERBS,
    CURRENCY_UNITS,
    ENTERING_VERBS,
    FIRMS_OF_ZONE_NOUNS,
    INVESTMENT_WORDS,
    MEMBER_ACT_NOUNS,
    MEMBER_NOUNS,
    MEMBER_VERBS,
    MONTHS,
    MULTIPLIERS,
    NEWCOMER_ADJECTIVES,
    NOT_UNITS,
    NUMBER_WORDS,
    PLACE_NOUNS,
    PLAN_WORDS,
    POSSESSIVES,
    PRODUCTION_PLACES,
    PRONOUNS,
    QUANTITY_COMPARATORS,
    RESIDENCE_VERBS,
    RESIDENT_NOUNS,
    ROSTER_NOUNS,
    SOURCE_WORDS,
    STAFF_NOUNS,
    STATUS_NOUNS,
    STATUS_VERBS,
    UNIT_COMPANY_NOUNS,
)
from ingest.model import Entity, Fact
from ingest.morph import parse
from ingest.tree_relations import (
    TreeReader,
    children,
    denied,
    denied_above,
    lemma,
    lemmas_of,
    up_from,
)

GROUP_TYPES = ("CLUSTER", "CENTRE")
FIRM_TYPES = ("FIRM", "ORG")
CONFIDENCE = {"member": 0.8, "resident": 0.8, "quantity": 0.75}
PLAN_CONFIDENCE = 0.5


def clause_of(token: Token) -> Token:
    """The head of the clause a word belongs to: climbing until a clause's own relation or the root."""
    while token.head.i != token.i and not (
        token.dep_ in CLAUSE_DEPS and (token.dep_ != "conj" or token.pos_ in ("VERB", "AUX"))
    ):
        token = token.head
    return token


def _verb_of(token: Token) -> Token:
    """The verb a word depends on («составят» for «343 млн руб.»), or the sentence's root."""
    for _ in range(len(token.doc)):  # bounded: a head chain may loop where the parse left a cycle
        if token.pos_ in ("VERB", "AUX") or token.head.i == token.i:
            break
        token = token.head
    return token


def _invested_in(token: Token) -> bool:
    """«инвестировать … в строительство Инновационного центра на площадке МИЭТ»: what the money goes into
    (and where), not who invests."""
    for current in up_from(token, 5):
        into = any(c.dep_ == "case" and c.lower_ in ("в", "во") for c in current.children)
        # under the investing word, or under the sum the parser hung it on («вложить 1,5 млрд рублей в …»)
        if into and (lemmas_of(current.head) | lemmas_of(current.head.head)) & INVESTMENT_WORDS:
            return True
    return False


def _not_investor(token: Token) -> bool:
    return _is_source(token) or _invested_in(token)


def _is_source(token: Token) -> bool:
    """«по данным Recipe.ru», «согласно источнику», «как сообщает Moscowseasons»: who reports, not who acts."""
    return any(lemmas_of(current) & SOURCE_WORDS for current in up_from(token, 3))


def _future(verb: Token) -> bool:
    """«составят», «будет выпускать»: a verb in the future tense, or an infinitive with «быть» as its
    auxiliary (the tagger calls «будет» present)."""
    if verb.morph.get("Tense") == ["Fut"]:
        return True
    return verb.morph.get("VerbForm") == ["Inf"] and any(c.dep_ == "aux" and lemma(c) == "быть" for c in verb.children)


def _planned(token: Token) -> bool:
    """«планирует войти», «намерена вступить», «подала заявку на вступление»: only intended."""
    current = token
    for _ in range(3):
        if lemmas_of(current) & PLAN_WORDS or _future(current):
            return True
        if current.head.i == current.i or current.dep_ not in ("xcomp", "obj", "nmod", "obl", "acl", "conj"):
            return False
        current = current.head
    return False


class OrganisationReader:
    """Membership, residency and quantities of one parsed sentence, over a TreeReader's entities."""

    def __init__(self, reader: TreeReader, last_of: Callable[..., Entity | None]) -> None:
        self.reader = reader
        self.sent = reader.sent
        self.entity_at = reader.entity_at
        self.last_of = last_of  # the entity of these types named last before a token

    # ------------------------------------------------------------ parts

    def entity_under(self, token: Token, types: tuple[str, ...], depth: int = 3) -> Entity | None:
        """An entity of `types` named at `token` or below it (an apposition, a genitive, a name)."""
        found = self.entity_at.get(token.i)
        if found is not None and found.type in types:
            return found
        if depth == 0:
            return None
        for child in token.children:
            if child.dep_.split(":")[0] in ("appos", "nmod", "flat", "obl", "amod", "compound"):
                found = self.entity_under(child, types, depth - 1)
                if found is not None:
                    return found
        if lemma(token) in POSSESSIVES | PRONOUNS:  # «его участники», «в него вошли»
            return self.last_of(token.i, types)
        bare = lemma(token) in CLUSTER_NOUNS or (lemma(token) in BARE_ZONE_WORDS and "ZONE" in types)
        if bare and not children(token, "appos", "flat"):
            # «участников кластера», «также резидент особой экономической зоны»: the bare word stands for
            # the cluster or zone named before
            return self._named_after(token, types) or self.last_of(token.i, types)
        return self._named_after(token, types)

    def _named_after(self, token: Token, types: tuple[str, ...]) -> Entity | None:
        """«ОЭЗ «Технополис «Москва»»»: a kind's word and the name right after it, however the parser
        attached the name."""
        if lemma(token) not in PLACE_NOUNS | CLUSTER_NOUNS:
            return None
        doc = token.doc
        i = token.i + 1
        while i < len(doc) and i <= token.i + 2 and doc[i].text in '«„"':
            i += 1
        found = self.entity_at.get(i) if i < len(doc) else None
        return found if found is not None and found.type in types else None

    def group_of(self, token: Token, types: tuple[str, ...]) -> Entity | None:
        """The cluster, centre or zone a trigger word is about: named under it, or «его» for the last one."""
        for child in token.children:
            if child.dep_.split(":")[0] in ("nmod", "obl", "obj", "iobj", "appos"):
                found = self.entity_under(child, types)
                if found is not None:
                    return found
        for child in children(token, "det", "nmod"):
            if lemma(child) in POSSESSIVES:
                return self.last_of(token.i, types)
        return None

    def firms_at(self, token: Token) -> Iterator[Entity]:
        """The firms a noun names, each member of a list apart («АО «X» и компания «Y»»)."""
        doc = token.doc
        nouns = _chain(token)
        for appos in children(token, "appos", "flat"):  # «компании «A» и «B»»: the list is under the name
            nouns |= _chain(appos)
        for named in children(token, "parataxis"):  # «две компании — «A» и «B»»: the names after a dash
            if _after_dash(named):
                nouns |= _chain(named)
        for noun in [doc[i] for i in sorted(nouns)]:
            firm = self.reader.firm_under(noun)
            if firm is not None and firm.type in FIRM_TYPES:
                yield firm

    def firms_in_clause(self, head: Token) -> list[Entity]:
        """The firms named in the clause headed by `head`, not inside another clause."""
        found: list[Entity] = []
        for token in self.sent:
            entity = self.entity_at.get(token.i)
            if entity is None or entity.type not in FIRM_TYPES or entity in found:
                continue
            if clause_of(token).i == head.i:
                found.append(entity)
        return found

    # ------------------------------------------------------------ the rules

    def facts(self) -> list[Fact]:
        found: list[Fact] = []
        for token in self.sent:
            lemmas = lemmas_of(token)
            if (_verb_like(token) and lemmas & MEMBER_VERBS) or (
                token.pos_ == "NOUN" and lemmas & MEMBER_ACT_NOUNS  # «принять участие в работе центра»
            ):
                found += self._joined(token, GROUP_TYPES, "memberOf", "member-verb")
            elif token.pos_ in ("VERB", "AUX") and lemmas & RESIDENCE_VERBS:
                found += self._placed(token)
            elif token.pos_ == "NOUN" and lemmas & MEMBER_NOUNS:
                found += self._status(token, GROUP_TYPES, "memberOf", "member-noun")
            elif token.pos_ == "NOUN" and lemmas & RESIDENT_NOUNS:
                found += self._status(token, ("ZONE",), "residentOf", "resident-noun")
            elif token.pos_ == "NOUN" and lemmas & FIRMS_OF_ZONE_NOUNS:
                found += self._firms_of_zone(token)
        found += self.quantities()
        return found

    def _fact(
        self, subject: Entity, predicate: str, obj: Entity | dict, rule: str, kind: str, plan: bool = False
    ) -> Fact:
        """A fact of this sentence; a plan («намерены принять участие …») is kept marked as one."""
        target = obj.ref if isinstance(obj, Entity) else obj
        confidence, rule = (PLAN_CONFIDENCE, f"tree-{rule}:plan") if plan else (CONFIDENCE[kind], f"tree-{rule}")
        return Fact(subject.ref, predicate, target, *self.reader.where, confidence, rule)

    def _joined(self, verb: Token, types: tuple[str, ...], predicate: str, rule: str) -> list[Fact]:
        """«вошла в состав X», «присоединилась к X», «X объединяет A и B», «входящая в X компания …»."""
        if denied_above(verb, 1) or _applied_for(verb):
            return []
        plan = _planned(verb)
        group = self.group_of(verb, types)
        if group is None and verb.pos_ == "NOUN":  # «в работе центра намерены принять участие …»
            group = self.group_of(verb.head, types) or self.group_of(clause_of(verb), types)
        if group is None:
            subject = next(iter(children(verb, "nsubj")), None)  # «кластер объединяет …»
            group = self.entity_under(subject, types, 1) if subject is not None else None
        if group is None:
            return []
        if verb.dep_ == "acl":  # «входящая в кластер компания «X»»
            firms = list(self.firms_at(verb.head))
        else:
            firms = self.firms_in_clause(clause_of(verb)) or self._stand_in_subject(verb)
        return [self._fact(f, predicate, group, rule, "member", plan) for f in firms if f is not group]

    def _placed(self, verb: Token) -> list[Fact]:
        """«разместило производство на площадке технополиса «Москва»», «открыла в технополисе линию …»."""
        if denied_above(verb, 1) or _planned(verb):
            return []
        objects = children(verb, "obj", "nsubj:pass") + [
            s for s in children(verb, "nsubj") if not self.reader.firm_under(s)
        ]
        registered = lemma(verb).startswith("зарегистрир")
        if not registered and not any(lemmas_of(o) & PRODUCTION_PLACES for o in objects):
            return []
        zone = None
        clause = clause_of(verb).i
        for place in _descendants(verb):  # «на площадке технополиса …», «в технополисе …», in the verb's clause
            if clause_of(place).i != clause or not {lemma(c) for c in children(place, "case")} & {"в", "на"}:
                continue
            if lemma(place) in PLACE_NOUNS or self.entity_at.get(place.i) is not None:
                zone = self.entity_under(place, ("ZONE",))
                if zone is not None:
                    break
        if zone is None:
            return []
        doer = self.reader.doer_of_verb(verb)
        firms = [doer[0]] if doer is not None and not doer[2] else []
        if not firms and verb.dep_ != "acl":
            firms = self.firms_in_clause(clause_of(verb))
        if not firms and verb.dep_ == "acl" and registered:  # «зарегистрированная в ОЭЗ «X» компания «Y»»
            firms = list(self.firms_at(verb.head))
        return [self._fact(f, "residentOf", zone, "resident-place", "resident") for f in firms if f.type in FIRM_TYPES]

    def _status(self, noun: Token, types: tuple[str, ...], predicate: str, rule: str) -> list[Fact]:
        """«стала участником X», «компания «Y», резидент ОЭЗ X», «статус резидента X получила Y»,
        «в числе участников X — компании «A» и «B»», «один из резидентов X, компания Y»."""
        group = self.group_of(noun, types)
        if group is None:
            return []
        position = noun
        if position.dep_.startswith("nmod") and lemmas_of(position.head) & (STATUS_NOUNS | {"один", "число"}):
            position = position.head  # «статус резидента», «один из резидентов», «в числе участников»
        entered = position.dep_.startswith("nmod") and lemmas_of(position.head) & ROSTER_NOUNS
        if entered and lemmas_of(position.head.head) & ENTERING_VERBS:
            position = position.head  # «компания внесена в реестр резидентов зоны»
        kind = "resident" if predicate == "residentOf" else "member"
        if denied_above(position, 1):
            return []
        plan = _planned(position)
        head = position.head
        firms: list[Entity] = []
        if position.dep_ in ("appos", "acl"):  # «компания «Y», резидент ОЭЗ X»
            firms = list(self.firms_at(head))
        if not firms:  # «участник кластера … — компания «Y»», «один из резидентов X, компания Y»
            firms = [f for c in children(position, "appos", "nsubj") for f in self.firms_at(c)]
        listed = lemma(position) in ROSTER_NOUNS and lemmas_of(head) & ENTERING_VERBS
        if not firms and (
            lemmas_of(head) & (COPULA_VERBS | STATUS_VERBS) or lemma(position) in ("число", "один") or listed
        ):
            for subject in children(head, "nsubj"):  # «стала участником X», «статус члена X получила Y»
                if subject.i != position.i:
                    firms += list(self.firms_at(subject))
            firms = firms or self._stand_in_subject(head, position)  # «В этом году он стал резидентом …»
            if not firms and lemma(position) in ("число", "один"):
                firms = self.firms_in_clause(clause_of(position))
            if not firms and lemmas_of(head) & STATUS_VERBS:  # «статус … присвоен производителю — АО «Y»»
                firms = [f for c in children(head, "obl", "iobj") for f in self.firms_at(c)]
        if not firms and (position.dep_ == "ROOT" or lemma(head) == "число"):
            # «участник кластера X — компания Y», «в числе его участников — компании A и B»: no verb
            firms = [f for c in children(position, "parataxis") for f in self.firms_at(c)]
            firms = firms or self.firms_in_clause(clause_of(position))
        if not firms:  # «разработку резидента ОЭЗ «X» НПО «Y»»: the firm's name right after the group's
            firms = self._named_after_group(group)
        return [self._fact(f, predicate, group, rule, kind, plan) for f in firms if f is not group]

    def _stand_in_subject(self, verb: Token, status: Token | None = None) -> list[Entity]:
        """«Теперь он входит и в союз …», «Предприятие стало участником …»: the firm named last before a
        pronoun or a firm's common noun as the subject (not the status word itself: «… получают резиденты»)."""
        for subject in children(verb, "nsubj"):
            if status is not None and subject.i == status.i:
                continue
            found = self.reader.doer_of_noun(subject)
            if found is not None and found[1] == "stand-in" and found[0].type in FIRM_TYPES:
                return [found[0]]
        return []

    def _firms_of_zone(self, noun: Token) -> list[Fact]:
        """«компании ОЭЗ Москвы, как «A», «B» …», «предприятия технополиса «X» — A и B»: a zone's firms."""
        zone = next(
            (self.entity_under(c, ("ZONE",), 1) for c in children(noun, "nmod") if self.entity_under(c, ("ZONE",), 1)),
            None,
        )
        if zone is None or denied_above(noun, 1):
            return []
        firms = [f for c in children(noun, "appos", "flat") for f in self.firms_at(c)]
        return [self._fact(f, "residentOf", zone, "firms-of-zone", "resident") for f in firms]

    def _named_after_group(self, group: Entity) -> list[Entity]:
        mention = [i for i, e in self.entity_at.items() if e is group]
        if not mention:
            return []
        doc = self.sent.doc
        i = max(mention) + 1
        while i < self.sent.end and (doc[i].text in '»“"' or lemma(doc[i]) in FIRMS_OF_ZONE_NOUNS):
            i += 1  # «резидент ОЭЗ «X» компания «Y»»
        while i < self.sent.end and doc[i].text in '«„"':
            i += 1
        firm = self.entity_at.get(i)
        return [firm] if firm is not None and firm.type in FIRM_TYPES else []

    # ------------------------------------------------------------ quantities

    def quantities(self) -> list[Fact]:
        found: list[Fact] = []
        used: set[int] = set()
        for token in self.sent:
            if token.i in used or not _is_number(token):
                continue
            value, last = _value(token)
            used.update(range(token.i, last.i + 1))
            unit = _unit_noun(token, last)
            if unit is None:
                continue
            if lemmas_of(unit) & CURRENCY_UNITS:
                owner, predicate = self._investor(token)
            elif lemmas_of(unit) & (NOT_UNITS | MONTHS):  # «13 апреля» is a date, no count
                continue
            else:
                owner, predicate = self._owner(token, unit)
            if owner is None:
                continue
            quantity = {
                "value": value,
                "comparator": _comparator(token),
                "unit": _unit_text(last, unit),
                "unit_lemma": lemma(unit),
            }
            plan = _planned(token.head) or _planned(_verb_of(unit))  # a figure of a plan is kept marked
            found.append(self._fact(owner, predicate, quantity, f"quantity-{predicate}", "quantity", plan))
        return found

    def _investor(self, number: Token) -> tuple[Entity | None, str]:
        """«инвестиции в проект составят 343 млн руб.», «компания вложила 1 млрд рублей»: a sum is the
        investment of the firm the sentence names, when the sentence speaks of investing; any other sum
        (a price, revenue, a grant) is left alone."""
        if not any(lemmas_of(t) & INVESTMENT_WORDS for t in self.sent):
            return None, ""
        # the nearest organisation that is not the report's source («по данным Recipe.ru», «как сообщает …»)
        firm = self._nearest(number, FIRM_TYPES, skip=_not_investor) or self.last_of(number.i, ("FIRM",), _is_source)
        return firm, "investment"

    def _owner(self, number: Token, unit: Token) -> tuple[Entity | None, str]:
        """What a count is of: the zone or group whose companies it counts, or the firm whose staff or
        output it is."""
        lemmas = lemmas_of(unit)
        if lemmas & UNIT_COMPANY_NOUNS and counts_newcomers(number, unit):
            return None, ""
        if lemmas & UNIT_COMPANY_NOUNS:
            kinds = ("ZONE", *GROUP_TYPES)
            # «в него вошли 20 компаний ОЭЗ»: what they joined first, then whose companies they are
            named = self.group_of(unit.head, kinds) or self.group_of(number.head, kinds)
            joined = lemmas_of(unit.head) & MEMBER_VERBS
            if named is not None and not (joined and named.type == "ZONE"):
                return named, "residentCount" if named.type == "ZONE" else "memberCount"
            groups = [e for e in self.entity_at.values() if e.type in kinds]
            owner = self._nearest(number, ("ZONE", *GROUP_TYPES)) or (groups[0] if groups else None)
            owner = owner or self.last_of(number.i, ("ZONE", *GROUP_TYPES))
            if owner is None:
                return None, ""
            return owner, "residentCount" if owner.type == "ZONE" else "memberCount"
        # the report's source («как сообщает ТВЦ») owns no staff or output
        firm = self._nearest(number, FIRM_TYPES, skip=_is_source) or self.last_of(number.i, ("FIRM",), _is_source)
        if lemmas & STAFF_NOUNS:
            return firm, "numberOfEmployees"
        # products: a capacity («мощностью до …», «рассчитана на …») or an output per period («… в год»);
        # a product's name is no unit, but an acronym is («до 70 тыс. БМКП в год»)
        if (unit.is_lower or unit.is_upper) and (
            self._has_period() or any(lemmas_of(t) & CAPACITY_WORDS for t in self.sent)
        ):
            return firm, "productionCapacity"
        return None, ""

    def _has_period(self) -> bool:
        """«в год», «в месяц», «за год», «в прошлом году»: a period, not a date («к 2026 году»)."""
        for token in self.sent:
            if lemmas_of(token) & CAPACITY_PERIODS and not any(c.like_num for c in token.children):
                before = token.doc[token.i - 1] if token.i else token
                if not before.like_num:
                    return True
        return False

    def _nearest(
        self, token: Token, types: tuple[str, ...], skip: Callable[[Token], bool] | None = None
    ) -> Entity | None:
        """The entity of `types` named nearest to `token`, leaving out those whose word `skip` refuses."""
        named = [
            (abs(i - token.i), e)
            for i, e in self.entity_at.items()
            if e.type in types and not (skip and skip(token.doc[i]))
        ]
        return min(named, key=lambda pair: pair[0])[1] if named else None


def _applied_for(token: Token) -> bool:
    """«заявка … на вступление в ассоциацию», «подала заявление о вступлении»: asked, not joined."""
    return any(lemma(t) in APPLICATION_NOUNS for t in token.sent if t.i < token.i)


def _verb_like(token: Token) -> bool:
    """A verb or participle, also where the tagger took a capitalised first word for a name («Входящее …»)."""
    if token.pos_ in ("VERB", "AUX"):
        return True
    return token.pos_ in ("PROPN", "ADJ") and any(
        p.tag.POS in ("PRTF", "VERB", "INFN") for p in parse(token.lower_)[:3]
    )


def _descendants(token: Token) -> list[Token]:
    """The words under a word, each once (walked by children, safe on any tree the parser gives)."""
    seen, stack, found = {token.i}, [token], []
    while stack:
        for child in stack.pop().children:
            if child.i not in seen:
                seen.add(child.i)
                found.append(child)
                stack.append(child)
    return found


def _chain(token: Token) -> set[int]:
    """The indexes of a noun and its conjuncts (a list)."""
    found, stack = {token.i}, [token]
    while stack:
        for child in stack.pop().children:
            if child.dep_ == "conj" and child.i not in found:
                found.add(child.i)
                stack.append(child)
    return found


_DIGITS = re.compile(r"\d+([.,]\d+)?")


def _is_number(token: Token) -> bool:
    return bool(_DIGITS.fullmatch(token.text)) or (token.is_alpha and token.lower_ in NUMBER_WORDS)


def _value(token: Token) -> tuple[float | int, Token]:
    """The number a run of tokens writes, and its last token: «1 000», «1,5 млн», «2,5 тыс.», «двадцать восемь»."""
    doc = token.doc
    end = token.i
    if token.is_alpha:
        value: float = NUMBER_WORDS[token.lower_]
        while end + 1 < len(doc) and doc[end + 1].is_alpha and doc[end + 1].lower_ in NUMBER_WORDS:
            end += 1
            value += NUMBER_WORDS[doc[end].lower_]
    else:
        digits = token.text.replace(",", ".")
        while end + 1 < len(doc) and re.fullmatch(r"\d{3}", doc[end + 1].text) and "." not in digits:
            end += 1
            digits += doc[end].text
        value = float(digits)
    if end + 1 < len(doc) and _multiplier(doc[end + 1]):
        value *= _multiplier(doc[end + 1])
        end += 1
        if end + 1 < len(doc) and doc[end + 1].text == "." and doc[end].text.lower() in ("тыс", "млн", "млрд"):
            end += 1
    number = int(value) if float(value).is_integer() else value
    return number, doc[end]


def _multiplier(token: Token) -> int:
    return MULTIPLIERS.get(token.lower_.rstrip("."), 0) or next(
        (MULTIPLIERS[p] for p in lemmas_of(token) if p in MULTIPLIERS), 0
    )


def _unit_noun(number: Token, last: Token) -> Token | None:
    """The noun a number counts: the one after it («190 компаний», «12 тысяч электромобилей»), or the noun
    of the count's subject («число резидентов … превысило 200»)."""
    doc = number.doc
    for i in range(last.i + 1, min(len(doc), last.i + 4)):
        token = doc[i]
        if token.pos_ == "NOUN" or (token.pos_ in ("PROPN", "X") and token.is_alpha) or token.lower_ in CURRENCY_UNITS:
            return token  # «руб.» closing a sentence is often tagged an adjective
        if token.is_punct or token.pos_ in ("VERB", "ADP", "CCONJ"):
            break
    verb = number.head
    for subject in children(verb, "nsubj"):
        if lemma(subject) in ("число", "количество", "численность"):
            inner = [c for c in children(subject, "nmod") if c.pos_ == "NOUN"]
            if inner:
                return inner[0]
    return None


def _unit_text(last: Token, unit: Token) -> str:
    """The unit as written, with the period that follows it: «автомобилей в год», «тяговых батарей в месяц»;
    a unit named before the number («число резидентов … превысило 200») is the noun alone."""
    doc = unit.doc
    if unit.i < last.i:
        return unit.text
    end = unit.i + 1
    if end + 1 < unit.sent.end and doc[end].lower_ in ("в", "за") and lemmas_of(doc[end + 1]) & CAPACITY_PERIODS:
        end += 2
    return doc[last.i + 1 : end].text


def _after_dash(token: Token) -> bool:
    """The phrase of `token` opens right after a dash, past opening quotes and its own modifiers."""
    i = next(t.i for t in token.subtree if t.is_alpha) - 1
    while i > token.sent.start and token.doc[i].text in '«„"':
        i -= 1
    return token.doc[i].text in ("—", "–", "-")


def counts_newcomers(number: Token, unit: Token) -> bool:
    """«ещё две компании», «50 новых участников»: how many came or are to come, not how many there are."""
    doc = number.doc
    before = doc[number.i - 1] if number.i > number.sent.start else None
    if before is not None and before.lower_ in ("ещё", "еще"):
        return True
    return any(lemmas_of(t) & NEWCOMER_ADJECTIVES for t in doc[number.i + 1 : unit.i])


def _comparator(number: Token) -> str:
    """«свыше», «более чем», «около», «до», «не более», «максимум», «менее», «превысило 200»."""
    doc = number.doc
    before = [t.lower_ for t in doc[max(number.sent.start, number.i - 3) : number.i] if t.lower_ not in ("чем", ",")]
    if before[-2:] == ["и", "до"] and denied(number.head.head if number.head.dep_ != "ROOT" else number.head):
        return "lt"  # «не дотягивает и до 50»
    if len(before) >= 2 and f"{before[-2]} {before[-1]}" in QUANTITY_COMPARATORS:
        return QUANTITY_COMPARATORS[f"{before[-2]} {before[-1]}"]
    if before and before[-1] in QUANTITY_COMPARATORS:
        return QUANTITY_COMPARATORS[before[-1]]
    if lemmas_of(number.head) & {"превысить", "превышать"}:
        return "gt"
    return "eq"
