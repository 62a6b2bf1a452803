"""News as it arrives: RSS and Atom feeds (an entry per document), and saved pages whose markup says who
published them, when, and where — kept on the document and shown beside every quote from it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ingest.document import ReadError
from ingest.readers import read_document, read_documents
from search.fake_embedder import HashEmbedder
from zamena.kb import KnowledgeBase

from .web_support import client_of, knowledge_base_of

RSS = """<?xml version="1.0" encoding="windows-1251"?>
<rss version="2.0"><channel>
  <title>Новости Технополиса</title><link>https://technomoscow.example/</link>
  <item>
    <title>«Профотек» расширяет выпуск</title>
    <link>https://technomoscow.example/news/1</link>
    <guid>news-1</guid>
    <author>press@technomoscow.example (Пресс-служба)</author>
    <pubDate>Tue, 12 Apr 2022 10:00:00 +0300</pubDate>
    <description>&lt;p&gt;Компания «Профотек» выпускает оптические трансформаторы тока.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Новый резидент</title>
    <link>https://technomoscow.example/news/2</link>
    <pubDate>Wed, 01 Jun 2022 09:00:00 +0300</pubDate>
    <description>Компания «Квант-М» освоила выпуск IGBT-модулей.</description>
  </item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Лента РБК</title><id>urn:feed</id><updated>2023-02-01T00:00:00Z</updated>
  <entry>
    <title>«Элвис-НеоТек» поставит камеры</title>
    <id>urn:entry:1</id>
    <link href="https://rbc.example/a/1"/>
    <published>2023-01-31T12:00:00Z</published><updated>2023-02-01T00:00:00Z</updated>
    <author><name>Анна Петрова</name></author>
    <content type="html">&lt;p&gt;Компания «Элвис-НеоТек» поставит видеокамеры.&lt;/p&gt;
      &lt;script&gt;x()&lt;/script&gt;</content>
  </entry>
</feed>
"""


def test_an_rss_feed_in_cp1251_gives_a_document_per_entry_with_its_link_date_and_author(tmp_path):
    path = tmp_path / "technopolis.rss"
    path.write_bytes(RSS.encode("cp1251"))
    first, second = read_documents(path)
    assert first.text == "«Профотек» расширяет выпуск\nКомпания «Профотек» выпускает оптические трансформаторы тока."
    assert (first.url, first.date, first.publisher) == (
        "https://technomoscow.example/news/1",
        "2022-04-12",
        "Новости Технополиса",
    )
    assert "Пресс-служба" in first.author
    assert second.date == "2022-06-01" and second.headline == "Новый резидент"
    assert first.source != second.source and first.source.startswith(f"{path}#entry-")


def test_an_atom_feed_saved_as_xml_is_read_as_a_feed_without_its_scripts(tmp_path):
    path = tmp_path / "rbc.xml"
    path.write_text(ATOM, encoding="utf-8")
    (entry,) = read_documents(path)
    assert entry.text == "«Элвис-НеоТек» поставит камеры\nКомпания «Элвис-НеоТек» поставит видеокамеры."
    assert (entry.author, entry.publisher, entry.date) == ("Анна Петрова", "Лента РБК", "2023-01-31")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (RSS.replace("</channel></rss>", ""), "not a well-formed feed"),
        ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss><channel><item><title>&a;</title>'
         "</item></channel></rss>", "refused"),
        ("<rss><channel><title>Пусто</title></channel></rss>", "no entries"),
    ],
)  # fmt: skip
def test_a_broken_or_hostile_feed_is_an_error_naming_the_file(tmp_path, text, reason):
    path = tmp_path / "лента.rss"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReadError) as error:
        read_documents(path)
    assert str(error.value).startswith(str(path)) and reason in str(error.value)


PAGE = """<!doctype html><html><head>
<title>Профотек наращивает выпуск — ТАСС</title>
<meta property="og:site_name" content="ТАСС">
<meta property="og:title" content="Профотек наращивает выпуск">
<link rel="canonical" href="https://tass.example/ekonomika/123">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "ТАСС"},
  {"@type": "NewsArticle", "headline": "«Профотек» наращивает выпуск трансформаторов",
   "datePublished": "2022-04-12T10:00:00+03:00", "author": [{"@type": "Person", "name": "Иван Смирнов"}],
   "publisher": {"@type": "Organization", "name": "Информационное агентство ТАСС"}}]}</script>
</head><body><nav>Главная</nav><article><h1>Профотек наращивает выпуск</h1>
<p>Компания «Профотек» выпускает оптические трансформаторы тока.</p></article></body></html>"""


def test_a_saved_page_keeps_its_title_date_author_site_and_canonical_url_from_json_ld():
    document = _page(PAGE)
    assert document.headline == "«Профотек» наращивает выпуск трансформаторов"
    assert (document.date, document.author) == ("2022-04-12", "Иван Смирнов")
    assert document.publisher == "Информационное агентство ТАСС"
    assert document.url == "https://tass.example/ekonomika/123"


def test_without_json_ld_the_page_opengraph_meta_and_time_elements_say_it():
    page = (
        '<html><head><meta property="og:site_name" content="Комсомольская правда">'
        '<meta name="author" content="Ольга Кузнецова"><meta property="og:url" content="https://kp.example/1">'
        '<script type="application/ld+json">{not json</script></head><body><article><h1>Квант-М и IGBT</h1>'
        '<time datetime="2021-11-03">3 ноября</time><p>Компания «Квант-М» освоила выпуск IGBT-модулей.</p>'
        "</article></body></html>"
    )
    document = _page(page)
    assert (document.headline, document.date, document.author) == ("Квант-М и IGBT", "2021-11-03", "Ольга Кузнецова")
    assert (document.publisher, document.url) == ("Комсомольская правда", "https://kp.example/1")


def test_a_page_naming_a_relative_or_script_url_for_itself_keeps_no_url():
    for href in ("/news/1", "javascript:alert(1)", "https://bad host/x"):
        assert (
            _page(f'<html><head><link rel="canonical" href="{href}"></head><body><p>Текст.</p></body></html>').url
            is None
        )


def _page(html: str):
    from pathlib import Path
    from tempfile import TemporaryDirectory

    with TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        path.write_text(html, encoding="utf-8")
        return read_document(path)


def test_the_quote_from_a_page_shows_who_published_it_and_when(tmp_path):
    settings = knowledge_base_of(tmp_path, {"tass-profotech.html": PAGE})
    with KnowledgeBase(settings, read_only=True, embedder=HashEmbedder()) as kb:
        document = kb.graph.single_value(
            "SELECT ?d WHERE { ?d dcterms:publisher 'Информационное агентство ТАСС' ; "
            "dcterms:creator 'Иван Смирнов' ; dcterms:date '2022-04-12'^^xsd:date }"
        )
        firm = kb.graph.single_value("SELECT ?f WHERE { ?f a schema:Corporation ; skos:prefLabel 'Профотек'@ru }")
    assert document is not None and firm is not None
    with client_of(settings) as client:
        page = client.get(urlsplit(str(firm)).path).get_data(as_text=True)
        described = client.get("/api/entity", query_string={"uri": str(firm)})
    assert "Информационное агентство ТАСС, 12.04.2022" in page
    assert described.status_code == 200
    quotes = [q for fact in described.get_json()["facts"] for q in fact["evidence"]]
    assert quotes and all(q["published"] == "Информационное агентство ТАСС, 12.04.2022" for q in quotes)
