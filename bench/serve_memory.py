"""Memory while serving: `zamena serve` over ~1M triples and ~100k vectors, under a mix of requests.

    python -m bench.serve_memory [--home var/bench-serve] [--triples 1000000] [--vectors 100000]
                                 [--seconds 60] [--clients 8] [--json bench/results/serve-memory.json]

The knowledge base is built once in --home and reused while it matches the arguments (--rebuild builds it
again): the synthetic graphs of the SPARQL benchmark (bench/sparql_bench.build_graphs, every firm marked
zo:synthetic), bulk-loaded into the default Oxigraph store, and a search index written by
search/index.py's SearchIndex from the items the graph gives (search/items.graph_items), topped up to
--vectors with numbered copies of those items. Its vectors are the real e5 vectors of the index at
ZAMENA_HOME, with noisy copies past their number, as bench/search_speed makes them; its state token is
the graph's, so the server takes it as up to date. The server embeds query texts with the real model
(ZAMENA_MODEL, default: the rebuilt e5 under ZAMENA_HOME), which is counted.

Then `zamena serve` runs on a loopback port (bench/load.start_server). First one client asks the search
API each question of the evaluation set (tests/data/search-queries.jsonl) in turn: search latency of the
server alone, p50 and p95, against the target of 100 ms (p95) at 100k items. Then --clients threads send search
pages, search API calls, the SPARQL benchmark's expert queries and entity pages for --seconds. The RSS of
the server and of every process under it (the fork server and its SPARQL query workers) is sampled each
second; the table gives peak and steady (median of the second half of the run) totals, and per process.
PSS is given too: forked workers share pages with their parent, which a sum of RSS counts more than once.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil

from bench.load import KINDS, Tally, client, entity_paths, fetch, percentile, start_server
from bench.search_eval import QUERIES as EVALUATION_QUESTIONS
from bench.search_speed import ArrayEmbedder, clustered, real_vectors, vector_set
from bench.sparql_bench import BASE, LOAD_BATCH, QUERIES, LoadSampler, build_graphs
from zamena.settings import Settings

SEARCHES = [
    "частотные преобразователи",
    "датчик тока",
    "кто делает контроллеры",
    "трансформатор",
    "композиты",
    "electric motors",
    "медицинская техника",
    "модуль управления двигателем",
]
MARKER = "bench-serve.json"  # what the knowledge base in --home was built with


@dataclass
class Samples:
    """RSS and PSS of the server's processes, one entry a second."""

    totals: list[tuple[float, int, int]] = field(default_factory=list)  # (seconds, RSS, PSS) summed
    per_process: dict[int, dict[str, object]] = field(default_factory=dict)  # pid → role, rss and pss lists


def role(process: psutil.Process, server_pid: int) -> str:
    """What a process under the server is, from its command line."""
    if process.pid == server_pid:
        return "server (waitress, model, index)"
    command = " ".join(process.cmdline())
    if "resource_tracker" in command:
        return "resource tracker"
    # Workers are forked from the fork server and keep its command line: its parent tells them apart.
    if "forkserver" in command and process.ppid() == server_pid:
        return "fork server"
    return "SPARQL query worker"


def sample(server: psutil.Process, samples: Samples, started: float) -> None:
    rss_total = pss_total = 0
    for process in [server, *server.children(recursive=True)]:
        try:
            info = process.memory_full_info()
            entry = samples.per_process.setdefault(
                process.pid, {"role": role(process, server.pid), "rss": [], "pss": []}
            )
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue  # a worker stopped at its time limit between listing and reading
        entry["rss"].append(info.rss)
        entry["pss"].append(info.pss)
        rss_total += info.rss
        pss_total += info.pss
    samples.totals.append((time.monotonic() - started, rss_total, pss_total))


