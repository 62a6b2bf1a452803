"""Indexing while the site is up: the classifiers' twenty thousand classes are embedded by a background
`zamena index` after the documents, and the pages say how far it has come.

The indexer writes its progress to a small file under ZAMENA_HOME; the server reads it. The index itself
is shared the usual way: the server reloads it when a newer one is saved (search.service)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from zamena.kb import KnowledgeBase

PROGRESS_FILE = "index-progress.json"


@dataclass(frozen=True)
class IndexingState:
    """What the pages tell a reader while the index is behind the graph."""

    pending_graphs: int  # named graphs not yet in the index
    done: int | None  # texts embedded by the running indexer, when one runs
    total: int | None

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.total) if self.done is not None and self.total else None


def write_progress(home: Path, done: int, total: int) -> None:
    """Record the indexer's progress (written whole, then moved into place: a reader never sees half)."""
    path = home / PROGRESS_FILE
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps({"done": done, "total": total, "pid": os.getpid()}), encoding="utf-8")
    partial.replace(path)


def clear_progress(home: Path) -> None:
    (home / PROGRESS_FILE).unlink(missing_ok=True)


def read_progress(home: Path) -> tuple[int, int] | None:
    """(done, total) of the indexer that is running, if one is."""
    try:
        data = json.loads((home / PROGRESS_FILE).read_text(encoding="utf-8"))
        os.kill(int(data["pid"]), 0)  # a file left by an indexer that died says nothing
        return int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def indexing_state(kb: KnowledgeBase) -> IndexingState | None:
    """None when the index matches the graph; otherwise how many graphs wait and how far the indexer is."""
    status = kb.index_status()
    if not status["stale"] or not status.get("pending_graphs"):
        return None
    progress = read_progress(kb.settings.home)
    done, total = progress if progress else (None, None)
    return IndexingState(int(status["pending_graphs"]), done, total)


def start_background_index(kb: KnowledgeBase) -> subprocess.Popen | None:
    """Start `zamena index` beside the server when the index is behind the graph and a model is there."""
    status = kb.index_status()
    if not status["stale"] or not kb.search_service.model_available():
        return None
    command = [sys.executable, "-c", "from zamena.cli import main; main()", "index", "--quiet"]
    return subprocess.Popen(command, env=os.environ.copy())  # noqa: S603 - our own command, no shell
