"""The built book in a real browser, offline: every page loads, typesets, renders its widgets, with no errors.

Chromium (Debian's /usr/bin/chromium, or $CHROMIUM) driven by Playwright opens each page from a local
HTTP server; every request to another host is blocked and recorded, so a page that still needs a CDN
fails here. Run by ``make browser-test`` (and ``make test``) after the book is built; ``make
screenshots`` runs the page checks with ``--screenshots`` and keeps a full-page screenshot of every
page, light and dark, in _build/screenshots/, for a person to look at (a tall page takes a second
or two to paint, so the gate does not).

Every wait is for a specific event or state, never for time or for the network to fall quiet:
the page's load event, MathJax's startup promise, the widget manager's rendered views, an
image's decode(), a control's new value. A page is loaded once for all the tests that check
it (see ``OpenedPages``), so the time goes into checking, not into loading the same page again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from book_site import ROOT, SCREENSHOTS, SITE, built_pages, page_id, toc_docnames
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    expect,
    sync_playwright,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Playwright's own browser download is not used: Debian's Chromium, headless, no network of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Generous: CI runs this on 2 cores, and a page with many widget frames takes seconds to load there.
TIMEOUT_MS = 90_000
expect.set_options(timeout=TIMEOUT_MS)

# Console errors that are not faults of the book. Each entry says why it is harmless.
ALLOWED_CONSOLE_ERRORS = [
    # pydata-sphinx-theme: a fresh browser profile has no saved light/dark choice; the theme says so
    # with console.error and falls back to "auto".
    re.compile(r"^Got invalid theme mode: .*Resetting to auto\.?$"),
]

PAGES = built_pages()


def pages_with(pattern: str) -> list[str]:
    """The built pages whose HTML matches ``pattern``."""
    return [
        p for p in PAGES if re.search(pattern, (SITE / p).read_text(encoding="utf-8"))
    ]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: `make browser-test` installs Debian's (apt-get install chromium)"
        )
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class Watch:
    """What a page did: requests to other hosts (blocked), failed local requests, console errors."""

    def __init__(self, page: Page, base: str) -> None:
        self.base = base
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        # Only requests that leave the site are routed (and blocked). Playwright's driver
        # matches the pattern, so the site's own requests go through without each waiting
        # on a round trip to Python.
        leaves = rf"^(?!{re.escape(base)}|data:|blob:|about:)"
        page.route(re.compile(leaves), self._block)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _local(self, url: str) -> bool:
        return url.startswith(self.base) or url.startswith(("data:", "blob:", "about:"))

    def _block(self, route: Route) -> None:
        self.blocked.append(route.request.url)
        route.abort("blockedbyclient")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"HTTP {response.status} {response.url}")

    def _request_failed(self, request: Request) -> None:
        if self._local(request.url):
            self.failed.append(f"{request.failure} {request.url}")

    def _console(self, message: ConsoleMessage) -> None:
        allowed = any(p.search(message.text) for p in ALLOWED_CONSOLE_ERRORS)
        if message.type == "error" and not allowed:
            self.errors.append(f"console: {message.text}")

    def assert_clean(self, what: str) -> None:
        """Nothing went wrong since the last check: each problem is reported once, by the
        first test that checks after it happened (tests of one page share it)."""
        blocked, failed, errors = self.blocked, self.failed, self.errors
        self.blocked, self.failed, self.errors = [], [], []
        assert not blocked, f"{what} requested other hosts (blocked): {blocked}"
        assert not failed, f"{what}: failed local requests: {failed}"
        listing = "\n".join(errors)
        assert not errors, f"{what}: errors in the browser console:\n{listing}"


def new_context(browser: Browser) -> BrowserContext:
    """A fresh profile: no cache, no storage, as a first-time reader has."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context


def screenshot(request: pytest.FixtureRequest, tab: Page, name: str) -> None:
    """With ``--screenshots``: the whole of ``tab`` as it is now, to _build/screenshots/``name``.png."""
    if request.config.getoption("--screenshots"):
        shot = SCREENSHOTS / f"{name}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(shot), full_page=True)


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[tuple[Page, Watch]]:
    """A blank tab of its own, for a test that goes from page to page."""
    context = new_context(browser)
    page = context.new_page()
    watch = Watch(page, server)
    yield page, watch
    context.close()


