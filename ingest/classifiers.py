"""ОКВЭД 2 and ОКПД 2 as SKOS concept schemes, read from the files as the state publishes them.

A classifier file is recognised by its content (ОКВЭД 2: `;`-separated `section;code;name`;
ОКПД 2: `<catalog><array><Kod/>…<Razdel/><Name/></array>` XML), whatever its encoding. The hierarchy
comes from the codes: 27.11.10.110 → 27.11.10 → 27.11.1 → 27.11 → 27.1 → 27 → section C.
Each scheme is one named graph, so a newer edition of a classifier replaces the older one.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.term import Node

from ingest.competences import COMPETENCES_FILE
from ingest.document import ReadError
from ingest.readers import MAX_FILE_BYTES, decode
from ontology.graph import Triple
from ontology.uris import UriMinter

log = logging.getLogger(__name__)


# A section letter, or a code of two digits and up to three more groups: 27, 27.1, 27.11.10.110.
_CODE = re.compile(r"\d{2}(\.\d{1,3}){0,3}")
_SECTION = re.compile(r"[A-Z]")
_OKVED_FIRST_LINE = re.compile(rb'^\s*"?[A-Z]"?;"?[ \d.]*"?;')
_OKPD_MARKERS = (b"<catalog", b"<Kod", b"<Razdel")


@dataclass(frozen=True)
class SchemeInfo:
    key: str  # the URI segment: {base}id/<key>/<code>
    label_ru: str
    label_en: str
    short_ru: str
    short_en: str


SCHEMES: dict[str, SchemeInfo] = {
    "okved2": SchemeInfo(
        "okved2",
        "Общероссийский классификатор видов экономической деятельности (ОКВЭД 2)",
        "Russian Classification of Economic Activities (OKVED 2)",
        "ОКВЭД 2",
        "OKVED 2",
    ),
    "okpd2": SchemeInfo(
        "okpd2",
        "Общероссийский классификатор продукции по видам экономической деятельности (ОКПД 2)",
        "Russian Classification of Products by Economic Activity (OKPD 2)",
        "ОКПД 2",
        "OKPD 2",
    ),
}


@dataclass(frozen=True)
class ClassifierEntry:
    code: str  # a section letter ("C") or a code ("27.11.4")
    label: str
    section: str
    note: str | None  # ОКПД 2 explanatory note: what the grouping includes and excludes
    row: int  # 1-based row of the source (CSV line or XML record)


@dataclass
class Classifier:
    scheme: SchemeInfo
    source: str
    encoding: str
    rows: int  # rows read from the source, sections included
    entries: dict[str, ClassifierEntry] = field(default_factory=dict)
    # codes the source wrote without their leading zero ("5" for 05), read back from another column
    repaired: list[tuple[str, str]] = field(default_factory=list)
    # rows whose code was already seen: the first row of a code is kept, the others are reported here
    duplicates: list[ClassifierEntry] = field(default_factory=list)

    def add(self, entry: ClassifierEntry) -> None:
        if entry.code in self.entries:
            log.warning("%s: row %d repeats code %s; the first row is kept", self.source, entry.row, entry.code)
            self.duplicates.append(entry)
        else:
            self.entries[entry.code] = entry

    def parent(self, code: str) -> str | None:
        """The concept right above `code`: the nearest of its candidate parents that the source has."""
        entry = self.entries[code]
        return next((c for c in candidate_parents(code, entry.section) if c in self.entries), None)

    def hierarchy(self) -> dict[str, str | None]:
        """Each code and its parent; None for the sections, and for a code whose parents are all missing."""
        return {code: self.parent(code) for code in self.entries}


def candidate_parents(code: str, section: str) -> list[str]:
    """Codes that may stand right above `code`, nearest first.

    A subcategory 27.11.10.111 sits under its category 27.11.10.110 when the source has one, and under
    the type 27.11.10 otherwise; a class (two digits) sits under its section letter.
    """
    if _SECTION.fullmatch(code):
        return []
    parts = code.split(".")
    if len(parts) == 1:
        return [section]
    head, last = ".".join(parts[:-1]), parts[-1]
    if len(last) == 3:
        return [f"{head}.{last[:2]}0", head] if not last.endswith("0") else [head]
    if len(last) == 2:
        return [f"{head}.{last[0]}"]
    return [head]


# ------------------------------------------------------------------ recognising and reading


def classifier_kind(path: Path) -> str | None:
    """'okved2' or 'okpd2' when the file has a classifier's shape, else None (it is read as a document)."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xml"):
        return None
    try:
        with path.open("rb") as stream:
            head = stream.read(4096)
    except OSError:
        return None
    if path.suffix.lower() == ".xml" and all(marker in head for marker in _OKPD_MARKERS):
        return "okpd2"
    if path.suffix.lower() == ".csv" and _OKVED_FIRST_LINE.match(head):
        return "okved2"
    return None


