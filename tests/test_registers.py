"""Registers of firms as the zone and the ministries publish them: CSV (cp1251 too) and XLSX with ИНН and
ОГРН, checked by their check digits, matched to the firms of the graph by ИНН first."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from ingest.readers import read_file
from ingest.registers import column_fields, inn_problem, ogrn_problem

from .office_files import write_xlsx

# Published identifiers of real organisations (their check digits are right by construction).
SBERBANK_INN, SBERBANK_OGRN = "7707083893", "1027700132195"
YANDEX_INN, YANDEX_OGRN = "7736207543", "1027700229193"


@pytest.mark.parametrize("value", [SBERBANK_INN, YANDEX_INN, "500100732259"])
def test_valid_inn_pass_their_check_digits(value):
    assert inn_problem(value) is None


@pytest.mark.parametrize("value", ["7707083894", "7736207540", "500100732250", "770708389", "77070838931", "ИНН"])
def test_a_typo_or_a_wrong_length_fails_the_inn_check(value):
    assert inn_problem(value) is not None


@pytest.mark.parametrize(
    ("value", "ok"),
    [(SBERBANK_OGRN, True), (YANDEX_OGRN, True), ("304500116000157", True), ("1027700132196", False),
     ("304500116000158", False), ("10277", False)],
)  # fmt: skip
def test_ogrn_and_ogrnip_check_digits(value, ok):
    assert (ogrn_problem(value) is None) is ok


def test_columns_are_found_by_their_header_words_in_russian_and_english():
    header = ["№", "Полное наименование", "Краткое наименование", "ИНН", "ОГРН", "Сайт", "Основная продукция"]
    assert column_fields(header) == {1: "name", 2: "aliases", 3: "inn", 4: "ogrn", 5: "site", 6: "products"}
    assert column_fields(["Company", "TIN", "Website"]) == {0: "name", 1: "inn", 2: "site"}


def _write_cp1251_register(path):
    rows = [
        "Наименование;ИНН;ОГРН;Сайт;Продукция",
        f"ПАО «Сбербанк»;{SBERBANK_INN};{SBERBANK_OGRN};sberbank.ru;банкоматы; платёжные терминалы",
        "ООО «Опечатка»;7707083894;;;",
        f"ООО «Яндекс»;{YANDEX_INN};{YANDEX_OGRN};https://yandex.ru;беспилотные автомобили",
    ]
    # a product list inside one cell is quoted, as Excel writes it
    rows[1] = f'ПАО «Сбербанк»;{SBERBANK_INN};{SBERBANK_OGRN};sberbank.ru;"банкоматы; платёжные терминалы"'
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1251"))
    return path


def test_a_cp1251_register_gives_a_firm_per_row_and_names_the_row_with_a_wrong_inn(tmp_path):
    documents, errors = read_file(_write_cp1251_register(tmp_path / "реестр.csv"))
    assert [d.headline for d in documents] == ["Сбербанк", "Яндекс"]
    assert len(errors) == 1 and "row 3" in str(errors[0]) and "7707083894" in str(errors[0])
    assert str(errors[0]).startswith(str(tmp_path / "реестр.csv"))
    firm = documents[0].entities[0]
    assert firm.attributes == {"inn": SBERBANK_INN, "ogrn": SBERBANK_OGRN, "site": "https://sberbank.ru"}
    assert "ПАО «Сбербанк»" in firm.aliases
    products = [e.name for e in documents[0].entities if e.type == "PRODUCT"]
    assert products == ["банкоматы", "платёжные терминалы"]
    for fact in documents[0].facts:  # each quote is the row's line that states it
        line = fact.sentence(documents[0].text)
        assert line.startswith(("Наименование:", "Продукция:")), line
        assert fact.statement.startswith("Реестр реестр.csv, строка 2:")


def test_a_register_is_stored_with_identifiers_sites_and_products_and_the_batch_goes_on(kb, tmp_path):
    report = kb.ingest([_write_cp1251_register(tmp_path / "реестр.csv")])
    assert report.read == 2 and len(report.failed) == 1 and "row 3" in report.failed[0][1]
    rows = kb.graph.query(
        "SELECT ?n ?id ?site WHERE { ?f a schema:Corporation ; skos:prefLabel ?n ; org:identifier ?id ; "
        "schema:url ?site }"
    )
    found = {(str(n), str(i), str(s)) for n, i, s in rows}
    assert ("Сбербанк", SBERBANK_INN, "https://sberbank.ru") in found
    assert ("Яндекс", YANDEX_OGRN, "https://yandex.ru") in found
    assert kb.graph.single_value(
        "SELECT ?q WHERE { ?p skos:prefLabel 'беспилотные автомобили'@ru ; schema:manufacturer ?f . "
        "?e rdf:subject ?p ; rdf:predicate schema:manufacturer ; zo:statement ?q }"
    ) == Literal("Реестр реестр.csv, строка 4: выпускает беспилотные автомобили", lang="ru")


def test_a_firm_of_the_graph_is_matched_by_inn_first_then_by_name(kb, tmp_path):
    news = tmp_path / "news.txt"
    news.write_text("Компания «Профотек» выпускает оптические трансформаторы тока.", encoding="utf-8")
    kb.ingest([news])
    profotech = kb.graph.single_value("SELECT ?f WHERE { ?f a schema:Corporation ; skos:prefLabel 'Профотек'@ru }")
    assert isinstance(profotech, URIRef)
    first = tmp_path / "первый.csv"
    first.write_text(f"Наименование,ИНН\nООО «Профотек»,{YANDEX_INN}\n", encoding="utf-8")
    kb.ingest([first])  # by name: the firm of the news item, which now has its ИНН
    assert kb.graph.single_value(f"SELECT ?i WHERE {{ {profotech.n3()} org:identifier ?i }}").toPython() == YANDEX_INN
    second = tmp_path / "второй.csv"
    second.write_text(f"Company,INN\nProfotech Ltd,{YANDEX_INN}\n", encoding="utf-8")
    kb.ingest([second])  # another name, the same ИНН: the same firm
    firms = kb.graph.query("SELECT DISTINCT ?f WHERE { ?f a schema:Corporation }")
    assert [f for (f,) in firms] == [profotech]
    names = {str(n) for (n,) in kb.graph.query(f"SELECT ?n WHERE {{ {profotech.n3()} skos:altLabel ?n }}")}
    assert "Profotech Ltd" in names


def test_an_xlsx_register_with_a_config_mapping_its_columns(kb, tmp_path):
    folder = tmp_path / "tables"
    folder.mkdir()
    write_xlsx(
        folder / "residents.xlsx",
        [
            ["Организация-резидент", "Налоговый номер", "Что выпускает"],
            ["АО «Квант-М»", int(SBERBANK_INN), "IGBT-модули"],
        ],
    )
    (folder / "residents.xlsx.columns.yaml").write_text(
        'columns: {"Организация-резидент": name, "Налоговый номер": inn, "Что выпускает": products}\n'
        "source: https://example.org/residents.xlsx\ndate: 2024-05-01\n",
        encoding="utf-8",
    )
    report = kb.ingest([folder])  # the folder: the config is read beside the table, not as a document
    assert report.failed == [] and report.read == 1
    row = kb.graph.query(
        "SELECT ?n ?id ?src WHERE { ?f skos:prefLabel ?n ; org:identifier ?id . ?p schema:manufacturer ?f . "
        "?e rdf:subject ?p ; dcterms:source ?src }"
    )
    assert {(str(n), str(i), str(s)) for n, i, s in row} == {
        ("Квант-М", SBERBANK_INN, "https://example.org/residents.xlsx")
    }


def test_a_config_with_an_unknown_field_is_an_error_naming_the_config(tmp_path):
    write_xlsx(tmp_path / "r.xlsx", [["Имя", "Номер"], ["Квант", SBERBANK_INN]])
    (tmp_path / "r.xlsx.columns.yaml").write_text("columns: {Имя: name, Номер: tax}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"r\.xlsx\.columns\.yaml: unknown field 'tax'"):
        read_file(tmp_path / "r.xlsx")
