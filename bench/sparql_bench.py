"""SPARQL benchmark: eight expert queries on synthetic Zamena graphs, Oxigraph against Virtuoso and rdflib.

    python -m bench.sparql_bench --triples 100000 1000000 [--json bench/results/sparql.json]

The graphs are built through Zamena's own mapping (ingest.mapping.GraphMapper) from generated
extractions, one named graph per synthetic firm profile, so they have the shape a real ingest gives:
firms, products with ОКПД-like categories, competences with a hierarchy, and evidence for every fact.
Every generated firm carries zo:synthetic true. Each store is measured in a process of its own, so
that its load time and peak memory are its own; all three run in the same invocation, so ratios compare
like with like. Oxigraph is filled through KnowledgeGraph.replace_document_graphs (its bulk loader, or
`--load transactions`), compacted, and queried opened read-only, as `zamena sparql` and the web server
query it; rdflib's store is filled one document at a time, as it has no other way.

Virtuoso 7.2 (virtuoso-t, started privately in the work folder on free loopback ports, as
tests/virtuoso.py does) is given exactly the quads Oxigraph holds, dumped from it as N-Quads: the named
graphs, and Oxigraph's default graph (the merge of them all) as one named graph that every query names
as its default-graph-uri. Its bulk loader loads them (ld_dir, rdf_loader_run as its guide says,
checkpoint); it is queried over HTTP (/sparql, JSON results, a connection a query, as curl makes), and
the median round trip of `ASK {}` is subtracted from its times. The same N-Quads file is also loaded
by Oxigraph's bulk loader alone, loader against loader.

All three run the same query text. Times are the median of the clock and of the CPU time (Virtuoso:
its server threads and the client's decoding of the JSON): on shared cores the clock also counts the
wait for a core. A store answering a query with another number of rows than Oxigraph fails the run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import XSD, Literal, URIRef

from bench.load import free_port
from ingest.classifiers import broader_transitive
from ingest.document import Document
from ingest.mapping import GraphMapper
from ingest.model import Entity, Extraction, Fact, Mention
from ontology.graph import KnowledgeGraph
from ontology.namespaces import sparql_prologue
from ontology.uris import UriMinter

BASE = "https://zamena.example.org/"
MERGED_GRAPH = f"{BASE}graph/merged"  # Oxigraph's default graph, the merge, as a named graph in Virtuoso
SECTIONS = "ABCDEFGHIJ"
LOAD_BATCH = 1000  # documents per write: Oxigraph commits each batch of new graphs once
LOAD_MODES = {
    "bulk": "Oxigraph's bulk loader, 1000 documents a call",
    "transactions": "one transaction per 1000 documents",
    "memory": "one document at a time (rdflib's store has no batch path)",
}
COMPETENCES = [
    "электропривод",
    "силовая электроника",
    "медицинская техника",
    "фотоника",
    "микроэлектроника",
    "композиты",
    "робототехника",
    "электромобили",
    "беспилотные системы",
    "диагностика",
]
WORDS = [
    "преобразователь",
    "двигатель",
    "датчик",
    "модуль",
    "контроллер",
    "трансформатор",
    "фильтр",
    "насос",
    "кабель",
    "привод",
    "источник",
    "блок",
    "плата",
    "станция",
    "прибор",
]

QUERIES: dict[str, str] = {
    "centre members": """
        SELECT ?firm ?name WHERE { ?firm org:memberOf ?c ; skos:prefLabel ?name . ?c a zo:CompetenceCentre }""",
    "competence with narrower (broader*)": """
        SELECT DISTINCT ?firm WHERE {
            ?c skos:broader* <{base}id/competence/k0> . ?firm zo:hasCompetence ?c }""",
    "products of a class and narrower": """
        SELECT ?product ?firm WHERE {
            ?cat skos:broader* <{base}id/okpd2/C.11> . ?product schema:category ?cat ; schema:manufacturer ?firm }""",
    # skos:broaderTransitive, which the classifier graphs store (ingest.classifiers.broader_transitive),
    # in place of skos:broader+, which made one index seek per concept from each section, leaves included
    # (2.5 ms at 100k whatever the graph's size): the ten sections' closure is read in one seek each. In a
    # sub-select, which Oxigraph joins to the products' categories by hash (in one group it looked up each
    # category's products: 7.5 against 2.0 ms at 100k). The same rows: the closure holds the pairs
    # skos:broader+ walks.
    "products per classifier section": """
        SELECT ?section (COUNT(?product) AS ?n) WHERE {
            { SELECT ?section ?cat WHERE { ?section skos:topConceptOf ?scheme . ?cat skos:broaderTransitive ?section } }
            ?product schema:category ?cat
        } GROUP BY ?section ORDER BY DESC(?n)""",
    "facts of a firm with provenance": """
        SELECT ?p ?o ?quote ?doc WHERE {
            ?e rdf:subject <{base}id/firm/firma-7> ; rdf:predicate ?p ; rdf:object ?o ;
               prov:wasDerivedFrom ?doc ; oa:hasSelector/oa:exact ?quote }""",
    # The lexical index first: the entities whose names have the word «трансформатор» (zo:labelWord,
    # stored by ingest.mapping), then the phrase checked on their few hundred labels. A substring filter
    # alone read and decoded every label of the graph (17,811 at 1M: 34 of Oxigraph's 41.7 ms). The same
    # rows, as a label holding «трансформатор 1» holds the word «трансформатор» unless the phrase starts
    # inside a longer word («автотрансформатор 1…»), which no synthetic label has. No STR: CONTAINS and
    # LCASE take the language-tagged label as it is.
    "text filter on labels": """
        SELECT ?product ?label WHERE {
            ?product zo:labelWord "трансформатор" ; skos:prefLabel ?label ; a schema:Product .
            FILTER(CONTAINS(LCASE(?label), "трансформатор 1")) }""",
    "residents per zone": """
        SELECT ?zone (COUNT(DISTINCT ?firm) AS ?n) WHERE { ?firm zo:residentOf ?zone } GROUP BY ?zone""",
    "substitutes with makers and quotes": """
        SELECT ?product ?imported ?firm ?quote WHERE {
            ?product zo:substitutes ?imported ; schema:manufacturer ?firm .
            ?e rdf:subject ?product ; rdf:predicate zo:substitutes ; oa:hasSelector/oa:exact ?quote } LIMIT 100""",
}


def classifier_triples(minter: UriMinter) -> list[tuple]:
    """A synthetic ОКПД-like scheme: sections, classes, subclasses (labelled synthetic)."""
    from rdflib.namespace import RDF, SKOS

    scheme = URIRef(f"{BASE}id/okpd2")
    triples: list[tuple] = [(scheme, RDF.type, SKOS.ConceptScheme)]

    def narrower(code: str, parent: URIRef) -> URIRef:
        concept = URIRef(f"{BASE}id/okpd2/{code}")
        triples.extend(
            [
                (concept, RDF.type, SKOS.Concept),
                (concept, SKOS.broader, parent),
                (concept, SKOS.inScheme, scheme),
                (concept, SKOS.notation, Literal(code)),
            ]
        )
        return concept

    for section in SECTIONS:
        top = URIRef(f"{BASE}id/okpd2/{section}")
        triples += [
            (top, RDF.type, SKOS.Concept),
            (top, SKOS.topConceptOf, scheme),
            (top, SKOS.inScheme, scheme),
            (top, SKOS.prefLabel, Literal(f"Раздел {section}", lang="ru")),
        ]
        for cls in range(10, 20):
            concept = narrower(f"{section}.{cls}", top)
            for sub in range(1, 10):
                narrower(f"{section}.{cls}.{sub}", concept)
    for i, name in enumerate(COMPETENCES):
        concept = minter.entity("COMPETENCE", f"k{i}")
        triples += [(concept, RDF.type, SKOS.Concept), (concept, SKOS.prefLabel, Literal(name, lang="ru"))]
        if i >= 3:
            triples.append((concept, SKOS.broader, minter.entity("COMPETENCE", f"k{i % 3}")))
    return triples + broader_transitive(triples)  # as ingest.classifiers stores a classifier


def synthetic_firm(i: int, rng: random.Random, minter: UriMinter) -> Extraction:
    """One synthetic profile: a firm, its products, competences and memberships, each fact with a sentence."""
    name = f"Фирма {i}"
    lines = [f"{name} — синтетическая компания для испытаний."]
    entities: dict[tuple[str, str], Entity] = {}
    facts: list[Fact] = []

    def sentence(text: str) -> tuple[int, int]:
        start = sum(len(line) + 1 for line in lines)
        lines.append(text)
        return start, start + len(text)

    def entity(kind: str, key: str, label: str, where: tuple[int, int]) -> tuple[str, str]:
        entities.setdefault((kind, key), Entity(kind, key, label, mentions=[Mention(*where, label)]))
        facts.append(Fact((kind, key), "type", {}, *where, 0.9, "synthetic"))
        return kind, key

    firm = entity("FIRM", f"фирма {i}", name, (0, len(lines[0])))
    zone = entity("ZONE", f"зона {i % 3}", f"Зона {i % 3}", sentence(f"{name} — резидент зоны {i % 3}."))
    facts.append(Fact(firm, "residentOf", zone, *sentence(f"{name} работает в зоне {i % 3}."), 0.9, "synthetic"))
    if i % 4 == 0:
        centre = entity("CENTRE", "центр", "Центр компетенций", sentence(f"{name} входит в центр компетенций."))
        facts.append(Fact(firm, "memberOf", centre, *sentence(f"{name} — участник центра."), 0.9, "synthetic"))
    for c in rng.sample(range(len(COMPETENCES)), 2):
        where = sentence(f"{name} владеет компетенцией «{COMPETENCES[c]}».")
        facts.append(Fact(firm, "hasCompetence", str(minter.entity("COMPETENCE", f"k{c}")), *where, 0.8, "synthetic"))
    for p in range(3):
        label = f"{rng.choice(WORDS)} {i}-{p}"
        where = sentence(f"{name} выпускает изделие «{label}».")
        product = entity("PRODUCT", f"{i}-{p}", label, where)
        facts.append(Fact(product, "manufacturer", firm, *where, 0.85, "synthetic"))
        code = f"{rng.choice(SECTIONS)}.{rng.randrange(10, 20)}.{rng.randrange(1, 10)}"
        facts.append(Fact(product, "category", f"{BASE}id/okpd2/{code}", *where, 0.8, "synthetic"))
        if p == 0 and i % 5 == 0:
            imported = entity("PRODUCT", f"import-{i}", f"импортный аналог {i}", where)
            facts.append(Fact(product, "substitutes", imported, *where, 0.7, "synthetic"))
    document = Document(text="\n".join(lines), source=f"synthetic/firm-{i}.md", kind="profile")
    return Extraction(document, entities, facts)


def build_graphs(n_triples: int, seed: int = 7) -> list[tuple[URIRef, list[tuple]]]:
    """Named graphs adding up to about `n_triples` triples."""
    from ontology.namespaces import ZO

    minter = UriMinter(BASE)
    mapper = GraphMapper(minter)
    rng = random.Random(seed)
    graphs = [(URIRef(f"{BASE}graph/okpd2"), classifier_triples(minter))]
    total = len(graphs[0][1])
    i = 0
    while total < n_triples:
        graph, triples = mapper.to_triples(synthetic_firm(i, rng, minter))
        triples.append((mapper.entity_uri(("FIRM", f"фирма {i}")), ZO.synthetic, Literal(True, datatype=XSD.boolean)))
        graphs.append((graph, triples))
        total += len(triples)
        i += 1
    return graphs


def timed(run: Callable[[], int], repeats: int) -> dict[str, float]:
    """Median clock and CPU time of `run` (which returns its number of rows) over `repeats` calls."""
    times, cpu_times, rows = [], [], 0
    for _ in range(repeats):
        t, cpu = time.perf_counter(), time.process_time()
        rows = run()
        times.append(time.perf_counter() - t)
        cpu_times.append(time.process_time() - cpu)
    # CPU time besides the clock: on shared cores a query waits for a core, and the clock counts the wait
    return {
        "p50_ms": statistics.median(times) * 1000,
        "min_ms": min(times) * 1000,
        "p50_cpu_ms": statistics.median(cpu_times) * 1000,
        "rows": rows,
    }


def peak_rss_mb(pid: int | str = "self") -> float:
    """VmHWM: the process's own peak (ru_maxrss would carry the parent's over the spawn's exec)."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def query_texts() -> dict[str, str]:
    prologue = sparql_prologue()
    return {name: prologue + query.replace("{base}", BASE) for name, query in QUERIES.items()}