def read_classifier(path: Path) -> Classifier:
    """Read an ОКВЭД 2 CSV or ОКПД 2 XML file; a ReadError names the file, the row and the reason."""
    path = Path(path)
    kind = classifier_kind(path)
    if kind is None:
        raise ReadError(path, "not a classifier: expected ОКВЭД 2 as CSV (section;code;name) or ОКПД 2 as XML")
    try:
        if path.stat().st_size > 4 * MAX_FILE_BYTES:
            raise ReadError(path, f"{path.stat().st_size} bytes is too large for a classifier")
        data = path.read_bytes()
    except OSError as error:
        raise ReadError(path, error.strerror or str(error)) from error
    text, encoding = decode(path, data)
    classifier = Classifier(SCHEMES[kind], str(path), encoding, rows=0)
    if kind == "okved2":
        _read_okved(path, text, classifier)
    else:
        _read_okpd(path, text, classifier)
    return classifier


def _read_okved(path: Path, text: str, classifier: Classifier) -> None:
    for row_number, row in enumerate(csv.reader(io.StringIO(text), delimiter=";"), start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 3:
            raise ReadError(path, f"row {row_number}: expected 3 fields section;code;name, found {len(row)}")
        section, code, name = (cell.strip() for cell in row)
        code = code or section  # a section's own row has an empty code
        _check(path, row_number, section, code, name)
        classifier.rows += 1
        classifier.add(ClassifierEntry(code, _spaces(name), section, None, row_number))


def _read_okpd(path: Path, text: str, classifier: Classifier) -> None:
    # The XML declaration names the encoding the bytes were in; the text is decoded already.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    try:
        root = fromstring(text, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as error:
        raise ReadError(path, f"not well-formed or unsafe XML: {error}") from error
    for row_number, record in enumerate(root, start=1):
        kod, section, name = (_field(record, tag) for tag in ("Kod", "Razdel", "Name"))
        idx = _field(record, "Idx")
        code = kod or section  # a section's own record has an empty Kod and the Idx "C."
        listed = idx.partition(".")[2]  # Idx repeats the code after the section: "C.27.11"
        if not _CODE.fullmatch(code) and not _SECTION.fullmatch(code) and _CODE.fullmatch(listed):
            classifier.repaired.append((code, listed))
            code = listed
        _check(path, row_number, section, code, name)
        classifier.rows += 1
        note = _spaces(_field(record, "Nomdescr")) or None
        classifier.add(ClassifierEntry(code, _spaces(name), section, note, row_number))


def _spaces(text: str) -> str:
    return " ".join(text.split())


def _field(record: Element, tag: str) -> str:
    return (record.findtext(tag) or "").strip()


def _check(path: Path, row: int, section: str, code: str, name: str) -> None:
    if not _SECTION.fullmatch(section):
        raise ReadError(path, f"row {row}: section {section!r} is not a letter A–Z")
    if not (_CODE.fullmatch(code) or code == section):
        raise ReadError(path, f"row {row}: {code!r} is not a classifier code like 27.11.4")
    if not name:
        raise ReadError(path, f"row {row}: code {code} has no name")


# ------------------------------------------------------------------ to RDF


def scheme_uri(minter: UriMinter, scheme: str) -> URIRef:
    return URIRef(f"{minter.base}id/{scheme}")


def concept_uri(minter: UriMinter, scheme: str, code: str) -> URIRef:
    return URIRef(f"{minter.base}id/{scheme}/{code}")


def classifier_triples(classifier: Classifier, minter: UriMinter, source_label: str) -> tuple[URIRef, list[Triple]]:
    """The scheme's named graph and its triples: one skos:Concept per code, sections as top concepts."""
    info = classifier.scheme
    scheme = scheme_uri(minter, info.key)
    triples: list[Triple] = [
        (scheme, RDF.type, SKOS.ConceptScheme),
        (scheme, SKOS.prefLabel, Literal(info.label_ru, lang="ru")),
        (scheme, SKOS.prefLabel, Literal(info.label_en, lang="en")),
        (scheme, SKOS.altLabel, Literal(info.short_ru, lang="ru")),
        (scheme, SKOS.altLabel, Literal(info.short_en, lang="en")),
        (scheme, DCTERMS.source, Literal(source_label)),
    ]
    for code, entry in classifier.entries.items():
        concept = concept_uri(minter, info.key, code)
        triples += [
            (concept, RDF.type, SKOS.Concept),
            (concept, SKOS.notation, Literal(code)),
            (concept, SKOS.prefLabel, Literal(entry.label, lang="ru")),
            (concept, SKOS.inScheme, scheme),
        ]
        parent = classifier.parent(code)
        if parent is not None:
            triples.append((concept, SKOS.broader, concept_uri(minter, info.key, parent)))
        elif _SECTION.fullmatch(code):
            triples += [(concept, SKOS.topConceptOf, scheme), (scheme, SKOS.hasTopConcept, concept)]
        if entry.note:
            triples.append((concept, SKOS.scopeNote, Literal(entry.note, lang="ru")))
    return minter.graph(info.key), triples + broader_transitive(triples)


def broader_transitive(triples: Iterable[Triple]) -> list[Triple]:
    """skos:broaderTransitive from each concept to every concept above it, from the skos:broader of `triples`.

    Stored so that a roll-up («products per section») joins one pattern instead of walking skos:broader+
    from each section, one index seek per concept. A concept is not its own ancestor, as in skos:broader+.
    """
    parents: dict[Node, list[Node]] = {}
    for s, p, o in triples:
        if p == SKOS.broader:
            parents.setdefault(s, []).append(o)
    closure: list[Triple] = []
    for concept in parents:
        seen: set[Node] = set()
        todo = list(parents[concept])
        while todo:
            above = todo.pop()
            if above not in seen and above != concept:  # a cycle in a source ends here
                seen.add(above)
                todo += parents.get(above, [])
        closure += [(concept, SKOS.broaderTransitive, above) for above in sorted(seen)]
    return closure


def classifier_report(classifier: Classifier) -> Counter[str]:
    """Numbers a user checks after reading a classifier."""
    hierarchy = classifier.hierarchy()
    return Counter(
        rows=classifier.rows,
        concepts=len(classifier.entries),
        sections=sum(1 for code in hierarchy if _SECTION.fullmatch(code)),
        orphans=sum(1 for code, parent in hierarchy.items() if parent is None and not _SECTION.fullmatch(code)),
        repaired=len(classifier.repaired),
        duplicates=len(classifier.duplicates),
    )


# ------------------------------------------------------------------ the competence scheme


def competence_graph(minter: UriMinter, path: Path = COMPETENCES_FILE) -> Graph:
    """The competence scheme, its relative URIs resolved against the configured base."""
    return Graph().parse(path, format="turtle", publicID=minter.base)
