"""The gazetteer: firms already in the graph, found again in new text and linked to the same URI.

Each known firm's names (preferred and alternative labels) are indexed as sequences of every
inflected form of their words (NameIndex), so «Профотеку», компании Профотек and Profotech all match the
firm whose label is «Профотек». ИНН/ОГРН, when known, decide identity before any name does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ingest.mapping import CLASSES
from ingest.names import language_of, name_key, name_words, same_name, sound_key, word_forms

if TYPE_CHECKING:
    from ontology.graph import KnowledgeGraph

PIPE_NAME = "zamena_gazetteer"
_IDENTIFIER = re.compile(r"\b(\d{10}|\d{12}|\d{13}|\d{15})\b")  # ИНН (10/12 digits), ОГРН (13/15)
_QUOTES = frozenset("«»„“”\"'")


@dataclass
class KnownFirm:
    key: str  # the last segment of the firm's URI: its identity in the graph
    name: str
    aliases: set[str] = field(default_factory=set)
    identifiers: set[str] = field(default_factory=set)  # ИНН, ОГРН
    stated: bool = False  # named by a structured source (a profile, a register): its name is the one to keep

    @property
    def names(self) -> list[str]:
        return [self.name, *sorted(self.aliases)]


def one_name_in_two_forms(a: str, b: str) -> bool:
    """Whether two names are one name in two cases or spellings of one script («Биокада», «Биокад»); a name in
    another script (Profotech, «Профотек») is another name of the firm, not another form of this one."""
    return a != b and language_of(a) == language_of(b) and same_name(a, b)


@dataclass(frozen=True)
class KnownOther:
    """Something a zone profile names that is no firm of the zone: a site, cluster or centre, the press, a
    bank, a state body, a partner, a product («Мир»). A mention of it is that thing, never a firm."""

    kind: str  # the entity kind: SITE, CLUSTER, CENTRE, ZONE, GOV, ORG, PRODUCT
    key: str  # the last segment of its URI
    name: str


def identifiers_in(text: str) -> set[str]:
    """ИНН and ОГРН numbers written in a text or an identifier literal."""
    return set(_IDENTIFIER.findall(text))


class Gazetteer:
    """Known firms, looked up by identifier or by any of their names."""

    def __init__(self, firms: Iterable[KnownFirm] = ()) -> None:
        self.firms: dict[str, KnownFirm] = {}
        self._by_identifier: dict[str, str] = {}
        self._by_first_word: dict[str, set[str]] = {}
        self._by_sound: dict[str, set[str]] = {}
        self.version = 0
        self.changes: list[str] = []  # keys of the firms added or given new names, in order: indexes catch up
        self.others: dict[str, KnownOther] = {}  # the name key of each of their names → the thing
        self._other_names: list[tuple[str, KnownOther]] = []  # each name as written, for inflected forms
        for firm in firms:
            self.add(firm)

    def __len__(self) -> int:
        return len(self.firms)

    def add(self, firm: KnownFirm) -> None:
        known = self.firms.get(firm.key)
        if known is None:
            known = self.firms[firm.key] = KnownFirm(firm.key, firm.name, stated=firm.stated)
        elif firm.stated and not known.stated and one_name_in_two_forms(firm.name, known.name):
            # a profile's name outranks the form a news item wrote first («Биокада» → «Биокад»)
            known.aliases.add(known.name)
            known.name, known.stated = firm.name, True
        elif not (firm.aliases | {firm.name}) - set(known.names) and firm.identifiers <= known.identifiers:
            return  # nothing new: the firm's mentions need no second look (see `changes`)
        known.aliases |= {a for a in firm.aliases | {firm.name} if a != known.name}
        known.aliases.discard(known.name)
        known.identifiers |= firm.identifiers
        for identifier in firm.identifiers:
            self._by_identifier.setdefault(identifier, firm.key)
        for name in known.names:
            words = name_words(name)
            if words:
                for form in word_forms(words[0]):
                    self._by_first_word.setdefault(form, set()).add(firm.key)
            self._by_sound.setdefault(sound_key(name), set()).add(firm.key)
        self.version += 1
        self.changes.append(firm.key)

    def add_other(self, other: KnownOther, names: Iterable[str]) -> None:
        """Learn a thing that is no firm, under each of its names; the first to claim a name keeps it."""
        for name in (other.name, *names):
            key = name_key(name)
            if key and key not in self.others:
                self.others[key] = other
                self._other_names.append((name, other))

    def other(self, name: str) -> KnownOther | None:
        """The thing that is no firm a name names, if a zone profile said so: by its name's key, or by an
        inflected form the key does not undo («Минпромторгом»)."""
        found = self.others.get(name_key(name))
        if found is None:
            found = next((other for known, other in self._other_names if same_name(name, known)), None)
        return found

    def other_written_at(self, text: str, start: int) -> KnownOther | None:
        """The thing that is no firm whose name of several words `text` writes from `start` on, in any case:
        «Федеральный центр беспилотных авиационных систем», of which a model may take «Федеральный центр»."""
        for name, other in self._other_names:
            count = len(name.split())
            if count > 1 and same_name(" ".join(text[start : start + 3 * len(name)].split()[:count]), name):
                return other
        return None

    def link(self, name: str, identifiers: Iterable[str] = ()) -> KnownFirm | None:
        """The known firm a name (and its ИНН/ОГРН, if any) refers to, or None."""
        for identifier in identifiers:
            if identifier in self._by_identifier:
                return self.firms[self._by_identifier[identifier]]
        words = name_words(name)
        if not words:
            return None
        candidates = set(self._by_first_word.get(words[0].lower().replace("ё", "е"), set()))
        candidates |= self._by_sound.get(sound_key(name), set())
        for key in sorted(candidates):
            firm = self.firms[key]
            if identifiers and firm.identifiers and not set(identifiers) & firm.identifiers:
                continue  # different ИНН: a namesake, not the same firm
            if any(same_name(name, known) for known in firm.names):
                return firm
        return None


class NameIndex:
    """Every known firm's names as sequences of word forms, looked up by their first word.

    Finding the firms a text names then costs the same however many firms are known: spaCy's Matcher
    tries each of its patterns at each token, which made ingest slow down as the firms grew.
    `tokenize` must split names as the texts are split (the pipeline's tokenizer).
    """

    def __init__(self, tokenize: Callable[[str], list[str]]) -> None:
        self.tokenize = tokenize
        self.gazetteer: Gazetteer | None = None
        self._changes_seen = 0
        self._by_first_form: dict[str, set[tuple[str, tuple[frozenset[str], ...]]]] = {}

    def follow(self, gazetteer: Gazetteer | None) -> None:
        """Index `gazetteer`'s firms; later calls add only the firms added or changed since. None: no firms."""
        if gazetteer is not self.gazetteer:
            self.gazetteer, self._changes_seen, self._by_first_form = gazetteer, 0, {}
        if gazetteer is None:
            return
        changed = dict.fromkeys(gazetteer.changes[self._changes_seen :])
        self._changes_seen = len(gazetteer.changes)
        for key in changed:  # a firm's names only grow (Gazetteer.add), so nothing indexed goes stale
            for name in gazetteer.firms[key].names:
                words = [w for w in self.tokenize(name) if w not in _QUOTES and (w in "+&" or _has_word(w))]
                if not words or (len(words) == 1 and len(words[0]) < 3):
                    continue  # one- and two-letter names match too much by chance
                forms = tuple(word_forms(word) for word in words)
                for form in forms[0]:
                    self._by_first_form.setdefault(form, set()).add((key, forms[1:]))

    def find(self, words: list[str]) -> list[tuple[int, int, str]]:
        """(start, end, firm key) of every known name in a text's words, overlaps included."""
        low = [w.lower().replace("ё", "е") for w in words]
        found = []
        for start, word in enumerate(low):
            for key, rest in self._by_first_form.get(word, ()):
                end = start + 1 + len(rest)
                if end <= len(low) and all(w in forms for w, forms in zip(low[start + 1 : end], rest, strict=True)):
                    found.append((start, end, key))
        return found


def _has_word(token: str) -> bool:
    return any(c.isalnum() for c in token)


# The name a firm's own profile gives it: the one to keep when news items wrote it otherwise.
PROFILED_NAMES_QUERY = """
SELECT ?firm ?name WHERE {
    GRAPH ?g { ?doc a zo:CompanyProfile ; schema:mentions ?firm . ?firm a schema:Corporation ; skos:prefLabel ?name }
}"""
FIRMS_QUERY = """
SELECT ?firm ?pref ?alt ?id WHERE {
    ?firm a schema:Corporation ; skos:prefLabel ?pref .
    OPTIONAL { ?firm skos:altLabel ?alt }
    OPTIONAL { ?firm org:identifier ?id }
}"""


# What a zone profile names, with the kind each class makes it (the most specific class first).
OTHERS_QUERY = """
SELECT ?thing ?class ?pref ?alt WHERE {
    ?doc a zo:ZoneProfile ; schema:mentions ?thing .
    ?thing a ?class ; skos:prefLabel ?pref .
    OPTIONAL { ?thing skos:altLabel ?alt }
}"""
# The kind of each by its first class (ingest.mapping), the most specific first: a zone is an
# organisation too, so a plain organisation comes last.
OTHER_KINDS = {str(CLASSES[kind][0]): kind for kind in ("SITE", "CLUSTER", "CENTRE", "ZONE", "GOV", "PRODUCT", "ORG")}


def uri_key(uri: object) -> str:
    """The last segment of an entity's URI: its identity in the graph."""
    return str(uri).rstrip("/").rsplit("/", 1)[-1]


def firms_from_graph(graph: KnowledgeGraph) -> Gazetteer:
    """The gazetteer of every firm in the graph, and of what zone profiles say is no firm, read through the
    graph's SPARQL facade. A firm's name is the one its profile gives when it has one."""
    firms: dict[str, KnownFirm] = {}
    for uri, pref, alt, identifier in graph.query(FIRMS_QUERY):
        key = uri_key(uri)
        firm = firms.setdefault(key, KnownFirm(key, str(pref)))
        if str(pref) != firm.name:
            firm.aliases.add(str(pref))
        if alt is not None:
            firm.aliases.add(str(alt))
        if identifier is not None:
            firm.identifiers |= identifiers_in(str(identifier))
    for uri, name in graph.query(PROFILED_NAMES_QUERY):
        firm = firms.get(uri_key(uri))
        if firm is not None and one_name_in_two_forms(str(name), firm.name):
            firm.aliases.add(firm.name)
            firm.name, firm.stated = str(name), True
            firm.aliases.discard(firm.name)
    gazetteer = Gazetteer(firms.values())
    found: dict[str, tuple[str, set[str], set[str]]] = {}  # key → (name, classes, names)
    for uri, cls, pref, alt in graph.query(OTHERS_QUERY):
        name, classes, names = found.setdefault(uri_key(uri), (str(pref), set(), set()))
        classes.add(str(cls))
        names |= {str(pref)} | ({str(alt)} if alt is not None else set())
    for key, (name, classes, names) in found.items():
        kind = next((k for cls, k in OTHER_KINDS.items() if cls in classes), None)
        if kind is not None:
            gazetteer.add_other(KnownOther(kind, key, name), names)
    return gazetteer
