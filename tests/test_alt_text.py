"""hello_rnn.alt_text: a figure carries the sentence that describes it."""

import gc

import pytest

from hello_rnn import InvalidTypeError, InvalidValueError
from hello_rnn.alt_text import alt_of, with_alt


class Drawing:
    pass


def test_the_text_comes_back_as_one_sentence():
    drawing = Drawing()
    assert with_alt(drawing, "The loss falls\n   from 3.0 to 0.1.") is drawing
    assert alt_of(drawing) == "The loss falls from 3.0 to 0.1."


def test_no_text_no_alt():
    assert alt_of(Drawing()) is None
    assert alt_of(3) is None


@pytest.mark.parametrize(
    "text, error", [("  ", InvalidValueError), (None, InvalidTypeError)]
)
def test_an_empty_or_missing_text_is_refused(text, error):
    with pytest.raises(error, match="alt text"):
        with_alt(Drawing(), text)


def test_a_forgotten_figure_takes_its_text_with_it():
    from hello_rnn import alt_text

    with_alt(Drawing(), "gone")
    gc.collect()
    assert "gone" not in alt_text._ALT_TEXTS.values()