class OpenedPages:
    """The page opened for the last test, kept open for the next test of the same page.

    Loading a chapter (scripts, typesetting, widgets) costs as much as checking it, and
    up to seven tests check each chapter: it renders, its controls move, its dropdowns
    open, axe-core, alt texts, the keyboard. conftest.py runs the tests of one page one
    after another, in the order written, so each page is loaded once, and the render test
    sees it as loaded.
    """

    def __init__(self, browser: Browser, base: str) -> None:
        self.browser = browser
        self.base = base
        self.path: str | None = None
        self.context: BrowserContext | None = None
        self.tab: tuple[Page, Watch] | None = None

    def open(self, path: str) -> tuple[Page, Watch]:
        """The page at ``path``, loaded (see open_page), in a fresh profile of its own."""
        if self.tab is None or self.path != path:
            self.close()
            context = new_context(self.browser)
            page = context.new_page()
            watch = Watch(page, self.base)
            try:
                open_page(page, watch, self.base, path)
            except BaseException:
                context.close()
                raise
            self.path, self.context, self.tab = path, context, (page, watch)
        return self.tab

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        self.path, self.context, self.tab = None, None, None


@pytest.fixture(scope="session")
def opened_pages(browser: Browser, server: str) -> Iterator[OpenedPages]:
    pages = OpenedPages(browser, server)
    yield pages
    pages.close()


@pytest.fixture
def opened(opened_pages: OpenedPages, path: str) -> tuple[Page, Watch]:
    """The page at ``path`` (a test's parameter), loaded; shared with its other tests."""
    return opened_pages.open(path)


# <meta http-equiv="Refresh" content="0; url=...">, as the site's index.html has.
REDIRECT = re.compile(
    r"""<meta\s+http-equiv=["']?refresh["']?\s+content=["']?\d+;\s*url=(?P<to>[^"'>]+)""",
    re.IGNORECASE,
)


def redirect_of(path: str) -> str | None:
    """Where the built page at ``path`` sends the reader at once (a meta refresh), if anywhere.

    Read from the file: the browser follows the redirect as soon as the page has loaded.
    """
    found = REDIRECT.search((SITE / urlsplit(path).path).read_text(encoding="utf-8"))
    return urljoin(path, found["to"]) if found else None


def open_page(page: Page, watch: Watch, base: str, path: str) -> None:
    """Load ``path`` of the site at ``base`` and wait until MathJax has typeset and the
    widget manager has rendered every view.

    The load event covers the page's scripts, stylesheets and images; MathJax and the widget
    manager work after it, so each is waited for by what it does when it is done.
    """
    url, step = base + path, "loading"
    try:
        page.goto(url, wait_until="load")
        # A redirect page (the site's index.html): what is checked is where it leads.
        if target := redirect_of(path):
            step = f"following the redirect to {target}"
            page.wait_for_url(base + target, wait_until="load")
        if page.locator("script[src*='mathjax']").count():
            step = "MathJax"
            page.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
            )
            page.evaluate("() => MathJax.startup.promise.then(() => true)")
        views = page.locator(
            "script[type='application/vnd.jupyter.widget-view+json']"
        ).count()
        if views:
            step = "rendering the widgets"
            # html-manager puts a .widget-subarea before each view's <script> and renders the view into it.
            page.wait_for_function(
                """n => document.querySelectorAll('.widget-subarea > .jupyter-widgets').length >= n""",
                arg=views,
            )
    except PlaywrightTimeoutError:
        pytest.fail(
            f"{url}: timed out {step}; requests to other hosts (blocked): {watch.blocked}; "
            f"failed local requests: {watch.failed}; errors: {watch.errors}"
        )


# --- Every page ---------------------------------------------------------------------------------------

# In the page: raw TeX left in the text (outside code), math elements MathJax did not typeset.
MATH_PROBLEMS = """() => {
    const problems = [];
    document.querySelectorAll('.math').forEach(m => {
        if (!m.querySelector('mjx-container')) problems.push('not typeset: ' + m.textContent.slice(0, 80));
    });
    const article = (document.querySelector('article') || document.body).cloneNode(true);
    article.querySelectorAll('pre, code, script, style, mjx-container, .highlight, textarea').forEach(e => e.remove());
    const text = article.textContent;
    for (const raw of ['\\\\(', '\\\\[', '\\\\begin{', '$$']) {
        const at = text.indexOf(raw);
        if (at >= 0) problems.push('raw TeX in the text: ' + JSON.stringify(text.slice(Math.max(at - 40, 0), at + 60)));
    }
    return problems;
}"""

