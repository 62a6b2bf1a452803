"""Extraction on short texts and hand-built Docs: names, resolution to one URI, and each relation type."""

from __future__ import annotations

import json

import pytest
import spacy
from click.testing import CliRunner

from ingest.document import Document
from ingest.extract import extract
from ingest.gazetteer import Gazetteer, KnownFirm
from ingest.mapping import GraphMapper
from ingest.pipeline import ENTITIES
from ingest.reporting import extraction_record
from ontology.uris import UriMinter
from zamena import cli

BASE = "https://zamena.example.org/"


def read(text: str, gazetteer: Gazetteer | None = None):
    return extract(Document(text=text, source="test.txt"), gazetteer=gazetteer)


def firms(extraction) -> dict[str, set[str]]:
    return {e.name: {m.text for m in e.mentions} for e in extraction.entities.values() if e.type == "FIRM"}


def relations(extraction) -> set[tuple[str, str, str]]:
    names = {ref: e.name for ref, e in extraction.entities.items()}
    return {
        (names.get(f.subject), f.predicate, names.get(f.object) if isinstance(f.object, tuple) else f.object["value"])
        for f in extraction.facts
        if f.predicate != "type"
    }


# ---------------------------------------------------------------- the rules on a hand-built Doc


def test_quoted_names_after_a_trigger_and_in_a_list_on_a_blank_pipeline():
    """Only the rule components: no statistical model is loaded for this."""
    nlp = spacy.blank("ru")
    for name in ("zamena_sentences", "lemmatizer", "zamena_quoted_names"):
        nlp.add_pipe(name, config={"mode": "pymorphy3"} if name == "lemmatizer" else {})
    nlp.initialize()
    doc = nlp("Участвуют такие компании, как «Альфа Системы», «Бета-Т» и «Гамма». Фильм «Весна» вышел.")
    found = {(s.label_, s._.zamena_name) for s in doc.spans[ENTITIES]}
    assert found == {("FIRM", "Альфа Системы"), ("FIRM", "Бета-Т"), ("FIRM", "Гамма"), ("MISC", "Весна")}


def rules_only(text: str) -> set[tuple[str, str]]:
    nlp = spacy.blank("ru")
    for name in ("zamena_sentences", "lemmatizer", "zamena_quoted_names"):
        nlp.add_pipe(name, config={"mode": "pymorphy3"} if name == "lemmatizer" else {})
    nlp.initialize()
    doc = nlp(text)
    return {(s.label_, s._.zamena_name) for s in doc.spans[ENTITIES]}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Научное судно «Академик Иоффе» вернулось в порт.", "Академик Иоффе"),
        ("Атомный ледокол «Ямал» вышел из Мурманска.", "Ямал"),
        ("Экипаж станции «Мир» вернулся.", "Мир"),
        ("Самолёт сел в аэропорту «Домодедово».", "Домодедово"),
        ("Офис открылся в бизнес-центре «Демидов».", "Демидов"),
        ("Газета написала о фильме «Весна».", "Весна"),
        # a firm's word further left does not decide: the word right before the name does
        ("Участники форума стали зрителями спектакля «Большой город».", "Большой город"),
    ],
)
def test_a_quoted_name_after_a_craft_building_or_work_is_no_organisation(text, name):
    assert rules_only(text) == {("MISC", name)}


def test_a_firm_after_a_firm_word_is_still_a_firm():
    assert rules_only("Компания «Ямал СПГ» отгрузила газ.") == {("FIRM", "Ямал СПГ")}
    assert rules_only("Резидент технопарка компания «Гамма» выросла.") == {("FIRM", "Гамма")}
    assert rules_only("Судно построил завод «Красное Сормово».") == {("FIRM", "Красное Сормово")}


def test_the_names_listed_after_a_ship_are_ships_and_an_owner_in_the_genitive_is_not():
    found = rules_only("Полетят шаттлы «Индевор» (в апреле) и «Атлантис». Работает станция «Водоканала».")
    assert found == {("MISC", "Индевор"), ("MISC", "Атлантис")}


# ---------------------------------------------------------------- names and resolution


def test_one_firm_written_three_ways_has_one_uri():
    extraction = read(
        "Компания «Профотек» открыла цех. Сотрудники «Профотека» довольны. "
        "Продукцию Profotech знают в Европе. АО «Профотек» растёт."
    )
    found = firms(extraction)
    assert list(found) == ["Профотек"]
    assert {"Профотек", "Профотека", "Profotech"} <= found["Профотек"]
    mapper = GraphMapper(UriMinter(BASE))
    uris = {e["uri"] for e in extraction_record(extraction, BASE)["entities"] if e["name"] == "Профотек"}
    firm = next(e for e in extraction.entities.values() if e.type == "FIRM")
    assert uris == {str(mapper.entity_uri(firm.ref))}


def test_the_zone_is_recognised_as_a_zone_and_never_as_a_firm():
    extraction = read(
        "Резидент ОЭЗ «Технополис „Москва“» компания «Неорос» выросла. "
        "В технополисе «Москва» работают компании «Бифорком» и «Фотоэксперт»."
    )
    zones = [e for e in extraction.entities.values() if e.type == "ZONE"]
    assert [z.name for z in zones] == ["Технополис „Москва“"]
    assert set(firms(extraction)) == {"Неорос", "Бифорком", "Фотоэксперт"}
    assert ("Неорос", "residentOf", "Технополис „Москва“") in relations(extraction)


def test_the_gazetteer_links_inflected_and_latin_mentions_to_the_known_firm():
    known = Gazetteer([KnownFirm("profotek-ao", "Профотек", {"Profotech"}, {"7701234567"})])
    extraction = read("Инженеры Профотеку помогли. Компания Profotech подписала договор.", known)
    firm = next(e for e in extraction.entities.values() if e.type == "FIRM")
    assert firm.key == "profotek-ao" and firm.name == "Профотек"
    assert [m.text for m in firm.mentions] == ["Профотеку", "Profotech"]


