"""Query workers: SPARQL evaluation in processes that can be killed at the time limit.

Oxigraph cannot cancel a running query, so every public query runs in a worker process with its own
read-only store. The web process waits for the answer up to the time limit and kills the worker when
it runs over (or grows past the memory limit); the other workers keep answering meanwhile. A worker
reopens its store when the graph has changed, because a read-only Oxigraph store is a snapshot.

The worker evaluates with pyoxigraph directly: the protocol's dataset (default-graph-uri,
named-graph-uri) and a query's own FROM need Oxigraph's dataset options, which the rdflib facade
does not pass on (it always asks for the union of all graphs).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import psutil

# How often the web process looks at a running worker (seconds).
POLL_INTERVAL = 0.05
# How long a new worker may take to import its libraries before it counts as broken (seconds).
START_TIMEOUT = 60.0


class QueryError(RuntimeError):
    """A query that could not be answered; `status` is the HTTP status that says why."""

    status = 500


class QueryInvalid(QueryError):
    status = 400


class QueryTimeout(QueryError):
    status = 503


class QueryTooLarge(QueryError):
    status = 503


class QueryBusy(QueryError):
    status = 503


@dataclass(frozen=True)
class QueryJob:
    text: str
    result_format: str  # a ResultFormat name for SELECT/ASK, an RdfFormat name for CONSTRUCT/DESCRIBE
    default_graphs: tuple[str, ...] | None = None  # the protocol's dataset, when the request gave one
    named_graphs: tuple[str, ...] | None = None
    honour_from: bool = False  # the query names its own dataset (FROM / FROM NAMED)
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint's URL)
    row_limit: int = 10_000
    byte_limit: int = 64 * 1024 * 1024


@dataclass
class QueryOutcome:
    form: str  # SELECT | ASK | CONSTRUCT
    body: bytes
    media_type: str
    rows: int  # solutions or triples written
    truncated: bool = False
    seconds: float = 0.0


# ---------------------------------------------------------------------------- inside the worker


def _to_rdflib(term):  # noqa: ANN001, ANN202 - pyoxigraph term → rdflib term
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return Literal(str(term))  # an RDF-star triple term: shown as text


def _size(term) -> int:  # noqa: ANN001
    return 0 if term is None else len(str(term)) + 8


def default_graph_is_merge(store) -> bool:  # noqa: ANN001 - a pyoxigraph Store
    """Does the store keep the merge of its named graphs in the default graph?

    Stores written so keep it there (set semantics: a fact stated twice is one triple); older stores
    hold triples only in named graphs, and are queried through Oxigraph's union default graph.
    """
    import pyoxigraph as ox

    return next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None


def evaluate(store, job: QueryJob, union: bool = True) -> QueryOutcome:  # noqa: ANN001 - a pyoxigraph Store
    """Run `job` on `store` and write its result, stopping at the row and byte limits.

    `union` asks for Oxigraph's union of the named graphs as the default graph, for stores whose
    default graph is empty.
    """
    import pyoxigraph as ox
    from rdflib import Graph, Variable

    from ontology.formats import rdf_format
    from ontology.namespaces import PREFIXES
    from web.results import RESULTS_BY_NAME, serialize_graph, serialize_table

    started = time.monotonic()
    options: dict[str, object] = {"prefixes": {p: str(ns) for p, ns in PREFIXES.items()}, "base_iri": job.base_iri}
    if job.default_graphs is not None or job.named_graphs is not None:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs or ()]
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or ()]
    elif union and not job.honour_from:
        options["use_default_graph_as_union"] = True  # each document is a named graph; see them all
    try:
        result = store.query(job.text, **options)
    except SyntaxError as error:
        raise QueryInvalid(f"the query is not valid SPARQL: {error}") from error
    truncated = False
    if isinstance(result, ox.QueryBoolean):
        fmt = RESULTS_BY_NAME[job.result_format]
        body = serialize_table("ASK", [], [], bool(result), fmt.name)
        return QueryOutcome("ASK", body, fmt.media_type, 1, seconds=time.monotonic() - started)
    if isinstance(result, ox.QuerySolutions):
        fmt = RESULTS_BY_NAME[job.result_format]
        variables = [Variable(v.value) for v in result.variables]
        rows: list[list[object]] = []
        size = 0
        for solution in result:
            if len(rows) >= job.row_limit or size > job.byte_limit:
                truncated = True
                break
            row = [solution[v.value] for v in result.variables]
            size += sum(_size(t) for t in row)
            rows.append([_to_rdflib(t) for t in row])
        body = serialize_table("SELECT", variables, rows, False, fmt.name)
        return QueryOutcome("SELECT", body, fmt.media_type, len(rows), truncated, time.monotonic() - started)
    graph_format = rdf_format(job.result_format)
    graph = Graph()
    size = 0
    count = 0
    for triple in result:
        if count >= job.row_limit or size > job.byte_limit:
            truncated = True
            break
        size += _size(triple.subject) + _size(triple.predicate) + _size(triple.object)
        graph.add((_to_rdflib(triple.subject), _to_rdflib(triple.predicate), _to_rdflib(triple.object)))
        count += 1
    body = serialize_graph(graph, graph_format)
    return QueryOutcome("CONSTRUCT", body, graph_format.media_type, count, truncated, time.monotonic() - started)


def _open_read_only(store_path: str):  # noqa: ANN202 - a pyoxigraph Store
    """Open a snapshot; a writer's compaction can remove a file while it opens, so try again briefly."""
    import pyoxigraph as ox

    for attempt in range(20):
        try:
            return ox.Store.read_only(store_path)
        except RuntimeError:
            if attempt == 19:
                raise
            time.sleep(0.05 * (attempt + 1))
    return None