def _measure(backend: str, n_triples: int, repeats: int, folder: str, bulk: bool, out) -> None:
    """In a fresh process: load the graph into `backend`, run every query, report times and peak memory.

    On Oxigraph also: dump every quad it holds as N-Quads (what Virtuoso is given) and bulk-load that file
    alone into a fresh store, which tells the loader's own time from the facade's preparation."""
    graphs = build_graphs(n_triples)
    kg = KnowledgeGraph.open(backend, Path(folder) / backend)
    started = time.perf_counter()
    for first in range(0, len(graphs), LOAD_BATCH):
        kg.replace_document_graphs(graphs[first : first + LOAD_BATCH], bulk=bulk)
    filled = time.perf_counter()
    kg.compact()
    load_seconds = time.perf_counter() - started
    n_graphs = len(graphs)
    del graphs
    if backend == "oxigraph":
        # queried as `zamena sparql` and the web server's workers query it: opened read-only, apart from
        # the writer (measured here: the writer's own store answered the same queries up to twice as slowly)
        kg.close()
        kg = KnowledgeGraph.open(backend, Path(folder) / backend, read_only=True)
    result = {
        "backend": backend,
        "triples": len(kg),
        "graphs": n_graphs,
        "load_s": load_seconds,
        "compact_s": load_seconds - (filled - started),
        "load": LOAD_MODES[backend if backend == "memory" else "bulk" if bulk else "transactions"],
        "queries": {},
    }
    for name, text in query_texts().items():
        result["queries"][name] = timed(lambda text=text: len(list(kg.query(text))), repeats)
    result["peak_rss_mb"] = peak_rss_mb()
    kg.close()
    if backend == "oxigraph":
        result.update(_dump_and_reload(Path(folder)))
    out.put(result)


