"""Chapter 2's figures: the unrolled RNN and Karpathy's confidence grid."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..alt_text import with_alt
from ..data import DataHandler
from ..errors import InvalidValueError
from . import _describe as say
from ._common import _frameless, show_char


def unrolled_rnn(
    inputs: str, targets: str | None = None, highlight: int | None = None
) -> Figure:
    """The RNN unrolled over time: ``x_t -> h_t -> z_t`` per column, ``h_{t-1} -> h_t``.

    Every column uses the same three weight matrices; drawing them once per step
    shows that the network is one cell applied again and again.

    Args:
        inputs: the input characters, one per step (``T`` of them).
        targets: the characters each step should predict (also ``T``), or None.
        highlight: a step ``t`` (1-based, as in the equations) to outline, or None.
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if not isinstance(inputs, str) or not inputs:
        raise InvalidValueError(f"inputs must be a non-empty string, got {inputs!r}")
    if targets is not None and len(targets) != len(inputs):
        raise InvalidValueError(
            f"targets must have one character per input ({len(inputs)}), "
            f"got {targets!r}"
        )
    steps = len(inputs)
    if highlight is not None and not 1 <= highlight <= steps:
        raise InvalidValueError(
            f"highlight must be a step in 1..{steps}, got {highlight!r}"
        )
    dx, row = 2.3, {"x": 0.0, "h": 1.7, "y": 3.4}
    w, h = 1.15, 0.72
    colours = {"x": "#dbe9f6", "h": "#fde6c8", "y": "#e4dcf1"}
    fig, ax = plt.subplots(figsize=(1.2 + 2.05 * (steps + 1), 4.6))

    def box(cx: float, cy: float, text: str, colour: str, lw: float = 1.2) -> None:
        ax.add_patch(
            FancyBboxPatch(
                (cx - w / 2, cy - h / 2),
                w,
                h,
                boxstyle="round,pad=0.04",
                fc=colour,
                ec="#444444",
                lw=lw,
            )
        )
        ax.text(cx, cy, text, ha="center", va="center", fontsize=11)

    def arrow(
        start: tuple[float, float],
        end: tuple[float, float],
        label: str,
        offset: tuple[float, float],
    ) -> None:
        ax.add_patch(
            FancyArrowPatch(
                start, end, arrowstyle="-|>", mutation_scale=14, lw=1.4, color="#333333"
            )
        )
        mid = ((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1])
        ax.text(*mid, label, ha="center", va="center", fontsize=10, color="#8a2d0a")

    box(0.0, row["h"], "$h_0 = 0$", "#eeeeee")
    for t in range(1, steps + 1):
        cx = dx * t
        bold = 2.6 if t == highlight else 1.2
        box(
            cx,
            row["x"],
            f"$x_{{{t}}}$: '{show_char(inputs[t - 1])}'",
            colours["x"],
            bold,
        )
        box(cx, row["h"], f"$h_{{{t}}}$", colours["h"], bold)
        box(cx, row["y"], f"$z_{{{t}}}$", colours["y"], bold)
        arrow(
            (cx, row["x"] + h / 2 + 0.05),
            (cx, row["h"] - h / 2 - 0.05),
            "$W_{xh}$",
            (0.38, 0),
        )
        arrow(
            (cx, row["h"] + h / 2 + 0.05),
            (cx, row["y"] - h / 2 - 0.05),
            "$W_{hy}$",
            (0.38, 0),
        )
        arrow(
            (cx - dx + w / 2 + 0.05, row["h"]),
            (cx - w / 2 - 0.05, row["h"]),
            "$W_{hh}$",
            (0, 0.22),
        )
        if targets is not None:
            ax.text(
                cx,
                row["y"] + h / 2 + 0.25,
                f"should predict '{show_char(targets[t - 1])}'",
                ha="center",
                va="center",
                fontsize=9.5,
                color="#2b6a2b",
            )
    ax.set_xlim(-w / 2 - 0.4, dx * steps + w / 2 + 0.4)
    ax.set_ylim(row["x"] - h / 2 - 0.35, row["y"] + h / 2 + 0.55)
    ax.set_xticks(
        [0.0] + [dx * t for t in range(1, steps + 1)],
        ["start"] + [f"t = {t}" for t in range(1, steps + 1)],
    )
    ax.set_yticks(list(row.values()), ["input $x_t$", "hidden $h_t$", "logits $z_t$"])
    ax.set_xlabel("time step t (one character per step)")
    ax.set_ylabel("layer")
    _frameless(ax)
    fig.tight_layout()
    sentence = (
        f"The RNN unrolled over {steps} time steps: one column per step t = 1 to "
        f"{steps}, each with an input box x_t (the characters "
        f"{say.listing([say.character(c) for c in inputs])}), above it a hidden state "
        "h_t and above that the logits z_t, joined by arrows labelled W_xh and W_hy. "
        "Arrows labelled W_hh carry each hidden state to the next step's, starting "
        "from h_0 = 0; every column uses the same three weight matrices."
    )
    if targets is not None:
        sentence += (
            " Above each column is the character that step should predict: "
            f"{say.listing([say.character(c) for c in targets])}."
        )
    if highlight is not None:
        sentence += (
            f" Step t = {highlight}, input {say.character(inputs[highlight - 1])}, "
            "is drawn in bold."
        )
    return with_alt(fig, sentence)


