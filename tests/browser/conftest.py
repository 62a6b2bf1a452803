"""What every browser test shares: Debian's chromium driven by Playwright, and a page on a desktop or a
390 px phone that fails its test if a script error happens on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed: bash scripts/system-deps.sh chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def open_page(browser, live_server, viewport: dict[str, int]) -> Iterator[object]:
    """A page in a context of its own; no script error may happen on it."""
    context = browser.new_context(viewport=viewport, base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


@pytest.fixture
def desktop(browser, live_server) -> Iterator[object]:
    yield from open_page(browser, live_server, DESKTOP)


@pytest.fixture
def phone(browser, live_server) -> Iterator[object]:
    yield from open_page(browser, live_server, PHONE)


def shot(page, name: str, full: bool = True) -> None:
    """Keep a screenshot under test-artifacts/web/ for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)