def test_a_name_after_a_letter_abbreviation_is_found_in_any_case():
    known = Gazetteer([KnownFirm("vk-plast", "ВК-Тех", set(), set()), KnownFirm("s-farm", "С-Фарм", set(), set())])
    extraction = read("Заказ разместили на мощностях «ВК-Теха». Контракт достался «С-Фарму».", known)
    found = {e.key: [m.text for m in e.mentions] for e in extraction.entities.values() if e.type == "FIRM"}
    assert found == {"vk-plast": ["ВК-Теха"], "s-farm": ["С-Фарму"]}


def test_a_quoted_name_its_owner_follows_in_the_genitive_is_the_owners_not_a_firm():
    extraction = read("В Казани начали строить «Испытательный корпус» компании «Аэродин».")
    assert set(firms(extraction)) == {"Аэродин"}
    listed = read("«Кварцит» — производитель кварцевого стекла.")  # a firm word past a dash still says firm
    assert set(firms(listed)) == {"Кварцит"}


@pytest.mark.parametrize(
    "text",
    [
        "Компания «Техностар» вложит 2 млрд рублей в строительство Научного центра на площадке МГУ.",
        "Компания «Техностар» выросла. В 2021 году она собиралась вложить около 300 млн рублей в Учебный центр "
        "на площадке МГТУ.",
    ],
)
def test_what_money_is_invested_in_is_not_the_investor(text):
    investors = {r[0] for r in relations(read(text)) if r[1] == "investment"}
    assert investors == {"Техностар"}, investors


def test_identifiers_decide_before_names():
    known = Gazetteer([KnownFirm("a", "Альфа", set(), {"7701234567"}), KnownFirm("b", "Бета", set(), set())])
    assert known.link("Совсем другое имя", ["7701234567"]).key == "a"
    namesake = Gazetteer([KnownFirm("a", "Альфа", set(), {"7701234567"})])
    assert namesake.link("Альфа", ["5009999999"]) is None  # same name, different ИНН: another firm
    assert known.link("Беты").key == "b"


def test_bracketed_short_name_is_an_alias_of_the_firm():
    extraction = read("Завод «Электромобили Мануфэкчуринг Рус» (EVM) открылся в Печатниках.")
    (firm,) = [e for e in extraction.entities.values() if e.type == "FIRM"]
    assert firm.name == "Электромобили Мануфэкчуринг Рус" and "EVM" in firm.aliases


def organisations(extraction) -> set[str]:
    return {e.name for e in extraction.entities.values() if e.type in ("FIRM", "ORG", "GOV", "ZONE", "CENTRE")}


def test_a_ship_named_again_without_its_word_stays_no_organisation():
    """With the statistical model: it calls «Дискавери» an organisation; the document's own words say otherwise."""
    extraction = read(
        "Шаттл «Дискавери» стартовал во вторник. После «Дискавери» к станции полетят шаттлы «Индевор» "
        "(в апреле) и «Атлантис». Компания «Боинг» построила модули."
    )
    assert organisations(extraction) == {"Боинг"}
    others = {e.name for e in extraction.entities.values() if e.type == "MISC"}
    assert {"Дискавери", "Индевор", "Атлантис"} <= others
    mapper = GraphMapper(UriMinter(BASE))
    _, triples = mapper.to_triples(extraction)
    labels = {str(o) for _, p, o in triples if str(p).endswith("prefLabel")}
    assert "Дискавери" not in labels and "Боинг" in labels  # a ship is reported, never stored


def test_a_ship_named_later_without_its_word_keeps_its_sense():
    """The model calls only the second «Ямал» an organisation; the first names it an icebreaker."""
    extraction = read("Атомный ледокол «Ямал» вышел из порта. Вчера «Ямал» прибыл в Мурманск, сообщил «Атомфлот».")
    assert organisations(extraction) == {"Атомфлот"}
    (ship,) = [e for e in extraction.entities.values() if e.type == "MISC"]
    assert [m.text for m in ship.mentions] == ["Ямал", "Ямал"]


def test_an_organisational_form_alone_names_nothing():
    extraction = read("Модуль отделился от приборно-агрегатного отсека (ПАО) с опозданием. ПАО сгорел в атмосфере.")
    assert organisations(extraction) == set()


def test_a_centre_whose_name_goes_on_is_not_the_competence_centre():
    extraction = read("Вопросы задавались из Центра управления полётом под Москвой.")
    assert not [e for e in extraction.entities.values() if e.type == "CENTRE"]
    assert "Центр управления полётом" in organisations(extraction)


def test_a_telescope_named_by_the_model_is_no_organisation():
    extraction = read("Астронавты обслужат телескоп Хаббл. НАСА утвердило план.")
    assert "Хаббл" not in organisations(extraction)
    assert "НАСА" in organisations(extraction)


def test_a_firm_described_by_its_products_keeps_its_name():
    extraction = read("Компания объявила о покупке производителя сетевого оборудования 3Com за 2,7 млрд долларов.")
    assert "3Com" in organisations(extraction)
    # its products may be read («производителя сетевого оборудования 3Com»), never with its name in them
    assert not [e for e in extraction.entities.values() if e.type == "PRODUCT" and "3Com" in e.name]


def test_an_organisation_named_in_the_genitive_gets_its_nominative_name():
    extraction = read("Художественный руководитель балета Большого театра Алексей Ратманский уходит.")
    assert "Большой театр" in organisations(extraction)


# ---------------------------------------------------------------- relations


def test_making_relations_with_their_sentence():
    extraction = read(
        "Компания «Профотек» выпускает оптические трансформаторы тока. "
        "Компания «Неорос» разработала датчик давления. Компания «Бифорком» поставляет антенны."
    )
    found = relations(extraction)
    assert ("оптические трансформаторы тока", "manufacturer", "Профотек") in found
    assert ("датчик давления", "manufacturer", "Неорос") in found
    assert ("антенны", "supplier", "Бифорком") in found
    fact = next(f for f in extraction.facts if f.predicate == "supplier")
    assert fact.sentence(extraction.document.text) == "Компания «Бифорком» поставляет антенны."
    assert 0 < fact.confidence <= 1


