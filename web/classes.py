"""Who supplies a class: the firms and products in a classifier concept or any concept below it.

A class page answers the expert's question "who makes this?", so it lists each firm with its products
in the class (and the narrower class each one is in), then the products whose maker is not known.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from web.describe import Describer, Value, sparql_iri

# The most (product, firm, class) rows one page reads; a top class of ОКПД 2 holds thousands of
# products in a large graph, and the page then says it shows the first ones.
SUPPLIER_ROWS = 2_000
# Imported brands are concepts too, but nobody here makes them: their page names what replaces them.
BRAND_PATH = "/id/brand/"

# One query with a property path: the products in the class or below it (skos:broader*) with their
# makers or suppliers, and the firms classified there themselves (ОКВЭД 2 activity, competence).
# Each branch starts from the products or firms and walks up from their classes: a section of the
# 19,500 classes of ОКПД 2 takes 3 ms so, and 200 ms when the walk went down from the section first.
_PATTERN = """  { ?product schema:category ?class . ?class skos:broader* ?this .
    OPTIONAL { ?product schema:manufacturer|zo:supplier ?firm } }
  UNION { ?firm org:classification|zo:hasCompetence ?class . ?class skos:broader* ?this }
  OPTIONAL { ?class skos:notation ?code }
"""
SUPPLIERS_QUERY = f"SELECT DISTINCT ?product ?firm ?class ?code ?this WHERE {{\n{_PATTERN}}}"


@dataclass
class InClass:
    """A product in the class, and the class (this one or a narrower one) it is filed under."""

    product: Value
    code: str  # the narrower class's notation; "" when the product is in this very class
    code_uri: str = ""


@dataclass
class Supplier:
    firm: Value
    products: list[InClass] = field(default_factory=list)
    classified: bool = False  # the firm itself is in the class (ОКВЭД 2 activity, competence)


@dataclass
class Suppliers:
    uri: str
    firms: list[Supplier]
    no_maker: list[InClass]  # products whose maker the graph does not know
    product_count: int
    cut: bool  # more rows than SUPPLIER_ROWS

    @property
    def firm_count(self) -> int:
        return len(self.firms)

    @property
    def query(self) -> str:
        """The same list as a query for the SPARQL page."""
        iri = sparql_iri(self.uri)
        return (
            f"# Firms and products in the class {iri} and every class below it\n"
            f"SELECT DISTINCT ?firm ?product ?class ?code WHERE {{\n{_PATTERN.replace('?this', iri)}}}\n"
            "ORDER BY ?firm ?code ?product"
        )


def class_suppliers(describer: Describer, uri: str) -> Suppliers | None:
    """The firms and products in the concept `uri` or any concept below it, named in the reader's language;
    None for an imported brand."""
    if BRAND_PATH in uri:
        return None
    this = URIRef(uri)
    sparql_iri(uri)
    rows = list(describer.graph.query(f"{SUPPLIERS_QUERY} LIMIT {SUPPLIER_ROWS + 1}", {"this": this}))
    cut = len(rows) > SUPPLIER_ROWS
    rows = rows[:SUPPLIER_ROWS]
    terms = {term for row in rows for term in row[:3] if term is not None}
    names = describer.labels(terms)
    kinds = describer.kinds(terms)

    def value(term: URIRef) -> Value:
        return Value(term, names.get(str(term), str(term)), True, kinds.get(str(term), ""))

    firms: dict[str, Supplier] = {}
    no_maker: dict[str, InClass] = {}
    products: set[str] = set()
    for product, firm, concept, code, _this in rows:
        code_text = str(code) if code is not None and concept != this else ""
        item = InClass(value(product), code_text, str(concept) if code_text else "") if product is not None else None
        if item is not None:
            products.add(str(product))
        if firm is None:
            if item is not None:
                no_maker.setdefault(str(product), item)
            continue
        supplier = firms.setdefault(str(firm), Supplier(value(firm)))
        if item is None:
            supplier.classified = True
        elif all(p.product.uri != item.product.uri for p in supplier.products):
            supplier.products.append(item)
    for supplier in firms.values():
        supplier.products.sort(key=lambda p: p.product.label.lower())
    made = {p.product.uri for s in firms.values() for p in s.products}
    return Suppliers(
        uri=uri,
        firms=sorted(firms.values(), key=lambda s: s.firm.label.lower()),
        no_maker=sorted((p for u, p in no_maker.items() if u not in made), key=lambda p: p.product.label.lower()),
        product_count=len(products),
        cut=cut,
    )
