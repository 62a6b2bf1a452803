"""A document's page reads as the document: its text first, a profile's front matter folded away, and no
file path of the corpus (a path says where the file lay on the machine that read it, nothing to a reader)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib.namespace import DCTERMS

from web.describe import Value

# (kind, anchor, text): kind is plain, quote or marked, as ui._marked_text cuts a text
Part = tuple[str, str, str]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# a front-matter line that names a file of the corpus: «    document: corpora/news/seed-news-2022-04-12.txt»
_FILE_LINE = re.compile(r"^[ \t]*(?:-[ \t]+)?(?:document|file|path):[ \t]*(?!https?://)\S.*(?:\r?\n|\Z)", re.M)


@dataclass
class DocumentText:
    body: list[Part]
    front: list[Part] = field(default_factory=list)  # a profile's front matter, shown folded
    front_open: bool = False  # the quote the reader came for is in the front matter


def document_text(text: str, parts: list[Part]) -> DocumentText:
    """The parts of `text` split into its front matter (when it opens with one) and the rest; front-matter
    lines that name a corpus file are left out of what is shown (the offsets of quotes are unchanged)."""
    found = _FRONT_MATTER.match(text)
    end = found.end() if found else 0
    front: list[Part] = []
    body: list[Part] = []
    position = 0
    for kind, anchor, part in parts:
        if position + len(part) <= end or (position < end and kind != "plain"):
            front.append((kind, anchor, part))
        elif position >= end:
            body.append((kind, anchor, part))
        else:  # plain text across the end of the front matter
            front.append((kind, anchor, part[: end - position]))
            body.append((kind, anchor, part[end - position :]))
        position += len(part)
    front = [(kind, anchor, _FILE_LINE.sub("", part) if kind == "plain" else part) for kind, anchor, part in front]
    return DocumentText(body, front, any(kind == "marked" for kind, _anchor, _part in front))


def without_file_paths(groups: list[tuple[Value, list[Value]]]) -> list[tuple[Value, list[Value]]]:
    """Property rows without dcterms:source values that are file paths rather than links."""
    shown = []
    for prop, values in groups:
        if prop.term == DCTERMS.source:
            values = [v for v in values if v.is_link or str(v.term).startswith(("http://", "https://"))]
        if values:
            shown.append((prop, values))
    return shown