def test_competence_substitute_and_capacity():
    extraction = read(
        "«Хирана+» — производитель медицинского оборудования. Компания специализируется на аппаратах вентиляции. "
        "Компания выпускает аппараты ИВЛ, которые заменяют импортные аппараты Dräger. "
        "Завод «Электромобили Мануфэкчуринг Рус» может выпускать до 1000 автомобилей в год."
    )
    found = relations(extraction)
    assert ("медицинское оборудование", "manufacturer", "Хирана+") in found
    assert ("Хирана+", "hasCompetence", "аппараты вентиляции") in found
    assert any(p == "substitutes" and "Dräger" in o for _, p, o in found)
    capacity = next(f for f in extraction.facts if f.predicate == "productionCapacity")
    assert capacity.object["value"] == 1000 and capacity.object["unit"] == "автомобилей в год"
    assert capacity.object["comparator"] == "max"


@pytest.mark.parametrize(
    "text",
    [
        "Заместитель мэра Москвы по вопросам экономической политики Владимир Ефимов открыл форум.",
        "Владимир Ефимов, заместитель мэра Москвы по вопросам экономической политики, открыл форум.",
    ],
)
def test_a_post_before_or_after_the_name(text):
    extraction = read(text)
    found = relations(extraction)
    post = next(e for e in extraction.entities.values() if e.type == "POST")
    assert post.name.startswith("заместитель мэра Москвы")
    assert ("Владимир Ефимов", "holds", post.name) in found
    assert (post.name, "postIn", "Правительство Москвы") in found


def test_membership_and_dated_counts():
    extraction = read(
        "В технополисе «Москва» создан центр компетенций в сфере импортозамещения. "
        "В его состав вошли 12 компаний. В работе Центра примут участие компании «Неорос» и «Бифорком». "
        "В Технополисе работают более 200 компаний."
    )
    found = relations(extraction)
    assert ("Неорос", "memberOf", "Центр компетенций в сфере импортозамещения") in found
    assert ("Центр компетенций в сфере импортозамещения", "memberCount", 12) in found
    count = next(f for f in extraction.facts if f.predicate == "residentCount")
    assert count.object["value"] == 200 and count.object["comparator"] == "gt"


# ---------------------------------------------------------------- the command


