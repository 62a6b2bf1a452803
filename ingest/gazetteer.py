"""The gazetteer: firms already in the graph, found again in new text and linked to the same URI.

Each known firm's names (preferred and alternative labels) become spaCy SpanRuler patterns over
every inflected form of their words, so «Профотеку», компании Профотек and Profotech all match the
firm whose label is «Профотек». ИНН/ОГРН, when known, decide identity before any name does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.language import Language

from ingest.names import name_words, same_name, sound_key, word_forms

SPANS_KEY = "gazetteer"
PIPE_NAME = "zamena_gazetteer"
_IDENTIFIER = re.compile(r"\b(\d{10}|\d{12}|\d{13}|\d{15})\b")  # ИНН (10/12 digits), ОГРН (13/15)


@dataclass
class KnownFirm:
    key: str  # the last segment of the firm's URI: its identity in the graph
    name: str
    aliases: set[str] = field(default_factory=set)
    identifiers: set[str] = field(default_factory=set)  # ИНН, ОГРН

    @property
    def names(self) -> list[str]:
        return [self.name, *sorted(self.aliases)]


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
        self.changes: list[str] = []  # keys of the firms added or changed, in order: rulers catch up from it
        for firm in firms:
            self.add(firm)

    def __len__(self) -> int:
        return len(self.firms)

    def add(self, firm: KnownFirm) -> None:
        known = self.firms.setdefault(firm.key, KnownFirm(firm.key, firm.name))
        known.aliases |= {a for a in firm.aliases | {firm.name} if a != known.name}
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

    def patterns(self, nlp: Language, keys: Iterable[str] | None = None) -> list[dict]:
        """SpanRuler patterns: each name as a sequence of tokens, each token any form of its word.

        Only the firms with these `keys` when given (a ruler catching up with firms added since)."""
        patterns = []
        firms = self.firms.values() if keys is None else [self.firms[key] for key in keys]
        for firm in firms:
            for name in firm.names:
                tokens = [t.text for t in nlp.make_doc(name) if not t.is_punct or t.text in "+&"]
                tokens = [t for t in tokens if t not in "«»„“”\"'"]
                if not tokens or (len(tokens) == 1 and len(tokens[0]) < 3):
                    continue  # one- and two-letter names match too much by chance
                pattern = [{"LOWER": {"IN": sorted(word_forms(token))}} for token in tokens]
                patterns.append({"label": "FIRM", "pattern": pattern, "id": firm.key})
        return patterns

    def install(self, nlp: Language) -> None:
        """Make the pipeline's gazetteer component look for these firms."""
        nlp.get_pipe(PIPE_NAME).use(self)


FIRMS_QUERY = """
SELECT ?firm ?pref ?alt ?id WHERE {
    ?firm a schema:Corporation ; skos:prefLabel ?pref .
    OPTIONAL { ?firm skos:altLabel ?alt }
    OPTIONAL { ?firm org:identifier ?id }
}"""


def firms_from_graph(graph) -> Gazetteer:  # noqa: ANN001 - an ontology.graph.KnowledgeGraph
    """The gazetteer of every firm in the graph, read through the graph's SPARQL facade."""
    firms: dict[str, KnownFirm] = {}
    for uri, pref, alt, identifier in graph.query(FIRMS_QUERY):
        key = str(uri).rstrip("/").rsplit("/", 1)[-1]
        firm = firms.setdefault(key, KnownFirm(key, str(pref)))
        if str(pref) != firm.name:
            firm.aliases.add(str(pref))
        if alt is not None:
            firm.aliases.add(str(alt))
        if identifier is not None:
            firm.identifiers |= identifiers_in(str(identifier))
    return Gazetteer(firms.values())
