"""KnowledgeBase: the composition root that ties readers, the NLP pipeline and the graph together."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal

from ingest.brands import brand_triples, is_brand_catalogue
from ingest.classifiers import SCHEMES, classifier_kind, classifier_triples, competence_graph, read_classifier
from ingest.document import Document, ReadError
from ingest.extract import IDENTIFIER_ATTRIBUTES, extract, nlp_text
from ingest.gazetteer import Gazetteer, KnownFirm, KnownOther, NameIndex, firms_from_graph, uri_key
from ingest.mapping import GraphMapper, document_id, source_label
from ingest.pipeline import words
from ingest.readers import read_file, supported
from ontology.graph import KnowledgeGraph, files_token
from ontology.uris import UriMinter
from ontology.validate import Finding, validate_graph
from search.answers import SearchAnswer
from search.embedder import Embedder
from search.index import IndexUpdate
from search.service import SearchService
from zamena.settings import Settings

log = logging.getLogger(__name__)

# Files in a corpus folder that describe it rather than belong to it.
NOT_DOCUMENTS = ("readme", "license", "licence", "sources", "changelog")


@dataclass
class IngestReport:
    read: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    entities: int = 0
    triples: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage: read, nlp, rdf, store

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started

    def count(self, changed: bool, entities: int, triples: int) -> None:
        """One document (or classifier) read: changed or not, its entities, its triples."""
        self.read += 1
        self.entities += entities
        if changed:
            self.changed += 1
            self.triples += triples
        else:
            self.unchanged += 1

    def summary(self) -> str:
        lines = [
            f"documents read: {self.read} (changed {self.changed}, unchanged {self.unchanged}), "
            f"failed: {len(self.failed)}, entities: {self.entities}, triples written: {self.triples}"
        ]
        lines += [f"  failed: {reason}" for _path, reason in self.failed]
        return "\n".join(lines)


@contextmanager
def _reported(report: IngestReport, source: str, strict: bool) -> Iterator[None]:
    """A failure inside goes into the report and the batch goes on; with `strict` it stops the batch."""
    try:
        yield
    except ReadError as error:
        if strict:
            raise
        report.failed.append((source, str(error)))
        log.warning("%s", error)
    except Exception as error:  # a bug must not cost the rest of the batch; it is reported
        if strict:
            raise ReadError(source, f"extraction failed: {error!r}") from error
        report.failed.append((source, f"{source}: extraction failed: {error!r}"))
        log.exception("extraction failed on %s", source)


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files to ingest under `paths`, in a stable order; folders are walked, hidden files skipped."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if (
                    child.is_file()
                    and not hidden
                    and supported(child)
                    and not child.name.lower().startswith(NOT_DOCUMENTS)
                ):
                    yield child
        else:
            yield path


_KIND_LINE = re.compile(r"^kind:[ \t]*(\w+)", re.MULTILINE)
_READING_ORDER = {"zone": 0, "profile": 1}


def reading_order(path: Path) -> int:
    """Zone profiles first, then firms' profiles, then the rest: what a structured source states (a site,
    a firm's own name) is known before the news items that name it are read."""
    if path.suffix.lower() not in (".md", ".markdown"):
        return len(_READING_ORDER)
    try:
        with path.open(encoding="utf-8", errors="replace") as stream:
            head = stream.read(4096)
    except OSError:
        return len(_READING_ORDER)  # reported when it is read
    if not head.startswith("---"):
        return len(_READING_ORDER)
    front = head[3 : head.find("\n---", 3)] if "\n---" in head[3:] else head
    kind = _KIND_LINE.search(front)
    return _READING_ORDER.get(kind.group(1) if kind else "profile", len(_READING_ORDER))


