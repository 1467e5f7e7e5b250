"""Chapter 7's figures: the gradient's reach, the race, the predictions, an LSTM's units."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..alt_text import with_alt
from ..errors import InvalidValueError
from . import _describe as say
from ._common import _plain_log_yaxis, show_char


def gradient_reach(
    panels: dict[str, dict[str, torch.Tensor]], mark: int | None = None
) -> Figure:
    """How far back the gradient reaches: ``||dh_T/dx_1||`` against ``T``.

    One curve per cell, one panel per state.

    Args:
        panels: ``{panel title: {cell label: norms [T_max]}}``; entry ``T - 1`` of
            ``norms`` is the norm after ``T`` steps. Panels share the y axis.
        mark: a step ``T`` to mark with a dotted line (the position that needs
            the memory), or None.
    """
    if not panels or not all(panels.values()):
        raise InvalidValueError(
            "panels must hold at least one panel, each with at least one curve"
        )
    fig, axes = plt.subplots(
        1,
        len(panels),
        figsize=(4.0 * len(panels) + 0.6, 3.6),
        sharey=True,
        squeeze=False,
    )
    for ax, (title, curves) in zip(axes[0], panels.items()):
        for i, (label, values) in enumerate(curves.items()):
            values = torch.as_tensor(values).detach().double().cpu()
            ax.plot(
                torch.arange(1, len(values) + 1),
                values,
                color=f"C{i}",
                lw=2,
                label=label,
            )
        if mark is not None:
            ax.axvline(mark, color="grey", ls=":", label=f"T = {mark}")
        ax.set_yscale("log")
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("steps T since the first input")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9, loc="lower left")
    axes[0][0].set_ylabel(r"$\|\partial h_T / \partial x_1\|$ (log scale)")
    fig.tight_layout()
    described = []
    for title, curves in panels.items():
        parts = []
        for label, values in curves.items():
            values = torch.as_tensor(values).detach().double().cpu()
            part = f"{label} {say.curve(values.tolist(), lambda i: f'at T = {i + 1}', log=True)}"
            if mark is not None and 1 <= mark <= len(values):
                part += f" ({say.number(values[mark - 1])} at T = {mark})"
            parts.append(part)
        described.append(f"{say.plain(title)}: " + "; ".join(parts))
    sentence = (
        "How far back the gradient reaches: the norm of dh_T/dx_1 on a log scale "
        "against the steps T since the first input, one panel per state and one "
        "curve per cell. " + ". ".join(say.capital(d) for d in described) + "."
    )
    if mark is not None:
        sentence += f" A dotted line marks T = {mark}."
    return with_alt(fig, sentence)


def decisive_predictions(
    probabilities: dict[str, torch.Tensor],
    chars: list[str],
    right: list[str],
    titles: list[str],
) -> Figure:
    """What each network predicts where the text needs a long memory.

    The probability of every character, at each such position.

    Args:
        probabilities: ``{label: [P, V]}``, the next-character probabilities at
            ``P`` positions.
        chars: the ``V`` characters of the vocabulary, in index order.
        right: the ``P`` characters that really come next (their bars are
            outlined and labelled).
        titles: a title for each of the ``P`` positions.
    """
    if not probabilities:
        raise InvalidValueError("probabilities must hold at least one network")
    shapes = {tuple(p.shape) for p in probabilities.values()}
    if shapes != {(len(titles), len(chars))} or len(right) != len(titles):
        raise InvalidValueError(
            "probabilities must each have shape [P, V] = "
            f"[{len(titles)}, {len(chars)}] and right one character per position, "
            f"got shapes {sorted(shapes)} and {len(right)} characters"
        )
    labels = list(probabilities)
    width = 0.8 / len(chars)
    fig, axes = plt.subplots(
        1,
        len(titles),
        figsize=(3.9 * len(titles) + 0.4, 3.4),
        sharey=True,
        squeeze=False,
    )
    for k, (ax, title) in enumerate(zip(axes[0], titles)):
        for j, c in enumerate(chars):
            values = [probabilities[label][k, j].item() for label in labels]
            xs = [i - 0.4 + width * (j + 0.5) for i in range(len(labels))]
            is_right = c == right[k]
            ax.bar(
                xs,
                values,
                width,
                color=f"C{j + 4}",
                edgecolor="black" if is_right else "none",
                lw=1.8,
                label=f"'{show_char(c)}'" + (" (right)" if is_right else ""),
            )
            if is_right:
                for x, v in zip(xs, values):
                    ax.text(
                        x, v + 0.02, f"{v:.2f}", ha="center", va="bottom", fontsize=8
                    )
        ax.set_xticks(range(len(labels)), labels)
        ax.set_ylim(0, 1.1)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("network")
        ax.grid(alpha=0.3, axis="y")
        ax.legend(fontsize=8, loc="upper right")
    axes[0][0].set_ylabel("probability of the next character")
    fig.tight_layout()
    described = []
    for k, title in enumerate(titles):
        j = chars.index(right[k]) if right[k] in chars else None
        parts = []
        for label in labels:
            p = probabilities[label][k]
            top = int(p.argmax())
            part = label
            if j is not None:
                part += f" {say.number(p[j], 2)}"
            if top != j:
                part += (
                    f" (it favours {say.character(chars[top])}, "
                    f"{say.number(p[top], 2)})"
                )
            parts.append(part)
        described.append(
            f"{say.plain(title)}, the right next character is "
            f"{say.character(right[k])}, outlined; its probability: "
            + say.listing(parts)
        )
    sentence = (
        "Bar charts of the probability each network gives every next character "
        f"({say.listing([say.character(c) for c in chars])}), one panel per "
        "position where the text needs a long memory, one group of bars per "
        "network. " + ". ".join(say.capital(d) for d in described) + "."
    )
    return with_alt(fig, sentence)


def unit_traces(traces: dict[str, torch.Tensor], inputs: str) -> Figure:
    """Values inside a recurrent cell over time, a panel per trace, one time axis.

    Args:
        traces: ``{label: values [T]}``, for instance one unit's cell state and
            forget gate.
        inputs: the ``T`` input characters, to label the time axis.
    """
    if not traces:
        raise InvalidValueError("traces must hold at least one trace")
    values = {
        label: torch.as_tensor(v).detach().float().cpu() for label, v in traces.items()
    }
    if any(v.shape != (len(inputs),) for v in values.values()):
        raise InvalidValueError(
            f"every trace must have shape [T], T = len(inputs) = {len(inputs)}"
        )
    fig, axes = plt.subplots(
        len(values),
        1,
        figsize=(8.6, 1.7 * len(values) + 0.8),
        sharex=True,
        squeeze=False,
    )
    for i, (ax, (label, v)) in enumerate(zip(axes[:, 0], values.items())):
        ax.plot(range(len(inputs)), v.numpy(), color=f"C{i}", marker="o", ms=3, lw=1.5)
        ax.set_ylabel(label, fontsize=9)
        ax.grid(alpha=0.3)
    bottom = axes[-1, 0]
    bottom.set_xticks(range(len(inputs)), [show_char(c) for c in inputs], fontsize=8)
    bottom.set_xlabel("input character $x_t$")
    fig.tight_layout()

    def at(i: int) -> str:
        return f"at t = {i + 1} (input {say.character(inputs[i])})"

    described = []
    for label, v in values.items():
        low, high = int(v.argmin()), int(v.argmax())
        described.append(
            f"{say.plain(label)} starts at {say.number(v[0], 2)} and ends at "
            f"{say.number(v[-1], 2)}; it is lowest, {say.number(v[low], 2)}, "
            f"{at(low)} and highest, {say.number(v[high], 2)}, {at(high)}"
        )
    sentence = (
        f"{len(values)} {'panel' if len(values) == 1 else 'panels'} sharing one time "
        f"axis, the {len(inputs)} input characters of {say.quoted(inputs)}. "
        + ". ".join(say.capital(d) for d in described)
        + "."
    )
    return with_alt(fig, sentence)


def race_by_dashes(
    results: dict[str, dict[int, tuple[int, int, float | None]]],
) -> Figure:
    """How many seeds each cell solves as the row of dashes grows, and how fast.

    Args:
        results: ``{label: {D: (solved, seeds, median_steps)}}``, each entry at that
            cell's best learning rate for that ``D``; ``median_steps`` (the median
            step at which the solved seeds solved it) is None when none did.
    """

    if not results or not all(results.values()):
        raise InvalidValueError(
            "results must hold at least one cell, each with at least one D"
        )
    seeds = {entry[1] for by_d in results.values() for entry in by_d.values()}
    if len(seeds) != 1 or any(
        not 0 <= entry[0] <= entry[1]
        for by_d in results.values()
        for entry in by_d.values()
    ):
        raise InvalidValueError(
            "every entry must be (solved, seeds, median_steps) with the same number of "
            "seeds and 0 <= solved <= seeds"
        )
    (num_seeds,) = seeds
    fig, (ax_solved, ax_steps) = plt.subplots(1, 2, figsize=(8.6, 3.4))
    markers = "osD^v"
    sentences = []
    for i, (label, by_d) in enumerate(results.items()):
        dashes = sorted(by_d)
        solved = [by_d[d][0] for d in dashes]
        style = {"color": f"C{i}", "marker": markers[i % len(markers)], "lw": 1.6}
        # a small sideways shift per cell, so that equal counts do not hide each other
        shift = (i - (len(results) - 1) / 2) * 0.6
        ax_solved.plot([d + shift for d in dashes], solved, label=label, **style)
        fast = [(d, by_d[d][2]) for d in dashes if by_d[d][2] is not None]
        if fast:
            ax_steps.plot(*zip(*fast), label=label, **style)
        counts = ", ".join(
            f"{by_d[d][0]} at D = {d}"
            + ("" if by_d[d][2] is None else f" (median step {by_d[d][2]:g})")
            for d in dashes
        )
        sentences.append(f"{label}: {counts}")
    ax_solved.set_ylim(-0.3, num_seeds + 0.3)
    ax_solved.set_yticks(range(num_seeds + 1))
    ax_solved.set_ylabel(f"seeds that solve it (of {num_seeds})")
    ax_steps.set_yscale("log")
    _plain_log_yaxis(ax_steps)
    ax_steps.set_ylabel("median step at which they solve it")
    for ax in (ax_solved, ax_steps):
        ax.set_xlabel("dashes D between the two letters")
        ax.grid(alpha=0.3)
    ax_solved.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return with_alt(
        fig,
        f"Seeds out of {num_seeds} that solve the task at each cell's best learning "
        f"rate, by number of dashes: {'; '.join(sentences)}. The right panel shows the "
        "median step at which the solved seeds solved it.",
    )


def lstm_cell_diagram(forget: float | None = None) -> Figure:
    """One step of an LSTM cell, drawn: the cell state along the top, the gates below.

    Args:
        forget: a forget-gate value (0 to 1) to write on the belt, with what is left of
            the cell state after ``D`` such steps spelt out in the alt text; or None.
    """
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    if forget is not None and not 0.0 <= forget <= 1.0:
        raise InvalidValueError(f"forget must be between 0 and 1, got {forget!r}")
    fig, ax = plt.subplots(figsize=(7.6, 4.4))
    ink, belt = "#333333", "#b35806"

    def box(x: float, y: float, text: str, colour: str, w: float = 1.1) -> None:
        ax.add_patch(
            FancyBboxPatch(
                (x - w / 2, y - 0.3),
                w,
                0.6,
                fc=colour,
                ec=ink,
                lw=1.1,
                boxstyle="round,pad=0.04",
                zorder=2,
            )
        )
        ax.text(x, y, text, ha="center", va="center", fontsize=11, zorder=3)

    def node(x: float, y: float, text: str) -> None:
        ax.add_patch(Circle((x, y), 0.24, fc="white", ec=ink, lw=1.1, zorder=2))
        ax.text(x, y, text, ha="center", va="center", fontsize=12, zorder=3)

    def arrow(
        points: list[tuple[float, float]], colour: str = ink, lw: float = 1.3
    ) -> None:
        for start, end in zip(points, points[1:]):
            last = end == points[-1]
            ax.add_patch(
                FancyArrowPatch(
                    start,
                    end,
                    color=colour,
                    lw=lw,
                    arrowstyle="-|>" if last else "-",
                    mutation_scale=13,
                    shrinkA=0,
                    shrinkB=0,
                    zorder=1,
                )
            )

    # the belt: c_{t-1} -> (x f_t) -> (+ i_t * c~_t) -> c_t
    box(0.6, 5.0, "$c_{t-1}$", "#fde0c5")
    box(9.4, 5.0, "$c_t$", "#fde0c5")
    node(3.0, 5.0, "×")
    node(5.4, 5.0, "+")
    arrow([(1.15, 5.0), (2.76, 5.0)], belt, 2.6)
    arrow([(3.24, 5.0), (5.16, 5.0)], belt, 2.6)
    arrow([(5.64, 5.0), (8.85, 5.0)], belt, 2.6)
    if forget is not None:
        ax.text(
            4.2, 5.25, f"× {say.number(forget, 3)}", ha="center", fontsize=9, color=belt
        )
    # the gates read [h_{t-1}, x_t]
    box(1.2, 0.6, "$[h_{t-1}, x_t]$", "#dbe9f6", w=1.7)
    gates = [
        (3.0, "$f_t$  σ"),
        (4.6, "$i_t$  σ"),
        (6.2, r"$\tilde c_t$  tanh"),
        (7.8, "$o_t$  σ"),
    ]
    ax.plot([2.05, 7.8], [1.25, 1.25], color=ink, lw=1.1)
    ax.plot([1.2, 1.2, 2.05], [0.9, 1.25, 1.25], color=ink, lw=1.1)
    for x, label in gates:
        box(x, 2.2, label, "#e4dcf1", w=1.25)
        arrow([(x, 1.25), (x, 1.9)])
    arrow([(3.0, 2.5), (3.0, 4.76)])  # f_t into the belt's x
    node(5.4, 3.5, "×")  # i_t x c~_t
    arrow([(4.6, 2.5), (4.6, 3.5), (5.16, 3.5)])
    arrow([(6.2, 2.5), (6.2, 3.5), (5.64, 3.5)])
    arrow([(5.4, 3.74), (5.4, 4.76)])
    # the output: h_t = o_t x tanh(c_t)
    box(8.6, 4.0, "tanh", "#e4dcf1", w=0.9)
    arrow([(8.6, 5.0), (8.6, 4.3)])
    node(8.6, 3.2, "×")
    arrow([(8.6, 3.7), (8.6, 3.44)])
    arrow([(7.8, 2.5), (7.8, 3.2), (8.36, 3.2)])
    box(9.4, 1.4, "$h_t$", "#fde6c8")
    arrow([(8.6, 2.96), (8.6, 1.4), (8.85, 1.4)])
    ax.set_xlim(-0.2, 10.2)
    ax.set_ylim(0, 5.7)
    ax.set_axis_off()
    fig.tight_layout()
    kept = (
        f" The forget gate written on the belt, {say.number(forget, 3)}, keeps "
        f"{say.percent(forget)} of the cell state a step, "
        f"{say.number(forget**30, 3)} of it after 30 steps."
        if forget is not None
        else ""
    )
    return with_alt(
        fig,
        "A diagram of one LSTM step. Along the top, drawn thick, runs the cell state: "
        "c_{t-1} is multiplied element by element by the forget gate f_t, then the "
        "input gate i_t times the new content c~_t is added, giving c_t, with no weight "
        "matrix and no tanh on the way. Below, four blocks read h_{t-1} and x_t "
        "together: the gates f_t, i_t and o_t (sigmoids) and the new content c~_t "
        "(tanh). On the right, tanh(c_t) multiplied by the output gate o_t is the new "
        "hidden state h_t." + kept,
    )
