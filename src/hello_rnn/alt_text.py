"""A figure's text alternative: a sentence written from the data it plots.

A reader who cannot see a figure hears its alt text instead, so the text must say
what the picture shows ("the loss falls from 3.0 to 0.01 in 200 steps"), not what
it is ("Figure 3"). Only the function that draws a figure knows its data; the page
that shows it does not. So the drawing function attaches the sentence to the figure
it returns (:func:`with_alt`), and whatever shows the figure reads it back
(:func:`alt_of`): ``notebook.glue`` stores it beside the PNG, where the book's build
makes it the image's ``alt``; ``widgets.figure_to_image`` gives it to a slider's frame.

Nothing here imports matplotlib: any object that can be weakly referenced works.
"""

from __future__ import annotations

from typing import TypeVar
from weakref import WeakKeyDictionary

from .errors import InvalidTypeError, InvalidValueError

__all__ = ["Drawing", "alt_of", "with_alt"]

#: Whatever ``with_alt`` is given (a matplotlib ``Figure``), returned as it came.
Drawing = TypeVar("Drawing")

# Figure -> its alt text. Weak keys: a closed, forgotten figure takes its text with it.
_ALT_TEXTS: WeakKeyDictionary[object, str] = WeakKeyDictionary()


def with_alt(figure: Drawing, text: str) -> Drawing:
    """Attach ``text`` to ``figure`` as its alt text, and return the figure.

    Whitespace runs become single spaces, so a text built over several lines
    reads as one sentence.
    """
    if not isinstance(text, str):
        raise InvalidTypeError(f"alt text must be a str, got {type(text).__name__}")
    sentence = " ".join(text.split())
    if not sentence:
        raise InvalidValueError(
            "alt text must say what the figure shows, got an empty text"
        )
    _ALT_TEXTS[figure] = sentence
    return figure


def alt_of(figure: object) -> str | None:
    """The alt text attached to ``figure`` by :func:`with_alt`, or None."""
    try:
        return _ALT_TEXTS.get(figure)
    except TypeError:  # not weakly referenceable (an int, a str): it has no alt text
        return None
