"""Chapter 6's figures: temperature, entropy, and what sampling writes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..alt_text import with_alt
from ..errors import InvalidValueError
from . import _describe as say
from ._common import show_char


def temperature_distributions(
    probabilities: dict[float, torch.Tensor], chars: list[str], context: str
) -> Figure:
    """One next-character distribution at several temperatures: stacked bar charts.

    The most likely character is drawn darker. Low temperatures pile the
    probability onto it; high ones spread it over every character.

    Args:
        probabilities: ``{temperature: [V] probabilities}``, drawn in this order.
        chars: the ``V`` characters of the vocabulary, to label the bars.
        context: the text the network read before this prediction (for the title).
    """
    if not probabilities:
        raise InvalidValueError("probabilities must hold at least one temperature")
    size = len(chars)
    rows = {
        t: torch.as_tensor(p).detach().float().cpu() for t, p in probabilities.items()
    }
    for t, p in rows.items():
        if tuple(p.shape) != (size,):
            raise InvalidValueError(
                f"probabilities[{t!r}] must have shape [{size}] (one per character), "
                f"got {list(p.shape)}"
            )
    fig, axes = plt.subplots(
        len(rows), 1, figsize=(7, 1.25 * len(rows) + 0.9), sharex=True, squeeze=False
    )
    for ax, (t, p) in zip(axes[:, 0], rows.items()):
        top = int(p.argmax())
        ax.bar(
            range(size),
            p.numpy(),
            color=["C3" if i == top else "C0" for i in range(size)],
        )
        ax.set_ylim(0, 1.05)
        ax.set_yticks([0, 0.5, 1])
        ax.set_ylabel("probability", fontsize=8)
        ax.text(
            0.99,
            0.88,
            f"τ = {t:g}",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=10,
            bbox={"fc": "white", "ec": "#cccccc", "boxstyle": "round,pad=0.25"},
        )
        ax.grid(alpha=0.3, axis="y")
    last = axes[-1, 0]
    last.set_xticks(range(size), [show_char(c) for c in chars])
    last.set_xlabel("next character")
    shown = context.rstrip(" ") + "␣" * (
        len(context) - len(context.rstrip(" "))
    )  # a final space, made visible
    fig.suptitle(f"next character after “{shown}”", fontsize=11)
    fig.tight_layout()
    panels = []
    for t, p in rows.items():
        order = p.argsort(descending=True).tolist()
        top, second = order[0], order[1] if size > 1 else None
        panel = f"at temperature {t:g}, {say.character(chars[top])} gets {say.number(p[top], 2)}"
        if second is not None:
            panel += (
                f" and the next most likely, {say.character(chars[second])}, "
                f"{say.number(p[second], 2)}"
            )
        panels.append(
            panel + f" ({int((p > 0.01).sum())} of {size} characters above 1%)"
        )
    sentence = (
        f"The probabilities of the next character after {say.quoted(context)}, one "
        f"bar chart per temperature (a bar per vocabulary character, the most "
        f"likely one in red): " + "; ".join(panels) + "."
    )
    return with_alt(fig, sentence)


def entropy_vs_temperature(
    temperatures: torch.Tensor,
    entropies: torch.Tensor,
    num_chars: int,
    marked: dict[float, float] | None = None,
) -> Figure:
    """Entropy (bits) of a next-character distribution against the temperature (log).

    Dashed lines mark the two limits: 0 bits (τ -> 0, all probability on one
    character) and ``log2 V`` bits (τ -> infinity, uniform).

    Args:
        temperatures: ``[K]`` temperatures, increasing.
        entropies: ``[K]`` entropies in bits, one per temperature.
        num_chars: ``V``, the size of the vocabulary.
        marked: ``{temperature: entropy}`` points to mark with a dot, or None.
    """
    temps = torch.as_tensor(temperatures, dtype=torch.float64).cpu()
    bits = torch.as_tensor(entropies, dtype=torch.float64).cpu()
    if temps.dim() != 1 or temps.shape != bits.shape or len(temps) < 2:
        raise InvalidValueError(
            f"temperatures and entropies must be 1-D, of equal length >= 2, got "
            f"{list(temps.shape)} and {list(bits.shape)}"
        )
    if num_chars < 1:
        raise InvalidValueError(f"num_chars must be at least 1, got {num_chars!r}")
    uniform = torch.log2(torch.tensor(float(num_chars))).item()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.plot(
        temps.numpy(),
        bits.numpy(),
        color="C0",
        lw=2,
        label="entropy of the distribution",
    )
    ax.axhline(
        uniform,
        color="C2",
        ls="--",
        label=f"uniform over V = {num_chars}: $\\log_2 V$ = {uniform:.2f} bits",
    )
    ax.axhline(0, color="C3", ls="--", label="one character for sure: 0 bits")
    for i, (t, h) in enumerate((marked or {}).items()):
        ax.plot(
            [t],
            [h],
            "o",
            color="C1",
            zorder=3,
            label="the temperatures above" if i == 0 else None,
        )
    ax.set_xscale("log")
    ax.set_xlabel("temperature τ (log scale)")
    ax.set_ylabel("entropy (bits)")
    ax.set_ylim(-0.2, uniform + 0.6)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right", bbox_to_anchor=(1, 0.08))
    fig.tight_layout()
    sentence = (
        "The entropy of the next-character distribution in bits against the "
        f"temperature on a log scale, from {temps[0].item():g} to "
        f"{temps[-1].item():g}: it "
        f"{say.curve(bits.tolist(), lambda i: f'at temperature {temps[i].item():.3g}', unit='bits')}"
        ". Dashed lines mark its two limits: 0 bits (one character for sure) "
        f"and log2 V = {say.number(uniform)} bits (uniform over V = {num_chars} "
        "characters)."
    )
    if marked:
        sentence += " Dots mark " + say.listing(
            f"temperature {t:g} ({say.number(h)} bits)" for t, h in marked.items()
        )
        sentence += "."
    return with_alt(fig, sentence)


def sampling_tradeoff(
    temperatures: list[float], distinct_sentences: list[int], real_fraction: list[float]
) -> Figure:
    """What sampling writes at each temperature: how varied (left), how correct (right).

    Args:
        temperatures: the temperatures sampled at (0 is greedy decoding).
        distinct_sentences: for each temperature, how many different sentences
            the samples hold between them.
        real_fraction: for each temperature, the share of the written words that
            are words of the training text.
    """
    if not temperatures or not len(temperatures) == len(distinct_sentences) == len(
        real_fraction
    ):
        raise InvalidValueError(
            "temperatures, distinct_sentences and real_fraction must be non-empty "
            f"and of equal length, got {len(temperatures)}, "
            f"{len(distinct_sentences)} and {len(real_fraction)}"
        )
    positions = range(len(temperatures))
    labels = ["0\n(greedy)" if t == 0 else f"{t:g}" for t in temperatures]
    fig, (ax_varied, ax_real) = plt.subplots(1, 2, figsize=(9, 3.4))
    ax_varied.plot(positions, distinct_sentences, "o-", color="C0")
    ax_varied.set_ylim(0, max(distinct_sentences) * 1.1 + 1)
    ax_varied.set_ylabel("different sentences written")
    ax_varied.set_title("variety", fontsize=11)
    ax_real.plot(positions, [100 * f for f in real_fraction], "o-", color="C3")
    ax_real.set_ylim(-3, 103)
    ax_real.set_ylabel("words that are words of the text (%)")
    ax_real.set_title("correctness", fontsize=11)
    for ax in (ax_varied, ax_real):
        ax.set_xticks(list(positions), labels)
        ax.set_xlabel("temperature τ")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    names = ["0 (greedy)" if t == 0 else f"{t:g}" for t in temperatures]
    sentence = (
        "Two panels against the temperature. Left, variety: the number of "
        "different sentences the samples write, "
        + say.listing(
            f"{n} at temperature {name}" for n, name in zip(distinct_sentences, names)
        )
        + ". Right, correctness: the share of written words that are words of the "
        "text, "
        + say.listing(
            f"{say.percent(f)} at temperature {name}"
            for f, name in zip(real_fraction, names)
        )
        + "."
    )
    return with_alt(fig, sentence)
