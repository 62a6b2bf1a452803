"""Readers: turn a file into Documents, whatever its format and encoding.

A reader is chosen by extension and then by content; each is registered in READERS (text formats) or
BINARY_READERS (PDF, DOCX, XLSX: see ingest.office). Encodings are detected by charset-normalizer, so
cp1251 and koi8-r files read the same as utf-8 ones. Plain text and HTML give one document per file;
JSON, JSONL and CSV one per record, feeds one per entry (ingest.feeds), registers of firms one per row
(ingest.registers); XML is parsed by defusedxml, which refuses entity expansion.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from charset_normalizer import from_bytes

from ingest.document import Document, ReadError, is_furniture, without_furniture
from ingest.feeds import is_feed, read_feed
from ingest.office import read_docx, read_pdf, read_xlsx_rows
from ingest.profiles import read_markdown
from ingest.registers import is_register, read_config, register_documents
from ontology.terms import iri_problem

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser

MAX_FILE_BYTES = 20 * 1024 * 1024

# (path, text, encoding) -> one Document, or one per record; a record that cannot be read is its ReadError
Reader = Callable[[Path, str, str], "Document | list[Document] | list[Document | ReadError]"]
# (path, the file's bytes) -> the same, for formats that are not text
BinaryReader = Callable[[Path, bytes], "Document | list[Document] | list[Document | ReadError]"]

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
    """A mos.ru statement: speaker line, date DD.MM.YYYY, headline, body (its 'Версия для печати' line is
    left out by read_plain_text; a trailer glued to the last line is kept out of the NLP's body)."""
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
    """A plain article: the first line is its headline when it is short; print and share lines left out."""
    text = without_furniture(text)
    if not text.strip():
        raise ReadError(path, "the file holds nothing but print, share or subscribe lines")
    if is_statement(text):
        return read_statement(path, text, encoding)
    first = text.strip().splitlines()[0]
    return Document(
        text=text, source=str(path), headline=first.strip() if len(first) < 200 else None, encoding=encoding
    )


# ---------------------------------------------------------------- HTML

# Elements that are never an article's text: navigation, scripts, forms, page furniture.
_HTML_BOILERPLATE = "script, style, noscript, template, nav, header, footer, aside, form, iframe, svg, button, menu"
_HTML_BLOCKS = "h1, h2, h3, h4, h5, h6, p, li, blockquote, pre, td, dd, figcaption"


def read_html(path: Path, text: str, encoding: str) -> Document:
    """The main text of a web page (the article, or main, or body, without navigation and boilerplate) and
    what its markup says about it: title, date, author, site and canonical URL."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    about = page_metadata(tree)  # before the scripts go: JSON-LD lives in one
    for node in tree.css(_HTML_BOILERPLATE):
        node.decompose()
    for node in tree.css("[role='navigation'], [class*='breadcrumb'], [class*='share'], [class*='cookie']"):
        node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.css_first("[role='main']") or tree.body
    if root is None:
        raise ReadError(path, "the HTML has no body with text")
    blocks = [re.sub(r"\s+", " ", node.text(separator=" ")).strip() for node in root.css(_HTML_BLOCKS)]
    blocks = [b for b in blocks if b and not is_furniture(b)]
    if not blocks:  # no paragraphs: the root's text, line by line
        lines = root.text(separator="\n").splitlines()
        blocks = [line.strip() for line in lines if line.strip() and not is_furniture(line)]
    headline = about.get("headline")
    if headline and (not blocks or blocks[0] != headline):
        blocks.insert(0, headline)
    body = "\n".join(dict.fromkeys(blocks))  # the same block twice (nested elements) once
    if not body.strip():
        raise ReadError(path, "the HTML page has no text outside navigation and scripts")
    return Document(
        text=body,
        source=str(path),
        headline=headline,
        date=iso_date(about.get("date")),
        url=web_address(about.get("url")),
        author=about.get("author"),
        publisher=about.get("publisher"),
        encoding=encoding,
    )


# What a page's markup says about it, in the order each standard is trusted: schema.org JSON-LD first
# (what news sites give search engines), then OpenGraph and <meta>, then the page itself.
_META_SOURCES: dict[str, list[tuple[str, str | None]]] = {
    "headline": [("h1", None), ("meta[property='og:title']", "content"), ("title", None)],
    "date": [
        ("meta[property='article:published_time']", "content"),
        ("meta[itemprop='datePublished']", "content"),
        ("meta[name='pubdate']", "content"),
        ("meta[name='date']", "content"),
        ("meta[name='dc.date']", "content"),
        ("meta[name='DC.date.issued']", "content"),
        ("time[itemprop='datePublished']", "datetime"),
        ("time[datetime]", "datetime"),
    ],
    "author": [
        ("meta[name='author']", "content"),
        ("meta[property='article:author']", "content"),
        ("[itemprop='author'] [itemprop='name']", None),
        ("[rel='author']", None),
    ],
    "publisher": [("meta[property='og:site_name']", "content"), ("meta[name='application-name']", "content")],
    "url": [("link[rel='canonical']", "href"), ("meta[property='og:url']", "content")],
}
_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle", "webpage"}


def page_metadata(tree: LexborHTMLParser) -> dict[str, str]:
    """headline, date, author, publisher and url of a page, from whichever of its markup states them."""
    found = _json_ld(tree)
    for key, selectors in _META_SOURCES.items():
        if key in found:
            continue
        for selector, attribute in selectors:
            node = tree.css_first(selector)
            value = (node.attributes.get(attribute) if attribute else node.text()) if node is not None else None
            value = re.sub(r"\s+", " ", value or "").strip()
            if value and not (key == "author" and value.startswith(("http://", "https://"))):
                found[key] = value
                break
    return found


def _json_ld(tree: LexborHTMLParser) -> dict[str, str]:
    """The article's own fields from the page's schema.org JSON-LD; a block that is not valid JSON is skipped."""
    for script in tree.css("script[type='application/ld+json']"):
        try:
            data = json.loads(script.text() or "null")
        except (json.JSONDecodeError, RecursionError):
            continue
        for node in _ld_nodes(data):
            kinds = node.get("@type", [])
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if not any(str(kind).lower() in _ARTICLE_TYPES for kind in kinds):
                continue
            page = node.get("mainEntityOfPage")
            fields = {
                "headline": node.get("headline") or node.get("name"),
                "date": node.get("datePublished") or node.get("dateCreated"),
                "author": _ld_name(node.get("author")),
                "publisher": _ld_name(node.get("publisher")),
                "url": node.get("url") or (page.get("@id") if isinstance(page, dict) else page),
            }
            return {
                key: " ".join(value.split())
                for key, value in fields.items()
                if isinstance(value, str) and value.strip()
            }
    return {}


def _ld_nodes(data: object) -> list[dict]:
    """The objects of a JSON-LD block: itself, the items of a list, the members of an @graph."""
    if isinstance(data, list):
        return [node for item in data for node in _ld_nodes(item)]
    if isinstance(data, dict):
        return [data, *_ld_nodes(data["@graph"])] if "@graph" in data else [data]
    return []


def _ld_name(value: object) -> str | None:
    """A person's or organisation's name as JSON-LD writes it: a text, {"name": …}, or a list of either."""
    if isinstance(value, list):
        names = [name for name in (_ld_name(v) for v in value) if name]
        return ", ".join(names) or None
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) and value.strip() else None


def html_text(html: str) -> str:
    """The text of an HTML fragment (a feed entry's content), a line per block."""
    from selectolax.lexbor import LexborHTMLParser

    if "<" not in html:
        return " ".join(html.split())
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style, template"):
        node.decompose()
    root = tree.body or tree.root
    lines = root.text(separator="\n").splitlines() if root is not None else []
    return "\n".join(" ".join(line.split()) for line in lines if line.strip() and not is_furniture(line))


def web_address(value: str | None) -> str | None:
    """An absolute http(s) URL a page gives for itself; anything else (relative, javascript:, broken) is None."""
    if not value or not value.startswith(("http://", "https://")) or iri_problem(value):
        return None
    return value


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_RU_DATE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")


def iso_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) from '2022-04-12T10:00', '12.04.2022' and the like; None otherwise."""
    if not isinstance(value, str):
        return None
    if match := _ISO_DATE.search(value):
        year, month, day = match.groups()
    elif match := _RU_DATE.search(value):
        day, month, year = match.groups()
    else:
        return None
    try:
        return datetime(int(year), int(month), int(day)).date().isoformat()
    except ValueError:
        return None


# ---------------------------------------------------------------- records: JSON, JSONL, CSV

TEXT_FIELDS = ("text", "body", "content", "description", "summary", "текст", "описание", "содержание")
TITLE_FIELDS = ("title", "headline", "name", "заголовок", "название")
DATE_FIELDS = ("date", "published", "published_at", "datetime", "дата")
URL_FIELDS = ("url", "link", "href", "ссылка")
ID_FIELDS = ("id", "identifier", "slug")


def _field(record: dict, names: tuple[str, ...]) -> str | None:
    lowered = {str(k).lower(): v for k, v in record.items()}
    for name in names:
        value = lowered.get(name)
        if isinstance(value, str | int | float) and str(value).strip():
            return str(value).strip()
    return None


def record_document(path: Path, record: object, number: int, encoding: str, sheet: str = "") -> Document:
    """One record as a document: its title and text fields; without them, all its fields as lines."""
    if not isinstance(record, dict):
        raise ReadError(f"{path}#{number}", f"record {number} is {type(record).__name__}, not an object")
    title, body = _field(record, TITLE_FIELDS), _field(record, TEXT_FIELDS)
    if body is None:
        body = "\n".join(f"{k}: {v}" for k, v in record.items() if isinstance(v, str | int | float) and str(v).strip())
    if not body.strip():
        raise ReadError(f"{path}#{number}", f"record {number} has no text")
    text = f"{title}\n{body}" if title and not body.startswith(title) else body
    record_id = (f"{sheet}-" if sheet else "") + (_field(record, ID_FIELDS) or str(number))
    return Document(
        text=text,
        source=f"{path}#{record_id}",
        kind="record",
        headline=title,
        date=iso_date(_field(record, DATE_FIELDS)),
        url=_field(record, URL_FIELDS),
        encoding=encoding,
        metadata={"record": number},
    )


def read_json(path: Path, text: str, encoding: str) -> list[Document]:
    """A JSON object (one record) or an array of records."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReadError(path, f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from error
    except RecursionError:
        raise ReadError(path, "the JSON is nested too deeply to be a document record") from None
    records = data if isinstance(data, list) else [data]
    return [record_document(path, record, i, encoding) for i, record in enumerate(records, 1)]


def read_jsonl(path: Path, text: str, encoding: str) -> list[Document]:
    """One JSON record per line; blank lines are skipped."""
    documents = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ReadError(path, f"line {number} is not valid JSON: {error.msg}") from error
        except RecursionError:
            raise ReadError(path, f"line {number} is nested too deeply to be a document record") from None
        documents.append(record_document(path, record, number, encoding))
    return documents


_DELIMITERS = ",;\t|"


def read_csv(path: Path, text: str, encoding: str) -> list[Document | ReadError]:
    """A table with a header row; the delimiter (, ; tab |) is sniffed, or else the one the header uses most."""
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:  # cells quoting a delimiter, rows of unequal length: the header decides
        header_line = sample.splitlines()[0] if sample.strip() else ""
        counts = {d: header_line.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        delimiter = best if counts[best] else ("\t" if path.suffix.lower() == ".tsv" else ",")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [cell.strip() for cell in rows[0]] if rows else []
    if not any(header):
        raise ReadError(path, "the CSV file has no header row")
    return table_documents(path, header, list(enumerate(rows[1:], 2)), encoding)


def table_documents(
    path: Path, header: list[str], rows: list[tuple[int, list]], encoding: str, sheet: str = ""
) -> list[Document | ReadError]:
    """A table's rows: a register's firms (ingest.registers) when the header or a config says so, else
    records. A bad row is its ReadError, and the other rows are read."""
    config = read_config(path)
    if is_register(header, config):
        return register_documents(path, header, rows, encoding, config, sheet)
    found: list[Document | ReadError] = []
    for number, cells in rows:
        if not any(str(c or "").strip() for c in cells):
            continue
        record = {name: cells[i] if i < len(cells) else None for i, name in enumerate(header) if name}
        try:
            found.append(record_document(path, record, number, encoding, sheet))
        except ReadError as error:
            found.append(error)
    return found


def read_xlsx(path: Path, data: bytes) -> list[Document | ReadError]:
    """Each sheet of a workbook as a table (see table_documents); rows of a sheet after the first name it."""
    found: list[Document | ReadError] = []
    for i, (sheet, header, rows) in enumerate(read_xlsx_rows(path, data)):
        found += table_documents(path, header, rows, "xlsx", sheet if i else "")
    return found


# ---------------------------------------------------------------- XML


def read_xml(path: Path, text: str, encoding: str) -> Document:
    """Any XML document's text, parsed safely (no entity expansion, no external references)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text))  # the text is decoded already
    except DefusedXmlException as error:
        raise ReadError(path, f"refused: {error} (entity declarations are not read, for safety)") from error
    except ParseError as error:
        raise ReadError(path, f"not well-formed XML: {error}") from error
    lines = [re.sub(r"\s+", " ", chunk).strip() for chunk in root.itertext()]
    body = "\n".join(line for line in lines if line)
    if not body:
        raise ReadError(path, "the XML document has no text")
    title = next((el.text.strip() for el in root.iter() if el.tag.lower().endswith("title") and el.text), None)
    return Document(text=body, source=str(path), headline=title, encoding=encoding)


# ---------------------------------------------------------------- choosing a reader

READERS: dict[str, Reader] = {
    ".txt": read_plain_text,
    ".md": read_markdown,  # profiles and news with YAML front matter
    "": read_plain_text,
    ".text": read_plain_text,
    ".html": read_html,
    ".htm": read_html,
    ".xhtml": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
    ".tsv": read_csv,
    ".xml": read_xml,  # an RSS or Atom feed by its root element (ingest.feeds)
    ".rss": read_feed,
    ".atom": read_feed,
}
BINARY_READERS: dict[str, BinaryReader] = {".pdf": read_pdf, ".docx": read_docx, ".xlsx": read_xlsx}


def sniff_reader(text: str) -> Reader | None:
    """A reader chosen by what the text looks like, for files whose extension says little (.txt, none)."""
    head = text.lstrip()[:512].lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(body|article|p|div)[\s>]", head):
        return read_html
    if head.startswith("<?xml") or (head.startswith("<") and not head.startswith("<<")):
        return read_xml
    if head.startswith(("{", "[")):
        stripped = text.strip()
        try:
            json.loads(stripped)
            return read_json
        except json.JSONDecodeError:
            lines = [line for line in stripped.splitlines() if line.strip()]
            if lines and all(line.lstrip().startswith("{") for line in lines):
                return read_jsonl
    return None


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS or path.suffix.lower() in BINARY_READERS


def read_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[list[Document], list[ReadError]]:
    """One file's Documents, and the errors of its records that could not be read (a register's row with
    a wrong ИНН); a ReadError names the file and the reason when the file itself cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READERS and suffix not in BINARY_READERS:
        known = ", ".join(sorted([*READERS, *BINARY_READERS]))
        raise ReadError(path, f"unsupported file type {path.suffix!r}; supported: {known}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(
                path,
                f"{size:,} bytes is over the limit of {max_bytes:,} bytes for one file; "
                "split it, or raise ZAMENA_MAX_FILE_BYTES",
            )
        data = path.read_bytes()
    except OSError as error:
        raise ReadError(path, error.strerror or str(error)) from error
    if suffix in BINARY_READERS:
        if not data.strip():
            raise ReadError(path, "the file is empty")
        found = BINARY_READERS[suffix](path, data)
    else:
        text, encoding = decode(path, data)
        reader = READERS[suffix]
        if reader is read_plain_text:
            reader = sniff_reader(text) or reader
        if reader is read_xml and is_feed(text):
            reader = read_feed
        found = reader(path, text, encoding)
    items = found if isinstance(found, list) else [found]
    documents = [item for item in items if isinstance(item, Document)]
    errors = [item for item in items if isinstance(item, ReadError)]
    if not documents and not errors:
        raise ReadError(path, "no records in the file")
    return documents, errors


def read_documents(path: Path, max_bytes: int = MAX_FILE_BYTES) -> list[Document]:
    """Read one file into its Documents; a ReadError names the file and the reason when it cannot, or when
    none of its records can be read."""
    documents, errors = read_file(path, max_bytes)
    if not documents:
        raise errors[0]
    return documents


def read_document(path: Path) -> Document:
    """Read a file that holds one document (a file of many records gives its first)."""
    return read_documents(path)[0]
