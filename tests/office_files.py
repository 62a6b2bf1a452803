"""Files the reader tests make themselves: PDF (reportlab), DOCX (python-docx), XLSX (openpyxl), feeds."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

# Debian's fonts-dejavu-core (installed with chromium): a TrueType font with Cyrillic glyphs for reportlab.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# A news item as a brochure or a press release would hold it: a heading, then paragraphs of prose.
ARTICLE = [
    "«Профотек» наладил выпуск оптических трансформаторов",
    "Компания «Профотек», резидент особой экономической зоны «Технополис „Москва“», выпускает оптические "
    "трансформаторы тока и напряжения для цифровых подстанций. Генеральный директор «Профотека» Ирина "
    "Соколова рассказала, что предприятие входит в Центр импортозамещения и локализации.",
    "Специалисты «Композитных Решений» изготавливают лопасти для ветрогенераторов; серийный выпуск "
    "начался в Зеленограде.",
]


def write_pdf(path: Path, paragraphs: Sequence[str], *, title: str = "", author: str = "", pages: int = 1) -> Path:
    """A PDF with a text layer: the paragraphs wrapped as a word processor wraps them, on `pages` pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=11, leading=14, spaceAfter=8)
    heading = ParagraphStyle("heading", parent=body, fontSize=16, leading=20, spaceAfter=12)
    flow: list = []
    per_page = max(1, -(-len(paragraphs) // pages))
    for i, text in enumerate(paragraphs):
        if i and i % per_page == 0:
            flow.append(PageBreak())
        flow.append(Paragraph(text, heading if i == 0 else body))
    SimpleDocTemplate(str(path), pagesize=A4, title=title, author=author).build(flow)
    return path


def write_scanned_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF of pictures only, as a scanner makes it: no text layer."""
    from reportlab.pdfgen import canvas

    drawing = canvas.Canvas(str(path))
    for _ in range(pages):
        drawing.rect(60, 60, 400, 600, fill=1)
        drawing.showPage()
    drawing.save()
    return path


def write_docx(path: Path, paragraphs: Sequence[str], *, table: Sequence[Sequence[str]] = (), author: str = "") -> Path:
    """A Word document: the first paragraph a heading, the rest body text, then a table if given."""
    import docx

    word = docx.Document()
    word.add_heading(paragraphs[0], level=1)
    for text in paragraphs[1:]:
        word.add_paragraph(text)
    if table:
        grid = word.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    word.core_properties.author = author
    word.save(str(path))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], sheet: str = "Резиденты") -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(list(row))
    book.save(str(path))
    return path
