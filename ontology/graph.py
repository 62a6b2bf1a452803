"""KnowledgeGraph: the one facade over the rdflib Dataset that holds Zamena's graph.

Nothing outside this module imports a store plugin. Each source document owns one named graph;
replacing it is a single transactional operation, so readers see the old graph or the new one,
never half of each.

Queries see the RDF merge of all named graphs, with set semantics: a fact stated by two documents is
one triple, not two rows. Oxigraph 0.5's union default graph is a bag (each quad a solution), so on
Oxigraph the default graph itself is kept as that merge, updated in the same transaction as the named
graph; queries then read the default graph.
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import XSD, BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import traverse
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from rdflib.query import Result
from rdflib.term import Node

from ontology.formats import rdf_format
from ontology.namespaces import PREFIXES, ZO
from ontology.terms import QueryAnswer, TermConverter, read_result, to_oxigraph

Triple = tuple[Node, Node, Node]

VOCABULARY_FILE = Path(__file__).with_name("zamena.ttl")
SHAPES_FILE = Path(__file__).with_name("shapes.ttl")


def _replace_update(graph: URIRef, content: Iterable[Triple]) -> str:
    """One SPARQL Update that empties `graph` and fills it with `content`."""
    data = "\n".join(" ".join(term.n3() for term in t) + " ." for t in content)
    return f"DROP SILENT GRAPH {graph.n3()} ;\nINSERT DATA {{ GRAPH {graph.n3()} {{\n{data}\n}} }}"


def _diff_update(graph: URIRef, removed: Iterable[Triple], added: Iterable[Triple]) -> str:
    """One SPARQL Update that takes `removed` out of `graph` and puts `added` in."""
    g = graph.n3()
    deleted = "\n".join(" ".join(term.n3() for term in t) + " ." for t in removed)
    inserted = "\n".join(" ".join(term.n3() for term in t) + " ." for t in added)
    return f"DELETE DATA {{ GRAPH {g} {{\n{deleted}\n}} }} ;\nINSERT DATA {{ GRAPH {g} {{\n{inserted}\n}} }}"


def _trig(graph: URIRef, content: Iterable[Triple]) -> str:
    """TriG of `content` in `graph` and, outside any block, in the default graph (the merge)."""
    return _trig_of_lines(graph, _lines(content))


def _trig_of_lines(graph: URIRef, lines: Iterable[str]) -> str:
    """The same from the triples' N-Triples lines (`_lines`), formatted once for the digest and the loader."""
    data = " .\n".join(lines)
    data = data + " ." if data else data
    return f"{graph.n3()} {{\n{data}\n}}\n{data}\n"


def _lines(triples: Iterable[Triple]) -> list[str]:
    """Each triple as its N-Triples line (no final dot), sorted: what the digest hashes."""
    return sorted(" ".join(term.n3() for term in t) for t in triples)


_XSD_STRING = f"^^<{XSD.string}>"
_OX_DIGEST = ox.NamedNode(str(ZO.graphDigest))


def _stored_lines(triples: Iterable[Triple]) -> tuple[list[str], set[str]]:
    """`_lines` of the triples as stored (`_as_stored`), each once, and the distinct IRIs they hold.

    The same lines as `_lines({(s, p, _as_stored(o)) ...})`, in a third of the time: a simple literal's
    line gains its datatype as text rather than as a new Literal, and an IRI is formatted once. The IRIs
    are returned for a check of their own (`_check_iris`), which names the graph before anything is written.
    Raises ValueError on a blank node, which the merged default graph cannot keep."""
    iris: dict[str, str] = {}  # IRI: its N-Triples form
    lines: set[str] = set()
    for triple in triples:
        parts = []
        for term in triple:
            if isinstance(term, URIRef):
                text = iris.get(term)
                if text is None:
                    text = iris[term] = f"<{term}>"
            elif isinstance(term, Literal):
                text = term.n3()
                if term.datatype is None and term.language is None:
                    text += _XSD_STRING
                elif term.datatype is not None:
                    iris.setdefault(term.datatype, f"<{term.datatype}>")
            else:
                raise ValueError("blank nodes cannot be kept in the merged default graph; mint URIs")
            parts.append(text)
        lines.add(" ".join(parts))
    return sorted(lines), {str(iri) for iri in iris}


