"""The seed news item, read into the real Oxigraph store, answers an expert's questions by SPARQL."""

from __future__ import annotations

from ontology.namespaces import sparql_prologue

from .helpers import SEED_MEMBERS


def select(kb, query: str) -> list[tuple[str, ...]]:
    return [tuple("" if v is None else str(v) for v in row) for row in kb.graph.query(sparql_prologue() + query)]


def test_the_centre_has_exactly_the_twelve_firms_named_in_the_news(seed_kb):
    rows = select(
        seed_kb,
        """
        SELECT ?name WHERE { ?f org:memberOf ?c ; skos:prefLabel ?name . ?c a zo:CompetenceCentre }""",
    )
    assert {name for (name,) in rows} == SEED_MEMBERS
    assert len(rows) == 12


def test_no_spurious_firm(seed_kb):
    rows = select(seed_kb, "SELECT ?name WHERE { ?f a schema:Corporation ; skos:prefLabel ?name }")
    assert {name for (name,) in rows} == SEED_MEMBERS


def test_the_firms_are_residents_of_the_zone_and_the_zone_is_no_firm(seed_kb):
    rows = select(
        seed_kb,
        """
        SELECT DISTINCT ?zone ?type WHERE {
            ?f org:memberOf ?c ; zo:residentOf ?z . ?z skos:prefLabel ?zone .
            OPTIONAL { ?z a schema:Corporation . BIND("firm" AS ?type) } }""",
    )
    assert rows == [("Технополис „Москва“", "")]
    residents = select(seed_kb, "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f zo:residentOf ?z }")
    assert residents == [("12",)]


def test_the_zone_has_more_than_200_companies_on_the_news_date(seed_kb):
    rows = select(
        seed_kb,
        """
        SELECT ?value ?comparator ?date WHERE {
            ?z a zo:SpecialEconomicZone ; zo:residentCount ?q .
            ?q schema:value ?value ; zo:comparator ?comparator ; dcterms:date ?date }""",
    )
    assert rows == [("200", "gt", "2022-04-12")]


def test_the_centre_is_created_in_the_zone(seed_kb):
    rows = select(
        seed_kb,
        """
        SELECT ?centre ?zone WHERE { ?c a zo:CompetenceCentre ; skos:prefLabel ?centre ;
                                        schema:location/skos:prefLabel ?zone }""",
    )
    assert rows == [("Центр компетенций в сфере импортозамещения", "Технополис „Москва“")]


def test_three_people_with_their_posts_and_organisations(seed_kb):
    rows = select(
        seed_kb,
        """
        SELECT ?person ?post ?organisation WHERE {
            ?p a schema:Person ; skos:prefLabel ?person ; org:holds ?post_ .
            ?post_ skos:prefLabel ?post ; org:postIn/skos:prefLabel ?organisation }""",
    )
    by_person = {person: (post, organisation) for person, post, organisation in rows}
    assert set(by_person) == {"Владимир Ефимов", "Владислав Овчинский", "Геннадий Дегтев"}
    assert by_person["Владимир Ефимов"][0].startswith("заместитель мэра Москвы")
    assert by_person["Владимир Ефимов"][1] == "Правительство Москвы"
    assert (
        by_person["Владислав Овчинский"][0]
        == "руководитель столичного департамента инвестиционной и промышленной политики"
    )
    assert by_person["Владислав Овчинский"][1] == "Департамент инвестиционной и промышленной политики"
    assert by_person["Геннадий Дегтев"] == ("генеральный директор ОЭЗ «Технополис „Москва“»", "Технополис „Москва“")


def test_each_membership_has_its_quote_and_offsets_into_the_document(seed_kb):
    rows = select(
        seed_kb,
        """
        SELECT ?name ?quote ?start ?end ?text WHERE {
            ?f org:memberOf ?c ; skos:prefLabel ?name .
            ?e rdf:subject ?f ; rdf:predicate org:memberOf ; rdf:object ?c ; prov:wasDerivedFrom ?doc ;
               oa:hasSelector [ oa:exact ?quote ; oa:start ?start ; oa:end ?end ] .
            ?doc schema:text ?text }""",
    )
    assert {row[0] for row in rows} == SEED_MEMBERS
    for name, quote, start, end, text in rows:
        assert text[int(start) : int(end)] == quote
        assert name in quote and "участие" in quote


def test_the_document_has_its_date_headline_and_source(seed_kb):
    rows = select(
        seed_kb,
        """
        SELECT ?date ?headline ?source WHERE { ?d a schema:NewsArticle ; dcterms:date ?date ;
                                                  schema:headline ?headline ; dcterms:source ?source }""",
    )
    assert len(rows) == 1
    date, headline, source = rows[0]
    assert date == "2022-04-12"
    assert headline == "Ефимов: Центр компетенций в сфере импортозамещения появится в технополисе «Москва»"
    assert source.endswith("seed-news-2022-04-12.txt")


def test_every_person_fact_is_quoted(seed_kb):
    rows = select(
        seed_kb,
        """
        SELECT ?person ?quote WHERE { ?p a schema:Person ; skos:prefLabel ?person ; org:holds ?post .
            ?e rdf:subject ?p ; rdf:predicate org:holds ; rdf:object ?post ; oa:hasSelector/oa:exact ?quote }""",
    )
    quoted = {person for person, quote in rows if person.split()[1][:5] in quote}
    assert quoted == {"Владимир Ефимов", "Владислав Овчинский", "Геннадий Дегтев"}
