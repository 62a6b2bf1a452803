"""The web app's view of the knowledge base: opened read-only, reopened when an ingest has changed it.

A read-only Oxigraph store is a snapshot, so the app notices changes by a cheap look at the files
under ZAMENA_HOME (names, sizes, modification times), at most once per `check_interval` seconds,
and then opens a fresh snapshot. Requests already running keep the snapshot they started with.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from zamena.kb import KnowledgeBase
from zamena.settings import Settings

log = logging.getLogger(__name__)

# Folders under ZAMENA_HOME that never tell whether the graph or the index changed.
NOT_STATE = {"dumps", "models", "model", "cache", "hf"}


def files_fingerprint(home: Path, store_path: Path) -> str:
    """Changes whenever a file of the store, or a top entry of another folder under home, changes."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(store_path):
        dirs.sort()
        for name in sorted(files):
            try:
                stat = os.stat(os.path.join(root, name))
            except FileNotFoundError:  # compacted away between listing and stat
                continue
            digest.update(f"{root}/{name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    if home.is_dir():
        for entry in sorted(os.scandir(home), key=lambda e: e.name):
            if entry.is_dir() and entry.name not in NOT_STATE and Path(entry.path) != store_path:
                for child in sorted(os.scandir(entry.path), key=lambda e: e.name):
                    stat = child.stat()
                    digest.update(f"{child.path} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def warmed_up(kb: KnowledgeBase) -> KnowledgeBase:
    """Load the search model and index once, before requests arrive: otherwise every request of a burst
    finds them missing and loads its own copy at once, and the burst stalls."""
    try:
        kb.search("Технополис", k=1)
    except Exception as error:  # no model or no index: search pages say so themselves
        log.info("search not warmed up: %s", error)
    return kb


class KnowledgeBaseHolder:
    """Hands out the current read-only KnowledgeBase and the token naming the state it shows."""

    def __init__(
        self,
        settings: Settings,
        *,
        check_interval: float = 2.0,
        opener: Callable[[Settings], KnowledgeBase] | None = None,
    ) -> None:
        self.settings = settings
        self.check_interval = check_interval
        self._open = opener or (lambda s: KnowledgeBase(s, read_only=True))
        self._lock = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self._token = ""
        self._checked = 0.0
        self._refreshing = False
        self._caches: dict[str, object] = {}

    def _fingerprint(self) -> str:
        if self.settings.store == "oxigraph":
            return files_fingerprint(self.settings.home, self.settings.store_path)
        if self.settings.store.startswith("sparql+") and self._kb is not None:
            try:  # a SPARQL server's graphs change without us: their digests say when
                return self._kb.graph.state_token()
            except (OSError, ValueError) as error:
                log.warning("could not read the state of the SPARQL server (%s); keeping the last one", error)
                return self._token
        return "memory"  # this process holds the graph; nothing else changes it

    def current(self) -> tuple[KnowledgeBase, str]:
        """The knowledge base to answer this request from, and its state token.

        A changed store is opened in the background (beside a busy writer that can take many seconds);
        requests go on with the snapshot they have until the fresh one is ready."""
        now = time.monotonic()
        with self._lock:
            if self._kb is None:
                self._checked = now
                token = self._fingerprint()
                self._kb = self._open_snapshot(keep_trying=True)
                self._token = token
            elif now - self._checked >= self.check_interval and not self._refreshing:
                self._checked = now
                token = self._fingerprint()
                if token != self._token:
                    self._refreshing = True
                    threading.Thread(target=self._refresh, args=(token,), name="zamena-snapshot", daemon=True).start()
            return self._kb, self._token  # type: ignore[return-value]

    def _refresh(self, token: str) -> None:
        try:
            fresh = self._open_snapshot(keep_trying=False)
        finally:
            with self._lock:
                self._refreshing = False
        if fresh is None:
            return
        with self._lock:
            # The old snapshot is not closed: requests still running use it; it goes with them.
            self._kb = fresh
            self._token = token
            self._caches.clear()

    def _open_snapshot(self, keep_trying: bool) -> KnowledgeBase | None:
        """A fresh read-only snapshot, its search model and index loaded. While a writer compacts, opening
        can race with a file being removed; then try again shortly, or keep serving the snapshot we have."""
        attempts = 20 if keep_trying else 3
        for attempt in range(attempts):
            try:
                return warmed_up(self._open(self.settings))
            except RuntimeError as error:  # RocksDB reports the race as "Corruption … No such file"
                if attempt == attempts - 1:
                    if keep_trying:
                        raise
                    log.warning(
                        "could not open a fresh snapshot of the store yet (%s); serving the previous one", error
                    )
                    return None
                time.sleep(0.05 * (attempt + 1))
        return None

    @property
    def kb(self) -> KnowledgeBase:
        return self.current()[0]

    @property
    def token(self) -> str:
        return self.current()[1]

    def cached(self, key: str, compute: Callable[[KnowledgeBase], object]) -> object:
        """`compute(kb)` once per state of the knowledge base (graph lists, counts, facets)."""
        kb, token = self.current()
        full_key = f"{token}:{key}"
        with self._lock:
            if full_key in self._caches:
                return self._caches[full_key]
        value = compute(kb)
        with self._lock:
            if token == self._token:
                self._caches[full_key] = value
        return value

    def close(self) -> None:
        with self._lock:
            kb, self._kb = self._kb, None
        if kb is not None:
            kb.close()