# In the page: every <img> (lazy ones too) must load; returns those that did not.
BROKEN_IMAGES = """async () => {
    const images = [...document.images];
    images.forEach(img => { img.loading = 'eager'; });
    const broken = [];
    for (const img of images) {
        try { await img.decode(); } catch (e) { /* reported below */ }
        if (!img.complete || img.naturalWidth === 0) {
            broken.push(img.currentSrc || img.src || img.outerHTML.slice(0, 80));
        }
    }
    return broken;
}"""

# In the page: load every font the stylesheets declare (MathJax's, the theme's, the widget manager's,
# found relative to each stylesheet or module); returns those that fail.
BROKEN_FONTS = """async () => {
    const broken = [];
    for (const face of [...document.fonts]) {
        try { await face.load(); } catch (e) { broken.push(face.family + ' ' + face.weight + ': ' + e); }
    }
    return broken;
}"""


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_page_renders_offline_without_errors(
    request: pytest.FixtureRequest, opened: tuple[Page, Watch], path: str
) -> None:
    """Every page as a reader gets it: math typeset, images and fonts loaded, each widget
    view rendered, nothing blocked or failed (and with ``--screenshots``, its picture)."""
    tab, watch = opened
    math = tab.evaluate(MATH_PROBLEMS)
    images = tab.evaluate(BROKEN_IMAGES)
    fonts = tab.evaluate(BROKEN_FONTS)
    views = tab.locator(
        "script[type='application/vnd.jupyter.widget-view+json']"
    ).count()
    rendered = tab.locator(".widget-subarea > .jupyter-widgets").count()
    screenshot(request, tab, page_id(path))

    assert not math, f"{path}: math not typeset:\n" + "\n".join(math)
    assert not images, f"{path}: images that did not load: {images}"
    assert not fonts, f"{path}: fonts that did not load: {fonts}"
    assert rendered == views, (
        f"{path}: {views} widget views in the page, {rendered} rendered"
    )
    watch.assert_clean(path)


# --- Interactions -----------------------------------------------------------------------------------

# Pages that carry widget state: each must have a control that chooses what is shown.
WIDGET_STATE = r"application/vnd\.jupyter\.widget-state\+json"
# The controls that choose a frame: sliders (IntSlider, SelectionSlider) and toggle buttons.
CONTROLS = ".widget-slider, .widget-toggle-buttons"
# A control and the row it sits in: frame_slider shows each frame's caption beside its
# slider, and a caption that changes is not a frame that changes.
CONTROL_ROWS = (
    f"{CONTROLS}, .widget-hbox:has(> .widget-slider, > .widget-toggle-buttons)"
)

# In the page: what a widget area shows outside its control rows: the text, and which
# images (their src: every Image view gets its own blob: URL). Cheap enough to poll.
SHOWN = """(area, rows) => {
    const text = [], images = [];
    const visit = node => {
        if (node.nodeType === Node.TEXT_NODE) text.push(node.textContent);
        else if (node.nodeType !== Node.ELEMENT_NODE || node.matches(rows)) return;
        else if (node.tagName === 'IMG') images.push(node.src);
        else node.childNodes.forEach(visit);
    };
    visit(area);
    return {text: text.join(''), images};
}"""
SHOWN_CHANGED = f"""([area, rows, before]) =>
    JSON.stringify(({SHOWN})(area, rows)) !== JSON.stringify(before)"""

# In the page, once per frame: a checksum of the pixels of each image shown outside the
# control rows (a new frame must be a new picture, not the same one under a new URL).
PICTURES = """async (area, rows) => {
    const sums = [];
    for (const img of area.querySelectorAll('img')) {
        if (img.closest(rows) || img.offsetParent === null) continue;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
        let sum = 0;
        for (let i = 0; i < data.length; i++) sum = (sum * 31 + data[i]) >>> 0;
        sums.push(sum);
    }
    return sums;
}"""


