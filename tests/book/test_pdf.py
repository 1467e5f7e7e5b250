"""Checks of the PDF edition (``make pdf``), run by ``make pdf-check``.

The PDF is read as a reader gets it: its text (poppler's ``pdftotext``) and its pages as pictures
(``pdftoppm``). Chapter titles come from the notebooks, back-matter titles from the toc's Markdown
pages, and the widgets from the notebooks' outputs, so a new chapter or slider is checked as soon as
it is in the toc.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from book_site import ROOT, book_config, notebook_docnames, toc_docnames
from PIL import Image

PDF = Path(
    os.environ.get(
        "BOOK_PDF", ROOT / book_config()["sphinx"]["config"]["pdf_edition_source"]
    )
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The sentence under each widget's frame (book/_ext/pdf_edition.py).
SENTENCE = "The interactive version is on the web page."
# Cell tags that keep an output out of the book.
HIDDEN = {"remove-output", "remove-cell"}
# Characters the book uses that a font without them would drop (XeLaTeX only warns in its log).
UNICODE = ["\u2423", "\u00b0", "\u2192", "\u201c", "\u00fc"]  # ␣ ° → “ ü

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (make tex)"
)


@pytest.fixture(scope="session")
def pdf() -> Path:
    if not PDF.is_file():
        pytest.fail(f"no PDF at {PDF}: run `make pdf` first")
    return PDF


@functools.cache
def page_texts(path: Path) -> list[str]:
    """The text of every page (pdftotext separates pages with form feeds)."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8").split("\f")[:-1]


def flat(text: str) -> str:
    """Text as a reader reads it: words hyphenated at a line end joined, all white space one space."""
    return re.sub(r"\s+", " ", re.sub(r"(\w)-\n\s*(\w)", r"\1\2", text))


def page_count(path: Path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def first_heading(markdown: str) -> str | None:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return re.sub(r"[*_`]", "", line[2:]).strip()
    return None


def notebook(docname: str) -> dict:
    return json.loads((ROOT / f"{docname}.ipynb").read_text(encoding="utf-8"))


def chapter_title(docname: str) -> str:
    for cell in notebook(docname)["cells"]:
        if cell["cell_type"] == "markdown" and (
            title := first_heading("".join(cell["source"]))
        ):
            return title
    raise AssertionError(f"{docname} has no '# ' title")


def back_matter_titles() -> list[str]:
    """The titles of the toc's Markdown pages, but the root's (the book's title page replaces it)."""
    names = [name for name in toc_docnames()[1:] if (ROOT / f"{name}.md").is_file()]
    return [
        first_heading((ROOT / f"{name}.md").read_text(encoding="utf-8"))
        for name in names
    ]


def shown_widget_outputs() -> int:
    """Widget outputs the book shows: those of cells that no tag removes."""
    count = 0
    for docname in notebook_docnames():
        for cell in notebook(docname)["cells"]:
            if HIDDEN & set(cell.get("metadata", {}).get("tags", [])):
                continue
            count += sum(
                WIDGET_VIEW in output.get("data", {})
                for output in cell.get("outputs", [])
            )
    return count


def stored_output_text() -> str:
    """Every printed output the chapters store, as text (what a network typed, say)."""
    return "\n".join(
        "".join(output.get("text", ""))
        for docname in notebook_docnames()
        for cell in notebook(docname)["cells"]
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


def test_page_count_is_plausible(pdf: Path) -> None:
    pages = page_count(pdf)
    assert len(notebook_docnames()) * 5 < pages < 400, pages


def test_every_chapter_and_back_matter_title_is_in_the_pdf(pdf: Path) -> None:
    text = flat("\n".join(page_texts(pdf))).casefold()
    titles = [
        chapter_title(name) for name in notebook_docnames()
    ] + back_matter_titles()
    assert len(titles) == len(toc_docnames()) - 1
    missing = [title for title in titles if flat(title).casefold() not in text]
    assert not missing, f"titles not in the PDF: {missing}"


def test_no_unresolved_reference(pdf: Path) -> None:
    pages = [
        number for number, text in enumerate(page_texts(pdf), start=1) if "??" in text
    ]
    assert not pages, f'"??" (an unresolved reference) on pages {pages}'


def test_no_raw_widget_output(pdf: Path) -> None:
    text = flat("\n".join(page_texts(pdf)))
    for raw in (
        "model_id",
        "version_major",
        "application/vnd.jupyter",
        "VBox(children=",
        "IntSlider(value=",
    ):
        assert raw not in text, f"raw widget output in the PDF: {raw!r}"


ANSI_CODE = re.compile(r"\[(?:\d{1,3};)*\d{1,3}m")


def test_no_ansi_escape(pdf: Path) -> None:
    """No colour code that lost its escape character; a sample that writes "[16m" is text."""
    text = "\n".join(page_texts(pdf))
    assert "\x1b" not in text
    written = set(ANSI_CODE.findall(stored_output_text()))  # typed by a network, no ESC
    codes = set(ANSI_CODE.findall(text)) - written
    assert not codes, f"ANSI colour codes in the PDF: {sorted(codes)}"


def test_one_sentence_per_widget(pdf: Path) -> None:
    """Each slider or control shows one frame, then says where the interactive version is."""
    expected = shown_widget_outputs()
    assert expected > 0
    assert flat("\n".join(page_texts(pdf))).count(SENTENCE) == expected


def test_unicode_characters_render(pdf: Path) -> None:
    text = "\n".join(page_texts(pdf))
    missing = [f"U+{ord(char):04X} {char}" for char in UNICODE if char not in text]
    assert not missing, f"characters missing from the PDF: {missing}"
    log = pdf.with_suffix(".log")
    if log.is_file():
        dropped = sorted(
            set(re.findall(r"Missing character: .*", log.read_text(errors="replace")))
        )
        assert not dropped, "XeLaTeX dropped characters its fonts lack:\n" + "\n".join(
            dropped[:20]
        )


def ink(page: Path) -> float:
    """The fraction of the pixels of a page's body (no running header or footer) that are not white."""
    image = Image.open(page).convert("L")
    width, height = image.size
    body = image.crop((0, int(height * 0.08), width, int(height * 0.92)))
    return sum(body.histogram()[:240]) / (body.width * body.height)


def test_pages_are_not_blank(pdf: Path, tmp_path: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == page_count(pdf)
    inks = {page.stem: ink(page) for page in pages}
    blank = [name for name, value in inks.items() if value < 0.002]
    assert not blank, f"blank pages: {blank}"
    # Most pages are full of text, code or figures; a PDF of empty frames or lost fonts is not.
    full = sorted(inks.values())[len(inks) // 2]
    assert full > 0.03, f"the median page has only {full:.1%} ink"
