"""Example SPARQL queries an expert of the competence centre would ask, shown on the query page.

The prefixes of ontology.namespaces (zo, org, schema, skos, oa, prov, dcterms, rdf, rdfs …) are known
to the endpoint, so the examples do not declare them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    key: str
    title_ru: str
    title_en: str
    comment_ru: str  # the query's first line, a comment, in each language
    comment_en: str
    body: str

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_ru

    def text(self, lang: str) -> str:
        """The query as the page shows it, its comment in the reader's language."""
        return f"# {self.comment_en if lang == 'en' else self.comment_ru}\n{self.body}"

    @property
    def query(self) -> str:
        return self.text("ru")


EXAMPLES: tuple[Example, ...] = (
    Example(
        "centre-members",
        "Участники центра компетенций и цитата, где это сказано",
        "Members of the competence centre, with the quote that says so",
        "Участники каждого центра компетенций, их зона и цитата-источник",
        "Members of each competence centre, their zone and the quote that says so",
        """SELECT DISTINCT ?firm ?name ?centre ?zone ?quote ?document WHERE {
  ?firm org:memberOf ?c ; skos:prefLabel ?name .
  ?c a zo:CompetenceCentre ; skos:prefLabel ?centre .
  OPTIONAL { ?firm zo:residentOf/skos:prefLabel ?zone }
  ?e rdf:subject ?firm ; rdf:predicate org:memberOf ; rdf:object ?c ;
     prov:wasDerivedFrom ?document ; oa:hasSelector/oa:exact ?exact .
  OPTIONAL { ?e zo:statement ?statement }
  BIND(COALESCE(?statement, ?exact) AS ?quote)
}
ORDER BY ?name""",
    ),
    Example(
        "firms-by-competence",
        "Фирмы по компетенциям",
        "Firms by competence",
        "Какие фирмы владеют какими компетенциями (и понятиями ОКВЭД 2)",
        "Which firms have which competences (and OKVED 2 activities)",
        """SELECT ?competence ?competenceName (GROUP_CONCAT(DISTINCT ?firmName; separator=", ") AS ?firms)
       (COUNT(DISTINCT ?firm) AS ?count) WHERE {
  ?firm zo:hasCompetence|org:classification ?competence ; skos:prefLabel ?firmName .
  ?competence skos:prefLabel ?competenceName .
  FILTER(LANG(?competenceName) IN ("ru", ""))
}
GROUP BY ?competence ?competenceName
ORDER BY DESC(?count) ?competenceName""",
    ),
    Example(
        "products-by-okpd2",
        "Продукты класса ОКПД 2 вместе с подчинёнными классами",
        "Products of an OKPD 2 class and its narrower classes",
        "Продукты класса 27.11 ОКПД 2 и всех его подклассов, с производителем",
        "Products of OKPD 2 class 27.11 and all classes below it, with their makers",
        """SELECT DISTINCT ?code ?class ?product ?productName ?maker WHERE {
  ?top skos:notation "27.11" .
  ?concept skos:broader* ?top ; skos:notation ?code ; skos:prefLabel ?class .
  ?product schema:category ?concept ; skos:prefLabel ?productName .
  OPTIONAL { ?product schema:manufacturer/skos:prefLabel ?maker }
  FILTER(LANG(?productName) IN ("ru", ""))
}
ORDER BY ?code ?productName""",
    ),
    Example(
        "facts-with-sources",
        "Каждый факт с источником: документ, цитата, позиция",
        "Every fact with its source: document, quote, position",
        "Факт (субъект — предикат — объект), документ и цитата с позицией в тексте",
        "Each fact (subject — predicate — object), its document and the quote with its place in the text",
        """SELECT DISTINCT ?subject ?predicate ?object ?document ?quote ?start ?end ?confidence WHERE {
  ?e a zo:Evidence ; rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object ;
     prov:wasDerivedFrom ?document ; oa:hasSelector ?selector .
  ?selector oa:exact ?quote ; oa:start ?start ; oa:end ?end .
  OPTIONAL { ?e zo:confidence ?confidence }
  FILTER(?predicate != rdf:type)
}
ORDER BY ?document ?start
LIMIT 200""",
    ),
    Example(
        "zone-residents",
        "Резиденты особой экономической зоны",
        "Residents of the special economic zone",
        "Резиденты каждой ОЭЗ",
        "The residents of each special economic zone",
        """SELECT ?zone (COUNT(DISTINCT ?firm) AS ?residents)
       (GROUP_CONCAT(DISTINCT ?name; separator=", ") AS ?names) WHERE {
  ?firm zo:residentOf ?z ; skos:prefLabel ?name .
  ?z skos:prefLabel ?zone .
}
GROUP BY ?zone""",
    ),
    Example(
        "firm-graph",
        "Всё о фирме как граф RDF (CONSTRUCT)",
        "Everything about a firm as an RDF graph (CONSTRUCT)",
        "Описание фирмы «Профотек» и её связей; результат — граф (Turtle, JSON-LD …)",
        "The firm Profotech and its links; the result is a graph (Turtle, JSON-LD …)",
        """CONSTRUCT { ?firm ?p ?o . ?o skos:prefLabel ?label }
WHERE {
  ?firm a schema:Corporation ; skos:prefLabel "Профотек"@ru ; ?p ?o .
  OPTIONAL { ?o skos:prefLabel ?label }
}""",
    ),
)
BY_KEY = {example.key: example for example in EXAMPLES}
