"""Fixtures for the checks of the built book: the site folder and a local HTTP server for it."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from book_site import SITE


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="test_browser.py: also save a full-page screenshot of every page, light and dark, "
        "in _build/screenshots/ (`make screenshots`)",
    )


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built book at {SITE}: run `make book` first")
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """Serve the built site on 127.0.0.1, on a free port; yields the base URL (ending in '/')."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests of one page one after another, each page's in the order written.

    They share the loaded page (test_browser.py's ``opened`` fixture), which is then loaded
    once rather than once per test. Only the order of those tests changes, among themselves.
    """
    fixtures = [getattr(item, "fixturenames", ()) for item in items]
    slots = [i for i, names in enumerate(fixtures) if "opened" in names]
    by_page = sorted(
        (items[i] for i in slots), key=lambda item: item.callspec.params["path"]
    )
    for slot, item in zip(slots, by_page):
        items[slot] = item
