"""The zone's sites, clusters and centres, and the organisations around it that are no firms of it, from a
zone profile; news that names them reads them as what they are. A firm's own profile gives it its name.

The zone profile, the firms and the news sentences are written for these tests (invented firms), each a new
sentence of the construction it checks, ingested on the real Oxigraph store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, URIRef

from ingest.document import ReadError
from ingest.profiles import read_markdown
from ontology.namespaces import SCHEMA, ZO
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

from .helpers import PROJECT

BASE = "https://zamena.example.org/id/"
ZONE = """---
kind: zone
name: Технополис „Москва“
aliases: [ОЭЗ «Технополис „Москва“», ОЭЗ «Зеленоград»]
sites:
  - {name: Алабушево, aliases: [площадка «Алабушево»], source: [page]}
  - {name: Руднево, source: [page]}
clusters:
  - {name: кластер микроэлектроники, source: [page]}
centres:
  - {name: Федеральный центр беспилотных авиационных систем, aliases: [ФЦ БАС], site: Руднево, source: [page]}
organisations:
  - {name: РБК, kind: media, source: [known]}
  - {name: Мир, aliases: [карта «Мир»], kind: product, source: [known]}
  - {name: Минпромторг, kind: government, source: [known]}
  - {name: Москвич, aliases: [АЗЛК], kind: partner, source: [known]}
sources:
  page: {url: "https://zone.example.ru/sites", date: 2025-01-10, supports: "площадки, кластер и центр зоны"}
  known:
    document: общеизвестные сведения
    supports: РБК — СМИ; «Мир» — платёжная система; Минпромторг — министерство; АЗЛК — автозавод вне зоны
---
# Зона

Зона работает в Алабушеве и на бывшей территории автозавода АЗЛК.
"""
NEWS = """---
kind: news
title: Новости площадок
date: 2025-02-01
url: https://news.example.ru/sites
sources:
  news: {url: "https://news.example.ru/sites", date: 2025-02-01, supports: новости площадок}
---
Завод «Кварцпласт» в Алабушеве начал выпуск кварцевых пластин.

По данным РБК, компания «Диодный свет» выпускает светодиодные модули в Рудневе.

Микросхемы «Кварцпласта» стоят в картах «Мир».

Проект согласован Минпромторгом.

Площадка «Вектор-Фарм» в Алабушеве выпустила первую партию препаратов.

Компания «Ортокорсет» стала резидентом ОЭЗ «Зеленоград».

«Московский центр спектроскопии» в Рудневе размещается в новом корпусе.
"""
PROFILE = """---
kind: profile
name: Вектор-Фарм
products:
  - {name: препараты для лечения диабета, source: [own]}
sources:
  own: {url: "https://vektor-farm.example.ru", date: 2024-05-01, supports: выпускает препараты для лечения диабета}
