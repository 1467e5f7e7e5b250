"""Accessibility fixes for the built book (WCAG 2.1 AA, as axe-core checks it in tests/book/test_browser.py).

- Figures say what they show. A notebook's PNG output whose metadata holds an alt text
  (``{"image/png": {"alt": ...}}``, written from the figure's data by ``hello_rnn.notebook.glue``)
  gives it to its image: myst-nb names each image file by the SHA-256 of its bytes, and keeps only the
  width and height of that metadata. An image still without a real alt text (missing, or only its
  file name) takes its figure's caption. A chapter's own ``:alt:`` is kept.
- The theme's search field (pydata-sphinx-theme) shows "Search Ctrl+K" but is named "Search" by its
  aria-label: the visible text must be part of the accessible name (WCAG 2.5.3, axe's
  label-content-name-mismatch). The aria-label goes, and the button is named by what it shows.
- The colour-mode button's icons carry titles ("Light", ...) that Font Awesome renders as text the
  button's name ("Color mode") does not contain (the same rule): the titles go.
- myst-nb's hidden code cells: their summary, "Show code cell source", is named "Toggle hidden content"
  (the same rule): the aria-label goes.
- The bibliography (sphinxcontrib-bibtex, through Sphinx's HTML writer) is a ``role="list"`` whose entries
  have ``role="doc-biblioentry"``, a role ARIA 1.2 deprecated and that a list may not own (axe's
  aria-required-children): the entries become ``role="listitem"``.
- ``a11y.js``: a code block that scrolls gets a tab stop (WCAG 2.1.1, axe's scrollable-region-focusable)
  when it becomes visible, as in a hidden cell or a solution just opened; the theme gives tab stops only
  to those visible when the page loads.
- ``a11y.css``: colours with enough contrast, and a light ground behind figures in dark mode.

The HTML fixes run on the written pages (build-finished), as the theme's templates write them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

HERE = Path(__file__).resolve().parent

# An alt text that says nothing of the picture: empty, a word such as "figure", or a file name or path.
_GENERIC_ALT = re.compile(
    r"^\s*(|figure|image|img|picture|plot|graph|chart|png|svg)\s*$"
    r"|\.(png|jpe?g|gif|svg|webp)\s*$",
    re.IGNORECASE,
)


def generic_alt(alt: str | None) -> bool:
    """Whether ``alt`` fails to describe its image (missing, a placeholder word, or a file name)."""
    return alt is None or bool(_GENERIC_ALT.search(alt))


def _caption_text(figure: nodes.Element) -> str:
    caption = next(iter(figure.findall(nodes.caption)), None)
    if caption is None:
        return ""
    text = caption.astext()
    return " ".join(text.split())


def output_alt_texts(notebook: dict[str, Any]) -> dict[str, str]:
    """The alt texts a notebook's outputs carry, by the SHA-256 of their PNG bytes.

    A glued output's data key has a prefix (``application/papermill.record/image/png``); its
    metadata key does not.
    """
    alt_texts = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            alt = output.get("metadata", {}).get("image/png", {}).get("alt")
            if not alt:
                continue
            for mime, png in output.get("data", {}).items():
                if mime.endswith("image/png"):
                    png = "".join(png) if isinstance(png, list) else png
                    digest = hashlib.sha256(base64.b64decode(png)).hexdigest()
                    alt_texts[digest] = alt
    return alt_texts


def _notebook_alt_texts(app: Sphinx, docname: str) -> dict[str, str]:
    source = Path(app.env.doc2path(docname))
    if source.suffix != ".ipynb":
        return {}
    return output_alt_texts(json.loads(source.read_text(encoding="utf-8")))


def describe_images(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Images take the alt text their output carries; those still without one, their figure's caption."""
    alt_texts = None
    for image in doctree.findall(nodes.image):
        if not generic_alt(image.get("alt")):
            continue
        if alt_texts is None:
            alt_texts = _notebook_alt_texts(app, docname)
        stem = PurePosixPath(image.get("uri", "")).stem
        if stem in alt_texts:
            image["alt"] = alt_texts[stem]
            continue
        parent = image.parent
        while parent is not None and not isinstance(parent, nodes.figure):
            parent = parent.parent
        if parent is not None and (text := _caption_text(parent)):
            image["alt"] = text


# The search field's button: <button class="btn search-button-field ..." title="Search" aria-label="Search" ...>
_SEARCH_FIELD = re.compile(
    r'(<button class="[^"]*\bsearch-button-field\b[^"]*"[^>]*?)\s+aria-label="[^"]*"'
)
# The colour-mode button is named "Color mode" (aria-label), but Font Awesome turns the title of the icon
# it shows ("Light", "Dark", "System Settings") into text inside it, which that name does not contain.
# The icons lose their titles (Font Awesome then hides them from assistive technology), and the button
# keeps its name and its tooltip, "Color mode".
_THEME_ICON_TITLE = re.compile(r'(<i class="theme-switch [^"]*"[^>]*?)\s+title="[^"]*"')
# myst-nb's hidden code cells: <summary aria-label="Toggle hidden content"> shows "Show code cell source".
# Without the aria-label, the summary is named by what it shows.
_HIDDEN_CELL_SUMMARY = '<summary aria-label="Toggle hidden content">'
_BIBLIOENTRY = 'role="doc-biblioentry"'


def fix_html(text: str) -> str:
    """The theme's and the bibliography's markup, made accessible (see the module's docstring)."""
    text = _SEARCH_FIELD.sub(r"\1", text)
    text = _THEME_ICON_TITLE.sub(r"\1", text)
    text = text.replace(_HIDDEN_CELL_SUMMARY, "<summary>")
    if 'class="citation-list"' in text:
        text = text.replace(_BIBLIOENTRY, 'role="listitem"')
    return text


def fix_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for path in Path(app.outdir).rglob("*.html"):
        if PurePosixPath(path.relative_to(app.outdir).as_posix()).parts[0] in {
            "_static",
            "assets",
        }:
            continue
        text = path.read_text(encoding="utf-8")
        fixed = fix_html(text)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


def add_static_path(app: Sphinx, config: Any) -> None:
    config.html_static_path.append(str(HERE / "a11y_static"))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", add_static_path)
    app.add_css_file("a11y.css", priority=900)
    app.add_js_file("a11y.js", priority=900)
    app.connect("doctree-resolved", describe_images)
    app.connect("build-finished", fix_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
