"""Chapter 8's figures: the gradient's reach, the race, the predictions, an LSTM's units."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..alt_text import with_alt
from ..errors import InvalidValueError
from . import _describe as say
from ._common import show_char


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
    many = len(labels) > 4  # then wider panels, and the names slanted
    panel = max(3.9, 0.8 * len(labels) + 0.8)
    fig, axes = plt.subplots(
        1,
        len(titles),
        figsize=(panel * len(titles) + 0.4, 4.2 if many else 3.4),
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
        if many:
            ax.tick_params(axis="x", labelrotation=25, labelsize=8)
            for tick in ax.get_xticklabels():
                tick.set_horizontalalignment("right")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("network")
        ax.grid(alpha=0.3, axis="y")
        if many:  # the legend in a row above the bars, clear of them
            ax.set_ylim(0, 1.3)
            ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
            ax.legend(fontsize=7, loc="upper center", ncol=len(chars))
        else:
            ax.set_ylim(0, 1.1)
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


def race_by_dashes(results: dict[str, dict[int, dict]]) -> Figure:
    """How many seeds each entrant solves as the row of dashes grows, and where it ends.

    Args:
        results: ``{label: {D: entry}}``, each entry as
            ``hello_rnn.race.evaluation`` gives it for that entrant at its chosen
            learning rate for that ``D``: ``"solved"`` of ``"seeds"``, the Wilson
            ``"interval"`` ``(low, high)`` of the share, and ``"final_given"``, the
            median over the seeds of the final smallest ``P(own letter | letters)``.

    Left: the share of seeds that solve the task, with its 95 % interval as a bar.
    Right: the final ``P(own letter | letters)``, with chance (1/4) and the
    threshold of remembering (1/2) dotted.
    """

    if not results or not all(results.values()):
        raise InvalidValueError(
            "results must hold at least one entrant, each with at least one D"
        )
    entries = [entry for by_d in results.values() for entry in by_d.values()]
    if any(
        not 0 <= entry["solved"] <= entry["seeds"]
        or not 0 <= entry["interval"][0] <= entry["interval"][1] <= 1
        or not 0 <= entry["final_given"] <= 1
        for entry in entries
    ):
        raise InvalidValueError(
            "every entry must have 0 <= solved <= seeds, an interval within [0, 1] "
            "and a final_given probability"
        )
    seeds = {entry["seeds"] for entry in entries}
    fig, (ax_solved, ax_final) = plt.subplots(1, 2, figsize=(8.6, 3.6))
    markers = "osD^vP"
    sentences = []
    for i, (label, by_d) in enumerate(results.items()):
        dashes = sorted(by_d)
        style = {"color": f"C{i}", "marker": markers[i % len(markers)], "lw": 1.4}
        # a small sideways shift per entrant, so that equal values do not hide each other
        shift = (i - (len(results) - 1) / 2) * 0.5
        xs = [d + shift for d in dashes]
        share = [by_d[d]["solved"] / by_d[d]["seeds"] for d in dashes]
        low = [s - by_d[d]["interval"][0] for s, d in zip(share, dashes)]
        high = [by_d[d]["interval"][1] - s for s, d in zip(share, dashes)]
        ax_solved.errorbar(xs, share, yerr=[low, high], label=label, capsize=2, **style)
        ax_final.plot(
            xs, [by_d[d]["final_given"] for d in dashes], label=label, **style
        )
        counts = ", ".join(
            f"{by_d[d]['solved']}/{by_d[d]['seeds']} at D = {d} "
            f"(interval {by_d[d]['interval'][0]:.2f} to {by_d[d]['interval'][1]:.2f}, "
            f"final {by_d[d]['final_given']:.2f})"
            for d in dashes
        )
        sentences.append(f"{label}: {counts}")
    ax_solved.set_ylim(-0.05, 1.05)
    ax_solved.set_ylabel("share of seeds that solve it")
    ax_final.set_ylim(-0.02, 1.02)
    ax_final.axhline(0.25, color="grey", ls=":", lw=1)
    ax_final.axhline(0.5, color="black", ls=":", lw=1)
    ax_final.set_ylabel("final P(own letter | letters)\n(median over seeds)")
    for ax in (ax_solved, ax_final):
        ax.set_xlabel("dashes D between the two letters")
        ax.grid(alpha=0.3)
    ax_final.legend(fontsize=7, loc="center right")
    fig.tight_layout()
    number = " or ".join(str(n) for n in sorted(seeds))
    return with_alt(
        fig,
        f"Left: the share of {number} evaluation seeds that solve the task at each "
        "entrant's chosen learning rate, by number of dashes, with its 95 % Wilson "
        "interval; right: the final smallest P(own letter | letters), the median over "
        f"those seeds, dotted at 1/4 (chance) and 1/2. {'; '.join(sentences)}.",
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