def worker_main(conn: Connection, store_path: str) -> None:
    """The worker's loop: one job at a time, the store reopened whenever the graph's token changes."""

    import web.results  # noqa: F401 - import the serializers before saying ready

    store = None
    union = True
    opened_token: str | None = None
    conn.send(("ready", None))
    while True:
        try:
            token, job = conn.recv()
        except (EOFError, OSError):
            return  # the web process has gone
        try:
            if store is None or token != opened_token:
                store = None
                store = _open_read_only(store_path)
                union = not default_graph_is_merge(store)
                opened_token = token
            conn.send(("ok", evaluate(store, job, union)))
        except QueryError as error:
            conn.send(("invalid" if isinstance(error, QueryInvalid) else "error", str(error)))
        except Exception as error:  # an evaluation error (a type error, an unsupported feature)
            conn.send(("error", f"the query failed: {type(error).__name__}: {error}"))


# ---------------------------------------------------------------------------- in the web process


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    jobs: int = field(default=0)

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(timeout=5)
        finally:
            self.conn.close()


class QueryService:
    """A small pool of killable query workers over the store at `store_path`."""

    def __init__(
        self,
        store_path: Path,
        *,
        time_limit: float = 10.0,
        max_workers: int = 3,
        memory_limit_mb: int = 2048,
    ) -> None:
        self.store_path = Path(store_path)
        self.time_limit = time_limit
        self.max_workers = max_workers
        self.memory_limit = memory_limit_mb * 1024 * 1024
        self._context = multiprocessing.get_context("spawn")  # fork is unsafe beside the server's threads
        self._idle: list[_Worker] = []
        self._running = 0
        self._lock = threading.Lock()
        self.killed = 0  # workers stopped at a limit since the service started

    def _start_worker(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=worker_main, args=(child, str(self.store_path)), name="zamena-query", daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        if not parent.poll(START_TIMEOUT) or parent.recv()[0] != "ready":
            worker.kill()
            raise QueryError("a query worker did not start; see the server log")
        return worker

    def _acquire(self) -> _Worker:
        with self._lock:
            if self._idle:
                self._running += 1
                return self._idle.pop()
            if self._running >= self.max_workers:
                raise QueryBusy(f"all {self.max_workers} query workers are busy; try again in a few seconds")
            self._running += 1
        try:
            return self._start_worker()
        except BaseException:
            with self._lock:
                self._running -= 1
            raise

    def _release(self, worker: _Worker, healthy: bool) -> None:
        with self._lock:
            self._running -= 1
            if healthy:
                self._idle.append(worker)
                return
        self.killed += 1
        worker.kill()

    def _over_memory(self, worker: _Worker) -> bool:
        try:
            return psutil.Process(worker.process.pid).memory_info().rss > self.memory_limit
        except psutil.Error:
            return False

    def run(self, job: QueryJob, state_token: str) -> QueryOutcome:
        """Evaluate `job` in a worker; raises a QueryError subclass when it cannot be answered."""
        worker = self._acquire()
        healthy = False
        try:
            worker.conn.send((state_token, job))
            deadline = time.monotonic() + self.time_limit
            while not worker.conn.poll(POLL_INTERVAL):
                if not worker.process.is_alive():
                    raise QueryError("the query worker stopped unexpectedly; the query was not answered")
                if time.monotonic() > deadline:
                    raise QueryTimeout(
                        f"the query ran longer than the time limit of {self.time_limit:g} s and was stopped; "
                        "narrow it down (more specific patterns, LIMIT) and try again"
                    )
                if self._over_memory(worker):
                    raise QueryTooLarge(
                        f"the query needed more than {self.memory_limit // (1024 * 1024)} MB and was stopped; "
                        "ask for fewer results (LIMIT) or a narrower pattern"
                    )
            status, payload = worker.conn.recv()
            healthy = True
        except (EOFError, OSError) as error:
            raise QueryError(f"the query worker failed: {error}") from error
        finally:
            self._release(worker, healthy)
        if status == "ok":
            return payload
        if status == "invalid":
            raise QueryInvalid(payload)
        raise QueryError(payload)

    def warm_up(self, workers: int = 1) -> None:
        """Start workers ahead of the first queries (each takes about a second to import its libraries)."""
        started = []
        for _ in range(min(workers, self.max_workers)):
            started.append(self._acquire())
        for worker in started:
            self._release(worker, True)

    @property
    def workers(self) -> int:
        with self._lock:
            return len(self._idle) + self._running

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


def result_formats_for(form: str) -> Sequence[str]:
    """The format names a result of this query form can be written in."""
    from web.results import GRAPH_FORMATS, RESULT_FORMATS

    if form in ("CONSTRUCT", "DESCRIBE"):
        return [f.name for f in GRAPH_FORMATS]
    return [f.name for f in RESULT_FORMATS]