def test_extract_json_one_line_per_file_with_offsets_into_the_text(tmp_path, monkeypatch):
    monkeypatch.setenv("ZAMENA_HOME", str(tmp_path / "home"))
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("Компания «Профотек» выпускает трансформаторы.", encoding="utf-8")
    second.write_text("Владимир Ефимов посетил «Неорос» в Москве.", encoding="cp1251")
    result = CliRunner().invoke(cli.main, ["extract", "--json", str(first), str(second)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [Path_name(r["file"]) for r in lines] == ["a.txt", "b.txt"]
    for record, path in zip(lines, (first, second), strict=True):
        text = path.read_bytes().decode("utf-8" if path == first else "cp1251")
        for entity in record["entities"]:
            assert text[entity["start"] : entity["end"]] == entity["text"]
            assert set(entity) >= {"type", "text", "name", "start", "end", "uri"}
    types = {(e["type"], e["name"]) for e in lines[1]["entities"]}
    assert {("PER", "Владимир Ефимов"), ("ORG", "Неорос"), ("LOC", "Москва")} <= types
    relation = lines[0]["relations"][0]
    assert relation["type"] == "manufacturer" and relation["object"] == "Профотек"
    assert set(relation) == {"type", "subject", "object", "sentence", "start", "end", "confidence"}


def Path_name(path: str) -> str:  # noqa: N802
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def test_a_known_firms_name_written_small_is_the_common_noun_it_comes_from():
    # new sentences: a firm named after what it makes, the product written small
    known = Gazetteer([KnownFirm("implant", "Имплант"), KnownFirm("klapan", "Клапан")])
    text = "Компания «Имплант» выпускает импланты для травматологии. Завод «Клапан» делает клапаны для котлов."
    extraction = read(text, known)
    found = relations(extraction)
    assert ("импланты для травматологии", "manufacturer", "Имплант") in found
    assert ("клапаны для котлов", "manufacturer", "Клапан") in found
    assert {m.text for m in next(e for e in extraction.entities.values() if e.key == "implant").mentions} == {"Имплант"}


def test_a_firm_that_will_make_something_makes_it_as_a_plan():
    extraction = read("Компания «Кварцпласт» будет выпускать кварцевые пластины. Компания «Ортон» выпускает ортезы.")
    by_product = {f.subject[1]: f for f in extraction.facts if f.predicate == "manufacturer"}
    plan = next(f for key, f in by_product.items() if "кварцев" in key)
    fact = next(f for key, f in by_product.items() if "ортез" in key)
    assert plan.rule.endswith(":plan") and plan.confidence < fact.confidence


def test_a_substitution_denied_above_its_verb_is_none():
    text = "Как признают в ООО «Гидромаш», его насосы пока не способны заменить агрегаты Grundfos на химзаводах."
    assert not [f for f in read(text).facts if f.predicate == "substitutes"]
    said = read("Насосы ООО «Гидромаш» способны заменить агрегаты Grundfos на химзаводах.")
    assert [f for f in said.facts if f.predicate == "substitutes"]  # the same sentence, not denied


def test_an_analogue_by_a_property_replaces_the_thing_not_the_property():
    text = "Утеплитель, разработанный в АО «Термокерам», — полный аналог плит Rockwool по теплопроводности и весу."
    found = relations(read(text))
    replaced = {obj for _product, predicate, obj in found if predicate == "substitutes"}
    assert any("Rockwool" in obj for obj in replaced) and not any("теплопроводн" in obj for obj in replaced)


def test_a_product_named_before_a_dash_and_its_substitute_word_ends_there():
    found = relations(read("ООО «Вентика» выпускает осевые вентиляторы — замену агрегатам Ebm-papst."))
    products = {product for product, predicate, _firm in found if predicate == "manufacturer"}
    assert products == {"осевые вентиляторы"}, found
    assert any(p == "осевые вентиляторы" and r == "substitutes" for p, r, _o in found), found


def test_a_firm_that_launches_something_into_production_makes_it():
    found = relations(read("АО «Квантрон» запустило в серийное производство тепловизионные модули."))
    assert ("тепловизионные модули", "manufacturer", "Квантрон") in found
    found = relations(read("В прошлом году компания «Ферротех» запустила в серию новые электродвигатели."))
    assert ("новые электродвигатели", "manufacturer", "Ферротех") in found
    assert relations(read("ООО «Ланта» запустило новый сайт.")) == set()  # a launch of no production


def test_a_name_after_a_dash_past_a_cluster_word_names_what_comes_before_it():
    text = "Второй завод кластера — «Инэсис» — будет выпускать литий-ионные ячейки."
    extraction = read(text)
    assert not [e for e in extraction.entities.values() if e.type == "CLUSTER" and e.name == "Инэсис"]
    assert ("литий-ионные ячейки", "manufacturer", "Инэсис") in relations(extraction)


@pytest.mark.parametrize(
    ("text", "firm", "field"),
    [
        ("Компания «Остеон» специализируется на титановых эндопротезах.", "Остеон", "титановые эндопротезы"),
        ("«Гидролинк» специализируется на насосном оборудовании.", "Гидролинк", "насосное оборудование"),
        ("ООО «Теплосет» занимается промышленной автоматикой.", "Теплосет", "промышленная автоматика"),
        ("Светодиодные модули — профиль компании «Люмикон».", "Люмикон", "светодиодные модули"),
    ],
)
def test_a_line_of_business_is_the_firms_competence_in_the_nominative(text, firm, field):
    extraction = read(text)
    assert (firm, "hasCompetence", field) in relations(extraction)
    assert firm in firms(extraction)  # an organisation that names its line of business is a firm


def test_a_line_of_business_with_the_verb_left_out_belongs_to_the_second_firm():
    text = "«Остеон» специализируется на эндопротезах, а «Дентикс» — на стоматологическом оборудовании."
    found = relations(read(text))
    assert ("Остеон", "hasCompetence", "эндопротезы") in found
    assert ("Дентикс", "hasCompetence", "стоматологическое оборудование") in found
    assert ("Остеон", "hasCompetence", "стоматологическое оборудование") not in found


def test_what_a_firm_deals_with_is_no_line_of_business_when_it_is_a_question_or_an_act():
    found = relations(read("Компания «Теплосет» занимается вопросами энергосбережения."))
    assert not [r for r in found if r[1] == "hasCompetence"]
    made = relations(read("Компания «Теплосет» занимается производством теплообменников."))
    assert ("теплообменники", "manufacturer", "Теплосет") in made
    assert not [r for r in made if r[1] == "hasCompetence"]


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("Компания «Аквилон» отгрузила заказчику 40 единиц спецтехники.", "спецтехника"),
        ("АО «Фармвест» поставило более 300 тыс. упаковок антибиотиков в больницы края.", "антибиотики"),
        ("Завод «Стеклотех» за год поставил 12 млн флаконов для инъекций.", "флаконы для инъекций"),
    ],
)
def test_a_counted_product_is_what_the_count_counts(text, product):
    found = relations(read(text))
    assert product in {r[0] for r in found if r[1] == "supplier"}


@pytest.mark.parametrize(
    ("text", "product", "not_products"),
    [
        # a multiplier the parser hung on the noun as an adjective is a count, not part of the name
        ("По итогам года фабрика «Кварта» сделала около 300 тыс. термометров.", "термометры", {"тыс. термометры"}),
        # a kind counted: «видов изделий» → изделия
        (
            "АО «Медтекс» производит более 30 видов перевязочных материалов для хирургических пациентов.",
            "перевязочные материалы для хирургических пациентов",
            {"виды перевязочных материалов для хирургических пациентов", "пациенты"},
        ),
        # a plant of something: the something; jobs are no product
        (
            "Предприятие «Сталепром» построит в Липецке завод бесшовных труб и создаст 300 рабочих мест.",
            "бесшовные трубы",
            {"завод бесшовных труб", "рабочие места"},
        ),
        # a unit of measure is no product, and a length of cable is cable
        ("Компания «Оптолит» выпускает схемы по нормам 90–130 нм.", None, {"нм"}),
    ],
)
def test_what_a_firm_makes_is_no_count_kind_plant_job_or_unit(text, product, not_products):
    made = {r[0] for r in relations(read(text)) if r[1] == "manufacturer"}
    assert product is None or product in made
    assert not made & not_products, made


def test_a_place_with_nothing_made_in_it_is_no_product():
    for text in (
        "Холдинг «Вектор-М» откроет в Казани инновационный центр.",
        "ООО «Сибмед» создаёт в Томске научно-исследовательский центр.",
    ):
        assert not [r for r in relations(read(text)) if r[1] == "manufacturer"], text
    machines = {
        r[0] for r in relations(read("ООО «Станкомаш» выпускает обрабатывающие центры.")) if r[1] == "manufacturer"
    }
    assert machines == {"обрабатывающие центры"}  # a machining centre is a machine


def test_a_packaging_word_with_no_number_is_the_product_itself():
    found = relations(read("ООО «Полипак» — крупнейший поставщик гофрированной упаковки в регионе."))
    assert ("гофрированная упаковка", "supplier", "Полипак") in found


