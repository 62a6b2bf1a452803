"""The `zamena` command: ingest, sparql, export, validate, stats, extract."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from tqdm import tqdm

from ontology.formats import BY_NAME, rdf_format
from ontology.graph import StoreLocked
from zamena.settings import Settings

RESULT_FORMATS = ("table", "json", "csv", "tsv", "xml")


def _open_kb(read_only: bool = False):  # noqa: ANN202 - imported lazily: spaCy is slow to import
    from zamena.kb import KnowledgeBase

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
def ingest(paths: tuple[Path, ...], strict: bool, quiet: bool) -> None:
    """Read files and folders into the knowledge graph (re-ingesting a file replaces its graph)."""
    from ingest.document import ReadError

    with _open_kb() as kb:

        def progress(files):  # noqa: ANN001, ANN202
            return tqdm(files, desc="ingest", unit="doc", disable=quiet, file=sys.stderr)

        try:
            report = kb.ingest(paths, strict=strict, progress=progress)
        except ReadError as error:
            raise click.ClickException(f"{error} (--strict stops at the first failure)") from error
        click.echo(report.summary())
    if report.failed and strict:
        sys.exit(1)


@main.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.File(encoding="utf-8"), help="Read the query from a .rq file.")
@click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default="table", show_default=True)
def sparql(query: str | None, query_file, fmt: str) -> None:  # noqa: ANN001
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
        else:
            click.echo(result.serialize(format=fmt).decode("utf-8"))


def format_table(result) -> str:  # noqa: ANN001
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
@click.option("--format", "fmt", type=click.Choice(sorted(BY_NAME)), default="trig", show_default=True)
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
    from ingest.readers import read_document
    from ingest.reporting import extraction_record

    failed = 0
    for path in files:
        try:
            record = extraction_record(run_extract(read_document(path)), Settings.from_env().base_uri)
        except ReadError as error:
            failed += 1
            click.echo(str(error), err=True)
            continue
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"# {path}")
            for e in record["entities"]:
                click.echo(f"  {e['type']:<8} {e['name']}  [{e['start']}:{e['end']}] {e['text']!r}")
            for r in record["relations"]:
                click.echo(f"  {r['subject']} —{r['type']}→ {r['object']}  ({r['confidence']})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
