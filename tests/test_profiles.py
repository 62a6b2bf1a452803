"""Company profiles: every front-matter statement is a fact quoted from its line and backed by a named
source; firms get the seed's URIs; and the firms-by-ОКПД 2 example runs on the real Oxigraph store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rdflib import Literal, URIRef

from ingest.document import ReadError
from ingest.mapping import GraphMapper
from ingest.model import Extraction
from ingest.names import name_key
from ingest.readers import read_documents
from ontology.namespaces import SCHEMA, ZO, sparql_prologue
from ontology.uris import UriMinter
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

from .helpers import PROJECT, SEED

PROFILES = sorted((PROJECT / "corpora" / "profiles").glob("*.md"))
STATEMENTS = ("zone", "centre", "products", "competences", "okved2")


def read_one(path: Path):
    [document] = read_documents(path)
    return document


def test_every_firm_of_the_seed_has_a_profile_and_no_firm_has_two() -> None:
    seed = SEED.read_text(encoding="utf-8")
    listed = re.search(r"такие компании ОЭЗ Москвы, как (.+?)\.\n", seed).group(1)  # type: ignore[union-attr]
    seed_firms = {name_key(n) for n in re.findall(r"«([^»]+)»", listed)}
    names = [name_key(str(yaml.safe_load(p.read_text().split("---")[1])["name"])) for p in PROFILES]
    assert len(seed_firms) == 12 and seed_firms <= set(names)
    assert len(names) == len(set(names)) >= 60


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_no_profile_states_a_fact_without_a_source(path: Path) -> None:
    front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    sources = front["sources"]
    for key, source in sources.items():
        assert source.get("url") or source.get("document"), f"{path.name}: source {key} has no url or document"
        assert source.get("supports"), f"{path.name}: source {key} does not say what it supports"
        if "document" in source:
            assert (PROJECT / source["document"]).exists(), f"{path.name}: {source['document']} is not in the project"
    for key in STATEMENTS:
        items = front.get(key) or []
        for statement in items if isinstance(items, list) else [items]:
            cited = statement.get("source")
            cited = cited if isinstance(cited, list) else [cited]
            assert cited != [None], f"{path.name}: {key} {statement} has no source"
            assert set(cited) <= set(sources), f"{path.name}: {key} cites an unknown source {cited}"


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_each_fact_quotes_the_front_matter_line_it_came_from(path: Path) -> None:
    document = read_one(path)
    assert document.kind == "profile" and document.body is not None
    assert document.facts, f"{path.name} states nothing"
    for fact in document.facts:
        quote = fact.sentence(document.text)
        assert 0 < fact.start < fact.end <= document.body[0], quote
        assert "\n" not in quote and quote == quote.strip()
        if isinstance(fact.object, str):  # a concept: its code or id stands on the line
            assert fact.object.rsplit("/", 1)[-1] in quote


def test_profile_firms_have_the_seed_firms_uris() -> None:
    mapper = GraphMapper(UriMinter("https://zamena.example.org/"))
    for path in PROFILES:
        firm = next(e for e in read_one(path).entities if e.type == "FIRM")
        seed_uri = mapper.entity_uri(("FIRM", name_key(firm.name)))  # how the seed's «…» names are keyed
        assert mapper.entity_uri(firm.ref) == seed_uri, path.name


def test_concepts_are_written_relative_and_follow_the_configured_base() -> None:
    document = read_one(PROJECT / "corpora" / "profiles" / "profotek.md")
    mapper = GraphMapper(UriMinter("https://kb.example.test/zamena/"))
    entities = {e.ref: e for e in document.entities}
    _graph, triples = mapper.to_triples(Extraction(document, entities, document.facts))
    objects = {o for _s, p, o in triples if p == SCHEMA.category}
    assert objects == {URIRef("https://kb.example.test/zamena/id/okpd2/27.11.4")}


def write_profile(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "firm.md"
    path.write_text(body, encoding="utf-8")
    return path


GOOD = """---
name: Тестовая фирма
products:
  - name: насосы
    okpd2: 28.13.1
    source: site