@pytest.mark.parametrize(
    "text",
    [
        "В числе изделий компании «Кардиомед» — портативный кардиограф и пульсоксиметр.",
        "Ещё одна разработка компании «Кардиомед» — портативный кардиограф.",
    ],
)
def test_a_firms_products_named_after_a_dash_are_its_products(text):
    assert ("портативный кардиограф", "manufacturer", "Кардиомед") in relations(read(text))


def test_a_word_of_the_firms_own_name_stands_for_it_later():
    text = "АО «Волжский приборный центр» показало новые датчики. Ещё одна разработка центра — тепловизор."
    assert ("тепловизор", "manufacturer", "Волжский приборный центр") in relations(read(text))


@pytest.mark.parametrize(
    "text",
    [
        "Корпус компании «Электросталь-Т» по выпуску силовых кабелей введён в строй.",
        "АО «Кристаллон» ввело в эксплуатацию линию по производству сапфировых подложек.",
    ],
)
def test_a_plant_or_line_of_a_firm_for_making_something_means_the_firm_makes_it(text):
    found = relations(read(text))
    assert {r[0] for r in found if r[1] == "manufacturer"} & {"силовые кабели", "сапфировые подложки"}


def test_a_firm_called_the_maker_of_something_makes_it():
    text = "Аналитики называют «Кристаллон» крупнейшим производителем сапфировых подложек."
    assert ("сапфировые подложки", "manufacturer", "Кристаллон") in relations(read(text))


def test_a_firm_ready_to_supply_something_supplies_it_as_a_plan():
    extraction = read("Компания «Термоника» готова поставлять тепловые насосы для школ.")
    fact = next(f for f in extraction.facts if f.predicate == "supplier")
    assert fact.rule.endswith(":plan")


def test_a_name_with_a_hyphenated_adjective_gets_its_nominative():
    text = "Инженеры «Уральского научно-технического центра» изготавливают стенды."
    assert "Уральский научно-технический центр" in firms(read(text))


def test_which_stands_for_the_noun_it_agrees_with_not_the_one_the_parser_chose():
    text = "Комбинат «Агромаш» закупил технику у дилера — фирмы «Полесье-Трейд», которая поставила туда пять тракторов."
    found = relations(read(text))
    assert ("тракторы", "supplier", "Полесье-Трейд") in found
    assert ("тракторы", "supplier", "Агромаш") not in found


def substitutes(text: str) -> set[tuple[str, str]]:
    return {(r[0], r[2]) for r in relations(read(text)) if r[1] == "substitutes"}


@pytest.mark.parametrize(
    ("text", "ours", "theirs"),
    [
        # the imported thing first, the new one as the subject after the verb
        (
            "Фильтры Parker на компрессорных станциях заменили фильтрующие элементы компании «Фильтросиб».",
            "фильтрующие элементы",
            "фильтры Parker",
        ),
        # a passive «заменены на»
        (
            "На заводе подшипники SKF заменены на роликовые подшипники АО «Подшипник-Волга».",
            "роликовые подшипники",
            "подшипники SKF",
        ),
        # people replace: «заменили Y на X»
        ("Металлурги заменили импортные горелки на горелки ООО «Пламя».", "горелки", "импортные горелки"),
        # «перешли с Y на X»
        ("Аграрии перешли с тракторов John Deere на тракторы завода «Уралтрак».", "тракторы", "тракторы John Deere"),
        # «на смену Y приходят X»
        (
            "На смену станкам DMG Mori приходят обрабатывающие центры компании «Станкомаш».",
            "обрабатывающие центры",
            "станки DMG Mori",
        ),
        # «взамен Y»
        (
            "Взамен клапанов Danfoss на теплосетях устанавливают клапаны ООО «Теплоклапан».",
            "клапаны",
            "клапаны Danfoss",
        ),
        # «как альтернативу»
        ("АО «Кодлаб» представило систему «Ладога» как альтернативу продуктам Oracle.", "Ладога", "продукты Oracle"),
        # a participle «призванный заменить»
        (
            "Разработанный в ООО «Спектрон» спектрометр, призванный заменить приборы Bruker, прошёл испытания.",
            "спектрометр",
            "приборы Bruker",
        ),
        # a pronoun in the next sentence
        ("ООО «Гидромаш» начало выпуск насосов. Они должны заменить агрегаты Grundfos.", "насосы", "агрегаты Grundfos"),
        # «альтернативой Y стали X», a participle's clause left out of the name
        (
            "Альтернативой ушедшим камерам Hikvision стали видеокамеры компании «Оптикам».",
            "видеокамеры",
            "камеры Hikvision",
        ),
    ],
)
def test_a_substitution_in_each_construction(text, ours, theirs):
    assert (ours, theirs) in substitutes(text)


def test_the_maker_named_with_a_substitute_makes_it():
    found = relations(
        read("Фильтры Parker на компрессорных станциях заменили фильтрующие элементы компании «Фильтросиб».")
    )
    assert ("фильтрующие элементы", "manufacturer", "Фильтросиб") in found


@pytest.mark.parametrize(
    "text",
    [
        "Сервисная компания «Техкомпрессор» заменила изношенные клапаны на компрессорах Atlas Copco.",
        "Инженеры завода «Уралтрак» не смогли заменить подшипники SKF на отечественные.",
    ],
)
def test_replacing_parts_of_a_foreign_machine_or_failing_to_is_no_substitution_by_a_product(text):
    assert not substitutes(text)


@pytest.mark.parametrize(
    ("text", "firm", "group"),
    [
        (
            "ООО «Кабельстрой» вступило в Ассоциацию производителей силовых кабелей.",
            "Кабельстрой",
            "Ассоциация производителей силовых кабелей",
        ),
        (
            "ООО «Фармокс» состоит в Ассоциации разработчиков лекарственных средств с 2019 года.",
            "Фармокс",
            "Ассоциация разработчиков лекарственных средств",
        ),
    ],
)
def test_an_association_named_with_a_capital_is_a_group_firms_join(text, firm, group):
    assert (firm, "memberOf", group) in relations(read(text))