def _dump_and_reload(folder: Path) -> dict[str, float | int]:
    """Every quad of the Oxigraph store as N-Quads for Virtuoso, and that file bulk-loaded into a fresh store."""
    dump = folder / "quads.nq"
    t = time.perf_counter()
    ox.Store.read_only(str(folder / "oxigraph")).dump(str(dump), ox.RdfFormat.N_QUADS)
    dump_seconds = time.perf_counter() - t
    fresh = ox.Store(str(folder / "oxigraph-from-file"))
    t = time.perf_counter()
    fresh.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    loaded = time.perf_counter()
    fresh.optimize()
    result = {
        "stored_quads": len(fresh),  # the named graphs and the merge in the default graph
        "default_graph_triples": int(next(iter(fresh.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")))[0].value),
        "dump_s": dump_seconds,
        "file_load_s": time.perf_counter() - t,
        "file_compact_s": time.perf_counter() - loaded,
    }
    del fresh
    shutil.rmtree(folder / "oxigraph-from-file")
    return result


# ------------------------------------------------------------------ Virtuoso

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
DirsAllowed = ., {dir}
ThreadsPerQuery = {threads}
MaxQueryMem = 2G

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 4
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""
# tests/virtuoso.py's settings, but sized as Virtuoso's guide says for a 4 GB server (its buffers hold the
# whole database), no time limit (a timed-out Virtuoso query returns partial rows), and its threads per
# query matching the cores
VIRTUOSO_BUFFERS = 340_000  # 8 kB pages: 2.7 GB


@dataclass
class VirtuosoServer:
    """A private virtuoso-t on loopback ports, with its database in `directory`."""

    process: subprocess.Popen
    sql_port: int
    http_port: int
    directory: Path

    def isql(self, statements: str, timeout: float = 3600) -> str:
        """Run SQL through isql-vt as dba; an error in the output fails (isql-vt itself exits 0)."""
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt: {statements}\n{done.stdout}{done.stderr}")
        return done.stdout

    def cpu_seconds(self) -> float:
        """CPU time of all the server's threads so far, in ns resolution (/proc/…/stat counts 10 ms ticks)."""
        total = 0
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError):  # a thread that ended meanwhile
                continue
        return total / 1e9

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_virtuoso(directory: Path, buffers: int = VIRTUOSO_BUFFERS, timeout: float = 120) -> VirtuosoServer:
    """Start virtuoso-t in the foreground with an empty database in `directory`, on free loopback ports."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise RuntimeError("virtuoso-t is not installed: `bash scripts/system-deps.sh virtuoso-opensource-7`")
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    settings = {"buffers": buffers, "dirty_buffers": buffers * 3 // 4, "threads": os.cpu_count() or 2}
    ini.write_text(
        VIRTUOSO_INI.format(dir=directory.resolve(), sql_port=sql_port, http_port=http_port, **settings),
        encoding="utf-8",
    )
    with (directory / "stdout.log").open("wb") as log:  # the child keeps its own copy of the handle
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini.resolve())], cwd=directory, stdout=log, stderr=log
        )
    server = VirtuosoServer(process, sql_port, http_port, directory)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited: see {directory / 'virtuoso.log'}")
        try:
            with VirtuosoClient(server) as client:
                client.select("ASK {}")
            return server
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"virtuoso-t did not answer within {timeout} s") from None
            time.sleep(0.5)


class VirtuosoClient:
    """SPARQL over HTTP, the merged graph as the default graph, one connection a query.

    A kept-alive connection is left in delayed-ACK mode, and Virtuoso then holds the last segment of a
    larger answer until the client's ACK comes, up to 40 ms later (42 kB of JSON: 52 ms against 11 by
    curl); a fresh connection ACKs at once, as curl's or a browser's does. Its set-up is in the round trip
    subtracted."""

    def __init__(self, server: VirtuosoServer) -> None:
        self._port = server.http_port

    def __enter__(self) -> VirtuosoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def select(self, query: str) -> int:
        """Rows of a SELECT (1 for a true ASK), every row decoded from the JSON results."""
        answer = self.answer(query)
        if "boolean" in answer:
            return int(answer["boolean"])
        return len(answer["results"]["bindings"])

    def value(self, query: str) -> str:
        """The first value of the first row of a SELECT."""
        row = self.answer(query)["results"]["bindings"][0]
        return next(iter(row.values()))["value"]

    def answer(self, query: str) -> dict:
        body = urllib.parse.urlencode({"query": query, "default-graph-uri": MERGED_GRAPH})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
        connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=600)
        try:
            connection.request("POST", "/sparql", body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"Virtuoso answered {response.status}: {payload[:500]!r}")
        if response.getheader("X-SQL-State"):  # an "anytime" answer: cut short, partial rows
            raise RuntimeError(f"Virtuoso cut the query short: {response.getheader('X-SQL-Message')}")
        return json.loads(payload)


def load_into_virtuoso(server: VirtuosoServer, dump: Path) -> dict[str, float | int]:
    """The dump loaded by Virtuoso's bulk loader, then a checkpoint; triples of no graph (the merge) go to
    MERGED_GRAPH. Its guide says one rdf_loader_run per 2.5 cores, each on files of its own: on 2 cores one
    (1M triples: 10.7 s alone, 18.0 s as two loaders on two halves, which contend)."""
    loaders = max(1, int((os.cpu_count() or 2) / 2.5))
    parts = [(server.directory / f"quads-{i}.nq").open("w", encoding="utf-8") for i in range(loaders)]
    with dump.open(encoding="utf-8") as lines:
        quads = 0
        for quads, line in enumerate(lines, 1):
            parts[quads % loaders].write(line)
    for part in parts:
        part.close()
    started = time.perf_counter()
    server.isql(f"ld_dir('{server.directory.resolve()}', 'quads-*.nq', '{MERGED_GRAPH}');")
    running = [
        subprocess.Popen(
            ["isql-vt", f"127.0.0.1:{server.sql_port}", "dba", "dba", "exec=rdf_loader_run();"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(loaders)
    ]
    for loader in running:
        loader.wait()
    loaded = time.perf_counter()
    server.isql("checkpoint;")
    seconds = time.perf_counter() - started
    errors = server.isql("SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;")
    if "0 Rows." not in errors:
        raise RuntimeError(f"Virtuoso's bulk loader failed:\n{errors}")
    for i in range(loaders):
        (server.directory / f"quads-{i}.nq").unlink()
    return {"quads": quads, "load_s": seconds, "checkpoint_s": seconds - (loaded - started), "loaders": loaders}


def measure_virtuoso(folder: Path, repeats: int, buffers: int = VIRTUOSO_BUFFERS) -> dict:
    """Load Oxigraph's dump (folder/quads.nq) into a fresh Virtuoso in folder/virtuoso and run every query."""
    server = start_virtuoso(folder / "virtuoso", buffers=buffers)
    try:
        result: dict = {"backend": "virtuoso", "queries": {}}
        result.update(load_into_virtuoso(server, folder / "quads.nq"))
        (folder / "quads.nq").unlink()  # 0.4 GB at a million triples, in both stores now
        with VirtuosoClient(server) as client:
            result["default_graph_triples"] = int(client.value("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))

            def run(query: str) -> tuple[int, float, float]:
                cpu, clock = server.cpu_seconds(), time.perf_counter()
                own = time.process_time()
                rows = client.select(query)
                clock, own = time.perf_counter() - clock, time.process_time() - own
                return rows, clock, server.cpu_seconds() - cpu + own

            # the round trip of a query that does nothing, subtracted below: HTTP, parsing, JSON
            for _ in range(5):
                run("ASK {}")
            empty = [run("ASK {}")[1:] for _ in range(21)]
            trip, trip_cpu = (statistics.median(times) for times in zip(*empty, strict=True))
            result["round_trip_ms"], result["round_trip_cpu_ms"] = trip * 1000, trip_cpu * 1000
            for name, text in query_texts().items():
                runs = [run(text) for _ in range(repeats)]
                clocks = [clock - trip for _, clock, _ in runs]
                result["queries"][name] = {
                    "p50_ms": statistics.median(clocks) * 1000,
                    "min_ms": min(clocks) * 1000,
                    "p50_cpu_ms": statistics.median(cpu - trip_cpu for _, _, cpu in runs) * 1000,
                    "rows": runs[-1][0],
                }
        result["peak_rss_mb"] = peak_rss_mb(server.process.pid)
        return result
    finally:
        server.stop()


# ------------------------------------------------------------------ the run


class LoadSampler:
    """The machine's 1-minute load average every few seconds while a run lasts (others share the cores)."""

    def __init__(self, every: float = 5.0) -> None:
        self.at_start = os.getloadavg()
        self.samples = [self.at_start[0]]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(every,), daemon=True)
        self._thread.start()

    def _sample(self, every: float) -> None:
        while not self._stopped.wait(every):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> dict[str, float | list[float]]:
        self._stopped.set()
        self._thread.join()
        return {
            "mean": statistics.mean(self.samples),
            "max": max(self.samples),
            "at_start": list(self.at_start),  # 1, 5 and 15 minutes
            "at_end": list(os.getloadavg()),
        }


def measure(backend: str, n_triples: int, repeats: int, folder: Path, bulk: bool = True) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measure, args=(backend, n_triples, repeats, str(folder), bulk, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


STORES = {"oxigraph": "Oxigraph", "virtuoso": "Virtuoso", "rdflib_memory": "rdflib"}


def disagreements(entry: dict) -> list[str]:
    """Queries on which a store's number of rows is not Oxigraph's."""
    ours = entry["oxigraph"]["queries"]
    return [
        f"{name}: {STORES[store]} {entry[store]['queries'][name]['rows']} rows, Oxigraph {ours[name]['rows']}"
        for name in QUERIES
        for store in ("virtuoso", "rdflib_memory")
        if entry[store]["queries"][name]["rows"] != ours[name]["rows"]
    ]


def print_report(entry: dict) -> None:
    """The table of one size: ms per store and Oxigraph's time over each other store's (below 1: faster)."""
    ours, virtuoso, rdflib = entry["oxigraph"], entry["virtuoso"], entry["rdflib_memory"]
    print(f"\n{ours['triples']:,} quads in {ours['graphs']:,} named graphs")
    for key, title in (("p50_ms", "p50 of the clock, ms"), ("p50_cpu_ms", "p50 of CPU time, ms")):
        print(f"{title:<38}{'Oxigraph':>10}{'Virtuoso':>10}{'rdflib':>10}{'ox/virt':>9}{'ox/rdflib':>10}{'rows':>7}")
        for name in QUERIES:
            a, v, r = (store["queries"][name][key] for store in (ours, virtuoso, rdflib))
            ratios = f"{a / max(v, 1e-3):>9.2f}{a / max(r, 1e-3):>10.3f}"
            print(f"{name:<38}{a:>10.1f}{v:>10.1f}{r:>10.1f}{ratios}{ours['queries'][name]['rows']:>7}")
    trip = f"{virtuoso['round_trip_ms']:.2f} ms (CPU {virtuoso['round_trip_cpu_ms']:.2f} ms)"
    print(f"Virtuoso: HTTP round trip subtracted, the median of `ASK {{}}`: {trip}")
    per_quad = ours["load_s"] / ours["stored_quads"] * 1e6, virtuoso["load_s"] / virtuoso["quads"] * 1e6
    print(f"{'load (s)':<38}{ours['load_s']:>10.1f}{virtuoso['load_s']:>10.1f}{rdflib['load_s']:>10.1f}")
    print(f"{'load (µs per stored quad)':<38}{per_quad[0]:>10.1f}{per_quad[1]:>10.1f}")
    peaks = "".join(f"{store['peak_rss_mb']:>10.0f}" for store in (ours, virtuoso, rdflib))
    print(f"{'peak memory (MB)':<38}{peaks}")
    print(
        f"Oxigraph filled by {ours['load']}: {ours['stored_quads']:,} quads stored, the named graphs and their"
        f" merge ({ours['default_graph_triples']:,} triples) in the default graph; compaction"
        f" {ours['compact_s']:.1f} s of the load"
    )
    print(
        f"the same quads from the N-Quads file: Oxigraph's bulk loader alone {ours['file_load_s']:.1f} s"
        f" ({ours['file_load_s'] / ours['stored_quads'] * 1e6:.1f} µs a quad, compaction"
        f" {ours['file_compact_s']:.1f} s); Virtuoso {virtuoso['load_s']:.1f} s ({virtuoso['loaders']}"
        f" rdf_loader_run, checkpoint {virtuoso['checkpoint_s']:.1f} s)"
    )
    load = entry["load_average"]
    at = " / ".join(" ".join(f"{x:.2f}" for x in load[k]) for k in ("at_start", "at_end"))
    print(
        f"machine: {os.cpu_count()} cores; load average (1, 5, 15 min) at start / end {at};"
        f" 1-min mean {load['mean']:.1f}, max {load['max']:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--repeats", type=int, default=5, help="runs per query on Oxigraph and Virtuoso (rdflib: up to 3)"
    )
    parser.add_argument("--json", type=Path, default=Path("bench/results/sparql.json"))
    parser.add_argument("--work", type=Path, default=Path("var/bench-sparql"))
    parser.add_argument(
        "--load",
        choices=["bulk", "transactions"],
        default="bulk",
        help="how Oxigraph is filled: its bulk loader (default) or one transaction per batch of documents",
    )
    args = parser.parse_args()
    report, wrong = [], []
    for n in args.triples:
        folder = args.work / str(n)
        if folder.exists():
            shutil.rmtree(folder)
        sampler = LoadSampler()
        ours = measure("oxigraph", n, args.repeats, folder, bulk=args.load == "bulk")
        virtuoso = measure_virtuoso(folder, args.repeats)
        merged = virtuoso["default_graph_triples"], ours["default_graph_triples"]
        if merged[0] != merged[1]:  # not the same data: no point in comparing queries
            raise SystemExit(f"Virtuoso's merged graph holds {merged[0]} triples, Oxigraph's default graph {merged[1]}")
        theirs = measure("memory", n, min(args.repeats, 3), folder)
        entry = {
            "target_triples": n,
            "oxigraph": ours,
            "virtuoso": virtuoso,
            "rdflib_memory": theirs,
            "load_average": sampler.stop(),
        }
        report.append(entry)
        print_report(entry)
        wrong += [f"{n}: {problem}" for problem in disagreements(entry)]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten {args.json}")
    if wrong:
        raise SystemExit("the stores disagree:\n" + "\n".join(wrong))


if __name__ == "__main__":
    main()