class KnowledgeBase:
    """The graph and what reads into it. `read_only` opens the store for a server beside an ingest."""

    def __init__(
        self, settings: Settings | None = None, *, read_only: bool = False, embedder: Embedder | None = None
    ) -> None:
        self.settings = settings or Settings.from_env()
        index_token = files_token(self.settings.index_path)  # before opening: see change_token
        self.graph = KnowledgeGraph.open(
            self.settings.store,
            self.settings.store_path,
            read_only=read_only,
            remote=self.settings.remote_endpoints(),
        )
        self.minter = UriMinter(self.settings.base_uri)
        self.mapper = GraphMapper(self.minter)
        self._gazetteer: Gazetteer | None = None  # firms of the graph, read at the first ingest
        # source → {firm key: mentions read}: a firm a document introduced, known when it is read
        # again, may be found at more places in it (an inflected form the model missed)
        self._firm_mentions: dict[str, dict[str, int]] = {}
        # The search index and model; the model loads on first use. Tests inject a fake embedder.
        self.search_service = SearchService(self.graph, self.settings, embedder)
        if not read_only:
            self.graph.load_vocabulary()
        # the state this knowledge base shows; `change_token` moves on from it when another process writes
        self.opened_token = f"{self.graph.opened_token}:{index_token}"

    def change_token(self) -> str:
        """Moves on when the graph changes (`KnowledgeGraph.change_token`) or the search index's files do."""
        return f"{self.graph.change_token()}:{files_token(self.settings.index_path)}"

    def close(self) -> None:
        self.graph.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ ingest

    def gazetteer(self) -> Gazetteer:
        """The firms already in the graph, so that new mentions of them link to the same URI."""
        if self._gazetteer is None:
            self._gazetteer = firms_from_graph(self.graph)
        return self._gazetteer

    def ingest_document(self, document: Document, report: IngestReport | None = None) -> tuple[bool, int, int]:
        """Replace the document's graph with what is read from it: (changed?, entities, triples)."""
        report = report or IngestReport()
        duplicate = self._same_text_elsewhere(document)
        if duplicate:
            raise ReadError(document.source, f"the same text is already stored as document {duplicate}; skipped")
        gazetteer = self.gazetteer()
        with report.timed("nlp"):
            extraction = extract(document, gazetteer=gazetteer)
        with report.timed("rdf"):
            graph, triples = self.mapper.to_triples(extraction)
        with report.timed("store"):
            changed = self.graph.replace_document_graph(graph, triples)
        mentions = self._firm_mentions[document.source] = {}
        for entity in extraction.entities.values():  # later documents of the batch link to these firms too
            if entity.type == "FIRM":
                key = uri_key(self.mapper.entity_uri(entity.ref))
                identifiers = {entity.attributes[a] for a in IDENTIFIER_ATTRIBUTES if entity.attributes.get(a)}
                stated = entity.attributes.get("given") == "yes"
                gazetteer.add(KnownFirm(key, entity.name, set(entity.aliases), identifiers, stated))
                mentions[key] = len(entity.mentions)
            elif document.kind == "zone" and entity.attributes.get("given") == "yes":
                key = uri_key(self.mapper.entity_uri(entity.ref))
                gazetteer.add_other(KnownOther(entity.type, key, entity.name), entity.aliases)
        return changed, len(extraction.entities), len(triples)

    def ingest_classifier(self, path: Path) -> tuple[bool, int]:
        """Replace a classifier's scheme graph with the concepts of the file: (changed?, triples)."""
        classifier = read_classifier(path)
        graph, triples = classifier_triples(classifier, self.minter, source_label(str(path)))
        return self.graph.replace_document_graph(graph, triples), len(triples)

    def load_competences(self) -> None:
        """The competence scheme, in a graph of its own, its URIs under the configured base."""
        self.graph.replace_document_graph(self.minter.graph("competences"), competence_graph(self.minter))

    def _same_text_elsewhere(self, document: Document) -> str | None:
        own = document_id(document)
        digest = Literal(document.content_hash)
        for (doc_id,) in self.graph.query(
            f"SELECT ?id WHERE {{ ?d zo:contentHash {digest.n3()} ; dcterms:identifier ?id }}"
        ):
            if str(doc_id) != own:
                return str(doc_id)
        return None

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        strict: bool = False,
        progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    ) -> IngestReport:
        """Ingest files and folders; a bad file is reported and skipped unless `strict`."""
        report = IngestReport()
        self.load_competences()
        files = sorted(iter_input_files(paths), key=reading_order)  # stable: in order within each kind
        read_before: list[tuple[Document, int]] = []  # each document, and how many gazetteer changes came before
        self._firm_mentions.clear()  # of this batch only
        for path in progress(files) if progress else files:
            if classifier_kind(path):  # ОКВЭД 2 / ОКПД 2 by their content, before the generic readers
                with _reported(report, str(path), strict), report.timed("classifiers"):
                    changed, triples = self.ingest_classifier(path)
                    report.count(changed, 0, triples)
                continue
            if is_brand_catalogue(path):  # the imported brands, a scheme of their own, not records
                with _reported(report, str(path), strict), report.timed("classifiers"):
                    graph, content = brand_triples(path, self.minter)
                    report.count(self.graph.replace_document_graph(graph, content), 0, len(content))
                continue
            documents: list[Document] = []
            bad_records: list[ReadError] = []
            with _reported(report, str(path), strict), report.timed("read"):
                documents, bad_records = read_file(path, self.settings.max_file_bytes)
            for error in bad_records:  # a register's row with a wrong ИНН: reported, and the other rows read
                if strict:
                    raise error
                report.failed.append((error.path, str(error)))
                log.warning("%s", error)
            for document in documents:  # a file of records holds many
                with _reported(report, document.source, strict):
                    report.count(*self.ingest_document(document, report))
                    read_before.append((document, len(self.gazetteer().changes)))
        self._read_again_for_later_firms(read_before, report, strict)
        return report

    def _read_again_for_later_firms(
        self, read_before: list[tuple[Document, int]], report: IngestReport, strict: bool
    ) -> None:
        """A document read before a firm it names was known (or had the name it uses) is read again, so that
        the result does not depend on the order of the batch: ingesting the same input twice changes nothing.

        Which firms a document names is looked up in the gazetteer's name index, as the pipeline does. A
        document read again may teach the gazetteer a name others use, so the rounds go on until none does
        (three at most: each round only reads documents whose firms changed)."""
        gazetteer = self.gazetteer()
        index = NameIndex(words)
        tokens = [words(nlp_text(document)) for document, _ in read_before]
        seen = [position for _, position in read_before]  # the gazetteer's length when each was last read
        for round_ in range(3):
            index.follow(gazetteer)
            last_change = {key: position for position, key in enumerate(gazetteer.changes)}
            read_again = False
            for i, (document, _) in enumerate(read_before):
                found = [key for _, _, key in index.find(tokens[i])]
                named = set(found)
                mentioned = self._firm_mentions.get(document.source, {})
                more_of_its_own = round_ == 0 and any(
                    found.count(key) > mentioned.get(key, found.count(key)) for key in named
                )
                if more_of_its_own or any(last_change.get(key, -1) >= seen[i] for key in named):
                    with _reported(report, document.source, strict):
                        self.ingest_document(document, report)
                    seen[i] = len(gazetteer.changes)
                    read_again = True
            if not read_again:
                return

    # ------------------------------------------------------------ reading

    def stats(self) -> dict[str, int]:
        """Counts a user checks after an ingest."""
        counts = {
            "quads": len(self.graph),
            "document graphs": len(self.graph.document_graphs()),
        }
        queries = {
            "documents": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d zo:contentHash ?h }",
            "firms": "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a schema:Corporation }",
            "firms with products": "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { "
            "?p schema:manufacturer|zo:supplier ?f . ?f a schema:Corporation }",
            "people": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:Person }",
            "products": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:Product }",
            "evidence": "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a zo:Evidence }",
            "concept schemes": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a skos:ConceptScheme }",
            "concepts": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a skos:Concept }",
        }
        for name, sparql in queries.items():
            counts[name] = int(self.graph.single_value(sparql) or 0)
        return counts

    def concept_schemes(self) -> list[tuple[str, str, int]]:
        """(scheme URI, label, number of concepts) for each SKOS scheme in the graph."""
        rows = self.graph.query("""
            SELECT ?s (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?c) AS ?n) WHERE {
                ?s a skos:ConceptScheme . OPTIONAL { ?s skos:prefLabel ?l }
                OPTIONAL { ?c skos:inScheme ?s }
            } GROUP BY ?s ORDER BY ?s""")
        return [(str(s), str(label or ""), int(n)) for s, label, n in rows]

    def validate(self) -> list[Finding]:
        return validate_graph(self.graph.union_graph())

    def state_token(self) -> str:
        return self.graph.state_token()

    # ------------------------------------------------------------ search

    def search(self, query: str, **options: object) -> SearchAnswer:
        """Firms (or products, concepts, documents) with score, reasons and evidence, and facets.

        Options (SearchService.search): k, kind (firm|product|concept|document), code (classifier code
        prefix), centre, zone, mode, with_facets, nearest.
        """
        return self.search_service.search(query, **options)  # type: ignore[arg-type]

    def update_index(
        self,
        *,
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
        documents_only: bool = False,
    ) -> IndexUpdate:
        """Bring the search index up to the graph (only changed named graphs are re-embedded). With
        `documents_only`, the classifiers' schemes wait for a later pass: firms, products, their evidence and
        the brands are searchable in a minute, the twenty thousand classes come after (`zamena index`)."""
        only = self.not_a_classifier if documents_only else None
        return self.search_service.update(rebuild=rebuild, progress=progress, only=only)

    def not_a_classifier(self, graph: str) -> bool:
        """Whether a named graph is not a classifier's scheme (ОКПД 2, ОКВЭД 2)."""
        return graph not in {str(self.minter.graph(key)) for key in SCHEMES}

    def index_status(self) -> dict[str, object]:
        return self.search_service.status()