@pytest.mark.parametrize(
    "text",
    [
        "АО «Турбоблок» вышло из состава кластера энергетического машиностроения.",
        "Рассмотрение заявки ООО «Пакетон» на вступление в Ассоциацию производителей тары отложили.",
    ],
)
def test_leaving_a_group_or_applying_to_it_is_no_membership(text):
    assert not [r for r in relations(read(text)) if r[1] == "memberOf"]


@pytest.mark.parametrize(
    ("text", "person", "title"),
    [
        # the name in the genitive, a ё in it, the title's adjective of the right gender
        (
            "По словам главного технолога ООО «Полиплёнка» Артёма Карасёва, линия загружена.",
            "Артём Карасёв",
            "главный технолог",
        ),
        # a surname declined as an adjective
        (
            "По словам коммерческого директора АО «Вектор» Натальи Береговой, спрос растёт.",
            "Наталья Береговая",
            "коммерческий директор",
        ),
        # a title in the instrumental before the appointing verb
        ("Финансовым директором ООО «Стальпром» назначен Олег Веденеев.", "Олег Веденеев", "финансовый директор"),
        # a short title is stored as the post it names, in any case
        ("По словам гендиректора АО «Вектор» Ивана Петрова, завод загружен.", "Иван Петров", "генеральный директор"),
        ("Финдиректор компании «Лотос» Анна Орлова назвала сумму.", "Анна Орлова", "финансовый директор"),
        ("Производство расширят, заявил её техдиректор Олег Кравцов.", "Олег Кравцов", "технический директор"),
    ],
)
def test_a_post_before_the_name_in_its_own_case_and_gender(text, person, title):
    posts = {(r[0], r[2]) for r in relations(read(text)) if r[1] == "holds"}
    assert any(p == person and t.startswith(title) for p, t in posts), posts


def test_a_board_and_a_verb_between_are_no_persons_title():
    found = relations(read("Совет директоров АО «Полихим» возглавил Николай Шубин."))
    assert not [r for r in found if r[1] == "holds" and "возглавил" in r[2]]


def test_a_membership_the_parse_hid_is_still_read_from_its_words_but_not_a_denied_or_planned_one():
    # a parse that hangs the names apart still states a membership in so many words
    said = relations(read("В кластер «Северный металл» в марте вошли АО «Литпром» и ООО «Прокатстан»."))
    assert {("Литпром", "memberOf", "Северный металл"), ("Прокатстан", "memberOf", "Северный металл")} <= said
    for text in ("Компания «Литпром» не вошла в кластер «Северный металл».",):
        assert not [r for r in relations(read(text)) if r[1] == "memberOf"], text


@pytest.mark.parametrize(
    "text, product, firm",
    [
        # the parser hangs «производства» on «цехах» here: the phrase before it is the product
        (
            "В цехах завода прессы Schuler заменены гидравлическими прессами «Мощь-800» производства АО «Прессмаш».",
            "гидравлические прессы",
            "Прессмаш",
        ),
        (
            "На вокзале установлены турникеты «Проход-3» разработки ООО «Контроль-Доступ».",
            "турникеты",
            "Контроль-Доступ",
        ),
    ],
)
def test_a_product_made_by_a_firm_is_the_phrase_right_before_the_makers_genitive(text, product, firm):
    makers = {(r[0], r[2]) for r in relations(read(text)) if r[1] == "manufacturer"}
    assert any(product in made and maker == firm for made, maker in makers), makers


def test_what_is_done_with_a_product_made_by_a_firm_is_not_the_product_nor_a_delivery_by_that_firm():
    found = relations(read("Монтаж вентиляционных установок «Бриз-10» производства ООО «Климатех» завершён в срок."))
    made = {r[0] for r in found if r[1] == "manufacturer" and r[2] == "Климатех"}
    assert made == {"вентиляционные установки Бриз-10"}
    assert not [r for r in found if r[1] == "supplier"]


def test_a_firm_with_an_active_participle_of_making_makes_its_object():
    found = relations(read("ООО «Керампласт», выпускающее керамические фильтры, открыло склад в Твери."))
    assert ("керамические фильтры", "manufacturer", "Керампласт") in found
    denied = relations(read("ООО «Агроснаб», закупающее импортные сеялки, сменило директора."))
    assert not [r for r in denied if r[1] in ("manufacturer", "supplier")]


def test_a_title_before_the_firm_says_what_it_makes():
    found = relations(read("Производитель тепловых насосов ООО «Геотерм» открыл офис в Казани."))
    assert ("тепловые насосы", "manufacturer", "Геотерм") in found
    assert not [r for r in found if r[1] == "manufacturer" and r[0] in ("ООО", "Геотерм")]


def test_every_firm_of_a_list_joins_the_group_the_tree_read_for_one_of_them():
    text = "В кластер «Северная верфь» вошли ещё три компании — АО «Корпус-М», ООО «Палуба» и ООО «Винт-Сервис»."
    members = {r[0] for r in relations(read(text)) if r[1] == "memberOf" and r[2] == "Северная верфь"}
    assert members == {"Корпус-М", "Палуба", "Винт-Сервис"}


def test_a_firm_put_on_the_list_of_a_groups_members_is_a_member_one_struck_off_is_not():
    put = relations(read("АО «Литейщик» и ООО «Формовка» включены в перечень участников кластера «Металлург»."))
    assert {("Литейщик", "memberOf", "Металлург"), ("Формовка", "memberOf", "Металлург")} <= put
    struck = relations(read("АО «Литейщик» исключено из перечня участников кластера «Металлург»."))
    assert not [r for r in struck if r[1] == "memberOf"]


