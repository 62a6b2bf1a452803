"""Query workers: SPARQL checked and evaluated in processes that can be killed at the time limit.

Oxigraph cannot cancel a running query, so every public query runs in a worker process that holds a
read-only snapshot of the store, opened by the KnowledgeGraph facade and queried through it. The worker
also parses and checks the query (rdflib's parser is slow on long queries and would hold the web
process's GIL), and writes the answer, so a query's whole cost is bounded by the time limit. The web
process waits for the answer up to the time limit and kills the worker when it runs over (or grows
past the memory limit); the other workers keep answering meanwhile, and a fresh worker is started in
its place at once. When every worker is busy, a query waits its turn (first come, first served) for
at most as long as its time limit; the wait is reported apart from the run. A worker leaves the
network before it reads a query (ontology.sparql.isolation), so a SERVICE that got past the guard
reaches nobody.

On the memory and remote SPARQL backends there is no store a process could open, so `GraphQueryService`
evaluates through the facade in a thread, with the same checks, limits and answers; `query_service`
picks the one that fits the store.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import psutil
from rdflib.term import Node, Variable

from ontology.formats import Kind, by_name, rdf_format
from ontology.graph import KnowledgeGraph

log = logging.getLogger(__name__)

# How often the web process looks at a running worker (seconds).
POLL_INTERVAL = 0.02
# How long a new worker may take to import its libraries before it counts as broken (seconds).
START_TIMEOUT = 60.0


class QueryError(RuntimeError):
    """A query that could not be answered; `status` is the HTTP status that says why."""

    status = 500
    queue_seconds = 0.0  # how long it waited for a worker before it ran


class QueryInvalid(QueryError):
    status = 400


class QueryRefused(QueryError):
    """The guard refused the query (an update, SERVICE, a remote FROM …); `status` as the guard said."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class FormatRefused(QueryError):
    """None of the formats the client accepts fits this form of query."""

    status = 406


class QueryTimeout(QueryError):
    status = 503


class QueryTooLarge(QueryError):
    status = 503


class QueryBusy(QueryError):
    status = 503


class QueryTooMany(QueryError):
    """This client already has its share of the workers running or waiting (HTTP 429, with Retry-After)."""

    status = 429


# the failures a worker reports by name, rebuilt in the web process with their status
_FAILURES: dict[str, type[QueryError]] = {cls.__name__: cls for cls in (QueryError, *QueryError.__subclasses__())}


@dataclass(frozen=True)
class QueryJob:
    text: str
    # The format for a SELECT/ASK answer and for a CONSTRUCT/DESCRIBE answer (names in ontology.formats);
    # empty when none fits, and then the *_problem says why (answered with 406).
    table_format: str = "json"
    graph_format: str = "ttl"
    table_format_problem: str = ""
    graph_format_problem: str = ""
    local_graphs: frozenset[str] | None = None  # graphs held here; a FROM naming another is refused
    default_graphs: tuple[str, ...] | None = None  # the protocol's dataset, when the request gave one
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint's URL)
    row_limit: int = 10_000
    byte_limit: int = 64 * 1024 * 1024
    # A CONSTRUCT/DESCRIBE answer as a SPARQL JSON table (?subject ?predicate ?object, sorted), for the
    # query page: written here, within the time limit, so the web process only reads JSON.
    graph_as_table: bool = False


@dataclass
class QueryOutcome:
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    body: bytes
    media_type: str
    rows: int  # solutions or triples written
    truncated: bool = False
    seconds: float = 0.0  # evaluation, in the worker
    queue_seconds: float = 0.0  # waiting for a free worker (and starting one)

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


# ---------------------------------------------------------------------------- checking and writing


def prepare(job: QueryJob) -> tuple[object, str]:
    """Check the query (QueryRefused) and pick its answer's format (FormatRefused): (CheckedQuery, format)."""
    from ontology.sparql.guard import QueryRejected, check_query

    try:
        checked = check_query(job.text, job.local_graphs)
    except QueryRejected as error:
        raise QueryRefused(str(error), error.status) from error
    if checked.returns_graph:
        fmt, problem = job.graph_format, job.graph_format_problem
    else:
        fmt, problem = job.table_format, job.table_format_problem
    if not fmt:
        raise FormatRefused(problem or "no format fits this query's answer")
    return checked, fmt


