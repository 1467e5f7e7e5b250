"""Static checks of the built site: self-contained (no CDN), internal links and anchors, Colab buttons.

No network, no browser: every built page is parsed with BeautifulSoup. Run by ``make linkcheck`` (and
``make test``) after the book is built.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from book_site import (
    ROOT,
    SITE,
    book_config,
    built_pages,
    notebook_docnames,
    page_id,
    toc_docnames,
)
from bs4 import BeautifulSoup

PAGES = built_pages()
# Elements and attributes through which a page loads something (as opposed to <a href>, a link to follow).
LOADS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}
# Hosts that serve libraries; none of them may appear in a page's scripts, even as data.
CDN = re.compile(
    r"cdn\.|jsdelivr|unpkg\.com|cdnjs|cloudflare|googleapis|gstatic|bootstrapcdn|mathjax\.org|jquery\.com",
    re.IGNORECASE,
)
ABSOLUTE_URL = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*:)?//[\w.-]+\.[a-z]{2,}", re.IGNORECASE
)
CSS_REMOTE = re.compile(
    r"""(?:url\(\s*['"]?|@import\s+['"])\s*(?:[a-z]+:)?//""", re.IGNORECASE
)


@functools.cache
def soup(page: str) -> BeautifulSoup:
    return BeautifulSoup((SITE / page).read_text(encoding="utf-8"), "html.parser")


def is_off_host(url: str) -> bool:
    url = url.strip()
    remote = {"http", "https", "ftp", "ws", "wss"}
    return url.startswith("//") or urlsplit(url).scheme in remote


def test_book_is_built_with_every_toc_page(site: Path) -> None:
    missing = [name for name in toc_docnames() if not (site / f"{name}.html").is_file()]
    assert not missing, f"toc documents without a built page: {missing}"


def test_previous_next_links_follow_the_toc(site: Path) -> None:
    """Each page's 'next' link leads to the toc's next page and its 'previous' link to the one
    before; the first page has no 'previous', the last no 'next'. (test_browser.py clicks them.)"""
    pages = [f"{name}.html" for name in toc_docnames()]
    problems = []
    for index, page in enumerate(pages):
        for selector, step in (("a.left-prev", -1), ("a.right-next", 1)):
            link = soup(page).select_one(selector)
            to = index + step
            expected = pages[to] if 0 <= to < len(pages) else None
            found = (
                urljoin(page, urlsplit(link["href"]).path) if link is not None else None
            )
            if found != expected:
                problems.append(f"{page}: {selector} leads to {found}, not {expected}")
    assert not problems, "\n".join(problems)


# --- Self-contained: nothing is loaded from another host -------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_loads_nothing_from_another_host(site: Path, page: str) -> None:
    problems = []
    html = soup(page)
    for tag, attributes in LOADS.items():
        for element in html.find_all(tag):
            for attribute in attributes:
                # srcset: "url 1x, url 2x"
                for url in (element.get(attribute) or "").split(","):
                    if url.strip() and is_off_host(url.split()[0]):
                        problems.append(f"<{tag} {attribute}={url.strip()!r}>")
    for element in html.find_all(style=True):
        if CSS_REMOTE.search(element["style"]):
            problems.append(f"<{element.name} style={element['style']!r}>")
    for style in html.find_all("style"):
        if CSS_REMOTE.search(style.get_text()):
            problems.append(
                f"<style> loading from another host: {style.get_text()[:120]!r}"
            )
    assert not problems, f"{page} loads from another host:\n" + "\n".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_scripts_name_no_cdn(site: Path, page: str) -> None:
    """No script's attributes or configuration names another host (data-jupyter-widgets-cdn, THEBE_JS_URL...)."""
    problems = []
    for script in soup(page).find_all("script"):
        for attribute, value in script.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if attribute != "src" and (ABSOLUTE_URL.search(text) or CDN.search(text)):
                problems.append(f"<script {attribute}={text!r}>")
        body = script.get_text()
        # Widget state is data: it may quote a URL, but must name no CDN.
        if script.get("type", "").endswith("json"):
            found = CDN.search(body)
        else:
            found = ABSOLUTE_URL.search(body) or CDN.search(body)
        if found:
            start = max(found.start() - 60, 0)
            excerpt = body[start : found.end() + 60]
            problems.append(f"<script type={script.get('type')!r}>...{excerpt!r}...")
    listing = "\n".join(problems)
    assert not problems, f"{page}: scripts that name another host:\n{listing}"


def test_stylesheets_load_nothing_from_another_host(site: Path) -> None:
    problems = [
        str(css.relative_to(site))
        for css in site.rglob("*.css")
        if CSS_REMOTE.search(css.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not problems, (
        f"stylesheets that load from another host (fonts, @import): {problems}"
    )


# --- Internal links and anchors ------------------------------------------------------------------------


@functools.cache
def anchors(page: Path) -> frozenset[str]:
    html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    ids = {element["id"] for element in html.find_all(id=True)}
    names = {element["name"] for element in html.find_all("a", attrs={"name": True})}
    return frozenset(ids | names)


def broken_link(site: Path, page: str, url: str) -> str | None:
    """Why ``url`` (from ``page``) is broken, or None. External URLs are not checked (no network)."""
    parts = urlsplit(url.strip())
    if parts.scheme or url.strip().startswith("//"):
        return None  # http(s), mailto, data, javascript: not internal
    source = site / page
    target = (source.parent / unquote(parts.path)).resolve() if parts.path else source
    if site != target and site not in target.parents:
        return "points outside the site"
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"missing file {target.relative_to(site)}"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in anchors(target):
        return f"no anchor #{fragment} in {target.relative_to(site)}"
    return None


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_internal_links_and_anchors_resolve(site: Path, page: str) -> None:
    attributes = {
        "a": "href",
        "link": "href",
        "area": "href",
        "script": "src",
        "img": "src",
        "iframe": "src",
        "source": "src",
    }
    problems = []
    for tag, attribute in attributes.items():
        for element in soup(page).find_all(tag, attrs={attribute: True}):
            url = element[attribute]
            if (reason := broken_link(site, page, url)) is not None:
                problems.append(f"<{tag} {attribute}={url!r}>: {reason}")
    assert not problems, f"{page}: broken internal links:\n" + "\n".join(problems)


def test_the_link_checker_finds_broken_links(site: Path) -> None:
    page = "chapters/" + notebook_docnames()[0].split("/")[-1] + ".html"
    assert broken_link(site, page, "../genindex.html") is None
    assert broken_link(site, page, "#") is None
    assert broken_link(site, page, "https://example.org/nowhere") is None
    assert "missing file" in broken_link(site, page, "../no-such-page.html")
    assert "no anchor" in broken_link(site, page, "../genindex.html#no-such-anchor")
    assert "no anchor" in broken_link(site, page, "#no-such-anchor")


# --- Colab ---------------------------------------------------------------------------------------------


def expected_colab_url(docname: str) -> str:
    """Where the Colab button of a chapter must point: its notebook in the repository of _config.yml."""
    config = book_config()
    repository = config["repository"]
    owner_repo = urlsplit(repository["url"]).path.strip("/").removesuffix(".git")
    book_path = (repository.get("path_to_book") or "").strip("/")
    path = f"{book_path}/{docname}.ipynb" if book_path else f"{docname}.ipynb"
    colab = config["launch_buttons"]["colab_url"].rstrip("/")
    return f"{colab}/github/{owner_repo}/blob/{repository.get('branch', 'main')}/{path}"


@pytest.mark.parametrize("docname", notebook_docnames())
def test_colab_button_opens_this_chapter(site: Path, docname: str) -> None:
    colab = book_config()["launch_buttons"]["colab_url"].rstrip("/")
    links = {
        a["href"]
        for a in soup(f"{docname}.html").find_all("a", href=True)
        if a["href"].startswith(colab)
    }
    assert links == {expected_colab_url(docname)}
    assert (ROOT / f"{docname}.ipynb").is_file()


@pytest.mark.parametrize("docname", notebook_docnames())
def test_colab_setup_cell_is_hidden_in_the_book(site: Path, docname: str) -> None:
    assert "google.colab" not in (site / f"{docname}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "number, docname", list(enumerate(notebook_docnames(), start=1))
)
def test_chapters_number_their_title_figures_and_exercises(
    site: Path, number: int, docname: str
) -> None:
    """Chapter N's title reads "N. ...", and its figures and exercises are "Fig. N.k" and "Exercise N.k"."""
    page = soup(f"{docname}.html")
    title = page.select_one("article h1")  # not the print-only header
    assert title.get_text(" ", strip=True).startswith(f"{number}. "), title.get_text()
    captions = [tag.get_text(strip=True) for tag in page.select(".caption-number")]
    assert captions, f"{docname}: no numbered figure or exercise"
    for kind in ("Fig.", "Exercise"):
        numbers = [c.removeprefix(kind).strip() for c in captions if c.startswith(kind)]
        expected = [f"{number}.{k}" for k in range(1, len(numbers) + 1)]
        assert numbers == expected, (kind, numbers)


# A URL on a CDN host (a bare mention such as "www.mathjax.org" in a licence header is no reference).
CDN_URL = re.compile(
    r"(?:https?:)?//(?:[a-z0-9-]+\.)*(?:jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|googleapis\.com"
    r"|gstatic\.com|bootstrapcdn\.com|cdn\.[a-z0-9.-]+)",
    re.IGNORECASE,
)


def test_no_file_of_the_site_names_a_cdn(site: Path) -> None:
    """Not a page, not a script, not a library's built-in fallback: no file under _build/html has a CDN URL."""
    offenders = []
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".css", ".json", ".txt"}:
            match = CDN_URL.search(path.read_text(encoding="utf-8", errors="replace"))
            if match:
                offenders.append(f"{path.relative_to(site)}: {match.group(0)}")
    listing = "\n".join(offenders[:20])
    assert not offenders, f"CDN references in the built site:\n{listing}"


# A Markdown table that reached the page as text: its separator row, outside code.
UNRENDERED_TABLE = re.compile(
    r"\|\s*:?(?:-{3,}|[—–])+-*:?\s*\|"
)  # "---" may be typeset as a dash


@pytest.mark.parametrize("page", PAGES)
def test_no_markdown_table_is_left_as_text(site: Path, page: str) -> None:
    """A glued Markdown table pasted inline ({glue:md}`name`) shows its pipes as text."""
    html = soup(page)
    for code in html.find_all(["pre", "code", "script", "style"]):
        code.decompose()
    found = UNRENDERED_TABLE.search(html.get_text(" "))
    assert not found, f"{page}: a Markdown table shown as text near {found.group(0)!r}"
