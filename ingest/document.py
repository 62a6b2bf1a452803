"""What a reader hands to the pipeline: the text as read, where it came from, and its metadata."""

from __future__ import annotations

import hashlib
import re
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


# Page furniture a copy of an article keeps as lines of its own: print, share and subscribe buttons, in
# Russian and English. A line goes when the whole of it is one of these, or several of them (with the names
# of social networks) apart by | · • /; any other line, however short, stays.
FURNITURE_PHRASES = frozenset(
    {
        "версия для печати",
        "печатная версия",
        "для печати",
        "распечатать",
        "распечатать страницу",
        "распечатать статью",
        "напечатать",
        "поделиться",
        "поделитесь",
        "поделиться ссылкой",
        "поделиться в соцсетях",
        "поделиться в социальных сетях",
        "скопировать ссылку",
        "копировать ссылку",
        "подписаться",
        "подпишитесь",
        "подписывайтесь",
        "подписаться на новости",
        "подписаться на рассылку",
        "подпишитесь на рассылку",
        "подписаться на канал",
        "подписывайтесь на наш канал",
        "отправить по почте",
        "отправить по e-mail",
        "отправить по email",
        "отправить другу",
        "версия для слабовидящих",
        "добавить в избранное",
        "print",
        "print version",
        "printable version",
        "printer-friendly version",
        "print this page",
        "print this article",
        "share",
        "share this",
        "share this article",
        "share this page",
        "share on facebook",
        "share on twitter",
        "share on linkedin",
        "copy link",
        "email this",
        "email this article",
        "e-mail this page",
        "send to a friend",
        "subscribe",
        "subscribe now",
        "subscribe to our newsletter",
        "sign up for our newsletter",
        "follow us",
    }
)
# Names on share buttons: furniture beside a phrase above or another name, never alone («Telegram» may be a
# line of an article's contacts).
SHARE_TARGETS = frozenset(
    {"вконтакте", "вк", "vk", "одноклассники", "ok", "telegram", "телеграм", "whatsapp", "viber", "twitter", "x"}
    | {"facebook", "linkedin", "e-mail", "email", "почта", "tweet"}
)
FURNITURE_LINE_MAX = 60  # characters: a longer line is text, whatever its words
_FURNITURE_SEPARATORS = re.compile(r"\s*[|·•/]\s*")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def is_furniture(line: str) -> bool:
    """Whether `line` is page furniture (a print, share or subscribe button's words) rather than text."""
    if not line.strip() or len(line.strip()) > FURNITURE_LINE_MAX:
        return False
    words = " ".join(line.lower().replace("ё", "е").split())
    parts = [_EDGES.sub("", part) for part in _FURNITURE_SEPARATORS.split(words)]
    parts = [part for part in parts if part]
    if not parts or not all(part in FURNITURE_PHRASES or part in SHARE_TARGETS for part in parts):
        return False
    return len(parts) > 1 or parts[0] in FURNITURE_PHRASES


def without_furniture(text: str) -> str:
    """`text` without its lines of page furniture; every other line kept as it was, line ends included.
    Readers call this before anything takes offsets into the text, so quotes point into the stored text."""
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if not is_furniture(line)]
    if len(kept) == len(lines):
        return text
    return "".join(kept)
