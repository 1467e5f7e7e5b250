"""Shared by the checks of the built book (``_build/html``), run after ``make book``.

``make linkcheck`` runs test_site.py (static checks), ``make browser-test`` runs test_browser.py.

Not part of ``pytest tests`` (pyproject's addopts ignore this folder): they need the built site, and the
browser tests need Chromium. Pages come from ``_toc.yml`` and from the built files, never from a list
here, so a new chapter is checked as soon as it is in the toc.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = SITE.parent / "screenshots"
# Folders of the site that hold assets, not pages.
NOT_PAGES = {"_static", "_sources", "_images", "assets"}


def book_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def toc_docnames() -> list[str]:
    """Every document of ``_toc.yml`` in reading order (root first), without its suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                names.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk([{key: toc[key]} for key in ("parts", "chapters") if key in toc])
    sources = {".md", ".ipynb"}
    return [
        str(Path(name).with_suffix("")) if Path(name).suffix in sources else name
        for name in names
    ]


def notebook_docnames() -> list[str]:
    """The toc's documents written as notebooks (the chapters): those have a Colab button and widgets."""
    return [name for name in toc_docnames() if (ROOT / f"{name}.ipynb").is_file()]


def built_pages() -> list[str]:
    """Every HTML page of the built site, as a path relative to it (``chapters/x.html``)."""
    if not SITE.is_dir():
        return []
    pages = [p.relative_to(SITE) for p in SITE.rglob("*.html")]
    return sorted(str(p.as_posix()) for p in pages if p.parts[0] not in NOT_PAGES)


def page_id(page: str) -> str:
    return page.removesuffix(".html")
