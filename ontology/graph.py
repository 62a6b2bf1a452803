"""KnowledgeGraph: the one facade over the rdflib Dataset that holds Zamena's graph.

Nothing outside this module imports a store plugin. Each source document owns one named graph;
replacing it is a single transactional operation, so readers see the old graph or the new one,
never half of each.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import XSD, Dataset, Graph, Literal, URIRef
from rdflib.query import Result
from rdflib.term import Node

from ontology.formats import rdf_format
from ontology.namespaces import PREFIXES, ZO

Triple = tuple[Node, Node, Node]

VOCABULARY_FILE = Path(__file__).with_name("zamena.ttl")
SHAPES_FILE = Path(__file__).with_name("shapes.ttl")


def _as_stored(term: Node) -> Node:
    """A simple literal is an xsd:string (RDF 1.1); Oxigraph says so, and rdflib must agree."""
    if isinstance(term, Literal) and term.language is None and term.datatype is None:
        return Literal(str(term), datatype=XSD.string)
    return term


class StoreLocked(RuntimeError):
    """Another process holds the on-disk store open for writing."""


def graph_digest(triples: Iterable[Triple]) -> str:
    """A digest of a set of triples that does not depend on their order."""
    lines = sorted(" ".join(term.n3() for term in t) for t in triples)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


class KnowledgeGraph:
    """Zamena's graph: named graphs per source document, queried as their union."""

    def __init__(self, dataset: Dataset, backend: str, location: str) -> None:
        self._dataset = dataset
        self.backend = backend
        self.location = location
        self._write_lock = threading.Lock()
        for prefix, namespace in PREFIXES.items():
            dataset.bind(prefix, namespace, override=True)

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, backend: str = "oxigraph", path: Path | None = None, *, read_only: bool = False) -> KnowledgeGraph:
        """Open the graph: `oxigraph` on disk at `path` (created if missing), or `memory`."""
        if backend == "memory":
            return cls(Dataset(default_union=True), "memory", ":memory:")
        if backend != "oxigraph":
            raise ValueError(f"unknown store backend {backend!r}: use 'oxigraph' or 'memory'")
        if path is None:
            raise ValueError("the oxigraph backend needs a folder: set ZAMENA_HOME")
        path = Path(path)
        try:
            if read_only:
                if not path.exists():
                    raise FileNotFoundError(f"no knowledge graph at {path}: run `zamena ingest` first")
                store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                store = ox.Store(str(path))
        except OSError as error:
            if "lock" in str(error).lower():
                raise StoreLocked(
                    f"the store at {path} is open for writing in another process (an ingest?); "
                    "wait for it to finish, or open the store read-only"
                ) from error
            raise
        dataset = Dataset(store=OxigraphStore(store=store), default_union=True)
        return cls(dataset, "oxigraph", str(path))

    def close(self) -> None:
        """Release the store; the on-disk lock goes with the last reference to it."""
        self._dataset.close()
        self._dataset = None  # type: ignore[assignment]
        gc.collect()  # unfinished query iterators may still hold the Oxigraph store

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ writing

    def replace_document_graph(self, graph: URIRef, triples: Iterable[Triple]) -> bool:
        """Make `graph` hold exactly `triples`, in one step. Returns False when nothing changed."""
        content = {(s, p, _as_stored(o)) for s, p, o in triples}
        digest = graph_digest(content)
        if self.graph_digest(graph) == digest:
            return False
        content.add((graph, ZO.graphDigest, Literal(digest, datatype=XSD.string)))
        with self._write_lock:
            if self.backend == "oxigraph":
                # One SPARQL Update is one Oxigraph transaction: all or nothing, never seen half-done.
                data = "\n".join(" ".join(term.n3() for term in t) + " ." for t in content)
                self._dataset.update(
                    f"DROP SILENT GRAPH {graph.n3()} ;\nINSERT DATA {{ GRAPH {graph.n3()} {{\n{data}\n}} }}"
                )
            else:
                self._dataset.remove_graph(graph)
                named = self._dataset.graph(graph)
                for t in content:
                    named.add(t)
        return True

    def drop_document_graph(self, graph: URIRef) -> None:
        with self._write_lock:
            self._dataset.remove_graph(graph)

    def load_vocabulary(self) -> None:
        """Keep the vocabulary itself in the graph, so SPARQL users can read labels of its terms."""
        vocabulary = Graph().parse(VOCABULARY_FILE)
        self.replace_document_graph(URIRef(str(ZO).rstrip("#")), vocabulary)

    # ------------------------------------------------------------ reading

    def query(self, sparql: str, bindings: dict[str, Node] | None = None) -> Result:
        """Evaluate a SPARQL query over the union of all graphs."""
        return self._dataset.query(sparql, initBindings=bindings or {})

    def graph_digest(self, graph: URIRef) -> str | None:
        g = graph.n3()
        rows = list(self.query(f"SELECT ?d WHERE {{ GRAPH {g} {{ {g} zo:graphDigest ?d }} }}"))
        return str(rows[0][0]) if rows else None

    def document_graphs(self) -> list[URIRef]:
        return sorted(
            c.identifier
            for c in self._dataset.graphs()
            if isinstance(c.identifier, URIRef) and c.identifier != self._dataset.default_graph.identifier
        )

    def state_token(self) -> str:
        """Names the graph's content: it changes whenever any named graph does."""
        rows = sorted(f"{g} {d}" for g, d in self.query("SELECT ?g ?d WHERE { GRAPH ?g { ?g zo:graphDigest ?d } }"))
        return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[Triple]:
        """Triples of the union graph matching a pattern (None is a wildcard)."""
        seen: set[Triple] = set()
        for s, p, o, _g in self._dataset.quads(pattern):
            if (s, p, o) not in seen:
                seen.add((s, p, o))
                yield s, p, o

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node]]:
        yield from self._dataset.quads((None, None, None, None))

    def __len__(self) -> int:
        """The number of quads in the store."""
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(result))[0])

    def union_graph(self) -> Graph:
        """All triples of all named graphs as one in-memory graph (for validation and triple formats)."""
        union = Graph()
        for prefix, namespace in PREFIXES.items():
            union.bind(prefix, namespace)
        for s, p, o, _g in self.quads():
            union.add((s, p, o))
        return union

    def export(self, fmt: str, out: IO[bytes]) -> None:
        """Write the whole graph in `fmt`; quad formats keep the named graphs, triple formats the union."""
        spec = rdf_format(fmt)
        if spec.quads:
            self._dataset.serialize(destination=out, format=spec.rdflib_format, encoding="utf-8")
        else:
            self.union_graph().serialize(destination=out, format=spec.rdflib_format, encoding="utf-8")
