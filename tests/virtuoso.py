"""A real Virtuoso (Debian's virtuoso-opensource) on loopback, with a temporary database, for tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 4
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Virtuoso:
    process: subprocess.Popen
    http_port: int
    directory: Path

    @property
    def sparql(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def graph_store(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_virtuoso(directory: Path, timeout: float = 120) -> Virtuoso:
    """Start virtuoso-t in the foreground on free loopback ports; anonymous SPARQL updates allowed."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise RuntimeError("virtuoso-t is not installed: `bash scripts/system-deps.sh virtuoso-opensource-7`")
    sql_port, http_port = free_port(), free_port()
    directory.mkdir(parents=True, exist_ok=True)
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(dir=directory, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    with (directory / "stdout.log").open("wb") as log:  # the child keeps its own copy of the handle
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)], cwd=directory, stdout=log, stderr=log
        )
    server = Virtuoso(process, http_port, directory)
    deadline = time.monotonic() + timeout
    ask = f"{server.sparql}?{urllib.parse.urlencode({'query': 'ASK {}'})}"
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited: see {directory / 'virtuoso.log'}")
        try:
            with urllib.request.urlopen(ask, timeout=5):
                break
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"virtuoso-t did not answer within {timeout} s") from None
            time.sleep(0.5)
    subprocess.run(
        ["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return server
