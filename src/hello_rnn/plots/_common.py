"""What the figures of every chapter share: how a character is shown, plain axes."""

from __future__ import annotations

import matplotlib.pyplot as plt


def show_char(c: str) -> str:
    """A character as a reader can see it: a space becomes '␣', a newline '↵'."""
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(c, c)


def _at_step(i: int) -> str:
    """Where entry ``i`` of a History's lists sits on a "training step" axis (steps from 1)."""
    return f"at step {i + 1}"


def _frameless(ax: plt.Axes) -> None:
    """A diagram or a grid of cells, not a chart: no frame around it, no tick marks."""
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _plain_log_yaxis(ax: plt.Axes) -> None:
    """A log-scale y axis labelled 0.05, 0.1, 0.2, 0.5, 1, ..., not powers of ten."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
