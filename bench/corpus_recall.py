"""How much of the residents' fact table the graph reads back: from the news text alone, and from profiles.

    python -m bench.corpus_recall [--table tests/data/residents/residents-facts.md] [--misses]

Each row of the table names a firm and the page its fact comes from. A row is found when the graph
built from the corpus holds a fact about that firm (it makes, develops or supplies a product, joins a
cluster or centre, is a zone's resident or at one of its sites, has a capacity or staff, or names its
line of business, «специализируется на …», as a competence) whose evidence is a sentence of a document
citing that page: its own url or one of the `sources` it was written from. A profile cites its pages
per fact, so any profile's fact about the firm counts for it. Rows whose page names no firm are left
out. News and profiles are ingested into separate fresh stores, so each share says what that part of
the corpus gives on its own; both with the zone profile (corpora/zone), which states no fact of the
table but tells a site from a firm.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ingest.names import name_key
from ontology.namespaces import sparql_prologue
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

PROJECT = Path(__file__).resolve().parent.parent
TABLE = PROJECT / "tests" / "data" / "residents" / "residents-facts.md"

# Firms named in a graph fact, with the page of the document its evidence comes from (a profile cites
# its pages per fact in its front matter and has none of its own: "" then).
FACTS_BY_PAGE = """
SELECT DISTINCT ?url ?label WHERE {
  ?e a zo:Evidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?doc .
  OPTIONAL { ?doc schema:url|schema:citation ?page }
  BIND (COALESCE(STR(?page), "") AS ?url)
  VALUES ?p { org:memberOf zo:residentOf zo:productionCapacity schema:numberOfEmployees
              schema:manufacturer zo:supplier schema:location zo:hasCompetence }
  BIND (IF(?p IN (schema:manufacturer, zo:supplier), ?o, ?s) AS ?firm)
  ?firm a schema:Corporation ; skos:prefLabel|skos:altLabel ?label .
}
"""


@dataclass(frozen=True)
class Row:
    firms: tuple[str, ...]
    fact: str
    url: str


def rows(table: Path) -> list[Row]:
    """The fact rows of sections 1 and 2 with a named firm: «Элта (завод «Элта»)» → Элта."""
    found = []
    for line in table.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not cells[4].startswith("http") or cells[0].startswith("("):
            continue
        names = tuple(re.sub(r"\s*\(.*?\)\s*", " ", name).strip() for name in cells[0].split(";"))
        found.append(Row(tuple(n for n in names if n), cells[1], cells[4]))
    return list(dict.fromkeys(found))


def firms_by_page(*corpus: Path) -> dict[str, set[str]]:
    """The name keys of the firms with a fact read from each page's documents, for a fresh graph of `corpus`."""
    with tempfile.TemporaryDirectory() as home, KnowledgeBase(Settings.from_env(home=Path(home))) as kb:
        kb.ingest(list(corpus))
        found: dict[str, set[str]] = {}
        for url, label in kb.graph.query(sparql_prologue() + FACTS_BY_PAGE):
            found.setdefault(str(url).rstrip("/"), set()).add(name_key(str(label)))
    return found


def recall(table_rows: list[Row], found: dict[str, set[str]]) -> tuple[float, list[Row]]:
    def known(row: Row) -> set[str]:
        return found.get(row.url.rstrip("/"), set()) | found.get("", set())

    missed = [r for r in table_rows if not {name_key(f) for f in r.firms} & known(r)]
    return 1 - len(missed) / len(table_rows) if table_rows else 0.0, missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=Path, default=TABLE)
    parser.add_argument("--misses", action="store_true", help="list the rows the news text does not give")
    args = parser.parse_args()
    table_rows = rows(args.table)
    print(f"{args.table.name}: {len(table_rows)} rows with a named firm")
    zone = PROJECT / "corpora" / "zone"
    news_share, missed = recall(table_rows, firms_by_page(PROJECT / "corpora" / "news", zone))
    profile_share, _ = recall(table_rows, firms_by_page(PROJECT / "corpora" / "profiles", zone))
    print("| read from | rows found |")
    print("|---|---|")
    print(f"| news text alone | {news_share:.2f} |")
    print(f"| profiles alone | {profile_share:.2f} |")
    if args.misses:
        for row in missed:
            print(f"missed: {'; '.join(row.firms)} — {row.fact[:110]} — {row.url}")


if __name__ == "__main__":
    main()