def _check_iris(iris: Iterable[str], graph: URIRef) -> None:
    """Oxigraph's own IRI check (RFC 3987), once per distinct IRI, before the batch is written."""
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            message = f"{graph}: {str(iri)!r} is no valid IRI ({error}); fix the source or its mapping"
            raise ValueError(message) from None


def _merge_update(leaving: Iterable[Triple], added: Iterable[Triple]) -> str:
    """The SPARQL Update that keeps the default graph the merge: out what no graph states, in the new."""
    deleted = "\n".join(" ".join(term.n3() for term in t) + " ." for t in leaving)
    inserted = "\n".join(" ".join(term.n3() for term in t) + " ." for t in added)
    return f" ;\nDELETE DATA {{\n{deleted}\n}} ;\nINSERT DATA {{\n{inserted}\n}}"


def _as_stored(term: Node) -> Node:
    """A simple literal is an xsd:string (RDF 1.1); Oxigraph says so, and rdflib must agree."""
    if isinstance(term, Literal) and term.language is None and term.datatype is None:
        return Literal(str(term), datatype=XSD.string)
    return term


def _bulk_load_in_parallel(store: ox.Store, texts: list[str]) -> None:
    """Bulk-load TriG texts as one part per core, each by a loader of its own in a thread.

    One loader parses its input on one thread; parts loaded side by side use every core (1M triples and
    their merge on 2 cores: 13.3 s → 8.3 s). The loader releases the GIL, and RocksDB takes the files of
    several loaders at once; a quad in two parts (the merge) is stored once."""
    parts = max(1, min(len(texts), os.cpu_count() or 1, 4))
    size = -(-len(texts) // parts)
    chunks = ["".join(texts[i : i + size]) for i in range(0, len(texts), size)]
    with ThreadPoolExecutor(len(chunks)) as pool:
        for loaded in [pool.submit(store.bulk_load, chunk, format=ox.RdfFormat.TRIG) for chunk in chunks]:
            loaded.result()  # a loader's error, raised here


def _as_simple(term: Node) -> Node:
    """An xsd:string as the simple literal it is in RDF 1.1, for a SPARQL server: Virtuoso 7 keeps the two
    apart, and an expert's query with a plain "word" would not match what was written typed."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _match_as_stored(node: object) -> None:
    """A simple literal in a triple pattern or a VALUES row of a query on rdflib's store matches the
    xsd:string it is stored as (`_as_stored`): Oxigraph takes the two for one term (RDF 1.1), rdflib
    would match nothing. Filters keep their literals: rdflib's `=` takes the two as equal (its IN does not)."""
    if isinstance(node, CompValue) and node.name == "BGP":
        node["triples"] = [tuple(_as_stored(term) for term in triple) for triple in node["triples"]]
    elif isinstance(node, CompValue) and node.name == "values":
        node["res"] = [{name: _as_stored(value) for name, value in row.items()} for row in node["res"]]


class StoreLocked(RuntimeError):
    """Another process holds the on-disk store open for writing."""


def graph_digest(triples: Iterable[Triple]) -> str:
    """A digest of a set of triples that does not depend on their order."""
    return _digest_of(_lines(triples))


def _digest_of(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def files_token(folder: Path) -> str:
    """Changes whenever a file under `folder` does (name, size, modification time): a cheap look, no reading."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            try:
                stat = os.stat(os.path.join(root, name))
            except FileNotFoundError:  # compacted away between listing and stat
                continue
            digest.update(f"{root}/{name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


class KnowledgeGraph:
    """Zamena's graph: named graphs per source document, queried as their union."""

    def __init__(
        self, dataset: Dataset, backend: str, location: str, native: ox.Store | None = None, writable: bool = False
    ) -> None:
        self._dataset = dataset
        self._native = native  # the Oxigraph store under `dataset`, written directly for speed
        self._writable = writable  # this process holds the on-disk store for writing
        self.backend = backend
        self.location = location
        self._write_lock = threading.Lock()
        self._state_token: str | None = None  # kept by a read-only snapshot, whose content cannot change
        # the store's change token when this facade opened it: a snapshot shows that state
        self.opened_token = ""
        for prefix, namespace in PREFIXES.items():
            dataset.bind(prefix, namespace, override=True)
        # the prefixes a query may use undeclared: Zamena's and rdflib's usual ones, as through rdflib
        self._prefixes = {prefix: str(namespace) for prefix, namespace in dataset.namespaces()}

    # ------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        backend: str = "oxigraph",
        path: Path | None = None,
        *,
        read_only: bool = False,
        remote: RemoteEndpoints | None = None,
    ) -> KnowledgeGraph:
        """Open the graph: `oxigraph` on disk at `path` (created if missing), `memory`, or a SPARQL 1.1
        server named `sparql+http://host:port/sparql` (its other endpoints and credentials in `remote`)."""
        if backend == "memory":
            graph = cls(Dataset(default_union=True), "memory", ":memory:")
            graph.opened_token = graph.change_token()
            return graph
        if backend.startswith("sparql+"):
            endpoints = remote or RemoteEndpoints()
            remote_graph = RemoteKnowledgeGraph(
                endpoints.connect(backend.removeprefix("sparql+"), read_only), endpoints
            )
            try:
                remote_graph.opened_token = remote_graph.change_token()
            except (OSError, ValueError):  # the server is down: the first look that reaches it tells
                pass
            return remote_graph
        if backend != "oxigraph":
            raise ValueError(
                f"unknown store backend {backend!r}: use 'oxigraph', 'memory' or 'sparql+http://host:port/sparql'"
            )
        if path is None:
            raise ValueError("the oxigraph backend needs a folder: set ZAMENA_HOME")
        path = Path(path)
        opened_token = files_token(path)  # before opening: a change after it makes the token move on
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
        # queries read the default graph, which _write_native keeps as the merge of the named graphs
        dataset = Dataset(store=OxigraphStore(store=store), default_union=False)
        graph = cls(dataset, "oxigraph", str(path), native=store, writable=not read_only)
        graph.opened_token = opened_token
        return graph

    @classmethod
    def snapshot(cls, path: Path, attempts: int = 20) -> KnowledgeGraph:
        """A read-only snapshot of the on-disk store at `path`. A writer's compaction can remove a file
        while the snapshot opens (RocksDB says "Corruption … No such file"): then try again shortly."""
        for attempt in range(attempts):
            try:
                return cls.open("oxigraph", path, read_only=True)
            except RuntimeError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    @staticmethod
    def snapshot_location(backend: str, path: Path | None) -> Path | None:
        """Where another process can open read-only snapshots of this store (`snapshot`), or None when it
        cannot: a graph in memory lives in one process, a SPARQL server's only behind its endpoint."""
        return Path(path) if backend == "oxigraph" and path is not None else None

    def change_token(self) -> str:
        """Names the store's state as seen from outside this facade, cheaply enough to ask every few seconds.

        It moves on when anybody (an ingest in another process) changes the graph: on disk, the store's
        files; on a SPARQL server, its graphs' digests. A snapshot still shows `opened_token`'s state.
        A graph in memory lives in this process only, and nothing else can change it."""
        if self._native is not None:
            return files_token(Path(self.location))
        if self.backend == "memory":
            return "memory"
        return self.state_token()

    def close(self) -> None:
        """Release the store; the on-disk lock goes with the last reference to it.

        A writer flushes first: otherwise its writes stay in RocksDB's log, which every read-only
        opening (the web server's snapshots, its query workers) must replay: 20 s for the corpus."""
        if self._native is not None and self._writable:
            self._native.flush()
        self._dataset.close()
        self._dataset = None  # type: ignore[assignment]
        self._native = None
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
            self._write(graph, content)
        return True

    def replace_document_graphs(
        self, graphs: Iterable[tuple[URIRef, Iterable[Triple]]], *, bulk: bool = False
    ) -> list[URIRef]:
        """Replace many document graphs, as `replace_document_graph` does each; returns those that changed.

        For a bulk load: on Oxigraph the graphs the store does not hold yet are written together, the
        whole batch of them in one transaction, so each is seen entirely or not at all. A graph the
        store already holds is replaced on its own, as by `replace_document_graph`. A graph with blank
        nodes is refused (ValueError) before anything of the batch is written.

        `bulk` writes the new graphs with Oxigraph's bulk loader instead, about three times faster on a
        large load but not one transaction: readers may see a graph half-written meanwhile. Each graph's
        digest goes in last, in one transaction, so a graph cut short by a failure has no digest and the
        next ingest writes it again. Use it to fill a store nobody reads yet.
        """
        if self._native is None:
            return [graph for graph, triples in graphs if self.replace_document_graph(graph, triples)]
        store = self._native
        # (graph, its triples, their N-Triples lines, its digest's triple): each triple formatted once, for
        # the digest and the loader's text both
        changed: list[tuple[URIRef, list[Triple], list[str], Triple]] = []
        with self._write_lock:
            for graph, triples in dict(graphs).items():  # a graph named twice: the last content wins
                triples = list(triples)
                try:
                    lines, iris = _stored_lines(triples)
                except ValueError as error:
                    raise ValueError(f"{graph}: {error}") from None
                digest = _digest_of(lines)
                if self.graph_digest(graph) == digest:
                    continue
                _check_iris(iris, graph)
                stamp = (graph, ZO.graphDigest, Literal(digest, datatype=XSD.string))
                changed.append((graph, triples, lines, stamp))
            fresh = []
            for graph, triples, lines, stamp in changed:
                if next(iter(store.quads_for_pattern(None, None, None, to_oxigraph(graph))), None) is None:
                    fresh.append((graph, lines, stamp))
                else:  # cut short (no digest: a failed bulk load) or older: its merge may lack some triples
                    content = {(s, p, _as_stored(o)) for s, p, o in triples} | {stamp}
                    self._write_native(store, graph, content, refill=self.graph_digest(graph) is None)
            if fresh and bulk:
                _bulk_load_in_parallel(store, [_trig_of_lines(g, lines) for g, lines, _ in fresh])
                store.load("".join(_trig(g, [stamp]) for g, _, stamp in fresh), format=ox.RdfFormat.TRIG)
            elif fresh:
                data = "".join(_trig_of_lines(g, [*lines, *_lines([stamp])]) for g, lines, stamp in fresh)
                store.load(data, format=ox.RdfFormat.TRIG)
        return [graph for graph, *_rest in changed]

    def compact(self) -> None:
        """After a large load, merge the store's files now rather than during the first queries.

        Oxigraph's bulk loader leaves many small files; until they are merged, queries run several
        times slower (a million triples: 3 s to merge). Nothing to do on the other backends."""
        if self._native is not None and self._writable:
            self._native.optimize()

    def _write(self, graph: URIRef, content: set[Triple]) -> None:
        if self._native is not None:
            self._write_native(self._native, graph, content)
        else:
            self._dataset.remove_graph(graph)
            named = self._dataset.graph(graph)
            for t in content:
                named.add(t)

    def _write_native(self, store: ox.Store, graph: URIRef, content: set[Triple], refill: bool = False) -> None:
        """Write only the difference to what the graph holds now, in one Oxigraph transaction.

        Each call below is one transaction (all or nothing, never seen half-done), and Oxigraph's own
        parser reads it: rdflib's SPARQL Update parser takes minutes for a few thousand triples, and
        rewriting a 100,000-triple classifier costs as much as the change in it. `refill` puts all of
        `content` into the merge, not only what is new to the graph.
        """
        current = {(s, p, o) for s, p, o, _g in self._dataset.quads((None, None, None, graph))}
        removed, added = current - content, content - current
        if any(isinstance(term, BNode) for t in current | content for term in t):
            raise ValueError(f"{graph}: blank nodes cannot be kept in the merged default graph; mint URIs")
        if removed:
            leaving = [t for t in removed if not self._stated_elsewhere(store, t, graph)]
            store.update(_diff_update(graph, removed, added) + _merge_update(leaving, content if refill else added))
        elif added:
            store.load(_trig(graph, content if refill else added), format=ox.RdfFormat.TRIG)

    @staticmethod
    def _stated_elsewhere(store: ox.Store, triple: Triple, graph: URIRef) -> bool:
        """Does a named graph other than `graph` state `triple`? Then the merge keeps it."""
        own = to_oxigraph(graph)
        return any(
            not isinstance(quad.graph_name, ox.DefaultGraph) and quad.graph_name != own
            for quad in store.quads_for_pattern(*(to_oxigraph(term) for term in triple))
        )

    def drop_document_graph(self, graph: URIRef) -> None:
        with self._write_lock:
            self._write(graph, set())

    def load_vocabulary(self) -> None:
        """Keep the vocabulary itself in the graph, so SPARQL users can read labels of its terms."""
        vocabulary = Graph().parse(VOCABULARY_FILE)
        self.replace_document_graph(URIRef(str(ZO).rstrip("#")), vocabulary)

    # ------------------------------------------------------------ reading

    def query(
        self,
        sparql: str,
        bindings: dict[str, Node] | None = None,
        *,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base: str | None = None,
    ) -> Result:
        """Evaluate a SPARQL query over the union of all graphs, or over the dataset a caller names.

        `default_graphs` / `named_graphs` are the SPARQL Protocol's dataset (default-graph-uri,
        named-graph-uri): when either is given, the query sees exactly those graphs. `base` resolves
        relative IRIs in the query. No graph is ever fetched from the network, whatever FROM says.
        """
        dataset = None
        if default_graphs is not None or named_graphs is not None:
            dataset = (tuple(default_graphs or ()), tuple(named_graphs or ()))
        if self._native is not None:
            return self._query_native(sparql, bindings, dataset, base)
        return self._query_memory(sparql, bindings, dataset, base)

    def answer(
        self,
        sparql: str,
        *,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base: str | None = None,
    ) -> QueryAnswer:
        """Evaluate a query as `query` does, its rows (or triples) read one by one as the caller takes them,
        so a caller with a limit stops the reading there (the SPARQL endpoint's workers)."""
        if self._native is None:
            return QueryAnswer.of(
                self.query(sparql, default_graphs=default_graphs, named_graphs=named_graphs, base=base)
            )
        dataset = None
        if default_graphs is not None or named_graphs is not None:
            dataset = (tuple(default_graphs or ()), tuple(named_graphs or ()))
        answer = self._native.query(sparql, **self._native_options(None, dataset, base))
        if isinstance(answer, ox.QueryBoolean):
            return QueryAnswer("ASK", [], iter(()), bool(answer))
        convert = TermConverter()  # answers repeat terms: convert each once
        if isinstance(answer, ox.QuerySolutions):
            variables = [Variable(v.value) for v in answer.variables]
            return QueryAnswer("SELECT", variables, (convert.row(solution) for solution in answer))
        return QueryAnswer("GRAPH", [], (convert.triple(t) for t in answer))  # type: ignore[attr-defined]

    def _native_options(
        self,
        bindings: dict[str, Node] | None,
        dataset: tuple[tuple[str, ...], tuple[str, ...]] | None,
        base: str | None,
    ) -> dict[str, object]:
        options: dict[str, object] = {"prefixes": self._prefixes}
        if bindings:
            options["substitutions"] = {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
        if base is not None:
            options["base_iri"] = base
        if dataset is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in dataset[0]]
            options["named_graphs"] = [ox.NamedNode(g) for g in dataset[1]]
        return options

    def _query_native(
        self,
        sparql: str,
        bindings: dict[str, Node] | None,
        dataset: tuple[tuple[str, ...], tuple[str, ...]] | None,
        base: str | None,
    ) -> Result:
        """Straight to Oxigraph, the answer converted here: rdflib's Dataset over the store would convert
        every value of every row anew, which costs more than the query itself on answers of many rows."""
        return read_result(self._native.query(sparql, **self._native_options(bindings, dataset, base)))

    def _query_memory(
        self,
        sparql: str,
        bindings: dict[str, Node] | None,
        dataset: tuple[tuple[str, ...], tuple[str, ...]] | None,
        base: str | None,
    ) -> Result:
        """rdflib's engine would fetch a FROM graph over HTTP; the dataset is built here from held graphs."""
        prepared = prepareQuery(sparql, initNs=dict(self._dataset.namespaces()), base=base)
        clauses = prepared.algebra.get("datasetClause") or ()
        if dataset is None and clauses:
            dataset = (
                tuple(str(c["default"]) for c in clauses if "default" in c),
                tuple(str(c["named"]) for c in clauses if "named" in c),
            )
        prepared.algebra["datasetClause"] = None
        traverse(prepared.algebra, visitPost=_match_as_stored)
        target = self._dataset if dataset is None else self._dataset_view(*dataset)
        stored = {name: _as_stored(value) for name, value in (bindings or {}).items()}
        return target.query(prepared, initBindings=stored)

    def _dataset_view(self, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]) -> Dataset:
        """A copy holding only the named dataset: the merge of `default_graphs`, and `named_graphs` by name."""
        view = Dataset(default_union=False)
        for name in default_graphs:
            for s, p, o in self._dataset.graph(URIRef(name)):
                view.default_graph.add((s, p, o))
        for name in named_graphs:
            named = view.graph(URIRef(name))
            for s, p, o in self._dataset.graph(URIRef(name)):
                named.add((s, p, o))
        return view

    def graph_digest(self, graph: URIRef) -> str | None:
        if self._native is not None:  # one index look-up; a SPARQL query per graph cost 0.6 s of a 1M-triple load
            named = to_oxigraph(graph)
            quad = next(iter(self._native.quads_for_pattern(named, _OX_DIGEST, None, named)), None)
            return None if quad is None else quad.object.value
        g = graph.n3()
        rows = list(self.query(f"SELECT ?d WHERE {{ GRAPH {g} {{ {g} zo:graphDigest ?d }} }}"))
        return str(rows[0][0]) if rows else None

    def graph_digests(self) -> dict[str, str]:
        """{named graph: its zo:graphDigest} for every graph Zamena wrote; a server's own graphs have none."""
        return {str(g): str(d) for g, d in self.query("SELECT ?g ?d WHERE { GRAPH ?g { ?g zo:graphDigest ?d } }")}

    def document_graphs(self) -> list[URIRef]:
        """The named graphs Zamena wrote (each carries its zo:graphDigest); a server's own graphs are not."""
        return sorted(URIRef(g) for g in self.graph_digests())

    def state_token(self) -> str:
        """Names the graph's content: it changes whenever any named graph does.

        A read-only Oxigraph snapshot computes it once: every search asks, and at a million triples the
        digests of every graph take 0.1–0.2 s to read."""
        if self._state_token is not None:
            return self._state_token
        rows = sorted(f"{g} {d}" for g, d in self.graph_digests().items())
        token = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
        if self._native is not None and not self._writable:
            self._state_token = token
        return token

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[Triple]:
        """Triples of the union graph matching a pattern (None is a wildcard)."""
        seen: set[Triple] = set()
        for s, p, o, _g in self._dataset.quads(pattern):
            if (s, p, o) not in seen:
                seen.add((s, p, o))
                yield s, p, o

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node]]:
        """Every quad of the named graphs (the merged default graph is derived from them, so left out)."""
        default = self._dataset.default_graph.identifier
        for s, p, o, g in self._dataset.quads((None, None, None, None)):
            if g is not None and g != default and getattr(g, "identifier", g) != default:
                yield s, p, o, g

    def __len__(self) -> int:
        """The number of quads in the graphs Zamena wrote."""
        return int(self.single_value("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?g zo:graphDigest ?d . ?s ?p ?o } }"))

    def single_value(self, sparql: str) -> Node | None:
        """The first value of the first row of a SELECT, the result read to its end (an unfinished
        Oxigraph result would keep its snapshot of the store alive)."""
        rows = list(self.query(sparql))
        return rows[0][0] if rows else None

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
            dataset = Dataset()
            for prefix, namespace in PREFIXES.items():
                dataset.bind(prefix, namespace)
            for s, p, o, g in self.quads():
                dataset.graph(g).add((s, p, o))
            dataset.serialize(destination=out, format=spec.rdflib_format, encoding="utf-8")
        else:
            self.union_graph().serialize(destination=out, format=spec.rdflib_format, encoding="utf-8")


