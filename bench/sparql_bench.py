"""SPARQL benchmark: eight expert queries on synthetic Zamena graphs, Oxigraph against rdflib's memory store.

    python -m bench.sparql_bench --triples 100000 1000000 [--json bench/results/sparql.json]

The graphs are built through Zamena's own mapping (ingest.mapping.GraphMapper) from generated
extractions, one named graph per synthetic firm profile, so they have the shape a real ingest gives:
firms, products with ОКПД-like categories, competences with a hierarchy, and evidence for every fact.
Every generated firm carries zo:synthetic true. Each store is measured in a fresh process of its own, so
that its load time and peak memory are its own; both run in the same invocation, so ratios compare like
with like. Oxigraph is filled through KnowledgeGraph.replace_document_graphs (its bulk loader, or
`--load transactions`), compacted, and queried opened read-only, as `zamena sparql` and the web server
query it; rdflib's store is filled one document at a time, as it has no other way. Both run the same
query text. Times are the median of the clock and of the CPU time: on shared cores the clock also
counts the wait for a core.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import threading
import time
from pathlib import Path

from rdflib import XSD, Literal, URIRef

from ingest.document import Document
from ingest.mapping import GraphMapper
from ingest.model import Entity, Extraction, Fact, Mention
from ontology.graph import KnowledgeGraph
from ontology.namespaces import sparql_prologue
from ontology.uris import UriMinter

BASE = "https://zamena.example.org/"
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
    # From the sections down: Oxigraph joins around a property path in the order written (from the
    # products up it walks skos:broader+ once per product: 20× slower); rdflib orders the patterns itself
    # and takes the same time either way.
    "products per classifier section": """
        SELECT ?section (COUNT(?product) AS ?n) WHERE {
            ?section skos:topConceptOf ?scheme . ?cat skos:broader+ ?section . ?product schema:category ?cat
        } GROUP BY ?section ORDER BY DESC(?n)""",
    "facts of a firm with provenance": """
        SELECT ?p ?o ?quote ?doc WHERE {
            ?e rdf:subject <{base}id/firm/firma-7> ; rdf:predicate ?p ; rdf:object ?o ;
               prov:wasDerivedFrom ?doc ; oa:hasSelector/oa:exact ?quote }""",
    "text filter on labels": """
        SELECT ?product ?label WHERE { ?product a schema:Product ; skos:prefLabel ?label .
            FILTER(CONTAINS(LCASE(STR(?label)), "трансформатор 1")) }""",
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
    return triples


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


def _measure(backend: str, n_triples: int, repeats: int, folder: str, bulk: bool, out) -> None:
    """In a fresh process: load the graph into `backend`, run every query, report times and peak memory."""
    graphs = build_graphs(n_triples)
    kg = KnowledgeGraph.open(backend, Path(folder) / backend)
    started = time.perf_counter()
    for first in range(0, len(graphs), LOAD_BATCH):
        kg.replace_document_graphs(graphs[first : first + LOAD_BATCH], bulk=bulk)
    kg.compact()
    load_seconds = time.perf_counter() - started
    if backend == "oxigraph":
        # queried as `zamena sparql` and the web server's workers query it: opened read-only, apart from
        # the writer (measured here: the writer's own store answered the same queries up to twice as slowly)
        kg.close()
        kg = KnowledgeGraph.open(backend, Path(folder) / backend, read_only=True)
    result = {
        "backend": backend,
        "triples": len(kg),
        "graphs": len(graphs),
        "load_s": load_seconds,
        "load": LOAD_MODES[backend if backend == "memory" else "bulk" if bulk else "transactions"],
        "queries": {},
    }
    prologue = sparql_prologue()
    for name, query in QUERIES.items():
        text = prologue + query.replace("{base}", BASE)
        times, cpu_times, rows = [], [], 0
        for _ in range(repeats):
            t, cpu = time.perf_counter(), time.process_time()
            rows = len(list(kg.query(text)))
            times.append(time.perf_counter() - t)
            cpu_times.append(time.process_time() - cpu)
        # CPU time besides the clock: on shared cores a query waits for a core, and the clock counts the wait
        result["queries"][name] = {
            "p50_ms": statistics.median(times) * 1000,
            "min_ms": min(times) * 1000,
            "p50_cpu_ms": statistics.median(cpu_times) * 1000,
            "rows": rows,
        }
    # VmHWM is this process's own peak; ru_maxrss would carry the parent's over the spawn's exec
    with open("/proc/self/status") as status:
        result["peak_rss_mb"] = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    kg.close()
    out.put(result)


class LoadSampler:
    """The machine's 1-minute load average every few seconds while a run lasts (others share the cores)."""

    def __init__(self, every: float = 5.0) -> None:
        self.samples = [os.getloadavg()[0]]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(every,), daemon=True)
        self._thread.start()

    def _sample(self, every: float) -> None:
        while not self._stopped.wait(every):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> dict[str, float]:
        self._stopped.set()
        self._thread.join()
        return {"mean": statistics.mean(self.samples), "max": max(self.samples)}


def measure(backend: str, n_triples: int, repeats: int, folder: Path, bulk: bool = True) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measure, args=(backend, n_triples, repeats, str(folder), bulk, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=5, help="runs per query on Oxigraph (rdflib: up to 3)")
    parser.add_argument("--json", type=Path, default=Path("bench/results/sparql.json"))
    parser.add_argument("--work", type=Path, default=Path("var/bench-sparql"))
    parser.add_argument(
        "--load",
        choices=["bulk", "transactions"],
        default="bulk",
        help="how Oxigraph is filled: its bulk loader (default) or one transaction per batch of documents",
    )
    args = parser.parse_args()
    report = []
    for n in args.triples:
        folder = args.work / str(n)
        if folder.exists():
            import shutil

            shutil.rmtree(folder)
        sampler = LoadSampler()
        ours = measure("oxigraph", n, args.repeats, folder, bulk=args.load == "bulk")
        theirs = measure("memory", n, min(args.repeats, 3), folder)
        load_average = sampler.stop()
        report.append({"target_triples": n, "oxigraph": ours, "rdflib_memory": theirs, "load_average": load_average})
        print(f"\n{ours['triples']:,} quads in {ours['graphs']:,} named graphs")
        print(f"{'':<38}{'p50 of the clock':^32}{'p50 of CPU time':^32}")
        columns = f"{'oxigraph ms':>12}{'rdflib ms':>12}{'ratio':>8}"
        print(f"{'query':<38}{columns}{columns}{'rows':>7}")
        for name in QUERIES:
            a, b = ours["queries"][name], theirs["queries"][name]
            cells = ""
            for key in ("p50_ms", "p50_cpu_ms"):
                ratio = b[key] / max(a[key], 1e-6)
                cells += f"{a[key]:>12.1f}{b[key]:>12.1f}{ratio:>7.0f}×"
            print(f"{name:<38}{cells}{a['rows']:>7}")
            assert a["rows"] == b["rows"], f"{name}: the stores disagree ({a['rows']} vs {b['rows']} rows)"
        print(f"{'load (s)':<38}{ours['load_s']:>12.1f}{theirs['load_s']:>12.1f}")
        print(f"{'peak memory (MB)':<38}{ours['peak_rss_mb']:>12.0f}{theirs['peak_rss_mb']:>12.0f}")
        print(f"Oxigraph filled by {ours['load']}")
        busy = f"1-min load average {load_average['mean']:.1f} (max {load_average['max']:.1f})"
        print(f"machine: {os.cpu_count()} cores; {busy}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten {args.json}")


if __name__ == "__main__":
    main()
