"""Extraction of whole documents: the NLP reads only a document's body, stated facts follow the
entities they are about, and what the corpus's news items yield (zone names, dates, capacities)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import XSD, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ingest.document import Document
from ingest.extract import extract, nlp_text
from ingest.gazetteer import Gazetteer, KnownFirm
from ingest.mapping import GraphMapper
from ingest.model import Entity, Extraction
from ingest.names import name_key, slug
from ingest.profiles import RULE
from ingest.readers import read_documents
from ontology.namespaces import SCHEMA, ZO
from ontology.uris import UriMinter

from .helpers import PROJECT, SEED

BASE = "https://zamena.example.org/"
NEWS = PROJECT / "corpora" / "news"
PROFILES = PROJECT / "corpora" / "profiles"

PROFILE = """---
name: Profotech
aliases: [АО «Профотек»]
zone: {name: Технополис „Москва“, source: site}
products:
  - name: оптические трансформаторы тока
    okpd2: 27.11.4
    source: site
sources:
  site: {url: https://example.test/, supports: «Профотек» выпускает трансформаторы 13 апреля 2023 года}
---
# Profotech

Компания «Профотек» выпускает оптические трансформаторы тока в Москве.
"""


def read_one(path: Path) -> Document:
    [document] = read_documents(path)
    return document


def write(tmp_path: Path, text: str, name: str = "firm.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def triples_of(extraction: Extraction) -> set[tuple]:
    _graph, triples = GraphMapper(UriMinter(BASE)).to_triples(extraction)
    return set(triples)


def firm_uri(slug: str) -> URIRef:
    return URIRef(f"{BASE}id/firm/{slug}")


# ---------------------------------------------------------------- what the NLP reads


def test_the_nlp_text_blanks_the_front_matter_and_keeps_offsets(tmp_path: Path) -> None:
    document = read_one(write(tmp_path, PROFILE))
    start, end = document.body  # type: ignore[misc]
    text = nlp_text(document)
    assert len(text) == len(document.text)
    assert text[:start].strip() == "" and text[:start].count("\n") == document.text[:start].count("\n")
    body = re.sub(r"(?m)^#+(?= )", lambda mark: " " * len(mark.group()), document.text[start:end])
    assert text[start:].replace("\n", " ") == body.replace("\n", " ")  # a heading's marks blanked


def test_a_markdown_paragraph_wrapped_over_lines_is_read_as_running_text(tmp_path: Path) -> None:
    body = "# Заголовок\n\nЗавод рассчитан на 1000 машин\nв год.\n\n- пункт\n- другой пункт\n"
    document = read_one(write(tmp_path, body, "plain.md"))
    text = nlp_text(document)
    assert text == "  Заголовок\n\nЗавод рассчитан на 1000 машин в год.\n\n- пункт\n- другой пункт\n"


def test_the_front_matter_is_not_read_by_the_nlp(tmp_path: Path) -> None:
    document = read_one(write(tmp_path, PROFILE))
    extraction = extract(document)
    body_start = document.body[0]  # type: ignore[index]
    for entity in extraction.entities.values():
        for mention in entity.mentions:
            assert document.text[mention.start : mention.end] == mention.text
    read_from_text = [f for f in extraction.facts if f.rule != RULE]
    assert read_from_text and all(f.start >= body_start for f in read_from_text)
    assert not any("апреля" in e.name for e in extraction.entities.values())
    # the front matter's statements are still facts, each quoted from its own line
    stated = [f for f in extraction.facts if f.rule == RULE]
    assert {f.predicate for f in stated} == {"type", "residentOf", "manufacturer", "category"}
    lines = document.text[:body_start].splitlines()
    assert all(f.end <= body_start and f.sentence(document.text) in [line.strip() for line in lines] for f in stated)


def test_a_news_item_is_read_from_its_body_only() -> None:
    document = read_one(NEWS / "2023-04-13-zavod-evm-v-pechatnikakh.md")
    extraction = extract(document)
    body_start = document.body[0]  # type: ignore[index]
    mentions = [m for e in extraction.entities.values() for m in e.mentions]
    assert mentions and min(m.start for m in mentions) >= body_start
    assert all(f.start >= body_start for f in extraction.facts)


# ---------------------------------------------------------------- stated facts follow their entities


def test_a_profile_firm_linked_to_a_known_firm_keeps_its_statements(tmp_path: Path) -> None:
    """The profile calls its firm Profotech; the graph knows it as Профотек: one URI, every statement on it."""
    known = Gazetteer([KnownFirm("profotek", "Профотек")])
    extraction = extract(read_one(write(tmp_path, PROFILE)), gazetteer=known)
    firms = [e for e in extraction.entities.values() if e.type == "FIRM"]
    assert [(f.key, f.name) for f in firms] == [("profotek", "Профотек")]
    assert "Profotech" in firms[0].aliases
    triples = triples_of(extraction)
    zone = URIRef(f"{BASE}id/zone/tekhnopolis-moskva")
    product = URIRef(f"{BASE}id/product/opticheskiy-transformator-tok")
    assert (firm_uri("profotek"), ZO.residentOf, zone) in triples
    assert (product, SCHEMA.manufacturer, firm_uri("profotek")) in triples
    assert (product, SCHEMA.category, URIRef(f"{BASE}id/okpd2/27.11.4")) in triples
    assert not any(str(s).endswith("/profotech") for s, _p, _o in triples)


def test_a_profile_and_its_body_name_one_firm_with_one_label(tmp_path: Path) -> None:
    text = PROFILE.replace("name: Profotech", "name: АО «Профотек»").replace("aliases: [АО «Профотек»]", "")
    extraction = extract(read_one(write(tmp_path, text)))
    (firm,) = [e for e in extraction.entities.values() if e.type == "FIRM"]
    assert firm.name == "АО «Профотек»"
    assert any(m.text == "Профотек" for m in firm.mentions)  # the body's «Профотек» joined it
    labels = [o for s, p, o in triples_of(extraction) if s == firm_uri("profotek") and p == SKOS.prefLabel]
    assert labels == [Literal("АО «Профотек»", lang="ru")]


@pytest.mark.parametrize("path", sorted(PROFILES.glob("*.md")), ids=lambda p: p.stem)
def test_every_statement_of_a_corpus_profile_reaches_the_graph(path: Path) -> None:
    """As in `zamena ingest corpora/`, where the seed's firms are known before the profiles are read."""
    listed = re.search(r"такие компании ОЭЗ Москвы, как (.+?)\.\n", SEED.read_text(encoding="utf-8"))
    known = Gazetteer(KnownFirm(slug(name_key(n)), n) for n in re.findall(r"«([^»]+)»", listed.group(1)))  # type: ignore[union-attr]
    document = read_one(path)
    triples = triples_of(extract(document, gazetteer=known))
    stated = [s for s, p, o in triples if p == ZO.extractedBy and o == Literal(RULE)]
    assert len(stated) == len(document.facts)


# ---------------------------------------------------------------- what the news items yield


def test_the_zone_after_special_economic_zone_keeps_its_quotes() -> None:
    extraction = extract(read_one(NEWS / "2023-01-07-klaster-elektromobilestroeniya.md"))
    organisations = [e for e in extraction.entities.values() if e.type in ("ZONE", "ORG", "FIRM")]
    zones = [e for e in organisations if "Технополис" in e.name]
    assert [(z.type, z.name) for z in zones] == [("ZONE", "Технополис „Москва“")]
    assert all("„ " not in e.name for e in organisations)


def test_every_news_item_gives_the_zone_one_name() -> None:
    names = set()
    for path in sorted(NEWS.glob("*.md")):
        names |= {e.name for e in extract(read_one(path)).entities.values() if e.type == "ZONE"}
    assert names == {"Технополис „Москва“"}


def test_the_zone_on_a_line_of_its_own_is_the_zone() -> None:
    extraction = extract(read_one(NEWS / "khirana-kommunarka.md"))
    named = [(e.type, e.name) for e in extraction.entities.values() if "Технополис" in e.name]
    assert named == [("ZONE", "Технополис „Москва“")]


def test_a_date_is_never_a_product_and_a_plant_capacity_is_a_quantity() -> None:
    document = read_one(NEWS / "2023-04-13-zavod-evm-v-pechatnikakh.md")
    extraction = extract(document)
    products = {e.name for e in extraction.entities.values() if e.type == "PRODUCT"}
    assert products and not any(any(ch.isdigit() for ch in name) for name in products), products
    (capacity,) = [f for f in extraction.facts if f.predicate == "productionCapacity"]
    firm = extraction.entities[capacity.subject]
    assert firm.name == "Электромобили Мануфэкчуринг Рус"
    assert capacity.object["value"] == 1000 and capacity.object["unit"] == "машин в год"
    assert capacity.sentence(document.text) == "Завод рассчитан на выпуск 1000 машин в год."
    triples = triples_of(extraction)
    (quantity,) = [o for s, p, o in triples if p == ZO.productionCapacity]
    assert (quantity, RDF.type, ZO.Quantity) in triples
    assert (quantity, SCHEMA.value, Literal(1000, datatype=XSD.integer)) in triples


@pytest.mark.parametrize(
    ("first", "later"),
    [
        (
            "Компания «Кондор-Электроника» выпускает датчики.",
            "Численность персонала «Кондор-Электроники» — 2 тыс. человек.",
        ),
        ("ООО «Вольта-Кабель» выпускает кабели.", "На мощностях «Вольта-Кабеля» запущена новая линия."),
        ("«Сибирский кабельный завод» выпускает провода.", "Директор «Сибирского кабельного завода» сообщил об этом."),
    ],
)
def test_a_firm_named_in_another_case_later_is_the_same_firm(first: str, later: str) -> None:
    # a hyphenated name inflects in its parts, and a form word («завода») in any case is a form word
    extraction = extract(Document(text=f"{first} {later}", source="t.txt"))
    firms = [e for e in extraction.entities.values() if e.type in ("FIRM", "ORG")]
    assert len(firms) == 1, [(e.type, e.name) for e in firms]
    assert len(firms[0].mentions) == 2


def test_dates_end_a_product_phrase() -> None:
    text = (
        "Компания «Альфа» начала выпуск насосов 13 апреля 2023 года. Компания «Бета» начала производство 1000 станков."
    )
    extraction = extract(Document(text=text, source="t.txt"))
    products = {e.name for e in extraction.entities.values() if e.type == "PRODUCT"}
    assert products == {"насосы", "станки"}  # neither the date nor the count is part of a name


def test_a_known_firm_that_begins_a_model_name_leaves_the_model_to_the_product() -> None:
    known = Gazetteer([KnownFirm("evm", "EVM")])
    text = "Компания «EVM» выпускает электрогрузовик EVM PRO. Продукцию EVM знают."
    extraction = extract(Document(text=text, source="t.txt"), gazetteer=known)
    products = {e.name for e in extraction.entities.values() if e.type == "PRODUCT"}
    assert products == {"EVM PRO"}
    (firm,) = [e for e in extraction.entities.values() if e.type == "FIRM"]
    assert firm.key == "evm" and [m.text for m in firm.mentions] == ["EVM", "EVM"]


# ---------------------------------------------------------------- labels


def test_latin_aliases_are_english_labels_and_cyrillic_ones_russian() -> None:
    firm = Entity("FIRM", "профотек", "Профотек", aliases={"Profotech", "АО «Профотек»", "EVM"})
    document = Document(text="Профотек", source="t.txt")
    triples = triples_of(Extraction(document, {firm.ref: firm}, []))
    labels = {o for s, p, o in triples if p == SKOS.altLabel}
    assert labels == {Literal("Profotech", lang="en"), Literal("EVM", lang="en"), Literal("АО «Профотек»", lang="ru")}
    assert (firm_uri("profotek"), SKOS.prefLabel, Literal("Профотек", lang="ru")) in triples
