"""Fixtures of the web tests, loaded by `pytest_plugins = ["tests.web_fixtures"]` in each test module.

The knowledge base is built once per test session (like datasette's session-scoped ds_client).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web_support import LiveServer, build_home, make_app
from zamena.settings import Settings


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_home(tmp_path_factory.mktemp("web-kb"))


@pytest.fixture(scope="session")
def web_app(web_settings: Settings) -> Iterator[object]:
    app = make_app(web_settings, QUERY_TIME_LIMIT=5.0)
    yield app
    app.extensions["zamena"].close()


@pytest.fixture
def client(web_app):
    return web_app.test_client()


@pytest.fixture(scope="session")
def live_server(web_settings: Settings) -> Iterator[LiveServer]:
    app = make_app(web_settings, QUERY_TIME_LIMIT=3.0, QUERY_WORKERS=3)
    app.extensions["zamena"].queries.warm_up(2)
    with LiveServer(app) as server:
        yield server
    app.extensions["zamena"].close()
