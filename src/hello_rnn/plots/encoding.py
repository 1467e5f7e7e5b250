"""Chapter 1's figure: the one-hot inputs as a grid."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..alt_text import with_alt
from ..data import DataHandler
from . import _describe as say
from ._common import show_char


def one_hot_matrix(data: DataHandler, highlight: int | None = None) -> Figure:
    """The inputs ``X`` as a grid: one row per input position, one column per character.

    The row of position ``t`` (counted from 1, as in the book) is the one-hot vector
    of the ``t``-th character, for every character of ``text[:-1]``.

    Args:
        data: the text and its vocabulary.
        highlight: a row to outline (a 0-based row index), or None.
    """
    X = data.X.cpu()
    fig, ax = plt.subplots(
        figsize=(0.45 * data.num_characters + 2, 0.35 * X.shape[0] + 1.2)
    )
    ax.imshow(X.numpy(), cmap="Greys", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(data.num_characters), [show_char(c) for c in data.chars])
    ax.set_yticks(
        range(X.shape[0]),
        [f"{t}: {show_char(c)}" for t, c in enumerate(data.text[:-1], start=1)],
    )
    ax.set_xlabel("vocabulary index (character)")
    ax.set_ylabel("position t: input character")
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.set_xticks(torch.arange(data.num_characters + 1).numpy() - 0.5, minor=True)
    ax.set_yticks(torch.arange(X.shape[0] + 1).numpy() - 0.5, minor=True)
    ax.grid(which="minor", color="#bbbbbb", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    if highlight is not None:
        ax.add_patch(
            plt.Rectangle(
                (-0.5, highlight - 0.5),
                data.num_characters,
                1,
                fill=False,
                ec="C3",
                lw=2.5,
            )
        )
    fig.tight_layout()
    return with_alt(fig, _one_hot_alt(data, highlight))


def _one_hot_alt(data: DataHandler, highlight: int | None) -> str:
    inputs = data.text[:-1]
    rows = len(inputs)
    sentence = (
        f"The one-hot inputs X as a grid of {rows} rows, one per position t = 1 to "
        f"{rows}, by {data.num_characters} columns, one per vocabulary character "
        f"({say.listing([say.character(c) for c in data.chars])}). Each row has a "
        "single dark cell, in the column of its input character, so the dark cells "
        f"spell {say.quoted(inputs)} from top to bottom."
    )
    if highlight is not None:
        c = inputs[highlight]
        sentence += (
            f" Row t = {highlight + 1}, the input {say.character(c)}, is outlined in "
            f"red; its dark cell is in column {data.char_to_index[c]}."
        )
    return sentence