def _size(term: Node | None) -> int:
    return 0 if term is None else len(term) + 8  # rdflib terms are strings


def _within_limits(rows: Iterable[tuple[Node | None, ...]], job: QueryJob) -> tuple[list, bool]:
    """The rows (or triples) that fit the row and byte limits, every value counted, and whether any were cut.

    A row that does not fit is left out whole; a first row that alone is over the byte limit is refused."""
    kept: list = []
    size = 0
    for row in rows:
        row_size = sum(_size(t) for t in row)
        if len(kept) >= job.row_limit or size + row_size > job.byte_limit:
            if not kept and row_size > job.byte_limit:
                raise QueryTooLarge(
                    f"the first row of the answer holds {row_size:,} bytes of values, over the limit of "
                    f"{job.byte_limit:,} bytes for a whole answer; select shorter values (SUBSTR, STRLEN)"
                )
            return kept, True
        size += row_size
        kept.append(row)
    return kept, False


def _table_outcome(
    form: str,
    variables: list[Variable],
    solutions: Iterable[tuple[Node | None, ...]],
    job: QueryJob,
    fmt_name: str,
    started: float,
) -> QueryOutcome:
    """Rows up to the row and byte limits, written in `fmt_name`; `solutions` yields rows of rdflib terms."""
    from ontology.sparql.results import serialize_table

    fmt = by_name(fmt_name, Kind.RESULTS)
    rows, truncated = _within_limits(solutions, job)
    body = serialize_table(form, variables, rows, False, fmt.name)
    return QueryOutcome(form, body, fmt.media_type, len(rows), truncated, time.monotonic() - started)


def _ask_outcome(answer: bool, fmt_name: str, started: float) -> QueryOutcome:
    from ontology.sparql.results import serialize_table

    fmt = by_name(fmt_name, Kind.RESULTS)
    body = serialize_table("ASK", [], [], answer, fmt.name)
    return QueryOutcome("ASK", body, fmt.media_type, 1, seconds=time.monotonic() - started)


def _graph_outcome(
    form: str, triples: Iterable[tuple[Node | None, ...]], job: QueryJob, fmt_name: str, started: float
) -> QueryOutcome:
    """Triples (of rdflib terms) up to the row and byte limits, written in `fmt_name` (or as a JSON table)."""
    from rdflib import Graph, Variable

    from ontology.sparql.results import serialize_graph, serialize_table

    kept, truncated = _within_limits(triples, job)
    if job.graph_as_table:
        variables = [Variable("subject"), Variable("predicate"), Variable("object")]
        rows = sorted(set(kept))
        body = serialize_table("SELECT", variables, rows, False, "json")
        media_type = by_name("json", Kind.RESULTS).media_type
        return QueryOutcome(form, body, media_type, len(rows), truncated, time.monotonic() - started)
    graph_format = rdf_format(fmt_name)
    graph = Graph()
    for triple in kept:
        graph.add(triple)
    body = serialize_graph(graph, graph_format)
    return QueryOutcome(form, body, graph_format.media_type, len(graph), truncated, time.monotonic() - started)


# ---------------------------------------------------------------------------- inside the worker


def evaluate(graph: KnowledgeGraph, job: QueryJob) -> QueryOutcome:
    """Check `job`, evaluate the text the guard checked through the facade, with the protocol's dataset,
    and write its result, reading no further than the row and byte limits."""
    started = time.monotonic()
    checked, fmt_name = prepare(job)
    try:
        answer = graph.answer(
            checked.text, default_graphs=job.default_graphs, named_graphs=job.named_graphs, base=job.base_iri
        )
    except SyntaxError as error:
        raise QueryInvalid(f"the query is not valid SPARQL: {error}") from error
    if answer.form == "ASK":
        return _ask_outcome(answer.boolean, fmt_name, started)
    if answer.form == "SELECT":
        return _table_outcome("SELECT", answer.variables, answer.rows, job, fmt_name, started)
    return _graph_outcome(checked.form, answer.rows, job, fmt_name, started)


def _answer(compute: Callable[[], QueryOutcome]) -> tuple[str, object]:
    """The message a worker sends back: ("ok", outcome), or ("failed", (error class, message, status))."""
    try:
        return "ok", compute()
    except QueryError as error:
        return "failed", (type(error).__name__, str(error), error.status)
    except Exception as error:  # an evaluation error of this query (a type error, an unsupported feature)
        return "failed", ("QueryInvalid", f"the query failed: {type(error).__name__}: {error}", QueryInvalid.status)