def frame(area: Locator) -> tuple[str, list[int]]:
    """What ``area`` shows outside its controls: its text and its pictures' checksums."""
    text = area.evaluate(SHOWN, CONTROL_ROWS)["text"]
    return text, area.evaluate(PICTURES, CONTROL_ROWS)


def slide_to_the_other_end(handle: Locator) -> str:
    """Press Home or End on a slider's handle, whichever moves it; says what it did."""
    value = handle.get_attribute("aria-valuenow")
    maximum = handle.get_attribute("aria-valuemax")
    assert handle.get_attribute("aria-valuemin") != maximum, (
        f"a slider with a single position ({value}): nothing to choose"
    )
    handle.focus()
    handle.press("Home" if value == maximum else "End")
    expect(handle).not_to_have_attribute("aria-valuenow", value)
    return f"slider moved from {value}"


def press_another_button(buttons: Locator) -> str:
    """Click the first toggle button that is not the chosen one; says what it did."""
    chosen = [
        "mod-active" in (button.get_attribute("class") or "").split()
        for button in buttons.locator("button").all()
    ]
    assert not all(chosen), "toggle buttons with a single choice: nothing to choose"
    button = buttons.locator("button").nth(chosen.index(False))
    label = button.inner_text() or button.get_attribute("title")
    button.click()
    expect(button).to_have_class(re.compile(r"\bmod-active\b"))
    return f"button {label!r} pressed"


def moves(area: Locator) -> list[Callable[[], str]]:
    """One move for each control in ``area``: its sliders, then its toggle buttons."""
    handles = area.locator(".widget-slider .noUi-handle").all()
    button_rows = area.locator(".widget-toggle-buttons").all()
    return [partial(slide_to_the_other_end, handle) for handle in handles] + [
        partial(press_another_button, buttons) for buttons in button_rows
    ]


@pytest.mark.parametrize("path", pages_with(WIDGET_STATE), ids=page_id)
def test_controls_change_the_frame_without_a_kernel(
    opened: tuple[Page, Watch], path: str
) -> None:
    """Widgets on a page are there to be moved: each page with widget state has a control
    (frame_slider's slider, frame_grid's buttons and slider), and moving any of them shows
    another frame, with no kernel: the links run in the browser (jslink to a Stack)."""
    tab, watch = opened
    areas = tab.locator(".widget-subarea").filter(has=tab.locator(CONTROLS))
    assert areas.count(), f"{path}: widget state, but no slider or buttons to move"
    for index in range(areas.count()):
        area = areas.nth(index)
        for move in moves(area):
            shown, before = area.evaluate(SHOWN, CONTROL_ROWS), frame(area)
            what = f"{path}, widget {index}: {move()}"
            try:  # a cheap poll: the text and the images' URLs
                tab.wait_for_function(
                    SHOWN_CHANGED,
                    arg=[area.element_handle(), CONTROL_ROWS, shown],
                    timeout=15_000,
                )
            except PlaywrightTimeoutError:
                pytest.fail(f"{what}, but the widget shows the same frame")
            assert frame(area) != before, f"{what}: the same picture again"
    watch.assert_clean(path)


# sphinx-exercise solutions with :class: dropdown (togglebutton makes them toggles), and <details> blocks
# (myst-nb's hide-input cells).
DROPDOWNS = r'class="[^"]*\b(dropdown\b[^"]*\badmonition|admonition\b[^"]*\bdropdown)\b|<details\b'


@pytest.mark.parametrize("path", pages_with(DROPDOWNS), ids=page_id)
def test_hidden_solutions_and_code_open_on_click(
    opened: tuple[Page, Watch], path: str
) -> None:
    """Solutions (sphinx-exercise dropdowns) start hidden and open on click; so do hidden code cells."""
    tab, watch = opened
    # sphinx-togglebutton's admonitions, then <details> blocks: (block, its hidden body, what to click).
    kinds = [
        (".admonition.toggle", ":scope > :not(.admonition-title)", ".toggle-button"),
        ("details", ":scope > :not(summary)", ":scope > summary"),
    ]
    found = 0
    for block_selector, body_selector, button_selector in kinds:
        blocks = tab.locator(block_selector)
        for index in range(blocks.count()):
            block = blocks.nth(index)
            body = block.locator(body_selector).first
            expect(body).to_be_hidden()
            block.locator(button_selector).click()
            expect(body).to_be_visible()
        found += blocks.count()
    assert found > 0, f"{path}: no dropdown found"
    watch.assert_clean(path)


