"""A short load run on loopback: 8 clients for 10 s mixing search, SPARQL and entity pages, with a query that
runs past the time limit in the mix. Nothing fails, and the slow query does not starve the rest.
(`python -m bench.load` is the 60 s, 16-client version that reports the figures.)"""

from __future__ import annotations

import pytest

from bench.load import run, start_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(seed_settings):
    process, url = start_server(seed_settings.home, time_limit=2.0)
    yield url
    process.terminate()
    process.wait(30)


def test_ten_seconds_of_mixed_load_without_errors(server):
    result = run(server, seconds=10, clients=8)
    assert result["errors"] == []
    assert result["requests"] >= 50, result["kinds"]
    assert set(result["kinds"]) >= {"search page", "search api", "sparql", "entity page"}
    # the slow query was stopped at the limit each time, with 503, while the others were served
    assert set(result["slow_query_answers"]) == {503}
    assert result["kinds"]["sparql"]["p50_ms"] < 2000