def _raise_for(status: str, payload: object) -> QueryOutcome:
    if status == "ok":
        return payload  # type: ignore[return-value]
    if status == "failed":
        name, message, code = payload  # type: ignore[misc]
        error = _FAILURES.get(name, QueryError)(message)
        error.status = code
        raise error
    raise QueryError(payload)


def worker_main(conn: Connection, store_path: str) -> None:
    """The worker's loop: one job at a time, a fresh snapshot opened whenever the graph's token changes.

    Before anything else the worker leaves the network (isolation); "ready" carries None, or the
    reason it could not."""
    from ontology.sparql.isolation import leave_network

    isolation_problem = leave_network()
    import ontology.sparql.guard  # noqa: F401 - import the parser and serializers before saying ready
    import ontology.sparql.results  # noqa: F401

    graph: KnowledgeGraph | None = None
    opened_token: str | None = None
    try:
        conn.send(("ready", isolation_problem))
    except OSError:
        return  # the web process stopped while this worker was starting
    while True:
        try:
            token, job = conn.recv()
        except (EOFError, OSError):
            return  # the web process has gone
        if graph is None or token != opened_token:
            try:
                graph = None
                graph = KnowledgeGraph.snapshot(Path(store_path))
                opened_token = token
            except Exception as error:  # reported to the query that needed the store
                conn.send(("error", f"the store could not be opened: {type(error).__name__}: {error}"))
                continue
        if job is None:  # only asked to open the store
            conn.send(("opened", None))
            continue
        conn.send(_answer(lambda graph=graph, job=job: evaluate(graph, job)))


# ---------------------------------------------------------------------------- in the web process


def _timeout_message(limit: float) -> str:
    return (
        f"the query ran longer than the time limit of {limit:g} s and was stopped "
        "(ZAMENA_QUERY_TIME_LIMIT sets the limit); narrow it down (more specific patterns, LIMIT) and try again"
    )


def _busy_message(workers: int, waited: float) -> str:
    return (
        f"all {workers} query workers stayed busy for {waited:g} s, the longest a query waits for one "
        "(as long as its time limit, ZAMENA_QUERY_TIME_LIMIT); try again in a few seconds, "
        "or run more workers (ZAMENA_QUERY_WORKERS)"
    )


def worker_context() -> multiprocessing.context.BaseContext:
    """Workers are forked from a server process that has imported their libraries once: a worker killed
    at the time limit is replaced in milliseconds, not the seconds a fresh interpreter takes (plain fork
    is unsafe beside the web server's threads; the fork server has none)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["ontology.sparql.workers", "ontology.sparql.results", "ontology.sparql.guard", "ontology.sparql.isolation"]
    )
    return context


class FairSlots:
    """At most `size` holders at once; the others wait their turn, first come first served, up to a deadline."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._holders = 0
        self._waiting: deque[object] = deque()
        self._changed = threading.Condition()

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        ticket = object()
        with self._changed:
            self._waiting.append(ticket)
            try:
                while self._waiting[0] is not ticket or self._holders >= self.size:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._changed.wait(left)
                self._holders += 1
                return True
            finally:
                self._waiting.remove(ticket)
                self._changed.notify_all()

    def release(self) -> None:
        with self._changed:
            self._holders -= 1
            self._changed.notify_all()

    @property
    def holders(self) -> int:
        with self._changed:
            return self._holders


