"""What the chapters need from a notebook, and nothing more.

``glue`` hands a computed value to the book's prose (myst-nb). On a runtime
without myst-nb, such as a fresh Colab, it still works, so every chapter runs
anywhere with only ``hello_rnn`` installed.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["glue"]


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` for ``{glue}`name``` in the prose.

    Round floats before gluing (4 decimals), so the book and the stored outputs
    show the same digits on every run. A glued matplotlib figure is closed
    afterwards, so the notebook does not show it a second time below the cell.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # Colab and plain Jupyter: no book to glue into
        myst_glue = None
    if myst_glue is not None:
        myst_glue(name, value, display=display)
    elif display:
        from IPython.display import display as show

        show(value)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure

        if isinstance(value, Figure):
            plt.close(value)
