"""What the chapters need from a notebook, and nothing more.

``glue`` hands a computed value to the book's prose (myst-nb). On a runtime
without myst-nb, such as a fresh Colab, it still shows the value, so every
chapter runs anywhere with only ``hello_rnn`` installed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["glue"]


def glue(name: str, value: Any, display: bool = False) -> Any:
    """Store ``value`` under ``name`` for ``{glue}`name``` in the prose; return it.

    Floats should be rounded before gluing (4 decimals), so the book and the
    stored outputs show the same digits on every run.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # Colab and plain Jupyter: no book to glue into
        if display:
            from IPython.display import display as show

            show(value)
        return value
    myst_glue(name, value, display=display)
    return value
