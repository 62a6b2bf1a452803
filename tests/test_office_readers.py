"""PDF and DOCX as a firm hands them out: the same text and facts as the article in .txt, quotes that point
at the right words, the page or paragraph they come from, and a clear word on a scan or a broken file."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ingest.document import ReadError
from ingest.readers import read_document, read_documents
from zamena import cli

from .office_files import ARTICLE, write_docx, write_pdf, write_scanned_pdf, write_xlsx

TEXT = "\n".join(ARTICLE)


def test_a_pdf_reads_as_its_paragraphs_with_the_pages_they_are_on(tmp_path):
    path = write_pdf(
        tmp_path / "brochure.pdf", ARTICLE, title="Профотек: трансформаторы", author="Пресс-служба", pages=2
    )
    document = read_document(path)
    # wrapped lines are one paragraph again, and the words are those of the article
    for paragraph in ARTICLE:
        assert paragraph in document.text
    assert document.headline == "Профотек: трансформаторы" and document.author == "Пресс-служба"
    pages = document.metadata["pages"]
    assert len(pages) == 2
    second_start, second_end = pages[1]
    assert document.text[second_start:second_end] == ARTICLE[2]


def test_a_docx_reads_its_heading_paragraphs_and_table_in_order(tmp_path):
    table = [["Продукт", "Класс ОКПД 2"], ["оптические трансформаторы тока", "27.11.4"]]
    path = write_docx(tmp_path / "profile.docx", ARTICLE, table=table, author="Ирина Соколова")
    document = read_document(path)
    assert document.text.split("\n")[: len(ARTICLE)] == ARTICLE
    assert document.text.endswith("Продукт\nКласс ОКПД 2\nоптические трансформаторы тока\n27.11.4")
    assert document.headline == ARTICLE[0] and document.author == "Ирина Соколова"
    start, end = document.metadata["paragraphs"][1]
    assert document.text[start:end] == ARTICLE[1]


def _extract(monkeypatch, home, path) -> dict:
    monkeypatch.setenv("ZAMENA_HOME", str(home))
    result = CliRunner().invoke(cli.main, ["extract", "--json", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output.splitlines()[0])


def _facts(record: dict) -> set[tuple[str, str, str]]:
    return {(r["type"], r["subject"], r["object"]) for r in record["relations"]}


def test_extract_reads_the_same_facts_from_pdf_docx_and_txt_with_offsets_into_the_stored_text(monkeypatch, tmp_path):
    txt = tmp_path / "article.txt"
    txt.write_text(TEXT, encoding="utf-8")
    pdf = write_pdf(tmp_path / "article.pdf", ARTICLE)
    docx = write_docx(tmp_path / "article.docx", ARTICLE)
    as_text = _extract(monkeypatch, tmp_path / "home", txt)
    assert ("manufacturer", "оптические трансформаторы тока", "Профотек") in _facts(as_text)
    for path, part in ((pdf, "page"), (docx, "paragraph")):
        record = _extract(monkeypatch, tmp_path / "home", path)
        assert _facts(record) == _facts(as_text), path.name
        stored = read_document(path).text
        for relation in record["relations"]:
            assert stored[relation["start"] : relation["end"]] == relation["sentence"]
            assert relation[part] >= 1
        for entity in record["entities"]:
            assert stored[entity["start"] : entity["end"]] == entity["text"]
    docx_record = _extract(monkeypatch, tmp_path / "home", docx)
    makes = next(r for r in docx_record["relations"] if r["subject"] == "оптические трансформаторы тока")
    assert makes["paragraph"] == 2  # the heading is paragraph 1


def test_a_scanned_pdf_is_reported_as_a_scan_by_name(tmp_path):
    path = write_scanned_pdf(tmp_path / "скан-брошюры.pdf")
    with pytest.raises(ReadError) as error:
        read_documents(path)
    assert "скан-брошюры.pdf" in str(error.value) and "no text layer" in str(error.value)
    assert "OCR" in str(error.value)


def _zip_bomb(path):
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w/>" + b" " * (210 * 1024 * 1024))


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("truncated.pdf", lambda p, tmp: p.write_bytes(write_pdf(tmp / "whole.pdf", ARTICLE).read_bytes()[:700]),
         "not a readable PDF"),
        ("garbage.pdf", lambda p, tmp: p.write_bytes(b"%PDF-1.7\n\x00\x01 not really a PDF"), "not a readable PDF"),
        ("old-word.docx", lambda p, tmp: p.write_bytes(b"\xd0\xcf\x11\xe0 an old .doc renamed"), "not a DOCX file"),
        ("cut.docx", lambda p, tmp: p.write_bytes(write_docx(tmp / "whole.docx", ARTICLE).read_bytes()[:900]),
         "DOCX"),
        ("empty.pdf", lambda p, tmp: p.write_bytes(b""), "empty"),
        ("no-header.xlsx", lambda p, tmp: write_xlsx(p, [["Профотек", 7707083893], ["Квант-М", 7736207543]]),
         "no header row"),
        ("not-a-book.xlsx", lambda p, tmp: p.write_text("Наименование;ИНН", encoding="utf-8"), "not an XLSX file"),
        ("bomb.docx", lambda p, tmp: _zip_bomb(p), "zip bomb"),
    ],
)  # fmt: skip
def test_a_broken_file_is_an_error_naming_it_and_the_reason(tmp_path, name, make, reason):
    path = tmp_path / name
    make(path, tmp_path)
    with pytest.raises(ReadError) as error:
        read_documents(path)
    assert str(error.value).startswith(str(path)) and reason in str(error.value)


def test_a_broken_pdf_in_a_batch_is_reported_and_the_rest_is_stored(kb, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    write_pdf(folder / "good.pdf", ARTICLE)
    write_docx(folder / "blades.docx", [ARTICLE[0], ARTICLE[2]])
    (folder / "broken.pdf").write_bytes(write_pdf(tmp_path / "x.pdf", ARTICLE).read_bytes()[:500])
    write_scanned_pdf(folder / "scan.pdf")
    assert kb.ingest([folder / "good.pdf"]).failed == []
    report = kb.ingest([folder])
    failed = {path.rsplit("/", 1)[-1]: reason for path, reason in report.failed}
    assert set(failed) == {"broken.pdf", "scan.pdf"}
    assert report.read == 2
    documents = {str(i) for (i,) in kb.graph.query("SELECT ?i WHERE { ?d zo:contentHash ?h ; dcterms:identifier ?i }")}
    assert documents == {"good", "blades"}  # the PDF stored first is still there
    firms = {str(n) for (n,) in kb.graph.query("SELECT ?n WHERE { ?f a schema:Corporation ; skos:prefLabel ?n }")}
    assert {"Профотек", "Композитные Решения"} <= firms