class ClientShares:
    """How many queries each client has running or waiting for a worker; over `per_client` it is refused.

    So a few slow queries of one client cannot hold every worker, and another client's `ASK {}` is
    answered at once (the Wikidata Query Service answers such a client with 429 likewise)."""

    def __init__(self, per_client: int, retry_after: float) -> None:
        self.per_client = per_client
        self.retry_after = retry_after
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, client: str) -> Iterator[None]:
        with self._lock:
            if self._held.get(client, 0) >= self.per_client:
                raise QueryTooMany(
                    f"you have {self.per_client} queries running or waiting already, the most one client may "
                    f"have at once (ZAMENA_QUERY_WORKERS_PER_CLIENT); wait for them to end (at most "
                    f"{self.retry_after:g} s) and try again"
                )
            self._held[client] = self._held.get(client, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._held[client] -= 1
                if not self._held[client]:
                    del self._held[client]


def share_per_client(workers: int, asked: int) -> int:
    """A client's share: as asked, but with more than one worker always one left for the others."""
    return max(1, min(asked, workers - 1))


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    token: str | None = field(default=None)  # the state of the store it has open

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(timeout=5)
        finally:
            self.conn.close()


class QueryService:
    """A small pool of killable query workers over the Oxigraph store at `store_path`."""

    def __init__(
        self,
        store_path: Path,
        *,
        time_limit: float = 10.0,
        max_workers: int = 3,
        memory_limit_mb: int = 2048,
        queue_limit: float | None = None,
        per_client: int = 2,
    ) -> None:
        self.store_path = Path(store_path)
        self.time_limit = time_limit
        self.queue_limit = time_limit if queue_limit is None else queue_limit
        self.max_workers = max_workers
        self.memory_limit = memory_limit_mb * 1024 * 1024
        self._context = worker_context()
        self._slots = FairSlots(max_workers)
        self.shares = ClientShares(share_per_client(max_workers, per_client), self.time_limit + self.queue_limit)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False
        self.killed = 0  # workers stopped at a limit since the service started
        # None once a worker has left the network; otherwise why it could not (logged once)
        self.isolation_problem: str | None = "no worker has started yet"

    def _start_worker(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=worker_main, args=(child, str(self.store_path)), name="zamena-query", daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        try:
            message = parent.recv() if parent.poll(START_TIMEOUT) else ("", None)
        except (EOFError, OSError):
            message = ("", None)
        if message[0] != "ready":
            worker.kill()
            raise QueryError("a query worker did not start; see the server log")
        if message[1] is not None and self.isolation_problem != message[1]:
            log.warning("query workers keep the host's network, the SPARQL guard stands alone: %s", message[1])
        self.isolation_problem = message[1]
        return worker

    def _take_worker(self) -> _Worker:
        """An idle worker, or a new one; the caller holds a slot."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._start_worker()

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.max_workers:
                self._idle.append(worker)
                return
        worker.kill()

    def _replace(self) -> None:
        """Start a worker for the one just killed, so the next query does not wait for the start."""
        try:
            worker = self._start_worker()
        except QueryError:
            return  # the next query starts one itself
        self._give_back(worker)

    def _over_memory(self, worker: _Worker) -> bool:
        try:
            return psutil.Process(worker.process.pid).memory_info().rss > self.memory_limit
        except psutil.Error:
            return False

    def run(self, job: QueryJob, state_token: str, client: str = "") -> QueryOutcome:
        """Evaluate `job` in a worker for `client` (its address); a QueryError subclass says why not."""
        with self.shares.hold(client):
            return self._run(job, state_token)

    def _run(self, job: QueryJob, state_token: str) -> QueryOutcome:
        arrived = time.monotonic()
        if not self._slots.acquire(self.queue_limit):
            raise QueryBusy(_busy_message(self.max_workers, self.queue_limit))
        queued = 0.0
        try:
            worker = self._take_worker()
            self._open_store(worker, state_token)
            queued = time.monotonic() - arrived
            outcome = _raise_for(*self._run_in(worker, job, state_token))
        except QueryError as error:
            error.queue_seconds = queued
            raise
        finally:
            self._slots.release()
        outcome.queue_seconds = queued
        return outcome

    def _open_store(self, worker: _Worker, state_token: str) -> None:
        """Have the worker open the store's current state before the query's time starts: opening a
        store beside a busy writer can take many seconds, which is no fault of the query."""
        if worker.token == state_token:
            return
        try:
            worker.conn.send((state_token, None))
            if not worker.conn.poll(START_TIMEOUT):
                raise QueryError(f"the query worker could not open the store within {START_TIMEOUT:g} s")
            status, payload = worker.conn.recv()
        except (QueryError, EOFError, OSError) as error:
            worker.kill()
            if isinstance(error, QueryError):
                raise
            raise QueryError(f"the query worker failed: {error}") from error
        if status != "opened":
            self._give_back(worker)
            raise QueryError(str(payload))
        worker.token = state_token

    def _run_in(self, worker: _Worker, job: QueryJob, state_token: str) -> tuple[str, object]:
        healthy = False
        try:
            worker.conn.send((state_token, job))
            deadline = time.monotonic() + self.time_limit
            while not worker.conn.poll(POLL_INTERVAL):
                if not worker.process.is_alive():
                    raise QueryError("the query worker stopped unexpectedly; the query was not answered")
                if time.monotonic() > deadline:
                    raise QueryTimeout(_timeout_message(self.time_limit))
                if self._over_memory(worker):
                    raise QueryTooLarge(
                        f"the query needed more than {self.memory_limit // (1024 * 1024)} MB and was stopped "
                        "(ZAMENA_QUERY_MEMORY_MB sets the limit); ask for fewer results (LIMIT) or a narrower pattern"
                    )
            payload = worker.conn.recv()
            healthy = True
            return payload
        except (EOFError, OSError) as error:
            raise QueryError(f"the query worker failed: {error}") from error
        finally:
            if healthy:
                self._give_back(worker)
            else:
                self.killed += 1
                worker.kill()
                if not self._closed:
                    threading.Thread(target=self._replace, name="zamena-query-start", daemon=True).start()

    def warm_up(self, workers: int | None = None) -> None:
        """Start workers ahead of the first queries (each takes a second or more to import its libraries)."""
        wanted = min(workers or self.max_workers, self.max_workers)
        with self._lock:
            missing = wanted - len(self._idle)
        for _ in range(max(0, missing)):
            try:
                self._give_back(self._start_worker())
            except QueryError:
                return

    @property
    def workers(self) -> int:
        with self._lock:
            return len(self._idle) + self._slots.holders

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


class GraphQueryService:
    """Queries evaluated through the KnowledgeGraph facade, for backends no worker process can open
    (in memory, a remote SPARQL server). The same checks, limits and answers as QueryService, but a
    query over the time limit cannot be killed: the client gets 503 at the limit, and the query keeps
    its slot until it ends (a remote server stops it by its own limits)."""

    def __init__(
        self,
        graph: Callable[[], KnowledgeGraph],
        *,
        time_limit: float = 10.0,
        max_workers: int = 3,
        per_client: int = 2,
    ) -> None:
        self.graph = graph  # the current KnowledgeGraph
        self.time_limit = time_limit
        self.max_workers = max_workers
        self._slots = FairSlots(max_workers)
        self.shares = ClientShares(share_per_client(max_workers, per_client), 2 * time_limit)
        self.killed = 0
        self.isolation_problem = "queries run in the web process on this backend"

    def run(self, job: QueryJob, state_token: str, client: str = "") -> QueryOutcome:  # noqa: ARG002 - the facade sees the current state
        with self.shares.hold(client):
            return self._run(job)

    def _run(self, job: QueryJob) -> QueryOutcome:
        arrived = time.monotonic()
        if not self._slots.acquire(self.time_limit):
            raise QueryBusy(_busy_message(self.max_workers, self.time_limit))
        queued = time.monotonic() - arrived
        answer: list[tuple[str, object]] = []
        graph = self.graph()

        def work() -> None:
            try:
                answer.append(_answer(lambda: evaluate(graph, job)))
            finally:
                self._slots.release()

        thread = threading.Thread(target=work, name="zamena-query", daemon=True)
        thread.start()
        thread.join(self.time_limit)
        try:
            if not answer:
                raise QueryTimeout(_timeout_message(self.time_limit))
            outcome = _raise_for(*answer[0])
        except QueryError as error:
            error.queue_seconds = queued
            raise
        outcome.queue_seconds = queued
        return outcome

    def warm_up(self, workers: int | None = None) -> None:
        """Nothing to start: the facade is already open."""

    @property
    def workers(self) -> int:
        return self._slots.holders

    def close(self) -> None:
        """Nothing to stop: running queries end by themselves."""


def query_service(
    backend: str,
    store_path: Path | None,
    graph: Callable[[], KnowledgeGraph],
    *,
    time_limit: float,
    max_workers: int,
    memory_limit_mb: int,
    per_client: int,
) -> QueryService | GraphQueryService:
    """Killable workers over snapshots of the store when other processes can open one; otherwise queries
    through the current facade (`graph()`) in threads."""
    location = KnowledgeGraph.snapshot_location(backend, store_path)
    if location is not None:
        return QueryService(
            location,
            time_limit=time_limit,
            max_workers=max_workers,
            memory_limit_mb=memory_limit_mb,
            per_client=per_client,
        )
    return GraphQueryService(graph, time_limit=time_limit, max_workers=max_workers, per_client=per_client)