# --- The book as a whole -------------------------------------------------------------------------------


# Each word searched for, and a page its results must list (relative to the site).
SEARCHES = {"clamp": "chapters/05_clamping_and_clipping.html"}

# In the page: Sphinx's search is done. Its status line is written when the last result is
# listed, and each result then fetches its page for a summary (unless it has a description).
SEARCH_DONE = """() => {
    const status = document.querySelector('#search-results .search-summary');
    const results = [...document.querySelectorAll('#search-results ul.search > li')];
    return Boolean(status && status.textContent)
        && results.every(li => li.querySelector(':scope > p.context, :scope > span'));
}"""


@pytest.mark.parametrize(("word", "expected"), SEARCHES.items(), ids=SEARCHES.keys())
def test_search_finds(
    page: tuple[Page, Watch], server: str, word: str, expected: str
) -> None:
    """The search page, fed the built index, lists the page that ``word`` is about."""
    tab, watch = page
    open_page(tab, watch, server, f"search.html?q={word}")
    try:
        tab.wait_for_function(SEARCH_DONE)
    except PlaywrightTimeoutError:
        pytest.fail(f"searching {word!r} did not finish; errors: {watch.errors}")
    links = tab.locator("#search-results ul.search > li > a")
    hrefs = links.evaluate_all("links => links.map(a => a.href)")
    found = {urlsplit(href).path.removeprefix(urlsplit(server).path) for href in hrefs}
    assert expected in found, (
        f"searching {word!r} found {sorted(found)}, not {expected}"
    )
    watch.assert_clean(f"search for {word!r}")


def test_next_and_previous_take_the_reader_along_the_toc(
    page: tuple[Page, Watch], server: str
) -> None:
    """From the site's root (it redirects to the toc's first page), a click on 'next' opens the
    toc's second page and a click on 'previous' there brings the reader back.

    A click, not a read of the link: Playwright clicks only what a reader can click (visible,
    not covered by another element). Every page's links are checked against the toc, without
    a browser, by test_site.py's test_previous_next_links_follow_the_toc.
    """
    tab, watch = page
    expected = toc_docnames()[:2]

    def here() -> str:
        return urlsplit(tab.url).path.removeprefix(urlsplit(server).path)

    tab.goto(server + "index.html", wait_until="load")
    tab.wait_for_url(f"{server}{expected[0]}.html")
    for selector, to in (("a.right-next", expected[1]), ("a.left-prev", expected[0])):
        left = here()
        tab.locator(selector).first.click()
        try:
            tab.wait_for_url(f"{server}{to}.html", wait_until="load")
        except PlaywrightTimeoutError:
            pytest.fail(f"{selector} on {left} led to {here()}, not {to}.html")
    watch.assert_clean("previous/next navigation")


# --- Accessibility (WCAG 2.1 AA, checked by axe-core) -------------------------------------------------

# axe-core from npm (package-lock.json, `make assets`), injected into each page: no network.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Violations of these impacts fail the test (axe's "minor" and "moderate" are reported by axe, not here).
AXE_FAILING = ["serious", "critical"]
# Rule id -> CSS selectors axe skips for that rule only. Each entry says why it cannot be fixed in the
# book. (Empty: every rule checks every node.)
AXE_EXCLUDED: dict[str, list[str]] = {}

