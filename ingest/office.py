"""Files that are not text: PDF brochures (pdfminer.six), DOCX profiles (python-docx), XLSX tables (openpyxl).

Each reader builds the document's text itself and keeps, in its metadata, where each page (PDF) or
paragraph (DOCX) lies in that text, so a quote's offsets point into the stored text and say which page
they come from. A PDF whose pages hold no text is a scan: it is reported as such, by name.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from ingest.document import Document, ReadError


def read_pdf(path: Path, data: bytes) -> Document:
    """A PDF's text layer, paragraph by paragraph as pdfminer.six lays out each page; title and author
    from the document information."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer
    from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psexceptions import PSException

    try:
        info = PDFDocument(PDFParser(io.BytesIO(data))).info
        pages = [
            [_paragraph(box.get_text()) for box in page if isinstance(box, LTTextContainer)]
            for page in extract_pages(io.BytesIO(data), laparams=LAParams())
        ]
    except PDFPasswordIncorrect as error:
        raise ReadError(path, "the PDF is encrypted with a password; save a copy without one") from error
    except (PSException, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as error:
        reason = str(error) or type(error).__name__
        raise ReadError(path, f"not a readable PDF (truncated or damaged?): {reason}") from error
    if not pages:
        raise ReadError(path, "the PDF has no pages")
    texts = ["\n".join(p for p in paragraphs if p) for paragraphs in pages]
    if not any(texts):
        raise ReadError(
            path, f"the PDF has no text layer ({len(pages)} pages of images: a scan?); run OCR on it, then ingest"
        )
    text, spans = _joined(texts, "\n\n")
    return Document(
        text=text,
        source=str(path),
        headline=_info(info, "Title") or text.split("\n", 1)[0][:200],
        author=_info(info, "Author"),
        metadata={"pages": spans, "format": "pdf"},
    )


def _info(info: list[dict], name: str) -> str | None:
    """A field of the PDF's document information (bytes in PDFDocEncoding or UTF-16), as text."""
    from pdfminer.utils import decode_text

    for entry in info:
        value = entry.get(name)
        if isinstance(value, bytes):
            value = decode_text(value)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def _paragraph(box_text: str) -> str:
    """A text box's wrapped lines as one paragraph; a word split by a hyphen at a line's end kept whole."""
    paragraph = ""
    for line in (" ".join(line.split()) for line in box_text.splitlines()):
        if not line:
            continue
        if paragraph.endswith("-") and line[:1].islower():
            paragraph += line
        else:
            paragraph = f"{paragraph} {line}" if paragraph else line
    return paragraph


def _joined(parts: Sequence[str], separator: str) -> tuple[str, list[tuple[int, int]]]:
    """The parts joined, and where each lies in the result."""
    spans, offset = [], 0
    for part in parts:
        spans.append((offset, offset + len(part)))
        offset += len(part) + len(separator)
    return separator.join(parts), spans


# What the parts of a DOCX or XLSX may unpack to: a few megabytes of XML hold a long report, and a file that
# unpacks to more is a zip bomb, not a document.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def _open_zip(path: Path, data: bytes, what: str, was: str) -> None:
    """Refuses what is not a zip archive, or one that would unpack past MAX_UNPACKED_BYTES."""
    article = "an" if what[0] in "AEIOUX" else "a"
    if not zipfile.is_zipfile(io.BytesIO(data)):
        reason = f"not {article} {what} file ({article} {what} is a zip archive; is it an old {was}? save it as {what})"
        raise ReadError(path, reason)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(part.file_size for part in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise ReadError(path, f"unpacks to {unpacked:,} bytes, over {MAX_UNPACKED_BYTES:,}: refused as a zip bomb")


def read_docx(path: Path, data: bytes) -> Document:
    """A Word document's paragraphs and table cells, in their order; its title and author."""
    from docx import Document as open_docx
    from docx.opc.exceptions import PackageNotFoundError

    _open_zip(path, data, "DOCX", ".doc")
    try:
        word = open_docx(io.BytesIO(data))
        blocks = list(_docx_blocks(word))
        properties = word.core_properties
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ReadError(path, f"not a readable DOCX file: {error}") from error
    paragraphs = [text for _style, text in blocks]
    if not any(paragraphs):
        raise ReadError(path, "the DOCX file has no text")
    text, spans = _joined(paragraphs, "\n")
    heading = next((t for style, t in blocks if style.startswith(("Title", "Heading 1", "Заголовок"))), None)
    author = properties.author if properties.author and properties.author != "python-docx" else None
    return Document(
        text=text,
        source=str(path),
        headline=properties.title or heading or paragraphs[0][:200],
        author=author,
        metadata={"paragraphs": spans, "format": "docx"},
    )


def _docx_blocks(word: object) -> Iterator[tuple[str, str]]:
    """(style name, text) of each non-empty paragraph, table cells included, in document order."""
    from docx.table import Table

    for block in word.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Table):
            for row in block.rows:
                cells, skip = [], 0
                for cell in row.cells:  # a cell spanning n columns is listed n times
                    if skip:
                        skip -= 1
                        continue
                    cells.append(cell)
                    skip = cell.grid_span - 1
                for cell in cells:
                    for paragraph in cell.paragraphs:
                        if paragraph.text.strip():
                            yield "", " ".join(paragraph.text.split())
        elif block.text.strip():
            style = block.style.name if block.style is not None else ""
            yield style, " ".join(block.text.split())


def read_xlsx_rows(path: Path, data: bytes) -> list[tuple[str, list[str], list[tuple[int, list[object]]]]]:
    """Each sheet with rows: (sheet name, its header, its rows numbered as the spreadsheet numbers them).

    The header is the sheet's first non-empty row and must be column names: a row with numbers there is
    data, and the file is refused.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _open_zip(path, data, "XLSX", ".xls")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in book.worksheets]
        book.close()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
        raise ReadError(path, f"not a readable XLSX file: {error}") from error
    tables = []
    for title, rows in sheets:
        numbered = [(n, list(cells)) for n, cells in enumerate(rows, 1) if any(c not in (None, "") for c in cells)]
        if not numbered:
            continue
        (number, first), rest = numbered[0], numbered[1:]
        data_cells = [c for c in first if isinstance(c, int | float) or (isinstance(c, str) and c.strip().isdigit())]
        if data_cells:
            raise ReadError(
                path,
                f"sheet {title!r} has no header row: row {number} holds data ({data_cells[0]!r}); "
                "add a row of column names above it",
            )
        tables.append((title, [str(c).strip() if c is not None else "" for c in first], rest))
    if not tables:
        raise ReadError(path, "the XLSX file has no rows")
    return tables
