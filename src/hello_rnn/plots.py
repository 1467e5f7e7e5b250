"""Figures for the chapters: plain functions that return a matplotlib Figure.

Not imported by ``hello_rnn`` itself: ``from hello_rnn import plots``.
"""

from __future__ import annotations

import matplotlib

if matplotlib.get_backend().lower() not in ("module://matplotlib_inline.backend_inline", "inline"):
    matplotlib.use("Agg")  # draw to files and notebooks; never open a window

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .data import DataHandler  # noqa: E402

__all__ = ["show_char", "one_hot_matrix"]


def show_char(c: str) -> str:
    """A character as a reader can see it: a space becomes '␣', a newline '↵'."""
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(c, c)


def one_hot_matrix(data: DataHandler, highlight: int | None = None) -> Figure:
    """The inputs ``X`` as a grid: one row per position of ``text[:-1]``, one column per character.

    Args:
        data: the text and its vocabulary.
        highlight: a row to outline (a position in the text), or None.
    """
    X = data.X.cpu()
    fig, ax = plt.subplots(figsize=(0.45 * data.num_characters + 2, 0.35 * X.shape[0] + 1.2))
    ax.imshow(X.numpy(), cmap="Greys", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(data.num_characters), [show_char(c) for c in data.chars])
    ax.set_yticks(range(X.shape[0]), [f"{t}: {show_char(c)}" for t, c in enumerate(data.text[:-1])])
    ax.set_xlabel("vocabulary index (character)")
    ax.set_ylabel("position t: input character")
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.set_xticks(torch.arange(data.num_characters + 1).numpy() - 0.5, minor=True)
    ax.set_yticks(torch.arange(X.shape[0] + 1).numpy() - 0.5, minor=True)
    ax.grid(which="minor", color="#bbbbbb", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    if highlight is not None:
        ax.add_patch(plt.Rectangle((-0.5, highlight - 0.5), data.num_characters, 1, fill=False, ec="C3", lw=2.5))
    fig.tight_layout()
    return fig
