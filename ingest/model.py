"""The data that flows from extraction to the graph: entities, their mentions, and facts with evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.document import Document


@dataclass
class Mention:
    start: int
    end: int
    text: str


@dataclass
class Entity:
    """One real thing named in the document: a firm, zone, centre, government body, person or post."""

    type: str  # FIRM | ZONE | CENTRE | CLUSTER | GOV | PER | POST
    key: str
    name: str
    aliases: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> tuple[str, str]:
        return self.type, self.key


@dataclass
class Fact:
    """subject –predicate→ object, read from the sentence at [start, end) of the document text.

    The object is another entity (type, key), a URI string of a concept outside the document
    (an ОКПД 2 class, a competence), or a dict describing a quantity.
    """

    subject: tuple[str, str]
    predicate: str  # a key of ingest.mapping.PREDICATES
    object: tuple[str, str] | str | dict[str, object]
    start: int
    end: int
    confidence: float
    rule: str
    # A fact a structured source states (a profile's front matter): the statement in words a reader
    # checks («Профиль компании: выпускает …»), and the pages it cites, each {"url", "date"}.
    statement: str = ""
    cites: list[dict[str, str]] = field(default_factory=list)

    def sentence(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass
class Extraction:
    document: Document
    entities: dict[tuple[str, str], Entity]
    facts: list[Fact]
