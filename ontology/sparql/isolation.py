"""A query worker with no network: defence in depth behind the SPARQL guard.

Oxigraph evaluates SERVICE over HTTP and pyoxigraph offers no switch to turn that off, so a worker
leaves the host's network before it reads any query: it moves into a network namespace of its own
(Linux `unshare(CLONE_NEWNET)`), where no interface is up, not even loopback. Every connection it
tried would fail at once, whatever the query text says. Without the privilege for that, it tries a
user namespace as well (unprivileged user namespaces), and otherwise says why it could not, so the
server can log it: the guard then stands alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


def leave_network() -> str | None:
    """Move this (single-threaded) process into a network namespace of its own.

    Returns None when done, or the reason it could not be done. Connections already open (the pipe to
    the web process) keep working; new ones cannot reach any host, loopback included."""
    if not sys.platform.startswith("linux"):
        return f"network namespaces need Linux, not {sys.platform}"
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.unshare(CLONE_NEWNET) == 0:
        return None
    first = os.strerror(ctypes.get_errno())
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
        try:  # keep our own ids inside the user namespace, so the store's files still look like ours
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError:
            pass  # ids show as "nobody"; reading the store still works, as the kernel checks the real ids
        return None
    return f"unshare(CLONE_NEWNET) failed ({first}), and with a user namespace too ({os.strerror(ctypes.get_errno())})"
