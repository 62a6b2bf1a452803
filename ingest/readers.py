"""Readers: turn a file into a Document, whatever its encoding.

A reader is chosen by extension and then by content; each is registered in READERS. Encodings are
detected by charset-normalizer, so cp1251 and koi8-r files read the same as utf-8 ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from charset_normalizer import from_bytes

from ingest.document import Document, ReadError

MAX_FILE_BYTES = 20 * 1024 * 1024

Reader = Callable[[Path, str, str], Document]  # (path, text, encoding) -> Document

_DATE_LINE = re.compile(r"^\s*(\d{2})\.(\d{2})\.(\d{4})\s*$")
_PRINT_TRAILER = re.compile(r"\s*Версия для печати\s*$")


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text of `data` and the encoding it was in; a ReadError when it is not text."""
    if not data.strip():
        raise ReadError(path, "the file is empty")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(path, "binary content (NUL bytes), not a text document")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ReadError(path, "cannot detect the text encoding; save it as UTF-8")
    return str(best), best.encoding


def read_statement(path: Path, text: str, encoding: str) -> Document:
    """A mos.ru statement: speaker line, date DD.MM.YYYY, headline, body, 'Версия для печати'."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    speaker, date_line, headline = lines[0], lines[1], lines[2]
    day, month, year = _DATE_LINE.match(date_line).groups()  # type: ignore[union-attr]
    trailer = _PRINT_TRAILER.search(text)
    body_end = trailer.start() if trailer else len(text)
    return Document(
        text=text,
        source=str(path),
        kind="news",
        date=datetime(int(year), int(month), int(day)).date().isoformat(),
        headline=headline.strip(),
        encoding=encoding,
        body=(0, body_end),
        metadata={"speaker_line": (0, len(speaker.rstrip("\r\n")))},
    )


def is_statement(text: str) -> bool:
    lines = text.splitlines()
    return len(lines) >= 4 and bool(_DATE_LINE.match(lines[1]))


def read_plain_text(path: Path, text: str, encoding: str) -> Document:
    """A plain article: the first line is its headline when it is short."""
    if is_statement(text):
        return read_statement(path, text, encoding)
    first = text.strip().splitlines()[0]
    return Document(
        text=text, source=str(path), headline=first.strip() if len(first) < 200 else None, encoding=encoding
    )


READERS: dict[str, Reader] = {
    ".txt": read_plain_text,
    "": read_plain_text,
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def read_document(path: Path) -> Document:
    """Read one file into a Document; a ReadError names the file and the reason when it cannot."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ReadError(path, f"unsupported file type {path.suffix!r}; supported: {', '.join(sorted(READERS))}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ReadError(path, f"{size} bytes is over the {MAX_FILE_BYTES} byte limit for one document")
        data = path.read_bytes()
    except OSError as error:
        raise ReadError(path, error.strerror or str(error)) from error
    text, encoding = decode(path, data)
    return reader(path, text, encoding)