@dataclass(frozen=True)
class RemoteEndpoints:
    """Where a SPARQL 1.1 server takes updates and whole graphs, and who we are there."""

    update_endpoint: str = ""  # default: the query endpoint
    graph_store: str = ""  # Graph Store Protocol endpoint; when set, a graph is replaced by one PUT
    user: str = ""
    password: str = ""

    def connect(self, query_endpoint: str, read_only: bool) -> Dataset:
        if self.user:
            # Basic or digest, whichever the server asks for (Virtuoso's /sparql-auth uses digest).
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in filter(None, (query_endpoint, self.update_endpoint, self.graph_store)):
                passwords.add_password(None, url, self.user, self.password)
            urllib.request.install_opener(
                urllib.request.build_opener(
                    urllib.request.HTTPDigestAuthHandler(passwords), urllib.request.HTTPBasicAuthHandler(passwords)
                )
            )
        # Form POST, never a direct POST of the query: some servers (Virtuoso 7.2) hang on the latter.
        store_class = SPARQLStore if read_only else SPARQLUpdateStore
        options = {} if read_only else {"update_endpoint": self.update_endpoint or query_endpoint}
        store = store_class(query_endpoint=query_endpoint, method="POST_FORM", returnFormat="json", **options)
        return Dataset(store=store, default_union=True)


