"""What a reader hands to the pipeline: the text as read, where it came from, and its metadata."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ingest.model import Entity, Fact


class ReadError(ValueError):
    """A file that cannot be read as a document; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass
class Document:
    """One source document. Offsets of everything extracted from it are offsets into `text`."""

    text: str
    source: str  # the file path or URL it was read from
    kind: str = "news"  # news | profile | record
    date: str | None = None  # ISO 8601
    headline: str | None = None
    url: str | None = None  # where it was published, when known
    author: str | None = None  # who wrote it, as the page or file names them
    publisher: str | None = None  # the site or agency that published it («ТАСС», technomoscow.ru)
    encoding: str = "utf-8"
    # spans of the text to run the NLP over; the whole text when empty
    body: tuple[int, int] | None = None
    metadata: dict[str, object] = field(default_factory=dict)
    # What a structured source (a profile's front matter, a JSON record) states outright; the
    # extractor merges these with what it reads from the text.
    entities: list[Entity] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()
