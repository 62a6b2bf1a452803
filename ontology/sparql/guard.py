"""What a public SPARQL endpoint lets through: read-only queries that never reach the network.

A query is parsed by rdflib's SPARQL parser and its algebra is walked before anything is evaluated:
updates (LOAD among them), SERVICE and FROM naming a graph this store does not hold are refused,
so neither the store nor any other engine is ever asked to write or to fetch.

The guard must decide on the text the engine runs. SPARQL 1.1 §19.2 replaces codepoint escapes
(\\uXXXX, \\UXXXXXXXX) over the whole text before parsing, as rdflib does; Oxigraph expands them only
inside strings and IRIs, so `"\\u0022"` closed a string for one and not for the other, and a SERVICE
hidden that way reached the engine. So the escapes are expanded here, once, and the expanded text is
both what rdflib checks and what the engine runs (`CheckedQuery.text`); an escape that spells another
escape is refused, so no parser can expand anything further.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from pyparsing.exceptions import ParseBaseException
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

from ontology.namespaces import PREFIXES

QUERY_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


TOO_DEEP = (
    "the query nests groups, sub-queries or brackets too deeply to be parsed here; "
    "flatten it (fewer levels of { } and ( ))"
)


CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class QueryRejected(ValueError):
    """The request cannot be run; `status` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CheckedQuery:
    text: str  # what the guard checked and the engine must run: codepoint escapes expanded
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    from_graphs: tuple[str, ...]
    from_named_graphs: tuple[str, ...]

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def _nodes(node: object) -> Iterator[CompValue]:
    """Every algebra or parse-tree node under `node`, depth first."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, CompValue):
            yield current
            stack.extend(current.values())
        elif isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list | tuple) or type(current).__name__ == "ParseResults":
            stack.extend(current)


def expand_codepoint_escapes(text: str) -> str:
    """`text` with its codepoint escapes replaced by the characters they name, as SPARQL 1.1 §19.2 says.

    QueryRejected for an escape that names no character, or whose expansion spells another escape
    (`\\u005Cu0022`): a second expansion, by any parser, would then read a different query."""

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF:
            raise QueryRejected(f"the escape {match.group(0)} at character {match.start()} names no Unicode character")
        return chr(code)

    if "\\u" not in text and "\\U" not in text:
        return text
    expanded = CODEPOINT_ESCAPE.sub(character, text)
    try:  # a pair of UTF-16 surrogate escapes is one character; a lone surrogate is none
        expanded = expanded.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError as error:
        raise QueryRejected("the query has a \\uD800–\\uDFFF escape that is half of a character") from error
    leftover = CODEPOINT_ESCAPE.search(expanded)
    if leftover:
        raise QueryRejected(
            f"the codepoint escapes of the query spell another escape ({leftover.group(0)} at character "
            f"{leftover.start()} once expanded); write the character itself, or escape it once"
        )
    return expanded


def _syntax_message(error: Exception) -> str:
    return f"the query is not valid SPARQL: {error}"


def check_query(text: str, local_graphs: Collection[str] | None = None) -> CheckedQuery:
    """Parse `text` and refuse what a read-only, offline endpoint must not run.

    `local_graphs` are the graphs this store holds; a FROM naming any other graph is refused as remote.
    """
    if not text or not text.strip():
        raise QueryRejected("the query is empty: send it as query=… or as an application/sparql-query body")
    text = expand_codepoint_escapes(text)
    try:
        parsed = parseQuery(text)
    except RecursionError as error:
        raise QueryRejected(TOO_DEEP) from error
    except ParseBaseException as query_error:
        try:
            parseUpdate(text)
        except (ParseBaseException, RecursionError):
            raise QueryRejected(_syntax_message(query_error)) from query_error
        raise QueryRejected(
            "SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE …) is not accepted: this endpoint is read-only",
            403,
        ) from query_error
    try:
        query = translateQuery(parsed, initNs=PREFIXES)
    except RecursionError as error:
        raise QueryRejected(TOO_DEEP) from error
    except Exception as error:  # rdflib raises plain Exceptions for unknown prefixes and bad scoping
        raise QueryRejected(_syntax_message(error)) from error
    form = QUERY_FORMS.get(parsed[1].name, parsed[1].name)
    # the parse tree too, so that nothing the algebra's translation might drop goes unseen
    for node in (*_nodes(query.algebra), *_nodes(parsed)):
        if node.name == "ServiceGraphPattern":
            term = node.get("term")
            name = term.n3() if hasattr(term, "n3") else "of an endpoint"
            raise QueryRejected(
                f"SERVICE {name} is refused: this endpoint does not send queries to other endpoints", 403
            )
    from_graphs: list[str] = []
    from_named: list[str] = []
    for clause in query.algebra.get("datasetClause") or ():
        is_default = "default" in clause
        iri = clause["default"] if is_default else clause["named"]
        if not isinstance(iri, URIRef):
            raise QueryRejected(f"FROM needs an IRI, not {iri!r}")
        if local_graphs is not None and str(iri) not in local_graphs:
            raise QueryRejected(
                f"FROM <{iri}> names no graph held by this store, and remote graphs are never fetched; "
                "SELECT DISTINCT ?g WHERE { GRAPH ?g {} } lists the graphs held here",
                403,
            )
        (from_graphs if is_default else from_named).append(str(iri))
    return CheckedQuery(text, form, tuple(from_graphs), tuple(from_named))