@pytest.mark.parametrize(
    "text, ours, theirs",
    [
        # the instrumental is the new thing; the parser may leave the replaced one out of the tree
        ("На котельных горелки Weishaupt заменены газовыми горелками «Факел-2».", "газовые горелки", "Weishaupt"),
        # «на замену» with the dative the tagger takes for a nominative
        (
            "На замену клапанам Danfoss инженеры завода выбрали клапаны «Вентиль-20».",
            "клапаны Вентиль-20",
            "клапаны Danfoss",
        ),
        ("Датчик «Пульс-3», предназначенный на замену датчикам Honeywell, прошёл испытания.", "Пульс-3", "датчики"),
        (
            "Насосы «Струя-5», заменившие на станциях водоканала насосы Wilo, делают в Твери.",
            "насосы Струя-5",
            "насосы Wilo",
        ),
        ("АО «Лазер-Т» наладило выпуск нивелиров «Уровень-3» (аналог нивелиров Leica).", "нивелиры", "нивелиры Leica"),
    ],
)
def test_a_substitution_read_past_the_parsers_attachment(text, ours, theirs):
    pairs = {(r[0], r[2]) for r in relations(read(text)) if r[1] == "substitutes"}
    assert any(ours in new and theirs in old for new, old in pairs), pairs


@pytest.mark.parametrize(
    "text, ours, replaced",
    [
        (
            "Насосы «Гидра» компании «Гидромаш» заменяют насосы Grundfos, Wilo и KSB.",
            "насосы Гидра",
            {"насосы Grundfos", "насосы Wilo", "насосы KSB"},
        ),
        (
            "Компания «Оптолинк-Урал» выпустила рефлектометр «ОР-7», который заменит приборы EXFO и Keysight.",
            "рефлектометр ОР-7",
            {"приборы EXFO", "приборы Keysight"},
        ),
        (
            "Освоенные заводом «Сухой ток» трансформаторы заменяют оборудование ABB и Schneider Electric.",
            "трансформаторы",
            {"оборудование ABB", "оборудование Schneider Electric"},
        ),
    ],
)
def test_each_brand_of_a_list_after_the_replaced_noun_is_replaced(text, ours, replaced):
    pairs = {(r[0], r[2]) for r in relations(read(text)) if r[1] == "substitutes"}
    assert {old for new, old in pairs if ours in new} == replaced, pairs


def makers(text: str) -> set[tuple[str, str]]:
    return {(r[0], r[2]) for r in relations(read(text)) if r[1] in ("manufacturer", "developer")}


@pytest.mark.parametrize(
    "text, product, firm",
    [
        # the firm's premises: «в компании «X» разработали», «на заводе «X» освоили»
        (
            "В компании «Сигма-Лаб» разработали анализатор крови «Капля» для сельских больниц.",
            "анализатор крови",
            "Сигма-Лаб",
        ),
        ("На заводе «Термаль» освоили выпуск газовых котлов.", "газовые котлы", "Термаль"),
        # an act noun beginning by itself there
        ("На мощностях «Полимер-Строя» началось производство пластиковых труб.", "пластиковые трубы", "Полимер-Строй"),
        (
            "В цехах компании «Стальной профиль» стартовал выпуск оцинкованных профилей.",
            "оцинкованные профили",
            "Стальной профиль",
        ),
        # a participle put before its noun, its own complement between them
        (
            "Созданный в ООО «Аквасенс» анализатор воды, способный заменить приборы Hach, прошёл поверку.",
            "анализатор воды",
            "Аквасенс",
        ),
        # an adjective whose noun the parser hung elsewhere
        (
            "Первую российскую систему машинного зрения для стекольных заводов создали в компании «Визион».",
            "система машинного зрения",
            "Визион",
        ),
    ],
)
def test_who_makes_it_where_the_tree_names_the_firms_premises_or_misplaces_a_word(text, product, firm):
    found = makers(text)
    assert any(product in made and maker == firm for made, maker in found), found


@pytest.mark.parametrize(
    "text, product, firm",
    [
        (
            "Клапаны высокого давления производства АО «Армалит» установлены на станции.",
            "клапаны высокого давления",
            "Армалит",
        ),
        ("Станки с ЧПУ производства компании «Фрезер» работают на заводе.", "станки с ЧПУ", "Фрезер"),
        ("На склад поступила партия датчиков давления производства АО «Манометр».", "датчики давления", "Манометр"),
    ],
)
def test_made_by_a_firm_qualifies_the_whole_phrase_before_it_not_its_last_noun(text, product, firm):
    assert makers(text) == {(product, firm)}


def test_a_production_that_starts_later_is_a_plan_and_a_quoted_model_keeps_its_space():
    extraction = read("На площадке компании «Инвертор-Плюс» стартует производство тяговых инверторов.")
    (fact,) = [f for f in extraction.facts if f.predicate == "manufacturer"]
    assert fact.rule.endswith(":plan")
    products = {
        e.name
        for e in read("В компании «Сигма-Лаб» разработали анализатор «Капля» для больниц.").entities.values()
        if e.type == "PRODUCT"
    }
    assert not [name for name in products if "Каплядля" in name], products


def test_a_participle_after_a_comma_qualifies_the_phrase_before_it_not_the_predicate():
    found = makers("Датчик «Луч», разработанный в АО «Оптикон», — первый российский аналог датчиков Sick.")
    assert not [made for made, maker in found if "аналог" in made], found


def test_two_verbs_joined_side_by_side_share_every_object():
    text = "АО «Термоблок» разрабатывает и поставляет тепловые пункты для школ, а также узлы учёта тепла для больниц."
    found = relations(read(text))
    for act in ("manufacturer", "supplier"):  # developing is stored as making
        assert {r[0] for r in found if r[1] == act and r[2] == "Термоблок"} >= {
            "тепловые пункты для школ",
            "узлы учёта тепла для больниц",
        }, found