def steady(values: list[int]) -> int:
    """The median of the second half: after the first requests have loaded what they load."""
    return int(statistics.median(values[len(values) // 2 :])) if values else 0


def mb(value: float) -> float:
    return round(value / 2**20, 1)


def summary(samples: Samples) -> dict[str, object]:
    rss = [r for _, r, _ in samples.totals]
    pss = [p for _, _, p in samples.totals]
    processes = [
        {
            "pid": pid,
            "role": entry["role"],
            "peak_rss_mb": mb(max(entry["rss"])),
            "steady_rss_mb": mb(steady(entry["rss"])),
            "peak_pss_mb": mb(max(entry["pss"])),
            "samples": len(entry["rss"]),
        }
        for pid, entry in samples.per_process.items()
    ]
    return {
        "peak_rss_mb": mb(max(rss)),
        "steady_rss_mb": mb(steady(rss)),
        "peak_pss_mb": mb(max(pss)),
        "steady_pss_mb": mb(steady(pss)),
        "processes": processes,
        "series": [(round(t, 1), mb(r), mb(p)) for t, r, p in samples.totals],
    }


# ------------------------------------------------------------ the knowledge base


def build_home(home: Path, triples: int, vectors: int, base: np.ndarray) -> dict[str, object]:
    """Fill `home` with the synthetic graph and a search index of `vectors` items; what was built."""
    from search.index import GraphChange, SearchIndex
    from search.items import graph_items
    from zamena.kb import KnowledgeBase

    settings = Settings.from_env()
    started = time.perf_counter()
    with KnowledgeBase(settings) as kb:  # writable: it loads the vocabulary as a real home has it
        graphs = build_graphs(triples)
        for first in range(0, len(graphs), LOAD_BATCH):
            kb.graph.replace_document_graphs(graphs[first : first + LOAD_BATCH], bulk=True)
        kb.graph.compact()
        load_s = time.perf_counter() - started
        quads = len(kb.graph)
        started = time.perf_counter()
        digests = kb.graph.graph_digests()
        changes = [GraphChange(g, d, graph_items(kb.graph, g)) for g, d in sorted(digests.items())]
        own_items = sum(len(change.items) for change in changes)
        top_up(changes, vectors)
        unique = len({item.text for change in changes for item in change.items})
        rows, _queries = vector_set(unique, base, np.random.default_rng(vectors))
        index = SearchIndex(dimension=rows.shape[1], model=str(model_location(settings)), kind=settings.index_kind)
        index.apply(changes, [], ArrayEmbedder(rows))
        index.state_token = kb.graph.state_token()
        index.save(settings.index_path)
        built = {
            "triples_target": triples,
            "vectors_target": vectors,
            "quads": quads,
            "named_graphs": len(digests),
            "index_items": len(index),
            "items_from_graph": own_items,
            "index_kind": index.kind,
            "state_token": index.state_token,
            "load_s": round(load_s, 1),
            "index_s": round(time.perf_counter() - started, 1),
        }
    (home / MARKER).write_text(json.dumps(built, indent=1), encoding="utf-8")
    return built


def top_up(changes: list, target: int) -> None:
    """Add numbered copies of the items (same URI and graph, text made unique) until there are `target`."""
    from dataclasses import replace

    originals = [(change, item) for change in changes for item in change.items]
    count, n = len(originals), 0
    while count < target and originals:
        change, item = originals[n % len(originals)]
        change.items.append(replace(item, text=f"{item.text} · {n // len(originals) + 1}"))
        count, n = count + 1, n + 1


def model_location(settings: Settings) -> str | Path:
    from search.embedder import model_location as location

    return location(settings.model, settings.default_model_path)


def reusable(home: Path, triples: int, vectors: int, kind: str) -> dict[str, object] | None:
    """What an earlier run built in `home`, when it was built with these arguments and the index matches."""
    marker = home / MARKER
    if not marker.exists():
        return None
    built = json.loads(marker.read_text(encoding="utf-8"))
    if (built["triples_target"], built["vectors_target"], built["index_kind"]) != (triples, vectors, kind):
        return None
    from search.index import SearchIndex
    from zamena.kb import KnowledgeBase

    with KnowledgeBase(Settings.from_env(), read_only=True) as kb:
        index = SearchIndex.load(kb.settings.index_path)
        current = index is not None and index.state_token == kb.graph.state_token()
    return built if current else None


# ------------------------------------------------------------ traffic


def one_client(url: str, rounds: int) -> dict[str, object]:
    """Search API latency with nothing else running: each evaluation question, `rounds` times."""
    with EVALUATION_QUESTIONS.open(encoding="utf-8") as lines:
        questions = [json.loads(line)["query"] for line in lines if line.strip()]
    for question in SEARCHES[:3]:  # the first searches load the model's and the index's pages
        fetch(f"{url}/api/search?{urllib.parse.urlencode({'q': question})}", timeout=120)
    seconds: list[float] = []
    for _ in range(rounds):
        for question in questions:
            started = time.monotonic()
            status, message = fetch(f"{url}/api/search?{urllib.parse.urlencode({'q': question})}", timeout=60)
            seconds.append(time.monotonic() - started)
            if status != 200:
                raise RuntimeError(f"search for {question!r} answered HTTP {status}: {message}")
    return {
        "questions": len(questions),
        "requests": len(seconds),
        "p50_ms": round(statistics.median(seconds) * 1000, 1),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 1),
    }


def drive(url: str, server_pid: int, seconds: float, clients: int, kinds: list[str]) -> tuple[Samples, Samples, Tally]:
    """(samples while idle, samples under traffic, request tally)."""
    server = psutil.Process(server_pid)
    idle, busy, tally = Samples(), Samples(), Tally()
    started = time.monotonic()
    for _ in range(5):
        sample(server, idle, started)
        time.sleep(1)
    entities = entity_paths(url)
    queries = [query.replace("{base}", BASE) for query in QUERIES.values()]
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client, args=(url, deadline, tally, entities, i, kinds, SEARCHES, queries))
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    while any(thread.is_alive() for thread in threads):
        sample(server, busy, started)
        time.sleep(1)
    for thread in threads:
        thread.join()
    return idle, busy, tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path("var/bench-serve"))
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--vectors", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--start-wait", type=float, default=900, help="seconds the server may take to start")
    parser.add_argument(
        "--without-search",
        action="store_true",
        help="serve the same graph with no search index (a sibling home whose graph is a link to --home's): "
        "only SPARQL and entity pages are sent. For when search on the large graph is too slow to warm up.",
    )
    parser.add_argument("--rounds", type=int, default=3, help="times one client asks each evaluation question")
    parser.add_argument("--rebuild", action="store_true", help="build the knowledge base in --home again")
    parser.add_argument("--json", type=Path, default=Path("bench/results/serve-memory.json"))
    args = parser.parse_args()
    source = Settings.from_env()  # the home whose real vectors and model are used
    base = real_vectors(source.index_path)
    if base is None:
        base = clustered(20_000, np.random.default_rng(0))
    if not source.model:
        if not source.default_model_path.exists():
            parser.error(f"no model at {source.default_model_path}: run `zamena model build` or set ZAMENA_MODEL")
        os.environ["ZAMENA_MODEL"] = str(source.default_model_path.resolve())
    home = args.home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["ZAMENA_HOME"] = str(home)
    kind = Settings.from_env().index_kind
    built = None if args.rebuild else reusable(home, args.triples, args.vectors, kind)
    if built is None:
        import shutil

        for folder in ("graph", "index"):
            shutil.rmtree(home / folder, ignore_errors=True)
        print(f"building {home}: ~{args.triples:,} triples, {args.vectors:,} vectors …", flush=True)
        built = build_home(home, args.triples, args.vectors, base)
    else:
        print(f"reusing {home}", flush=True)
    print(
        f"{built['quads']:,} quads in {built['named_graphs']:,} named graphs; {built['index_items']:,} "
        f"{built['index_kind']} index items ({built['items_from_graph']:,} from the graph itself)"
    )
    loads = LoadSampler()
    log = args.json.with_suffix(".server.log")
    if args.without_search:
        served = home.with_name(home.name + "-without-search")
        served.mkdir(exist_ok=True)
        if not (served / "graph").exists():
            (served / "graph").symlink_to(home / "graph", target_is_directory=True)
        home = served
    started = time.monotonic()
    server, url = start_server(home, log=log, wait=args.start_wait)
    start_s = time.monotonic() - started
    print(f"the server answered after {start_s:.0f} s", flush=True)
    kinds = ["sparql", "entity page"] if args.without_search else list(KINDS)
    try:
        alone = None if args.without_search else one_client(url, args.rounds)
        idle, busy, tally = drive(url, server.pid, args.seconds, args.clients, kinds)
    finally:
        server.terminate()
        server.wait(30)
    load_average = loads.stop()
    result = {
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average": load_average,
        "knowledge_base": built,
        "model": os.environ["ZAMENA_MODEL"],
        "server_start_s": round(start_s, 1),
        "seconds": args.seconds,
        "clients": args.clients,
        "without_search": args.without_search,
        "search_one_client": alone,
        "idle": summary(idle),
        "serving": summary(busy),
        "requests": {
            kind: {
                "count": len(values),
                "p50_ms": round(statistics.median(values) * 1000, 1),
                "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            }
            for kind, values in sorted(tally.latencies.items())
        },
        "errors": tally.errors[:20],
        "error_count": len(tally.errors),
    }
    report(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"written {args.json}")


def report(result: dict) -> None:
    serving, idle = result["serving"], result["idle"]
    requests = sum(v["count"] for v in result["requests"].values())
    alone = result["search_one_client"]
    if alone:
        print(
            f"\nsearch API, one client: {alone['requests']} requests ({alone['questions']} questions), "
            f"p50 {alone['p50_ms']:.0f} ms, p95 {alone['p95_ms']:.0f} ms (target: p95 ≤ 100 ms)"
        )
    print(
        f"\n{requests} requests in {result['seconds']:.0f} s from {result['clients']} clients, "
        f"errors: {result['error_count']}"
    )
    print(f"{'kind':<14}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}   (target: search p95 ≤ 1,000 ms)")
    for kind, figures in result["requests"].items():
        print(f"{kind:<14}{figures['count']:>9}{figures['p50_ms']:>9.0f}{figures['p95_ms']:>9.0f}")
    print(f"\n{'memory (MB)':<34}{'idle':>8}{'peak':>8}{'steady':>8}")
    print(f"{'all processes, RSS summed':<34}{idle['steady_rss_mb']:>8.0f}{serving['peak_rss_mb']:>8.0f}", end="")
    print(f"{serving['steady_rss_mb']:>8.0f}")
    print(f"{'all processes, PSS summed':<34}{idle['steady_pss_mb']:>8.0f}{serving['peak_pss_mb']:>8.0f}", end="")
    print(f"{serving['steady_pss_mb']:>8.0f}")
    print(f"\n{'process':<34}{'pid':>8}{'peak RSS':>10}{'steady':>8}{'peak PSS':>10}")
    for process in sorted(serving["processes"], key=lambda p: -p["peak_rss_mb"]):
        print(
            f"{process['role']:<34}{process['pid']:>8}{process['peak_rss_mb']:>10.0f}"
            f"{process['steady_rss_mb']:>8.0f}{process['peak_pss_mb']:>10.0f}"
        )
    busy = result["load_average"]
    print(f"machine: {result['cpus']} cores, {result['memory_gb']} GB; 1-min load average {busy['mean']:.1f}", end="")
    print(f" (max {busy['max']:.1f})")


if __name__ == "__main__":
    main()
