"""What the chapters need from a notebook, and nothing more.

``glue`` hands a computed value to the book's prose (myst-nb). On a runtime
without myst-nb, such as a fresh Colab, it still works, so every chapter runs
anywhere with only ``hello_rnn`` installed. ``expect`` checks what the prose
says about a training run: strictly where the book is built, gently elsewhere.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from .alt_text import alt_of

__all__ = ["STRICT", "expect", "glue"]

# Set (to 1) where the book's outputs are made and tested: `make refresh`, `make notebooks`.
STRICT = "HELLO_RNN_STRICT"
# Where a glued output keeps its declared tolerance (tests/nbval_tolerance.py reads it).
TOLERANCE_METADATA = "hello_rnn"


def glue(
    name: str,
    value: Any,
    display: bool = False,
    *,
    rtol: float | None = None,
    atol: float | None = None,
) -> None:
    """Store ``value`` under ``name`` for ``{glue}`name``` in the prose.

    Round floats before gluing (4 decimals): the book shows those digits. The
    stored outputs are validated on other machines with a tolerance (README,
    "Stored outputs and tolerance"): a number within a thousandth of the stored
    one agrees. A value that honestly varies more from one CPU to another (the
    step at which a run first memorizes) declares a wider ``rtol``/``atol`` here;
    it is stored in the output's metadata, ``{"hello_rnn": {"tolerance": ...}}``.
    A claim that matters about such a value is an :func:`expect`, which holds
    everywhere.

    A glued matplotlib figure is closed afterwards, so the notebook does not show
    it a second time below the cell. A figure with an alt text
    (:func:`hello_rnn.alt_text.with_alt`) keeps it in its PNG's output metadata
    (``{"image/png": {"alt": ...}}``), where the book's build (book/_ext/a11y.py)
    reads it, and where validation compares it instead of the PNG's bytes.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # Colab and plain Jupyter: no book to glue into
        myst_glue = None
    shown = _with_metadata(value, rtol, atol)
    if myst_glue is not None:
        myst_glue(name, shown, display=display)
    elif display:
        from IPython.display import display as show

        show(shown)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure

        if isinstance(value, Figure):
            plt.close(value)


def expect(condition: object, claim: str) -> None:
    """Check a claim the prose makes about how a run turned out ("the RNN never memorizes").

    The prose describes the run stored in the book: this CPU, the pinned PyTorch.
    Where the book is made and tested (``HELLO_RNN_STRICT=1``) a false claim is an
    ``AssertionError``: the prose must change. Anywhere else (Colab, a GPU, another
    PyTorch) rounding can tip a close race the other way; then it prints a note and
    the notebook goes on.
    """
    if condition:
        return
    if os.environ.get(STRICT) == "1":
        raise AssertionError(
            f"the text says {claim}, but this run does not: update the chapter"
        )
    print(
        f"Note: in the book's run {claim}; not in this one. Another device or PyTorch version "
        "rounds a little differently, and this was a close call: the text describes the book's run."
    )


def _with_metadata(value: Any, rtol: float | None, atol: float | None) -> Any:
    """`value`, displayed with its alt text and its declared tolerance, if any."""
    extra: dict[str, Any] = {}
    if alt := alt_of(value):
        extra["image/png"] = {"alt": alt}
    tolerance = {k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None}
    if tolerance:
        extra[TOLERANCE_METADATA] = {"tolerance": tolerance}
    return _Described(value, extra) if extra else value


class _Described:
    """A displayable object with more in its output's metadata.

    It displays as ``value`` does (same PNG, same text), plus ``extra`` in the
    output's metadata, the place Jupyter keeps facts about an output: a figure's
    ``{"image/png": {"alt": ...}}`` (only where there is a PNG), a declared
    tolerance.
    """

    def __init__(self, value: Any, extra: dict[str, Any]) -> None:
        self.value = value
        self.extra = extra

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        from IPython.core.formatters import format_display_data

        data, metadata = format_display_data(self.value, include, exclude)
        metadata = dict(metadata)
        for key, facts in self.extra.items():
            if key in data or "/" not in key:  # a MIME type's facts need its data
                metadata[key] = {**metadata.get(key, {}), **facts}
        return data, metadata
