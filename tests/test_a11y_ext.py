"""book/_ext/a11y.py: the accessibility fixes of the written pages, and what counts as a real alt text."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "book" / "_ext"))
from a11y import fix_html, generic_alt, output_alt_texts  # noqa: E402


@pytest.mark.parametrize(
    "alt",
    [None, "", "  ", "Figure", "image", "../_images/13fb.png", "plot.svg"],
)
def test_alt_texts_that_say_nothing(alt):
    assert generic_alt(alt)


def test_an_alt_text_that_describes():
    assert not generic_alt("The loss falls from 4.1 to 0.2 bits per character")


def test_the_search_field_is_named_by_what_it_shows():
    button = (
        '<button class="btn search-button-field search-button__button pst-js-only" title="Search"'
        ' aria-label="Search" data-bs-toggle="tooltip">'
    )
    icon_only = '<button class="btn btn-sm search-button search-button__button" aria-label="Search">'
    fixed = fix_html(button + icon_only)
    assert 'title="Search" data-bs-toggle' in fixed
    assert (
        fixed.count('aria-label="Search"') == 1
    )  # the icon-only button keeps its name


def test_the_colour_mode_icons_lose_their_titles():
    icon = '<i class="theme-switch fa-solid fa-sun fa-lg" data-mode="light" title="Light"></i>'
    assert (
        fix_html(icon)
        == '<i class="theme-switch fa-solid fa-sun fa-lg" data-mode="light"></i>'
    )


def test_hidden_cells_and_bibliography_entries():
    page = (
        '<summary aria-label="Toggle hidden content"><div role="list" class="citation-list">'
        '<div class="citation" role="doc-biblioentry">'
    )
    fixed = fix_html(page)
    assert "<summary>" in fixed and 'role="listitem"' in fixed
    assert "doc-biblioentry" not in fixed


def test_an_output_gives_its_alt_text_to_the_image_of_its_bytes():
    import base64
    import hashlib

    png = b"\x89PNG\r\n\x1a\n not really"
    encoded = base64.b64encode(png).decode()
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": "text"},
            {
                "cell_type": "code",
                "outputs": [
                    {  # glued: a prefixed data key, a plain metadata key
                        "output_type": "display_data",
                        "data": {"application/papermill.record/image/png": encoded},
                        "metadata": {"image/png": {"alt": "A line that falls"}},
                    },
                    {  # no alt text: left out
                        "output_type": "display_data",
                        "data": {"image/png": base64.b64encode(b"other").decode()},
                        "metadata": {},
                    },
                ],
            },
        ]
    }
    assert output_alt_texts(notebook) == {
        hashlib.sha256(png).hexdigest(): "A line that falls"
    }