@pytest.mark.parametrize(
    "text, product, firm",
    [
        (
            "ООО «Гидролинк» показало на форуме новую разработку — датчик утечки газа.",
            "датчик утечки газа",
            "Гидролинк",
        ),
        (
            "Компания «Оптикон» представила в Казани собственную разработку — тепловизор «Зрачок-3».",
            "тепловизор Зрачок-3",
            "Оптикон",
        ),
    ],
)
def test_a_firm_presenting_its_development_develops_it(text, product, firm):
    assert (product, "manufacturer", firm) in relations(read(text))


def test_a_development_presented_or_not_of_someone_else_is_not_the_presenters():
    assert not [
        r
        for r in relations(read("Компания «Альфа» не представила свою разработку — насос «Гейзер»."))
        if r[1] == "manufacturer"
    ]
    assert not [r for r in relations(read("ООО «Сенсор» показало разработку компании «Бета».")) if r[2] == "Сенсор"]


def test_a_pronoun_for_the_product_named_last_replaces_and_one_for_the_firm_does_not():
    text = "Завод «Кварц» выпустил анализатор «Спектр-5». Он призван заменить в лабораториях приборы Shimadzu."
    assert substitutes(text) == {("анализатор Спектр-5", "приборы Shimadzu")}
    firm = "Компания «Станкомаш» выпускает фрезерные станки. Она заменила на своём заводе станки DMG Mori."
    assert not substitutes(firm)


def test_a_quoted_name_after_the_verb_is_the_products_model_not_a_firm_and_a_buyer_is_no_product():
    found = relations(read("Завод «Кварц» выпустил анализатор «Спектр-5»."))
    assert ("анализатор Спектр-5", "manufacturer", "Кварц") in found
    assert not [r for r in found if "Спектр-5" == r[2]]
    supplied = {r[0] for r in relations(read("Завод «Кварц» поставил партию компании «Бета».")) if r[1] == "supplier"}
    assert not supplied


@pytest.mark.parametrize(
    "text, product, firm",
    [
        (
            "«Мы выпускаем тяговые аккумуляторы», — сообщил директор ООО «Энергон» Павел Ершов.",
            "тяговые аккумуляторы",
            "Энергон",
        ),
        (
            "Как рассказал технический директор компании «Лазерон» Олег Зуев, мы выпускаем волоконные лазеры.",
            "волоконные лазеры",
            "Лазерон",
        ),
        (
            "«Наша компания производит кабели для метро», — отметила директор АО «Кабельмаш» Ирина Лаптева.",
            "кабели для метро",
            "Кабельмаш",
        ),
    ],
)
def test_we_of_a_quote_is_the_firm_of_its_speaker(text, product, firm):
    assert makers(text) == {(product, firm)}


def test_we_of_a_quote_by_a_speaker_of_no_firm_or_buying_makes_nothing():
    assert makers("«Мы выпускаем тракторы», — сказал Павел Ершов.") == set()
    assert makers("«Мы закупаем станки у компании «Фрезер»», — сказал директор ООО «Металлформ» Павел Ершов.") == set()


@pytest.mark.parametrize(
    "text",
    [
        "Компании «Стальпресс» и «Уральский молот» выпускают гидравлические насосы.",
        "Гидравлические насосы в области выпускают заводы «Стальпресс» и «Уральский молот».",
    ],
)
def test_every_firm_of_the_doers_list_makes_the_product(text):
    assert makers(text) == {("гидравлические насосы", "Стальпресс"), ("гидравлические насосы", "Уральский молот")}


def test_a_firm_listed_beside_the_buyer_makes_nothing():
    assert makers("ООО «Альфа» выпускает насосы для АО «Вектор» и ООО «Бета».") == {("насосы", "Альфа")}


@pytest.mark.parametrize(
    "text, ours, replaced",
    [
        # a brand after a word for a firm's line of products, which the parser took for an apposition
        ("ООО «Гидромаш» начало выпуск насосов, заменяющих продукцию Grundfos.", "насосы", "Grundfos"),
        # «на замену» after an act noun: the product made is what replaces
        ("АО «Гидрокор» начало производство клапанов на замену арматуре Danfoss.", "клапаны", "арматура Danfoss"),
        (
            "Завод «Опора» наладил выпуск роликовых подшипников на замену продукции Timken.",
            "роликовые подшипники",
            "Timken",
        ),
        # «на замену» before the firm that offers: the firm is not what arrives
        (
            "На замену приводам Siemens компания «Драйвтек» предлагает частотные преобразователи.",
            "частотные преобразователи",
            "приводы Siemens",
        ),
        # «как альтернативу»
        (
            "Компания «Фильтрон» предлагает воздушные фильтры как альтернативу продукции Mann+Hummel.",
            "воздушные фильтры",
            "Mann+Hummel",
        ),
    ],
)
def test_a_substitution_of_an_act_or_an_offer_names_what_replaces_what(text, ours, replaced):
    pairs = {(r[0], r[2]) for r in relations(read(text)) if r[1] == "substitutes"}
    assert (ours, replaced) in pairs, pairs


@pytest.mark.parametrize(
    "text, product, firm",
    [
        (
            "Компания «Фрикцион-Тех» предлагает тормозные колодки собственного производства.",
            "тормозные колодки",
            "Фрикцион-Тех",
        ),
        ("АО «Логика» поставляет на заводы контроллеры собственной разработки.", "контроллеры", "Логика"),
    ],
)
def test_a_product_of_the_firms_own_making_is_made_by_it(text, product, firm):
    assert (product, firm) in makers(text)


def test_a_product_of_own_making_not_offered_is_not_made():
    assert makers("ООО «Агроснаб» не предлагает сеялки собственного производства.") == set()


def test_a_firm_that_intends_to_make_is_no_product_of_assembling():
    # «собираться» + infinitive is an intention, not the passive of «собирать»
    assert makers("АО «Шпалпром» собирается наладить производство композитных шпал.") == {
        ("композитные шпалы", "Шпалпром")
    }