sources:
  site: {url: https://example.test/, supports: насосы}
---
Текст.
"""


def test_a_statement_without_a_source_is_refused(tmp_path: Path) -> None:
    assert read_one(write_profile(tmp_path, GOOD)).facts
    with pytest.raises(ReadError, match=r"firm\.md: front matter line 4: statement has no `source`"):
        read_one(write_profile(tmp_path, GOOD.replace("    source: site\n", "")))
    with pytest.raises(ReadError, match="source 'blog' is not among the `sources`"):
        read_one(write_profile(tmp_path, GOOD.replace("source: site", "source: blog")))
    with pytest.raises(ReadError, match="needs `supports`"):
        read_one(write_profile(tmp_path, GOOD.replace(", supports: насосы", "")))
    with pytest.raises(ReadError, match="unknown key 'product'"):
        read_one(write_profile(tmp_path, GOOD.replace("products:", "product:")))
    with pytest.raises(ReadError, match="'28-13' is not an ОКПД 2 code"):
        read_one(write_profile(tmp_path, GOOD.replace("28.13.1", "28-13")))


def test_a_synthetic_firm_is_marked_so_in_the_graph(tmp_path: Path) -> None:
    document = read_one(write_profile(tmp_path, GOOD.replace("name: Тестовая фирма", "name: Тест\nsynthetic: true")))
    mapper = GraphMapper(UriMinter("https://zamena.example.org/"))
    _graph, triples = mapper.to_triples(Extraction(document, {e.ref: e for e in document.entities}, document.facts))
    assert [s for s, p, o in triples if p == ZO.synthetic and o == Literal(True)] == [
        mapper.entity_uri(("FIRM", "test"))
    ]


def test_the_profile_body_describes_its_firm_in_russian_and_english() -> None:
    document = read_one(PROJECT / "corpora" / "profiles" / "khirana-plyus.md")
    mapper = GraphMapper(UriMinter("https://zamena.example.org/"))
    _graph, triples = mapper.to_triples(Extraction(document, {e.ref: e for e in document.entities}, document.facts))
    firm = mapper.entity_uri(("FIRM", name_key("Хирана+")))
    described = {o.language: str(o) for s, p, o in triples if s == firm and p == SCHEMA.description}
    assert set(described) == {"ru", "en"}
    # Prose without headings or line breaks: the body up to the English summary, and that summary.
    assert "дыхательные контуры и бактериально-вирусные фильтры" in described["ru"]
    assert "#" not in described["ru"] and "\n" not in described["ru"] and "Khirana" not in described["ru"]
    assert described["en"].startswith("Khirana+ makes medical equipment")


def okpd2_subset(tmp_path: Path) -> Path:
    """The real ОКПД 2 records of section C down from class 27, as published (windows-1251)."""
    text = (PROJECT / "corpora" / "classifiers" / "okpd2-datamos-9757-20220525.xml").read_bytes().decode("cp1251")
    records = re.findall(r"<array>.*?</array>", text, re.DOTALL)
    kept = [r for r in records if re.search(r"<Kod>(27(\.[\d.]+)?)?</Kod>.*<Razdel>C</Razdel>", r, re.DOTALL)]
    path = tmp_path / "corpus" / "okpd2-part.xml"
    path.parent.mkdir()
    header = '<?xml version="1.0" encoding="windows-1251"?><catalog>'
    path.write_bytes((header + "".join(kept) + "</catalog>").encode("cp1251"))
    return path


def test_the_firms_by_okpd2_example_finds_firms_under_a_class_with_their_quotes(tmp_path: Path) -> None:
    corpus = okpd2_subset(tmp_path).parent
    for name in ("profotek.md", "privodnaya-tekhnika.md", "khirana-plyus.md"):
        (corpus / name).write_bytes((PROJECT / "corpora" / "profiles" / name).read_bytes())
    settings = Settings.from_env(home=tmp_path / "home", store="oxigraph")
    with KnowledgeBase(settings) as kb:
        report = kb.ingest([corpus])
        assert report.failed == [] and report.read == 4
        schemes = {label: n for _uri, label, n in kb.concept_schemes()}
        query = (PROJECT / "examples" / "firms-by-okpd2.rq").read_text(encoding="utf-8")
        rows = {(str(r.firm), str(r.via), str(r.quote)) for r in kb.graph.query(sparql_prologue() + query)}
    assert sum(n for label, n in schemes.items() if "OKPD" in label or "ОКПД" in label) > 100
    # a profile's fact in the words it states, not its front-matter line
    transformers = "оптические трансформаторы тока и напряжения"
    said = f"Профиль компании: {transformers} — продукция класса ОКПД 2 27.11.4"
    assert ("Профотек", transformers, said) in rows
    drives_quote = "Профиль компании: компетенция «Электропривод и силовая электроника»"
    assert ("Приводная техника", "Электропривод и силовая электроника", drives_quote) in rows
    assert not any(quote.startswith(("- {", "okpd2:")) for _firm, _via, quote in rows)
    assert not any(firm == "Хирана+" for firm, _via, _quote in rows)  # medical equipment is not class 27