AXE_RUN = """async ([tags, failing, excluded, within]) => {
    const result = await axe.run(within ? document.querySelector(within) : document, {
        runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
    });
    const skip = (rule, node) => (excluded[rule] || []).some(
        sel => node.target.some(t => typeof t === 'string' && document.querySelector(t)?.closest(sel)));
    return result.violations
        .filter(v => failing.includes(v.impact))
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.filter(n => !skip(v.id, n))}))
        .filter(v => v.nodes.length)
        .map(v => ({id: v.id, impact: v.impact, count: v.nodes.length,
                    targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""

# The theme's colour mode (pydata-sphinx-theme 0.16/0.17): the choice is kept in localStorage "mode",
# and <html data-mode> (the choice) and data-theme (what is shown) drive its CSS.
# CSS transitions off while checking: a colour read mid-transition is neither mode's.
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; }"
FINISH_ANIMATIONS = """() => document.getAnimations().forEach(animation => {
    try { animation.finish(); } catch (endless) { animation.cancel(); }
})"""
SET_MODE = """mode => {
    localStorage.setItem('mode', mode);
    document.documentElement.dataset.mode = mode;
    document.documentElement.dataset.theme = mode;
    return getComputedStyle(document.body).backgroundColor;
}"""


def axe_violations(tab: Page, within: str | None = None) -> list[dict]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations in the page as it is now (or
    in the first element that the CSS selector ``within`` finds, and what it holds)."""
    if not tab.evaluate("() => Boolean(window.axe)"):
        tab.add_script_tag(path=str(AXE))
        tab.add_style_tag(content=NO_TRANSITIONS)
    # What a reader sees once the page is still: animations (a dropdown just opened fades in) ended.
    tab.evaluate(FINISH_ANIMATIONS)
    return tab.evaluate(AXE_RUN, [AXE_TAGS, AXE_FAILING, AXE_EXCLUDED, within])


def listed(violations: list[dict]) -> str:
    return "\n".join(
        f"  {v['id']} ({v['impact']}, {v['count']} nodes): {'; '.join(v['targets'])}"
        for v in violations
    )


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_page_is_accessible_in_light_and_dark_mode(
    request: pytest.FixtureRequest, opened: tuple[Page, Watch], path: str
) -> None:
    """axe-core finds no serious or critical WCAG 2.1 AA violation, in the light and the dark
    mode (with ``--screenshots``, the dark page's picture goes to _build/screenshots/dark/)."""
    assert AXE.is_file(), f"no {AXE}: run `make assets` (npm ci)"
    tab, watch = opened
    found = {}
    for mode in ("light", "dark"):
        tab.evaluate(SET_MODE, mode)
        if mode == "dark":
            screenshot(request, tab, f"dark/{page_id(path)}")
        if violations := axe_violations(tab):
            found[mode] = listed(violations)
    tab.evaluate(SET_MODE, "light")
    assert not found, f"{path}: accessibility violations (axe-core):\n" + "\n".join(
        f"{mode} mode:\n{text}" for mode, text in found.items()
    )
    watch.assert_clean(path)


# An alt text that says nothing of its picture: a placeholder word, or a file name or path.
GENERIC_ALT = re.compile(
    r"^\s*(figure|image|img|picture|plot|graph|chart|png|svg)?\s*$|\.(png|jpe?g|gif|svg|webp)\s*$",
    re.IGNORECASE,
)
# In the page: every <img> (the widgets' too, once rendered), as [alt or null, src].
IMAGES_ALT = """() => [...document.images].map(img =>
    [img.getAttribute('alt'), (img.currentSrc || img.src).slice(0, 100)])"""


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_every_image_says_what_it_shows(opened: tuple[Page, Watch], path: str) -> None:
    """Every image has an alt text that describes it: not missing, not empty, not a placeholder
    ("Figure", "image") and not its file name (a glued figure's alt is its caption, see
    book/_ext/a11y.py; a widget's frame is described by book/_ext/widgets-config.js)."""
    tab, watch = opened
    images = tab.evaluate(IMAGES_ALT)
    generic = [
        (alt, src) for alt, src in images if alt is None or GENERIC_ALT.search(alt)
    ]
    assert not generic, f"{path}: images without a real alt text (alt, src): {generic}"
    watch.assert_clean(path)


# --- The keyboard reaches every control -------------------------------------------------------------


# In the page: from now on, a Tab pressed while ``target`` has the focus does nothing, so that
# Tab can be pressed many times in a row and the focus stays where it first reached ``target``.
# Counts the presses that moved on. Stopped by HOLD_FOCUS_END, which returns that count.
HOLD_FOCUS_AT = """target => {
    const hold = {moved: 0};
    hold.listener = event => {
        if (event.key !== 'Tab') return;
        if (document.activeElement === target) event.preventDefault();
        else hold.moved += 1;
    };
    window.addEventListener('keydown', hold.listener, true);
    window.focusHold = hold;
}"""
HOLD_FOCUS_END = """() => {
    window.removeEventListener('keydown', window.focusHold.listener, true);
    return window.focusHold.moved;
}"""


