"""The layout is the architecture: which package may import what, read from the code itself (every import
statement, those inside functions included)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PACKAGES = ("ontology", "ingest", "search", "web", "zamena")
STORE_LIBRARIES = ("pyoxigraph", "oxrdflib")


@dataclass(frozen=True)
class Rule:
    package: str  # the importing package (a top folder), or one module as "zamena/cli.py"
    forbidden: tuple[str, ...]  # module prefixes it may not import
    allowed: tuple[str, ...] = ()  # exceptions to `forbidden`
    why: str = ""


RULES = (
    Rule("web", (*STORE_LIBRARIES, "faiss", "spacy"), why="web/ is Flask only: the facade and services do the rest"),
    Rule("search", ("web",), why="search answers are rendered by web/, which search does not know"),
    Rule("ingest", ("search", "web"), why="reading documents needs neither the index nor the pages"),
    Rule("search", STORE_LIBRARIES, why="only ontology/ opens a store"),
    Rule("ingest", STORE_LIBRARIES, why="only ontology/ opens a store"),
    Rule("zamena", STORE_LIBRARIES, why="only ontology/ opens a store"),
    Rule("zamena/cli.py", ("web",), allowed=("web.app",), why="the CLI needs web/ only to serve the app"),
)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in a file; `from a import b` counts as a.b as well as a."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _matches(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def private_library_names(module: str) -> bool:
    """`oxrdflib._converter`, `from spacy.x import _y`: a library's private name, which may change any day."""
    top = module.split(".")[0]
    return top not in PACKAGES and top != "__future__" and any(part.startswith("_") for part in module.split("."))


def violations(root: Path) -> list[str]:
    """Every import that breaks a rule, or names a library's private module or object, under `root`."""
    problems = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            for line, module in imported_modules(path):
                if private_library_names(module):
                    problems.append(f"{relative}:{line} imports {module}: a library's private name")
                for rule in RULES:
                    applies = relative == rule.package or relative.startswith(rule.package + "/")
                    if applies and _matches(module, rule.forbidden) and not _matches(module, rule.allowed):
                        problems.append(f"{relative}:{line} imports {module}: {rule.why}")
    return sorted(set(problems))


def test_every_package_keeps_to_its_boundaries() -> None:
    assert violations(PROJECT) == []


def test_only_ontology_imports_a_store_library() -> None:
    importers = {
        path.relative_to(PROJECT).parts[0]
        for package in PACKAGES
        for path in (PROJECT / package).rglob("*.py")
        for _line, module in imported_modules(path)
        if _matches(module, STORE_LIBRARIES)
    }
    assert importers == {"ontology"}


def test_a_forbidden_import_is_caught(tmp_path: Path) -> None:
    """The check can fail: a copy of the layout with one bad import in each place the rules guard."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "web" / "page.py").write_text("def f():\n    import pyoxigraph\n", encoding="utf-8")
    (tmp_path / "search" / "rank.py").write_text("from web.describe import Describer\n", encoding="utf-8")
    (tmp_path / "ingest" / "read.py").write_text("from search import engine\n", encoding="utf-8")
    (tmp_path / "zamena" / "cli.py").write_text(
        "from web.app import create_app\nfrom web.ui import bp\n", encoding="utf-8"
    )
    (tmp_path / "ontology" / "graph.py").write_text("from oxrdflib._converter import to_ox\n", encoding="utf-8")
    found = violations(tmp_path)
    assert sorted({problem.split(" imports ")[0] for problem in found}) == [
        "ingest/read.py:1",
        "ontology/graph.py:1",
        "search/rank.py:1",
        "web/page.py:2",
        "zamena/cli.py:2",
    ]
