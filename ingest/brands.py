"""The catalogue of imported brands and product lines (corpora/brands/brands.csv) as a SKOS scheme.

Each row is a concept `{base}id/brand/<slug>`: the brand and line as its name, the spellings users type as
alternative labels, what the thing is (Russian and English) as its definition, the ОКПД 2 class it falls in
as `skos:broadMatch`, the centre's competence it belongs to as `skos:related`, and its source. Search reads
«аналог Siemens SINAMICS» through it: the line, then the firms that make its class or have its competence.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rdflib import DCTERMS, RDF, SKOS, Literal, URIRef

from ingest.document import ReadError
from ingest.names import slug
from ontology.uris import UriMinter

COLUMNS = ("brand", "line", "aliases", "product_ru", "product_en", "okpd2", "competence", "source")
HEADER = ",".join(COLUMNS)
GENERAL_KNOWLEDGE = "general knowledge"

Triple = tuple[URIRef, URIRef, URIRef | Literal]


def is_brand_catalogue(path: Path) -> bool:
    """A CSV whose header is the catalogue's (read as a scheme, not as records)."""
    if Path(path).suffix.lower() != ".csv":
        return False
    try:
        with Path(path).open("rb") as stream:
            head = stream.read(len(HEADER) + 3)
    except OSError:
        return False
    return head.decode("utf-8", "replace").lstrip("\ufeff").startswith(HEADER)


def brand_triples(path: Path, minter: UriMinter) -> tuple[URIRef, list[Triple]]:
    """(the scheme's graph, its triples); a ReadError names the row and what is wrong with it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ReadError(path, f"cannot be read as UTF-8 ({error})") from error
    scheme = URIRef(f"{minter.base}id/brand")
    triples: list[Triple] = [
        (scheme, RDF.type, SKOS.ConceptScheme),
        (scheme, SKOS.prefLabel, Literal("Импортные марки и линейки продукции", lang="ru")),
        (scheme, SKOS.prefLabel, Literal("Imported brands and product lines", lang="en")),
    ]
    rows = csv.DictReader(io.StringIO(text))
    if tuple(rows.fieldnames or ()) != COLUMNS:
        raise ReadError(path, f"the header must be {HEADER}")
    for number, row in enumerate(rows, start=2):
        name = " ".join(part for part in (row["brand"].strip(), row["line"].strip()) if part)
        if not name or not row["source"].strip():
            raise ReadError(path, f"row {number}: a brand and a source are required")
        concept = URIRef(f"{minter.base}id/brand/{slug(name)}")
        triples += [
            (concept, RDF.type, SKOS.Concept),
            (concept, SKOS.inScheme, scheme),
            (concept, SKOS.prefLabel, Literal(name)),
            (concept, SKOS.definition, Literal(row["product_ru"].strip(), lang="ru")),
            (concept, SKOS.definition, Literal(row["product_en"].strip(), lang="en")),
        ]
        triples += [(concept, SKOS.altLabel, Literal(a.strip())) for a in row["aliases"].split("|") if a.strip()]
        if row["okpd2"].strip():
            triples.append((concept, SKOS.broadMatch, URIRef(f"{minter.base}id/okpd2/{row['okpd2'].strip()}")))
        if row["competence"].strip():
            triples.append((concept, SKOS.related, URIRef(f"{minter.base}id/competence/{row['competence'].strip()}")))
        source = row["source"].strip()
        triples.append((concept, DCTERMS.source, Literal(source) if source == GENERAL_KNOWLEDGE else URIRef(source)))
    return URIRef(f"{minter.base}graph/brands"), triples
