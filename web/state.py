"""The web app's view of the knowledge base: opened read-only, reopened when an ingest has changed it.

A read-only Oxigraph store is a snapshot, so the app asks the knowledge base's change token (a cheap
look at the store's files, or a SPARQL server's digests) at most once per `check_interval` seconds,
and opens a fresh snapshot when it has moved on. Requests already running keep the snapshot they
started with.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from zamena.kb import KnowledgeBase
from zamena.settings import Settings

log = logging.getLogger(__name__)


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

    def _change_token(self, kb: KnowledgeBase) -> str:
        try:
            return kb.change_token()
        except (OSError, ValueError) as error:  # a SPARQL server that does not answer now
            log.warning("could not read the state of the store (%s); keeping the last one", error)
            return self._token

    def current(self) -> tuple[KnowledgeBase, str]:
        """The knowledge base to answer this request from, and its state token.

        A changed store is opened in the background (beside a busy writer that can take many seconds);
        requests go on with the snapshot they have until the fresh one is ready."""
        now = time.monotonic()
        with self._lock:
            if self._kb is None:
                self._checked = now
                self._kb = self._open_snapshot(keep_trying=True)
                self._token = self._kb.opened_token  # type: ignore[union-attr]
            elif now - self._checked >= self.check_interval and not self._refreshing:
                self._checked = now
                if self._change_token(self._kb) != self._token:
                    self._refreshing = True
                    threading.Thread(target=self._refresh, name="zamena-snapshot", daemon=True).start()
            return self._kb, self._token  # type: ignore[return-value]

    def _refresh(self) -> None:
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
            self._token = fresh.opened_token
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