def next_char_confidences(
    logits: torch.Tensor,
    data: DataHandler,
    title: str | None = None,
    show_scores: bool = True,
) -> Figure:
    """Karpathy's "hello" picture: the confidence in every character, at every step.

    One column per input character, one row per vocabulary character. Each cell
    prints the probability (softmax of the scores) and, below it, the score
    itself. The cell of the correct next character is green, the others red;
    the stronger the colour, the more probability the network puts there.

    Args:
        logits: ``[T, V]`` scores, ``T = len(data.text) - 1``.
        data: the text and its vocabulary.
        title: a title for the figure, or None.
        show_scores: also print the score under each probability.
    """
    from ..sample import next_char_probabilities

    scores = logits.detach().float().cpu()
    steps, size = len(data.y), data.num_characters
    if tuple(scores.shape) != (steps, size):
        raise InvalidValueError(
            f"logits must have shape [{steps}, {size}] for {data!r}, "
            f"got {list(scores.shape)}"
        )
    probs = next_char_probabilities(scores)
    targets = data.y.cpu()
    fig, ax = plt.subplots(figsize=(1.0 * steps + 1.9, 0.78 * size + 1.5))
    for t in range(steps):
        for i in range(size):
            p = probs[t, i].item()
            correct = i == targets[t].item()
            colour = (0.13, 0.55, 0.13) if correct else (0.80, 0.15, 0.15)
            ax.add_patch(
                plt.Rectangle(
                    (t - 0.5, i - 0.5),
                    1,
                    1,
                    fc=colour,
                    alpha=0.12 + 0.8 * p,
                    ec="white",
                    lw=2,
                )
            )
            ink = "white" if p > 0.55 else "black"
            ax.text(
                t,
                i - 0.1 if show_scores else i,
                f"{p:.2f}",
                ha="center",
                va="center",
                fontsize=12,
                color=ink,
                fontweight="bold" if correct else "normal",
            )
            if show_scores:
                ax.text(
                    t,
                    i + 0.25,
                    f"({scores[t, i].item():+.2f})",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=ink,
                )
    ax.set_xlim(-0.5, steps - 0.5)
    ax.set_ylim(size - 0.5, -0.5)
    ax.set_xticks(
        range(steps),
        [f"{show_char(c)}\nt = {t + 1}" for t, c in enumerate(data.text[:-1])],
    )
    ax.set_yticks(range(size), [show_char(c) for c in data.chars])
    ax.set_xlabel("input character $x_t$")
    ax.set_ylabel("next character")
    _frameless(ax)
    if title:
        ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return with_alt(fig, _confidences_alt(probs, data, title, show_scores))


def _confidences_alt(
    probs: torch.Tensor, data: DataHandler, title: str | None, show_scores: bool
) -> str:
    """What the confidence grid shows: how often and how strongly the right character wins."""
    targets = data.y.cpu()
    steps, size = probs.shape
    right = probs[torch.arange(steps), targets]
    best = probs.argmax(dim=-1)
    wins = int((best == targets).sum())
    worst = int(right.argmin())
    inputs = data.text[:-1]
    printed = (
        "its probability and, below it, its score" if show_scores else "its probability"
    )
    sentence = (
        f"{say.capital(say.plain(title)) + ': a' if title else 'A'} grid of the network's "
        f"confidence in every next character, with one column per input character "
        f"of {say.quoted(inputs)} (t = 1 to {steps}) and one row per vocabulary "
        f"character ({size} rows); each cell prints {printed}. The cell of the right "
        "next character is green, the others red, stronger where the probability is "
        f"higher. The right character gets the most probability at {wins} of "
        f"{steps} positions; its probability ranges from {say.number(right.min(), 2)} "
        f"to {say.number(right.max(), 2)} (a uniform guess gives each character "
        f"{say.number(1 / size, 2)})."
    )
    if wins < steps:
        chosen = data.chars[int(best[worst])]
        sentence += (
            f" The weakest is t = {worst + 1} (input {say.character(inputs[worst])}): "
            f"the right {say.character(data.chars[int(targets[worst])])} gets "
            f"{say.number(right[worst], 2)}"
            + (
                f", while {say.character(chosen)} gets "
                f"{say.number(probs[worst, best[worst]], 2)}."
                if int(best[worst]) != int(targets[worst])
                else "."
            )
        )
    return sentence
