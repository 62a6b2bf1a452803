"""Dumps of the whole graph: written once per state of the graph, kept on disk, listed with size, date and
licence on the data page."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ontology.formats import RDF_FORMATS, Format
from web.i18n import ui_text
from zamena.kb import KnowledgeBase

log = logging.getLogger(__name__)

# The licence of the graph as a whole, the vocabulary's own (ontology/zamena.ttl, dcterms:license).
LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()
_writing: set[str] = set()  # folders whose missing dumps a thread is writing


@dataclass(frozen=True)
class Dump:
    """One dump as the data page lists it; size and date are None while it is not written yet."""

    format: Format
    size: int | None
    made: str | None  # ISO date the file was written


def dump_folder(kb: KnowledgeBase, token: str) -> Path:
    # absolute: send_file reads a relative path against the app's package, not the working directory
    return (kb.settings.home / "dumps" / token).resolve()


def dump_file(kb: KnowledgeBase, token: str, fmt: Format) -> Path:
    """The dump of the graph state `token` in `fmt`, written the first time it is asked for."""
    folder = dump_folder(kb, token)
    path = folder / f"zamena.{fmt.extension}"
    if path.exists():
        return path
    with _locks_guard:
        lock = _locks.setdefault(str(path), threading.Lock())
    with lock:
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
            try:
                with os.fdopen(handle, "wb") as out:
                    kb.graph.export(fmt.name, out)
                os.replace(temporary, path)  # readers see the whole dump or none of it
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            _drop_older_dumps(folder)
    return path


def _drop_older_dumps(current: Path) -> None:
    """Dumps of earlier states of the graph go; a download already under way keeps its open file, and a
    folder where a dump is being written (a `.part` file in it) stays until that write is done."""
    for folder in current.parent.iterdir():
        if folder != current and folder.is_dir() and not any(folder.glob("*.part")):
            shutil.rmtree(folder, ignore_errors=True)


def dumps(kb: KnowledgeBase, token: str) -> list[Dump]:
    """Every dump format with the size and date of its file for this state of the graph, where written."""
    folder = dump_folder(kb, token)
    listed = []
    for fmt in RDF_FORMATS:
        try:
            stat = (folder / f"zamena.{fmt.extension}").stat()
        except FileNotFoundError:
            listed.append(Dump(fmt, None, None))
            continue
        listed.append(Dump(fmt, stat.st_size, datetime.fromtimestamp(stat.st_mtime).date().isoformat()))
    return listed


def prepare_dumps(kb: KnowledgeBase, token: str) -> None:
    """Write the dumps not written yet for this state, one after another in a thread of their own, so that
    the data page can give their sizes without waiting for them (a large graph takes seconds a format)."""
    folder = dump_folder(kb, token)
    missing = [fmt for fmt in RDF_FORMATS if not (folder / f"zamena.{fmt.extension}").exists()]
    with _locks_guard:
        if not missing or str(folder) in _writing:
            return
        _writing.add(str(folder))

    def write() -> None:
        try:
            for fmt in missing:
                dump_file(kb, token, fmt)
        except Exception:  # a snapshot closed under it, a full disk: a download writes the dump again
            log.exception("could not write the dumps in %s", folder)
        finally:
            with _locks_guard:
                _writing.discard(str(folder))

    threading.Thread(target=write, name="zamena-dumps", daemon=True).start()


def size_text(size: int, lang: str) -> str:
    """1234567 → «1,2 МБ» (1 KB = 1024 bytes), "1.2 MB" in English."""
    units = [ui_text(key, lang) for key in ("size.bytes", "size.kb", "size.mb", "size.gb")]
    step = 0
    value = float(size)
    while value >= 1024 and step < len(units) - 1:
        value /= 1024
        step += 1
    text = f"{size} {units[0]}" if step == 0 else f"{value:.1f} {units[step]}"
    return text if lang == "en" else text.replace(".", ",")
