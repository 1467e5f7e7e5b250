"""The live sampler on the built pages (book/_ext/live_sampler.py), in Chromium, offline.

The network in the page must be torch's: the next character's probabilities after fixed
beginnings within 1e-4, the same 200 characters from the same uniform draws at τ = 1, and
greedy decoding exactly what ``hello_rnn.generate(..., temperature=0)`` writes. Its controls
work from the keyboard, its live region speaks once a sample is finished, it works from
``file://``, and with JavaScript off the page shows the sample written at build time instead.
The speed (click to first character, characters a second) and the download are measured and
printed, not asserted; they also go to ``_build/live_sampler_figures.json``.

Run after ``make book``: ``pytest tests/book/test_live_sampler_browser.py -s``.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from collections.abc import Iterator

import numpy as np
import pytest
import test_browser
from book_site import ROOT, SITE, built_pages
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect
from test_browser import Watch, axe_violations, listed, new_context, open_page, tab_to

from hello_rnn import generate
from hello_rnn.shipped import load_shipped

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from live_sampler import ASSETS, SENTENCE  # noqa: E402
from test_live_sampler import (  # noqa: E402
    inverse_cdf_reference,
    torch_probabilities,
)

NAME = "shakespeare_short"
CHAPTER = "chapters/07_going_bigger.html"
SAMPLER = ".live-sampler"
PREFIXES = ["\n", "CORIOLANUS.\n", "First Citizen:\nWe are", "the king "]
LENGTH = 200
FIGURES = SITE.parent / "live_sampler_figures.json"
figures: dict[str, object] = {}
# test_browser.py's Chromium, for these tests too.
playwright = test_browser.playwright
browser = test_browser.browser


def html_of(page: str) -> str:
    return (SITE / page).read_text(encoding="utf-8")


PAGES_WITH_SAMPLER = [p for p in built_pages() if 'class="live-sampler"' in html_of(p)]


@pytest.fixture(scope="module")
def shipped():
    return load_shipped(NAME)


def sampler_page(browser: Browser, server: str) -> Iterator[tuple[Page, Watch]]:
    """The chapter in a fresh profile, its sampler ready; afterwards, nothing went wrong."""
    context = new_context(browser)
    page = context.new_page()
    watch = Watch(page, server)
    open_page(page, watch, server, CHAPTER)
    page.wait_for_function(
        "() => document.querySelector('.live-sampler')?.dataset.state === 'ready'"
    )
    yield page, watch
    watch.assert_clean(CHAPTER)
    context.close()


# A tab of its own for each test that uses the sampler's controls (they change what it shows).
tab = pytest.fixture(sampler_page)
# One tab for the tests that only ask the page's network for numbers (they change nothing).
shared_tab = pytest.fixture(sampler_page, scope="module")


def record(name: str, value: object) -> None:
    figures[name] = value
    print(f"live sampler: {name} = {value}")
    FIGURES.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


# --- Which pages, and what they load -----------------------------------------------------------


def test_the_sampler_is_on_chapters_6_and_7_only():
    assert sorted(PAGES_WITH_SAMPLER) == [
        "chapters/06_sampling_and_temperature.html",
        CHAPTER,
    ]


def test_pages_without_a_sampler_load_nothing_of_it():
    for page in built_pages():
        loads = ASSETS in html_of(page)
        assert loads == (page in PAGES_WITH_SAMPLER), page


def test_the_extra_download_per_page():
    """The runtime, its stylesheet and the weights: what a page with a sampler adds."""
    files = [SITE / ASSETS / name for name in ("live_sampler.js", "live_sampler.css")]
    files.append(SITE / ASSETS / f"{NAME}.js")
    raw = {f.name: f.stat().st_size for f in files}
    zipped = sum(len(gzip.compress(f.read_bytes(), 9)) for f in files)
    record("download bytes", raw)
    record("download total kB", round(sum(raw.values()) / 1000, 1))
    record("download total kB gzipped", round(zipped / 1000, 1))


def test_the_intro_opens_with_what_the_shipped_network_wrote(shipped):
    """Its first lines are what generate writes with the shipped network (book/intro.md's
    options), before the rest of the page, with a link to the live sampler."""
    net, vocabulary, _ = shipped
    written = generate(net, vocabulary, "\n", 600, temperature=0.8, seed=0)
    lines = [line for line in written.split("\n") if line.strip()][:6]
    intro = BeautifulSoup(html_of("book/intro.html"), "html.parser")
    article = intro.select_one("article")
    quoted = article.select_one(".shipped-sample pre")
    assert quoted is not None and quoted.get_text().strip("\n") == "\n".join(lines)
    first_heading = article.find("h2")
    assert quoted.sourceline < first_heading.sourceline
    links = [a["href"] for a in article.select("a[href]")]
    assert any(
        h.endswith("07_going_bigger.html#live-sampler-going-bigger") for h in links
    )


# --- The same network as torch's --------------------------------------------------------------


def test_the_page_computes_torchs_probabilities(shared_tab, shipped):
    page, _ = shared_tab
    net, vocabulary, _ = shipped
    for prefix in PREFIXES:
        theirs = page.evaluate(
            "([name, prefix]) => helloRnnLiveSampler.nextProbabilities(name, prefix, 1)",
            [NAME, prefix],
        )
        ours = torch_probabilities(net, vocabulary, prefix).numpy()
        np.testing.assert_allclose(
            theirs, ours, rtol=0, atol=1e-4, err_msg=repr(prefix)
        )


def test_the_page_writes_the_same_characters_from_the_same_draws(shared_tab, shipped):
    page, _ = shared_tab
    net, vocabulary, _ = shipped
    rng = random.Random(22)
    for prefix in PREFIXES:
        draws = [rng.random() for _ in range(LENGTH)]
        theirs = page.evaluate(
            """([name, prefix, draws]) => helloRnnLiveSampler.generate(name,
                {prefix, length: draws.length, temperature: 1, draws})""",
            [NAME, prefix, draws],
        )
        assert theirs == inverse_cdf_reference(net, vocabulary, prefix, draws)


def test_greedy_decoding_in_the_page_is_generates(shared_tab, shipped):
    page, _ = shared_tab
    net, vocabulary, _ = shipped
    for prefix in PREFIXES:
        theirs = page.evaluate(
            """([name, prefix, length]) => helloRnnLiveSampler.generate(name,
                {prefix, length, temperature: 0})""",
            [NAME, prefix, LENGTH],
        )
        assert theirs == generate(net, vocabulary, prefix, LENGTH, temperature=0)


# --- Reading and using it ---------------------------------------------------------------------

# In the page: every change of the sampler's live region, recorded from now on.
WATCH_LIVE_REGION = """element => {
    const region = element.querySelector('[aria-live]');
    window.liveRegionChanges = [];
    new MutationObserver(() => window.liveRegionChanges.push(region.textContent))
        .observe(region, {childList: true, characterData: true, subtree: true});
}"""


def test_generate_from_the_keyboard_and_measure(tab):
    """Tab to Generate, Enter: the text appears character by character, and the live region
    speaks once, when the sample is finished; axe-core finds nothing wrong in the sampler as
    it is then. Prints the speed."""
    page, watch = tab
    sampler = page.locator(SAMPLER).first
    length = 200  # the page's pace, about 240 characters a second: not a long wait
    sampler.locator(".live-sampler-length").fill(str(length))
    sampler.evaluate(WATCH_LIVE_REGION)
    page.evaluate(
        """element => { window.lengthsSeen = [];
            const text = element.querySelector('.live-sampler-text');
            new MutationObserver(() => window.lengthsSeen.push(text.textContent.length))
                .observe(text, {childList: true, characterData: true, subtree: true}); }""",
        sampler.element_handle(),
    )
    tab_to(page, sampler.locator(".live-sampler-generate"))
    page.keyboard.press("Enter")
    expect(sampler).to_have_attribute("data-state", "done", timeout=60_000)
    prefix = sampler.locator(".live-sampler-prefix").input_value()
    text = sampler.locator(".live-sampler-text").text_content()
    assert text.startswith(prefix) and len(text) == len(prefix) + length
    assert page.evaluate("window.lengthsSeen.length") > 10, "not shown as it is sampled"
    changes = page.evaluate("window.liveRegionChanges")
    assert len(changes) == 1, changes  # one announcement: the finished sample
    assert changes[0].startswith(f"Finished: {length} characters")
    assert text[len(prefix) :] in changes[0]
    expect(sampler.locator(".live-sampler-fallback")).to_be_hidden()
    run = sampler.evaluate("element => element.liveSampler.lastRun")
    record("click to first character ms", round(run["firstCharAt"] - run["clickAt"], 1))
    shown_for = (run["doneAt"] - run["firstCharAt"]) / 1000
    record("characters per second shown", round((run["chars"] - 1) / shown_for))
    # How fast the network itself writes, without the page's pacing (two per frame).
    per_second = page.evaluate(
        """name => { const n = 20000, t0 = performance.now();
            helloRnnLiveSampler.generate(name, {prefix: '\\n', length: n, temperature: 1, seed: 1});
            return n / ((performance.now() - t0) / 1000); }""",
        NAME,
    )
    record("characters per second sampled", round(per_second))
    found = {}
    for mode in ("light", "dark"):
        page.evaluate(
            "mode => { document.documentElement.dataset.mode = mode;"
            " document.documentElement.dataset.theme = mode; }",
            mode,
        )
        if violations := axe_violations(page, within=SAMPLER):
            found[mode] = listed(violations)
    assert not found, f"axe-core, after a sample: {found}"


def test_the_controls_are_labelled_and_the_keys_move_them(tab):
    page, _ = tab
    sampler = page.locator(SAMPLER).first
    for control in sampler.locator("textarea, input").all():
        label = page.locator(f"label[for='{control.get_attribute('id')}']")
        assert label.count() == 1 and label.inner_text().strip()
    slider = sampler.locator(".live-sampler-temperature")
    before = slider.input_value()
    tab_to(page, slider)
    page.keyboard.press("ArrowRight")
    assert float(slider.input_value()) > float(before)
    expect(sampler.locator("output")).to_have_text(f"{float(slider.input_value()):.2f}")


def test_stop_and_escape_end_a_sample(tab):
    page, _ = tab
    sampler = page.locator(SAMPLER).first
    sampler.locator(".live-sampler-length").fill("5000")
    for how in ("stop", "escape"):
        sampler.locator(".live-sampler-generate").click()
        expect(sampler).to_have_attribute("data-state", "running")
        page.wait_for_function(
            "e => e.querySelector('.live-sampler-text').textContent.length > 30",
            arg=sampler.element_handle(),
        )
        if how == "stop":
            sampler.locator(".live-sampler-stop").click()
        else:
            sampler.locator(".live-sampler-seed").focus()
            page.keyboard.press("Escape")
        expect(sampler).to_have_attribute("data-state", "stopped")
        written = sampler.evaluate("e => e.liveSampler.lastRun.chars")
        assert 0 < written < 5000
        expect(sampler.locator(".live-sampler-stop")).to_be_disabled()


def test_a_character_the_network_never_saw_is_refused_in_words(tab):
    page, _ = tab
    sampler = page.locator(SAMPLER).first
    sampler.locator(".live-sampler-prefix").fill("Hello €")
    sampler.locator(".live-sampler-generate").click()
    expect(sampler).to_have_attribute("data-state", "refused")
    expect(sampler.locator(".live-sampler-problem")).to_contain_text('"€"')


def test_with_javascript_off_the_page_shows_the_built_sample(
    browser: Browser, server: str
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + CHAPTER, wait_until="load")
    sampler = page.locator(SAMPLER).first
    expect(sampler.locator(".live-sampler-controls")).to_be_hidden()
    expect(sampler.get_by_text(SENTENCE)).to_be_visible()
    sample = sampler.locator(".live-sampler-fallback pre")
    expect(sample).to_be_visible()
    assert sample.inner_text().startswith("CORIOLANUS.\n")
    context.close()


def test_it_works_from_a_file_url(browser: Browser):
    context = new_context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "theme mode" not in m.text
            else None
        ),
    )
    page.goto((SITE / CHAPTER).as_uri(), wait_until="load")
    sampler = page.locator(SAMPLER).first
    expect(sampler).to_have_attribute("data-state", "ready")
    sampler.locator(".live-sampler-length").fill("50")
    sampler.locator(".live-sampler-generate").click()
    expect(sampler).to_have_attribute("data-state", "done")
    assert not [e for e in errors if re.search("live.sampler|helloRnn", e)], errors
    context.close()
