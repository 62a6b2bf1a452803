"""Readers as a user meets them: legacy encodings, broken HTML, records, XML bombs, empty and binary files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.document import ReadError
from ingest.readers import read_document, read_documents
from zamena.kb import KnowledgeBase

DATA = Path(__file__).resolve().parent / "data" / "extraction"
TEXT = "Компания «Профотек» выпускает оптические трансформаторы тока.\nРезидент ОЭЗ «Технополис „Москва“»."


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "utf-8"])
def test_legacy_encodings_read_as_the_same_text(tmp_path, encoding):
    text = (
        TEXT if encoding != "koi8-r" else TEXT.replace("«", '"').replace("»", '"').replace("„", '"').replace("“", '"')
    )
    path = tmp_path / f"news-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    document = read_document(path)
    assert document.text == text
    assert document.encoding.replace("_", "-").lower() in {encoding, "windows-1251"} | {encoding.replace("-", "")}


def test_broken_html_gives_the_article_without_navigation_scripts_or_footer():
    document = read_document(DATA / "broken.html")
    assert "Компания «Профотек» выпускает оптические трансформаторы тока" in document.text
    assert "Технополис „Москва“" in document.text
    for boilerplate in ("Главная", "Навигация", "Реклама", "Поделиться", "Подвал"):
        assert boilerplate not in document.text
    assert document.headline == "Профотек наращивает выпуск"


def test_html_saved_as_txt_is_recognised_by_its_content(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text((DATA / "broken.html").read_text(encoding="utf-8"), encoding="utf-8")
    assert "Главная" not in read_document(path).text


def test_jsonl_and_csv_give_one_document_per_record():
    records = read_documents(DATA / "records.jsonl")
    assert [d.source.rsplit("#", 1)[1] for d in records] == ["a1", "a2"]
    assert records[0].headline == "Новый датчик" and records[0].date == "2023-05-02"
    assert "«Бифорком»" in records[1].text
    rows = read_documents(DATA / "firms.csv")  # ';'-separated, Russian column names
    assert len(rows) == 2 and "Концерн «Гудвин» разрабатывает антенны." in rows[1].text


def test_json_array_of_records(tmp_path):
    path = tmp_path / "items.json"
    path.write_text('[{"title": "А", "body": "Текст один."}, {"title": "Б", "body": "Текст два."}]', encoding="utf-8")
    assert [d.text for d in read_documents(path)] == ["А\nТекст один.", "Б\nТекст два."]


def test_xml_is_read_and_entity_expansion_is_refused():
    assert "Компания «Неорос» выпускает пластик." in read_document(DATA / "safe.xml").text
    with pytest.raises(ReadError, match="bomb.xml.*refused"):
        read_document(DATA / "bomb.xml")


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"  \n\t", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary")],
)
def test_empty_and_binary_files_are_clear_errors(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=f"bad.txt: .*{reason}"):
        read_document(path)


def test_malformed_json_names_the_line(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"text": "Один."}\n{"text": \n', encoding="utf-8")
    with pytest.raises(ReadError, match="broken.jsonl: line 2"):
        read_documents(path)


def test_batch_goes_on_past_bad_files_and_strict_stops(settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a-empty.txt").write_bytes(b"")
    (corpus / "b-binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (corpus / "c-bomb.xml").write_bytes((DATA / "bomb.xml").read_bytes())
    (corpus / "d-news.txt").write_bytes(TEXT.encode("cp1251"))
    with KnowledgeBase(settings) as kb:
        report = kb.ingest([corpus])
        assert report.read == 1 and report.entities >= 2 and report.triples > 0
        reasons = " ".join(reason for _, reason in report.failed)
        assert len(report.failed) == 3
        assert "a-empty.txt: the file is empty" in reasons and "b-binary.txt" in reasons and "c-bomb.xml" in reasons
        assert "failed: 3" in report.summary()
        with pytest.raises(ReadError, match="a-empty.txt"):
            kb.ingest([corpus], strict=True)