class RemoteKnowledgeGraph(KnowledgeGraph):
    """The graph on a SPARQL 1.1 server: writes go by SPARQL Update or the Graph Store Protocol."""

    def __init__(self, dataset: Dataset, endpoints: RemoteEndpoints) -> None:
        super().__init__(dataset, "sparql", dataset.store.query_endpoint)  # type: ignore[attr-defined]
        self.endpoints = endpoints

    def query(
        self,
        sparql: str,
        bindings: dict[str, Node] | None = None,
        *,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base: str | None = None,
    ) -> Result:
        """The server evaluates the query; the protocol dataset goes to it as default-graph-uri / named-graph-uri.

        With a dataset or a base (the endpoint's queries), the request is made here, accepting both result
        tables and RDF: rdflib's store asks for one kind only, and a strict server refuses a CONSTRUCT then."""
        if base is not None:
            sparql = f"BASE <{base}>\n{sparql}"  # a prologue may hold several BASE; the query's own wins
        if default_graphs is None and named_graphs is None and base is None:
            simple = {name: _as_simple(value) for name, value in (bindings or {}).items()}  # as written
            return self._dataset.query(sparql, initBindings=simple)
        if bindings:
            raise ValueError("bindings cannot be combined with a dataset or a base on a SPARQL server backend")
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
        params = [("query", prologue + sparql)]
        params += [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        request = urllib.request.Request(
            self.location,
            data=urllib.parse.urlencode(params).encode("utf-8"),
            headers={
                "Accept": "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                content_type = response.headers.get_content_type()
                body = response.read()
        except urllib.error.HTTPError as error:
            message = error.read()[:500].decode("utf-8", "replace").strip()
            raise ValueError(f"the SPARQL server {self.location} answered {error.code}: {message}") from error
        if content_type in ("application/sparql-results+json", "application/json"):
            return Result.parse(io.BytesIO(body), format="json")
        result = Result("CONSTRUCT")
        result.graph = Graph().parse(data=body, format="nt" if content_type == "application/n-triples" else "turtle")
        return result

    def _write(self, graph: URIRef, content: set[Triple]) -> None:
        content = {(s, p, _as_simple(o)) for s, p, o in content}
        if self.endpoints.graph_store:
            body = "\n".join(" ".join(term.n3() for term in t) + " ." for t in content).encode("utf-8")
            url = f"{self.endpoints.graph_store}?{urllib.parse.urlencode({'graph': str(graph)})}"
            request = urllib.request.Request(
                url, data=body, method="PUT", headers={"Content-Type": "application/n-triples"}
            )
            with urllib.request.urlopen(request, timeout=600) as response:
                if response.status not in (200, 201, 204):
                    raise OSError(f"{url}: the graph store answered {response.status}")
        else:
            self._dataset.update(_replace_update(graph, content))

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[Triple]:
        terms = [
            _as_simple(term).n3() if term is not None else f"?{name}" for term, name in zip(pattern, "spo", strict=True)
        ]
        for row in self.query(
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ {' '.join(terms)} . BIND({terms[0]} AS ?s) "
            f"BIND({terms[1]} AS ?p) BIND({terms[2]} AS ?o) }}"
        ):
            yield tuple(row)  # type: ignore[misc]

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node]]:
        for graph in self.document_graphs():
            for s, p, o in self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph.n3()} {{ ?s ?p ?o }} }}"):
                yield s, p, o, graph

    def export(self, fmt: str, out: IO[bytes]) -> None:
        spec = rdf_format(fmt)
        if not spec.quads:
            return super().export(fmt, out)
        dataset = Dataset()
        for s, p, o, g in self.quads():
            dataset.graph(g).add((s, p, o))
        dataset.serialize(destination=out, format=spec.rdflib_format, encoding="utf-8")