def tab_to(tab: Page, target: Locator, limit: int = 400, batch: int = 25) -> int:
    """Press Tab from the top of the page until ``target`` has the focus; how many presses it took.

    Pressed ``batch`` at a time, with one look at the focus after each batch (HOLD_FOCUS_AT
    keeps the focus on ``target`` once it is there): a look costs more than a press.
    """
    tab.evaluate(
        "() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }"
    )
    target.evaluate(HOLD_FOCUS_AT)
    reached = False
    try:
        for _ in range(0, limit, batch):
            for _ in range(batch):
                tab.keyboard.press("Tab")
            if reached := target.evaluate(
                "element => element === document.activeElement"
            ):
                break
    finally:
        presses = tab.evaluate(HOLD_FOCUS_END)
    if not reached:
        pytest.fail(f"{limit} presses of Tab never reached {target}")
    return presses


FRAME_GRID = "ToggleButtonsModel"


@pytest.mark.parametrize("path", pages_with(FRAME_GRID)[:1], ids=page_id)
def test_keyboard_moves_the_slider_and_the_buttons(
    opened: tuple[Page, Watch], path: str
) -> None:
    """With the keys only: Tab reaches a slider, an arrow key moves it and the frame changes;
    Tab reaches a toggle button that is not chosen, Enter chooses it and the frame changes."""
    tab, watch = opened
    area = (
        tab.locator(".widget-subarea")
        .filter(has=tab.locator(".widget-toggle-buttons"))
        .first
    )

    def press(target: Locator, key: str, what: str) -> None:
        shown, before = area.evaluate(SHOWN, CONTROL_ROWS), frame(area)
        tab_to(tab, target)
        tab.keyboard.press(key)
        try:
            tab.wait_for_function(
                SHOWN_CHANGED,
                arg=[area.element_handle(), CONTROL_ROWS, shown],
                timeout=15_000,
            )
        except PlaywrightTimeoutError:
            pytest.fail(f"{path}: {what}, but the widget shows the same frame")
        assert frame(area) != before, f"{path}: {what}: the same picture again"

    handle = area.locator(".widget-slider .noUi-handle").first
    value = handle.get_attribute("aria-valuenow")
    key = (
        "ArrowLeft" if value == handle.get_attribute("aria-valuemax") else "ArrowRight"
    )
    press(handle, key, f"{key} on the slider")
    expect(handle).not_to_have_attribute("aria-valuenow", value)

    buttons = area.locator(".widget-toggle-buttons button")
    chosen = [
        "mod-active" in (b.get_attribute("class") or "").split() for b in buttons.all()
    ]
    button = buttons.nth(chosen.index(False))
    press(button, "Enter", "Enter on a toggle button")
    expect(button).to_have_class(re.compile(r"\bmod-active\b"))
    watch.assert_clean(path)


# A page with a hidden solution (sphinx-exercise's dropdown, a sphinx-togglebutton toggle).
TOGGLED_SOLUTION = (
    r'class="[^"]*\b(dropdown\b[^"]*\badmonition|admonition\b[^"]*\bdropdown)\b'
)


@pytest.mark.parametrize("path", pages_with(TOGGLED_SOLUTION)[:1], ids=page_id)
def test_keyboard_opens_and_closes_a_solution(
    opened: tuple[Page, Watch], path: str
) -> None:
    """With the keys only: Tab reaches a solution's button, Enter opens it, Enter closes it.

    The dropdown test before this one opened every solution on the page (so that axe-core
    checked what they hide), so the first Enter closes this one and the second opens it again;
    a page loaded afresh starts with it hidden (that test checks it).
    """
    tab, watch = opened
    block = tab.locator(".admonition.toggle").first
    body = block.locator(":scope > :not(.admonition-title)").first
    button = block.locator(".toggle-button").first
    was_open = body.is_visible()
    tab_to(tab, button)
    for open_now in (not was_open, was_open):
        tab.keyboard.press("Enter")
        expect(body).to_be_visible() if open_now else expect(body).to_be_hidden()
    watch.assert_clean(path)