---
# Вектор-Фарм
"""


def _types(kb: KnowledgeBase, slug_path: str) -> set[URIRef]:
    return set(kb.graph.union_graph().objects(URIRef(BASE + slug_path), RDF.type))


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    folder = Path(tmp_path_factory.mktemp("zone"))
    # news first in the folder's order: the zone and the profile must still be known before it is read
    for name, text in (("a-news.md", NEWS), ("b-profile.md", PROFILE), ("c-zone.md", ZONE)):
        (folder / "corpus" / name).parent.mkdir(exist_ok=True)
        (folder / "corpus" / name).write_text(text, encoding="utf-8")
    with KnowledgeBase(Settings.from_env(home=folder / "home", store="oxigraph")) as knowledge_base:
        report = knowledge_base.ingest([folder / "corpus"])
        assert report.failed == []
        yield knowledge_base


def test_the_zone_profile_gives_sites_in_the_zone_clusters_and_a_centre_at_its_site(kb: KnowledgeBase) -> None:
    graph = kb.graph.union_graph()
    paths = ("zone/tekhnopolis-moskva", "site/alabushevo", "site/rudnevo")
    zone, alabushevo, rudnevo = (URIRef(BASE + path) for path in paths)
    assert ZO.Site in _types(kb, "site/alabushevo")
    assert (alabushevo, SCHEMA.containedInPlace, zone) in graph and (rudnevo, SCHEMA.containedInPlace, zone) in graph
    assert ZO.Cluster in _types(kb, "cluster/klaster-mikroelektronika")
    centre = URIRef(BASE + "centre/federalnyy-tsentr-bespilotnyy-aviatsionnyy-sistema")
    assert (centre, SCHEMA.location, rudnevo) in graph
    assert SCHEMA.NewsMediaOrganization in _types(kb, "organisation/rbk")


def test_a_firm_said_to_be_at_a_site_is_linked_to_it_and_the_site_is_no_firm(kb: KnowledgeBase) -> None:
    graph = kb.graph.union_graph()
    assert (URIRef(BASE + "firm/kvartsplast"), SCHEMA.location, URIRef(BASE + "site/alabushevo")) in graph
    assert (URIRef(BASE + "firm/diodnyy-svet"), SCHEMA.location, URIRef(BASE + "site/rudnevo")) in graph
    firms = {str(f).rsplit("/", 1)[-1] for f in graph.subjects(RDF.type, SCHEMA.Corporation)}
    spectroscopy = next(f for f in firms if "spektroskop" in f)  # an organisation with its premises at a site: a firm
    assert (URIRef(BASE + f"firm/{spectroscopy}"), SCHEMA.location, URIRef(BASE + "site/rudnevo")) in graph
    # no site, press, card or ministry
    assert firms == {"kvartsplast", "diodnyy-svet", "vektor-farm", "ortokorset", spectroscopy}
    assert kb.stats()["firms"] == 5


def test_the_press_a_product_and_a_ministry_are_what_the_zone_profile_says(kb: KnowledgeBase) -> None:
    assert SCHEMA.Corporation not in _types(kb, "organisation/rbk")
    assert SCHEMA.Product in _types(kb, "product/mir")
    assert SCHEMA.GovernmentOrganization in _types(kb, "organisation/minpromtorg")  # «Минпромторгом»


def test_the_zones_former_name_is_the_zone_not_its_site(kb: KnowledgeBase) -> None:
    graph = kb.graph.union_graph()
    assert (URIRef(BASE + "firm/ortokorset"), ZO.residentOf, URIRef(BASE + "zone/tekhnopolis-moskva")) in graph
    assert not _types(kb, "zone/zelenograd")


def test_a_firms_profile_gives_its_name_though_a_news_item_wrote_it_first_in_another_case(kb: KnowledgeBase) -> None:
    labels = set(kb.graph.union_graph().objects(URIRef(BASE + "firm/vektor-farm"), SKOS.prefLabel))
    assert {str(label) for label in labels} == {"Вектор-Фарм"}


def test_a_zone_profiles_entry_without_a_source_is_refused_naming_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "zone.md"
    text = ZONE.replace("  - {name: Руднево, source: [page]}\n", "  - {name: Руднево}\n")
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ReadError, match=r"line \d+: statement has no `source`"):
        read_markdown(broken, text, "utf-8")


def test_the_bundled_zone_profile_names_the_sites_clusters_and_the_drone_centre() -> None:
    path = PROJECT / "corpora" / "zone" / "tekhnopolis-moskva.md"
    document = read_markdown(path, path.read_text(encoding="utf-8"), "utf-8")
    by_kind: dict[str, set[str]] = {}
    for entity in document.entities:
        by_kind.setdefault(entity.type, set()).add(entity.name)
    assert {"Печатники", "Алабушево", "Зеленоград", "Руднево"} <= by_kind["SITE"]
    assert len(by_kind["CLUSTER"]) == 4
    assert by_kind["CENTRE"] == {"Федеральный центр беспилотных авиационных систем"}
    assert all(fact.cites or fact.rule != "profile-front-matter" or fact.predicate == "type" for fact in document.facts)


def test_the_firms_by_site_example_lists_each_site_with_its_firms_and_quotes(kb: KnowledgeBase) -> None:
    query = (PROJECT / "examples" / "firms-by-site.rq").read_text(encoding="utf-8")
    rows = {(str(site), str(firm)): str(quote) for site, firm, _products, quote in kb.graph.query(query)}
    assert set(rows) == {
        ("Алабушево", "Кварцпласт"),
        ("Алабушево", "Вектор-Фарм"),
        ("Руднево", "Диодный свет"),
        ("Руднево", "Московский центр спектроскопии"),
    }
    assert "в Алабушеве" in rows[("Алабушево", "Кварцпласт")]


def test_the_centre_members_example_quotes_a_profile_in_words_not_its_front_matter(tmp_path: Path) -> None:
    profile = PROFILE.replace(
        "products:", "centre: {name: Центр компетенций в сфере импортозамещения, source: [own]}\nproducts:"
    )
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "vektor-farm.md").write_text(profile, encoding="utf-8")
    query = (PROJECT / "examples" / "centre-members.rq").read_text(encoding="utf-8")
    with KnowledgeBase(Settings.from_env(home=tmp_path / "home", store="oxigraph")) as knowledge_base:
        assert knowledge_base.ingest([tmp_path / "corpus"]).failed == []
        quotes = [str(row[3]) for row in knowledge_base.graph.query(query)]
    assert quotes == ["Профиль компании: входит в Центр компетенций в сфере импортозамещения"]


def test_a_later_run_knows_the_zone_profile_from_the_graph(tmp_path: Path) -> None:
    (tmp_path / "zone.md").write_text(ZONE, encoding="utf-8")
    (tmp_path / "news.txt").write_text("По данным РБК, завод «Кварцпласт» в Алабушеве выпускает пластины.", "utf-8")
    settings = Settings.from_env(home=tmp_path / "home", store="oxigraph")
    with KnowledgeBase(settings) as first:
        first.ingest([tmp_path / "zone.md"])
    with KnowledgeBase(settings) as later:  # its gazetteer is read from the graph (ingest.gazetteer)
        assert later.ingest([tmp_path / "news.txt"]).failed == []
        graph = later.graph.union_graph()
        firms = {str(f).rsplit("/", 1)[-1] for f in graph.subjects(RDF.type, SCHEMA.Corporation)}
        assert firms == {"kvartsplast"}
        assert (URIRef(BASE + "firm/kvartsplast"), SCHEMA.location, URIRef(BASE + "site/alabushevo")) in graph


def test_each_firm_is_put_at_the_site_its_own_clause_names(tmp_path: Path) -> None:
    news = NEWS.split("---\n", 2)[1]
    body = (
        "Компания «Альфалюкс» выпускает в Рудневе светильники, "
        "а компания «Бетапринт» печатает в Алабушеве этикетки.\n\n"
        "В холдинг входят завод «Гаммасталь» в Алабушеве и фабрика «Дельтатекс» в Рудневе.\n\n"
        "В Рудневе работает компания «Эпсилон-Авиа», в Алабушеве — компания «Зетафарм».\n\n"
        "Компании «Эта-Свет» и «Тета-Пласт» открыли цеха в Алабушеве и в Рудневе.\n"
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a-news.md").write_text(f"---\n{news}---\n{body}", encoding="utf-8")
    (corpus / "c-zone.md").write_text(ZONE, encoding="utf-8")
    with KnowledgeBase(Settings.from_env(home=tmp_path / "home", store="oxigraph")) as knowledge_base:
        assert knowledge_base.ingest([corpus]).failed == []
        graph = knowledge_base.graph.union_graph()
        located = {
            (str(firm).rsplit("/", 1)[-1], str(site).rsplit("/", 1)[-1])
            for firm, site in graph.subject_objects(SCHEMA.location)
            if "/firm/" in str(firm)
        }
    assert located == {
        ("alfalyuks", "rudnevo"),
        ("betaprint", "alabushevo"),
        ("gammastal", "alabushevo"),
        ("deltateks", "rudnevo"),
        ("epsilon-avia", "rudnevo"),
        ("zetafarm", "alabushevo"),
        # one clause, both sites and both firms: the sentence does not say which is where
        ("eta-svet", "alabushevo"),
        ("eta-svet", "rudnevo"),
        ("teta-plast", "alabushevo"),
        ("teta-plast", "rudnevo"),
    }, located


def test_a_name_of_the_zone_profile_the_model_cut_short_or_a_partner_at_a_site_is_no_firm(tmp_path: Path) -> None:
    # the zone's own text names a firm whose profile comes later, so it is read again knowing the zone's names
    zone = ZONE.replace(
        "Зона работает в Алабушеве и на бывшей территории автозавода АЗЛК.",
        "В Рудневе работает Федеральный центр беспилотных авиационных систем; там же испытывает машины «Винтокрыл».\n\n"
        "Зона работает на нескольких площадках: на бывшей территории автозавода АЗЛК, в Алабушеве и в Рудневе.",
    )
    firm = PROFILE.replace("Вектор-Фарм", "Винтокрыл").replace("vektor-farm", "vintokryl")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a-zone.md").write_text(zone, encoding="utf-8")
    (corpus / "b-vintokryl.md").write_text(firm, encoding="utf-8")
    (corpus / "c-news.md").write_text(
        NEWS.split("---\n", 2)[0]
        + "---\n"
        + NEWS.split("---\n", 2)[1]
        + "---\nВ Рудневе работает Федеральный центр беспилотных авиационных систем.\n",
        encoding="utf-8",
    )
    with KnowledgeBase(Settings.from_env(home=tmp_path / "home", store="oxigraph")) as knowledge_base:
        assert knowledge_base.ingest([corpus]).failed == []
        graph = knowledge_base.graph.union_graph()
        firms = {
            str(label)
            for f in graph.subjects(RDF.type, SCHEMA.Corporation)
            for label in graph.objects(f, SKOS.prefLabel)
        }
    assert firms == {"Винтокрыл"}
