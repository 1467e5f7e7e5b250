"""Figures for the chapters: plain functions that return a matplotlib Figure.

Not imported by ``hello_rnn`` itself: ``from hello_rnn import plots``. Importing
it leaves matplotlib's backend alone: inline in a notebook, a window for
``plt.show()`` in a script, whatever ``MPLBACKEND`` asks for.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from . import _describe as say
from .alt_text import with_alt
from .data import DataHandler
from .errors import InvalidValueError
from .train import History

__all__ = [
    "show_char",
    "one_hot_matrix",
    "unrolled_rnn",
    "next_char_confidences",
    "training_curves",
    "hidden_state_heatmap",
    "memorization_study",
    "training_snapshot",
    "gradient_norm_vs_length",
    "loss_wall",
    "exploding_runs",
    "clamp_vs_clip",
    "largest_gradient_element",
    "matrix_stretch",
    "wall_runs",
    "temperature_distributions",
    "entropy_vs_temperature",
    "sampling_tradeoff",
    "batch_layout",
    "truncated_bptt",
    "corpus_learning_curves",
    "gradient_reach",
    "decisive_predictions",
    "unit_traces",
    "race_by_dashes",
]


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


# --- Chapter 2: the RNN cell ---


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
    from .sample import next_char_probabilities

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


# --- Chapter 3: the training loop ---


def _plain_log_yaxis(ax: plt.Axes) -> None:
    """A log-scale y axis labelled 0.05, 0.1, 0.2, 0.5, 1, ..., not powers of ten."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def training_curves(history: History, uniform_loss: float | None = None) -> Figure:
    """Loss (log scale) and accuracy of a training run, side by side.

    Point ``k`` is the network after ``k`` steps (``history.loss[k]``). A dashed
    line marks ``history.memorized_at``; a dotted one the loss of a uniform guess.

    Args:
        history: the :class:`~hello_rnn.train.History` that ``train`` returned.
        uniform_loss: ``ln V``, the loss of guessing every character equally, or None.
    """
    if history.steps == 0:
        raise InvalidValueError(
            "history must hold at least one step; train for steps >= 1 first"
        )
    taken = range(history.steps)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(8.5, 3.3))
    ax_loss.plot(taken, history.loss, color="C0", label="loss")
    if uniform_loss is not None:
        ax_loss.axhline(
            uniform_loss, color="grey", ls=":", label=r"uniform guess, $\ln V$"
        )
    _plain_log_yaxis(ax_loss)
    ax_loss.set_ylabel("loss (nats per character, log scale)")
    ax_acc.plot(taken, history.accuracy, color="C2", label="accuracy")
    ax_acc.set_ylim(-0.03, 1.05)
    ax_acc.set_ylabel("accuracy (next characters right)")
    for ax in (ax_loss, ax_acc):
        if history.memorized_at is not None:
            ax.axvline(
                history.memorized_at,
                color="C3",
                ls="--",
                label=f"memorized (step {history.memorized_at})",
            )
        ax.set_xlabel("steps taken")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
    fig.tight_layout()
    return with_alt(fig, _training_curves_alt(history, uniform_loss))


def _training_curves_alt(history: History, uniform_loss: float | None) -> str:
    def at(i: int) -> str:
        return f"at step {i}"

    accuracy = [100 * a for a in history.accuracy]
    sentence = (
        f"Two panels against the steps taken, 0 to {history.steps - 1}. Left, the "
        "loss in nats per character on a log scale "
        f"{say.curve(history.loss, at, log=True)}"
    )
    if uniform_loss is not None:
        sentence += f"; a dotted line marks the uniform guess, ln V = {say.number(uniform_loss)}"
    sentence += (
        ". Right, the share of next characters right "
        f"{say.curve(accuracy, at, unit='%')}."
    )
    memorized = history.memorized_at
    if memorized is None:
        sentence += " The network does not memorize the text in this run."
    else:
        slips = [
            k for k in range(memorized + 1, history.steps) if history.accuracy[k] < 1
        ]
        sentence += f" A dashed line marks step {memorized}, where the network memorizes the text"
        sentence += (
            f"; after it, accuracy drops below 100% again at {len(slips)} "
            f"{'step' if len(slips) == 1 else 'steps'}, first at step {slips[0]}."
            if slips
            else "; after it, accuracy stays at 100%."
        )
    return sentence


def hidden_state_heatmap(hidden: torch.Tensor, inputs: str) -> Figure:
    """The hidden state after every input: a row per hidden unit, a column per step.

    Args:
        hidden: ``[T, H]``, the hidden states ``h_1 .. h_T`` (values of tanh, in -1..1).
        inputs: the ``T`` input characters, to label the columns.
    """
    states = hidden.detach().float().cpu()
    if states.dim() != 2 or states.shape[0] != len(inputs):
        raise InvalidValueError(
            f"hidden must have shape [T, H], T = len(inputs) = {len(inputs)}, "
            f"got {list(states.shape)}"
        )
    steps, units = states.shape
    fig, ax = plt.subplots(figsize=(0.55 * steps + 2.6, 0.09 * units + 1.6))
    image = ax.imshow(
        states.T.numpy(),
        cmap="RdBu_r",
        vmin=-1,
        vmax=1,
        aspect="auto",
        interpolation="nearest",
    )
    ax.set_xticks(
        range(steps), [f"{show_char(c)}\nt = {t + 1}" for t, c in enumerate(inputs)]
    )
    ax.set_yticks(range(0, units, 5 if units > 20 else 1))
    ax.set_xlabel("time step t: input character $x_t$")
    ax.set_ylabel("hidden unit")
    fig.colorbar(image, ax=ax, label="$h_t$ (tanh: -1 to 1)", fraction=0.05, pad=0.03)
    fig.tight_layout()
    return with_alt(fig, _hidden_state_alt(states, inputs))


def _hidden_state_alt(states: torch.Tensor, inputs: str) -> str:
    """The heat map in words: its range, how saturated it is, the units that move most."""
    steps, units = states.shape
    saturated = (states.abs() > 0.9).float().mean().item()
    swing = states.max(dim=0).values - states.min(dim=0).values  # [H], per unit
    movers = swing.argsort(descending=True)[: min(3, units)].tolist()
    strongest = int(states.abs().mean(dim=1).argmax())
    stuck = int((states.abs() > 0.9).all(dim=0).sum())  # units saturated at every step
    return (
        f"A heat map of the hidden state: {units} rows, one per hidden unit (0 to "
        f"{units - 1}), and {steps} columns, one per time step with its input "
        f"character ({say.quoted(inputs)}); blue is -1, white 0, red +1. The values "
        f"range from {say.number(states.min(), 2)} to {say.number(states.max(), 2)}; "
        f"{say.percent(saturated)} of the cells are beyond ±0.9, and {stuck} of the "
        f"{units} units stay beyond ±0.9 at every step. The units whose values span "
        "the widest range over time are "
        + say.listing(
            f"unit {u} (from {say.number(states[:, u].min(), 2)} to "
            f"{say.number(states[:, u].max(), 2)})"
            for u in movers
        )
        + f"; the strongest column is t = {strongest + 1} (input "
        f"{say.character(inputs[strongest])}, mean |h| "
        f"{say.number(states[strongest].abs().mean(), 2)})."
    )


def memorization_study(results: dict[int, list[int | None]], max_steps: int) -> Figure:
    """Steps to memorize against hidden size: one dot per seed, a bar at the median.

    Args:
        results: ``{hidden size: [steps to memorize, one per seed]}``; None for a
            run that did not memorize within ``max_steps``.
        max_steps: the step budget each run had (where failed runs are drawn).
    """
    if not results:
        raise InvalidValueError("results must hold at least one hidden size")
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    failed_label = f"not memorized in {max_steps} steps"
    for i, (_size, runs) in enumerate(sorted(results.items())):
        offsets = (
            torch.linspace(-0.15, 0.15, len(runs)).tolist() if len(runs) > 1 else [0.0]
        )
        done = [(i + dx, s) for dx, s in zip(offsets, runs) if s is not None]
        if done:
            ax.scatter(
                *zip(*done),
                color="C0",
                alpha=0.7,
                zorder=3,
                label="one seed" if i == 0 else None,
            )
            median = float(
                torch.tensor([s for _, s in done], dtype=torch.float).median()
            )
            ax.hlines(
                median,
                i - 0.3,
                i + 0.3,
                color="C3",
                lw=2,
                label="median" if i == 0 else None,
            )
        failed = [i + dx for dx, s in zip(offsets, runs) if s is None]
        if failed:
            ax.scatter(
                failed,
                [max_steps] * len(failed),
                marker="x",
                color="grey",
                label=failed_label,
            )
            failed_label = None
    ax.set_xticks(range(len(results)), [str(size) for size in sorted(results)])
    _plain_log_yaxis(ax)
    ax.set_xlabel("hidden units H")
    ax.set_ylabel("steps to memorize (log scale)")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=9)
    fig.tight_layout()
    return with_alt(fig, _memorization_alt(results, max_steps))


def _memorization_alt(results: dict[int, list[int | None]], max_steps: int) -> str:
    parts = []
    for size, runs in sorted(results.items()):
        done = sorted(s for s in runs if s is not None)
        failed = len(runs) - len(done)
        if done:
            median = float(torch.tensor(done, dtype=torch.float).median())
            part = (
                f"H = {size}: median {say.number(median)} steps "
                f"(from {done[0]} to {done[-1]})"
            )
        else:
            part = f"H = {size}: no run memorized"
        if failed and done:
            part += f", {failed} of {len(runs)} runs not memorized"
        parts.append(part)
    return (
        "Steps to memorize the text (log scale) against the hidden size H, one dot "
        f"per seed and a red bar at each median; runs that did not memorize within "
        f"{max_steps} steps are grey crosses at {max_steps}. "
        + say.capital("; ".join(parts))
        + "."
    )


def training_snapshot(
    data: DataHandler, logits: torch.Tensor, history: History, step: int, written: str
) -> Figure:
    """One frame of training: the loss so far, and the next-character probabilities.

    Left, the loss curve of ``history`` up to ``step`` (the rest in grey). Right,
    ``softmax(logits)`` at every position, targets outlined, as in
    :func:`next_char_confidences`; the title says what greedy generation writes.

    Args:
        data: the text and its vocabulary.
        logits: ``[T, V]``, the network's scores after ``step`` steps.
        history: a longer run from the same start, for the loss curve.
        step: how many steps the network has taken.
        written: the text the network writes from the first character.
    """
    from matplotlib.colors import PowerNorm

    from .sample import next_char_probabilities

    steps, size = len(data.y), data.num_characters
    if tuple(logits.shape) != (steps, size):
        raise InvalidValueError(
            f"logits must have shape [{steps}, {size}] for {data!r}, "
            f"got {list(logits.shape)}"
        )
    if not 0 <= step <= history.steps:
        raise InvalidValueError(
            f"step must be in 0..{history.steps}, the steps history covers, "
            f"got {step!r}"
        )
    scores = logits.detach().float().cpu()
    probs = next_char_probabilities(scores)
    loss = torch.nn.functional.cross_entropy(scores, data.y.cpu()).item()
    fig, (ax_loss, ax_p) = plt.subplots(
        1, 2, figsize=(9, 3.6), gridspec_kw={"width_ratios": [1, 1.35]}
    )
    ax_loss.plot(range(history.steps), history.loss, color="#cccccc")
    shown = min(step + 1, history.steps)
    ax_loss.plot(range(shown), history.loss[:shown], color="C0")
    ax_loss.plot([step], [loss], "o", color="C3")
    _plain_log_yaxis(ax_loss)
    ax_loss.set_xlabel("steps taken")
    ax_loss.set_ylabel("loss (nats per character, log scale)")
    ax_loss.set_title(f"after {step} steps: loss {loss:.4f}", fontsize=11)
    ax_loss.grid(alpha=0.3)
    # A square-root colour scale, so that the small probabilities of an untrained
    # network still show.
    image = ax_p.imshow(
        probs.T.numpy(),
        cmap="Blues",
        norm=PowerNorm(0.5, vmin=0, vmax=1),
        aspect="auto",
    )
    fig.colorbar(
        image,
        ax=ax_p,
        label="probability",
        fraction=0.05,
        pad=0.02,
        ticks=[0, 0.1, 0.25, 0.5, 1],
    )
    for t, target in enumerate(data.y.tolist()):
        ax_p.add_patch(
            plt.Rectangle(
                (t - 0.5, target - 0.5), 1, 1, fill=False, ec="C3", lw=2, clip_on=False
            )
        )
    ax_p.set_xticks(range(steps), [show_char(c) for c in data.text[:-1]])
    ax_p.set_yticks(range(size), [show_char(c) for c in data.chars])
    ax_p.set_xlabel("input character (target outlined in red)")
    ax_p.set_ylabel("next character")
    ax_p.set_title(f"writes {written!r}", fontsize=11)
    # Fixed margins instead of tight_layout: the frames of a slider must line up,
    # and it is faster.
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.91, wspace=0.25)
    targets = data.y.cpu()
    right = probs[torch.arange(steps), targets]
    wins = int((probs.argmax(dim=-1) == targets).sum())
    sentence = (
        f"After {step} training steps. Left, the loss (nats per character, log "
        f"scale) over the whole run of {history.steps} steps, which "
        f"{say.curve(history.loss, lambda i: f'at step {i}', log=True)}; the part up "
        f"to step {step} is drawn in colour and a dot marks this step's loss, "
        f"{say.number(loss, 4)}. Right, the probability of every next character "
        f"(rows) after each input character of {say.quoted(data.text[:-1])} "
        "(columns), the right one outlined: it gets the most probability at "
        f"{wins} of {steps} positions, and from {say.number(right.min(), 2)} to "
        f"{say.number(right.max(), 2)}. From {say.character(data.text[0])} the "
        f"network writes {say.quoted(written)}."
    )
    return with_alt(fig, sentence)


# --- Chapter 4: why we clamp gradients ---


def gradient_norm_vs_length(
    norms: dict[float, torch.Tensor], show_bound: bool = True
) -> Figure:
    """How ``||dh_T/dh_0||`` grows or shrinks with ``T``, a curve per scale of ``W_hh``.

    Args:
        norms: ``{s: norms [T_max]}``: entry ``T - 1`` is the norm after ``T``
            steps, for a ``W_hh`` whose largest singular value is ``s``.
        show_bound: also draw ``s ** T`` (dashed), the bound from ``|tanh'| <= 1``.
    """
    if not norms:
        raise InvalidValueError("norms must hold at least one scale")
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, (scale, values) in enumerate(sorted(norms.items())):
        values = torch.as_tensor(values, dtype=torch.float64).cpu()
        lengths = torch.arange(1, len(values) + 1)
        ax.plot(
            lengths,
            values,
            color=f"C{i}",
            lw=2,
            label=rf"$\sigma_{{\max}} = {scale:g}$",
        )
        if show_bound:
            ax.plot(
                lengths,
                scale ** lengths.double(),
                color=f"C{i}",
                ls="--",
                lw=1,
                alpha=0.8,
            )
    if show_bound:
        ax.plot([], [], color="grey", ls="--", lw=1, label=r"bound $\sigma_{\max}^T$")
    ax.axhline(1.0, color="black", lw=0.8)
    ax.set_yscale("log")
    ax.set_ylim(1e-12, 1e6)
    ax.set_xlabel("sequence length T (steps back in time)")
    ax.set_ylabel(r"$\|\partial h_T / \partial h_0\|_2$ (log scale)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="lower left")
    fig.tight_layout()
    curves = [
        f"for largest singular value {scale:g} it "
        + say.curve(
            torch.as_tensor(values, dtype=torch.float64).tolist(),
            lambda i: f"at T = {i + 1}",
            log=True,
        )
        for scale, values in sorted(norms.items())
    ]
    sentence = (
        "The norm of dh_T/dh_0 on a log scale (1e-12 to 1e6, a black line at 1) "
        "against the sequence length T, one curve per scale of W_hh: "
        + "; ".join(curves)
        + "."
    )
    if show_bound:
        sentence += (
            " A dashed line of the same colour is each curve's bound, the largest "
            "singular value to the power T."
        )
    return with_alt(fig, sentence)


def loss_wall(
    w: torch.Tensor,
    b: torch.Tensor,
    loss: torch.Tensor,
    start: tuple[float, float],
    steps: dict[str, tuple[float, float]],
) -> Figure:
    """The loss surface of a one-unit RNN over ``(w, b)``, and a cut through it.

    Gradient steps are drawn as arrows on the surface.

    Args:
        w: ``[n_w]``, the grid's values of the recurrent weight (x axis).
        b: ``[n_b]``, the grid's values of the bias (y axis).
        loss: ``[n_b, n_w]``, the loss at every grid point.
        start: ``(w, b)`` where the steps start.
        steps: ``{label: (dw, db)}``; a step that leaves the plot is drawn to its
            edge, and its label says how long it really is.
    """
    w, b, loss = (t.detach().double().cpu() for t in (w, b, loss))
    if loss.shape != (len(b), len(w)):
        raise InvalidValueError(
            f"loss must have shape [len(b), len(w)] = {[len(b), len(w)]}, "
            f"got {list(loss.shape)}"
        )
    fig, (ax, ax_cut) = plt.subplots(
        2, 1, figsize=(7, 7.4), gridspec_kw={"height_ratios": [1.6, 1]}
    )
    image = ax.contourf(w.numpy(), b.numpy(), loss.numpy(), levels=30, cmap="viridis")
    fig.colorbar(image, ax=ax, label="loss $(h_T - \\mathrm{target})^2$")
    x0, y0 = start
    ax.plot([x0], [y0], "o", color="white", mec="black", zorder=5)
    (x_lo, x_hi), (y_lo, y_hi) = (
        (w[0].item(), w[-1].item()),
        (b[0].item(), b[-1].item()),
    )
    for i, (label, (dx, dy)) in enumerate(steps.items()):
        color = ["C3", "white", "C1", "C0"][i % 4]
        length = (dx**2 + dy**2) ** 0.5
        # Shrink a step that leaves the plot so that it ends on the plot's edge.
        fits = [1.0]
        for d, lo, hi, p in ((dx, x_lo, x_hi, x0), (dy, y_lo, y_hi, y0)):
            if d > 0:
                fits.append((hi - p) / d)
            elif d < 0:
                fits.append((lo - p) / d)
        shrink = min(fits)
        text = f"{label} (length {length:.4g})" + (
            ", leaves the plot" if shrink < 1 else ""
        )
        ax.annotate(
            "",
            xy=(x0 + shrink * dx, y0 + shrink * dy),
            xytext=(x0, y0),
            arrowprops={
                "arrowstyle": "-|>",
                "color": color,
                "lw": 2,
                "mutation_scale": 18,
            },
            zorder=4,
        )
        ax.plot([], [], color=color, lw=2, label=text)
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_xlabel("recurrent weight w")
    ax.set_ylabel("bias b")
    ax.legend(fontsize=8, loc="upper right", facecolor="lightgrey")
    column = int(torch.argmin((w - x0).abs()))
    ax_cut.plot(b.numpy(), loss[:, column].numpy(), color="C0")
    ax_cut.axvline(y0, color="grey", ls=":", label=f"b of the start point ({y0:.4f})")
    ax_cut.set_xlabel("bias b")
    ax_cut.set_ylabel("loss")
    ax_cut.set_title(
        f"a cut through the surface at w = {w[column].item():.4g}", fontsize=10
    )
    ax_cut.grid(alpha=0.3)
    ax_cut.legend(fontsize=8)
    fig.tight_layout()
    return with_alt(fig, _loss_wall_alt(w, b, loss, start, steps, column))


def _loss_wall_alt(
    w: torch.Tensor,
    b: torch.Tensor,
    loss: torch.Tensor,
    start: tuple[float, float],
    steps: dict[str, tuple[float, float]],
    column: int,
) -> str:
    """The surface's range and lowest point, the arrows, and the steepest part of the cut."""
    x0, y0 = start
    low = int(loss.argmin())
    low_b, low_w = divmod(low, len(w))
    arrows = []
    for label, (dx, dy) in steps.items():
        length = (dx**2 + dy**2) ** 0.5
        end_w, end_b = x0 + dx, y0 + dy
        inside = w[0] <= end_w <= w[-1] and b[0] <= end_b <= b[-1]
        arrows.append(
            f"the {label} (length {say.number(length)}) "
            + ("ends inside the plot" if inside else "leaves the plot")
        )
    cut = loss[:, column]
    jumps = (cut[1:] - cut[:-1]).abs()
    steep = int(jumps.argmax()) if len(jumps) else 0
    sentence = (
        "Top: the loss as a colour map over the recurrent weight w (x axis, "
        f"{say.number(w[0])} to {say.number(w[-1])}) and the bias b (y axis, "
        f"{say.number(b[0])} to {say.number(b[-1])}); it ranges from "
        f"{say.number(loss.min())} to {say.number(loss.max())}, lowest at w = "
        f"{say.number(w[low_w])}, b = {say.number(b[low_b])}. A white dot marks the "
        f"start, w = {say.number(x0)}, b = {say.number(y0)}"
        + (". From it, " + "; ".join(arrows) if arrows else "")
        + f". Bottom: a cut through the surface at w = {say.number(w[column])}, the "
        f"loss against b, which {say.curve(cut.tolist())}"
    )
    if len(jumps):
        sentence += (
            f"; it changes most between b = {say.number(b[steep])} and "
            f"{say.number(b[steep + 1])}, from {say.number(cut[steep])} to "
            f"{say.number(cut[steep + 1])}"
        )
    return sentence + "."


def exploding_runs(histories: dict[str, History]) -> Figure:
    """Loss (top) and gradient norm (bottom) of several training runs.

    Args:
        histories: ``{label: History}``; the gradient norm drawn is the one
            before any clamping or clipping (``History.grad_norm``).
    """
    if not histories:
        raise InvalidValueError("histories must hold at least one History")
    fig, (ax_loss, ax_norm) = plt.subplots(2, 1, figsize=(7, 6.4), sharex=True)
    for i, (label, history) in enumerate(histories.items()):
        steps = range(1, history.steps + 1)
        done = (
            f", memorized at step {history.memorized_at}"
            if history.memorized_at
            else ", not memorized"
        )
        ax_loss.plot(steps, history.loss, color=f"C{i}", lw=1.2, label=label + done)
        ax_norm.plot(
            steps, history.grad_norm, color=f"C{i}", lw=1, alpha=0.85, label=label
        )
    ax_loss.set_ylabel("loss (nats per character)")
    ax_norm.set_yscale("log")
    ax_norm.set_ylabel("gradient norm before clamping (log scale)")
    ax_norm.set_xlabel("training step")
    for ax in (ax_loss, ax_norm):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    runs = []
    for label, history in histories.items():
        if not history.steps:
            runs.append(f"{label}: no steps")
            continue
        peak = say.largest(history.grad_norm)
        done = (
            f"memorizes at step {history.memorized_at}"
            if history.memorized_at
            else "does not memorize"
        )
        norm = (
            f"peaks at {say.number(history.grad_norm[peak])} at step {peak + 1} and "
            f"ends at {say.number(history.grad_norm[-1])}"
            if peak is not None
            else "is never a finite number"
        )
        runs.append(
            f"the run “{label}”: the loss {say.curve(history.loss, _at_step)}; it "
            f"{done}; its gradient norm {norm}"
        )
    sentence = (
        "Two panels against the training step, one colour per run: the loss in "
        "nats per character (top) and the gradient norm before clamping on a log "
        "scale (bottom). " + ". ".join(say.capital(run) for run in runs) + "."
    )
    return with_alt(fig, sentence)


def clamp_vs_clip(
    gradient: torch.Tensor,
    clamped: torch.Tensor,
    clipped: torch.Tensor,
    threshold: float,
) -> Figure:
    """A 2-D gradient, clamped element-wise and norm-clipped, as arrows from the origin.

    Args:
        gradient: ``[2]``, the original gradient.
        clamped: ``[2]``, each element clamped into ``[-threshold, threshold]``.
        clipped: ``[2]``, the gradient rescaled to norm at most ``threshold``.
        threshold: the clamp value and the norm limit (drawn as a square and a circle).
    """
    vectors = [
        torch.as_tensor(v, dtype=torch.float64).cpu()
        for v in (gradient, clamped, clipped)
    ]
    if any(v.shape != (2,) for v in vectors):
        raise InvalidValueError(
            "gradient, clamped and clipped must each have shape [2]"
        )
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    square = plt.Rectangle(
        (-threshold, -threshold),
        2 * threshold,
        2 * threshold,
        fill=False,
        ec="C1",
        ls="--",
    )
    ax.add_patch(square)
    ax.add_patch(plt.Circle((0, 0), threshold, fill=False, ec="C2", ls="--"))
    names = [
        "original gradient g",
        "clamped (clip_grad_value_)",
        "norm-clipped (clip_grad_norm_)",
    ]
    for i, (v, name, color) in enumerate(zip(vectors, names, ["C0", "C1", "C2"])):
        cos = torch.dot(v, vectors[0]) / (v.norm() * vectors[0].norm())
        angle = torch.rad2deg(torch.arccos(cos.clamp(-1, 1))).item()
        ax.annotate(
            "",
            xy=(v[0].item(), v[1].item()),
            xytext=(0, 0),
            arrowprops={
                "arrowstyle": "-|>",
                "color": color,
                "lw": 2.2,
                "mutation_scale": 16,
            },
        )
        ax.plot(
            [],
            [],
            color=color,
            lw=2.2,
            label=name if i == 0 else f"{name}: {angle:.1f}° off g",
        )
    ax.plot([], [], color="C1", ls="--", label=f"clamp box ±{threshold:g}")
    ax.plot([], [], color="C2", ls="--", label=f"norm limit {threshold:g}")
    reach = max(1.15 * max(v.abs().max().item() for v in vectors), 1.15 * threshold)
    ax.set_xlim(-0.25 * reach, reach)
    ax.set_ylim(-0.25 * reach, reach)
    ax.set_aspect("equal")
    ax.axhline(0, color="black", lw=0.6)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel("gradient element 1")
    ax.set_ylabel("gradient element 2")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()

    def point(v: torch.Tensor) -> str:
        return f"({say.number(v[0])}, {say.number(v[1])})"

    def off(v: torch.Tensor) -> str:
        cos = torch.dot(v, vectors[0]) / (v.norm() * vectors[0].norm())
        angle = torch.rad2deg(torch.arccos(cos.clamp(-1, 1))).item()
        return f"{angle:.1f}° off the gradient's direction"

    g, c, n = vectors
    sentence = (
        "Three arrows from the origin, in the plane of gradient elements 1 and 2: "
        f"the gradient g = {point(g)}, of length {say.number(g.norm())}; clamped "
        f"element by element to ±{threshold:g} (the dashed square), it becomes "
        f"{point(c)}, {off(c)}; norm-clipped to {threshold:g} (the dashed circle), "
        f"it becomes {point(n)}, of length {say.number(n.norm())}, {off(n)}."
    )
    return with_alt(fig, sentence)


def largest_gradient_element(largest: list[float], clamps: list[float]) -> Figure:
    """The largest ``|gradient element|`` at every training step, against clamp values.

    Args:
        largest: one value per step: the largest absolute gradient element,
            before clamping.
        clamps: clamp values to draw as horizontal lines; the clamp fires on a
            step only where the curve is above its line.
    """
    if not largest:
        raise InvalidValueError("largest must hold at least one step")
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.plot(
        range(1, len(largest) + 1),
        largest,
        color="C0",
        lw=2,
        label="largest |gradient element|",
    )
    for i, clamp in enumerate(sorted(clamps, reverse=True)):
        ax.axhline(clamp, color=f"C{i + 1}", ls="--", label=f"clamp = {clamp:g}")
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("largest |gradient element| (log scale)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    fig.tight_layout()
    lines = []
    for clamp in sorted(clamps, reverse=True):
        above = sum(value > clamp for value in largest)
        lines.append(
            f"the clamp at {clamp:g} is "
            + (
                "above the curve at every step, so it never fires"
                if above == 0
                else f"below it at {above} of {len(largest)} steps, where it fires"
            )
        )
    sentence = (
        "The largest absolute gradient element at each of "
        f"{len(largest)} training steps, on a log scale: it "
        f"{say.curve(largest, _at_step, log=True)}."
    )
    if lines:
        sentence += " Dashed lines mark clamp values: " + "; ".join(lines) + "."
    return with_alt(fig, sentence)


# --- Chapter 5: sampling ---


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


# --- Chapter 6: going bigger ---

from .corpus import CorpusHistory, batches  # noqa: E402


def batch_layout(text: str, seq_len: int, batch_size: int) -> Figure:
    """Where the windows of :func:`~hello_rnn.corpus.batches` come from in the text.

    And how they line up, batch after batch.

    Top: the text as one strip of characters, each input character coloured by
    the batch it lands in; a bracket marks the stream each row of the batches
    reads. Bottom: row ``b`` of batch 0, 1, 2, ... side by side, which reads
    stream ``b`` from start to end.

    Args:
        text: a short text (a few dozen characters), drawn one cell per character.
        seq_len: ``T``, characters per window.
        batch_size: ``B``, rows per batch.
    """
    if not isinstance(text, str) or len(text) > 120:
        raise InvalidValueError(
            "text must be a string of at most 120 characters (one cell each), "
            f"got {text!r:.60}"
        )
    indices = torch.arange(len(text))  # positions: the picture is about where, not what
    got = list(batches(indices, seq_len, batch_size))
    count = len(got)
    colours = plt.get_cmap("tab10" if count <= 10 else "tab20")
    batch_of = {}
    for k, (x, _) in enumerate(got):
        for b in range(batch_size):
            for position in x[b].tolist():
                batch_of[position] = (k, b)
    fig, (ax_text, ax_rows) = plt.subplots(
        2,
        1,
        figsize=(
            max(0.32 * len(text) + 1.5, 0.42 * count * seq_len + 2.5),
            1.4 + 0.42 * batch_size + 1.2,
        ),
        gridspec_kw={"height_ratios": [1.25, 0.42 * batch_size + 0.3]},
    )
    for position, c in enumerate(text):
        k, _ = batch_of.get(position, (None, None))
        face = colours(k % colours.N) if k is not None else "#eeeeee"
        ax_text.add_patch(
            plt.Rectangle((position, 0), 1, 1, fc=face, ec="white", lw=1.5, alpha=0.85)
        )
        ax_text.text(
            position + 0.5,
            0.5,
            show_char(c),
            ha="center",
            va="center",
            fontsize=10,
            family="monospace",
        )
    per_row = count * seq_len
    for b in range(batch_size):  # a bracket over each stream
        start, end = b * per_row, (b + 1) * per_row
        ax_text.plot(
            [start + 0.1, start + 0.1, end - 0.1, end - 0.1],
            [1.15, 1.3, 1.3, 1.15],
            color="black",
            lw=1,
        )
        ax_text.text(
            (start + end) / 2,
            1.38,
            f"stream of row {b}",
            ha="center",
            va="bottom",
            fontsize=9,
        )
    ax_text.set_xlim(0, len(text))
    ax_text.set_ylim(0, 1.9)
    ax_text.set_yticks([])
    ax_text.set_ylabel("text")
    ax_text.set_xlabel("position in the text (grey: left over, read by no batch)")
    ax_text.set_xticks(
        [p + 0.5 for p in range(0, len(text), 5)],
        [str(p) for p in range(0, len(text), 5)],
    )
    for spine in ax_text.spines.values():
        spine.set_visible(False)

    for k, (x, _) in enumerate(got):
        for b in range(batch_size):
            for t, position in enumerate(x[b].tolist()):
                column = k * seq_len + t
                row = batch_size - 1 - b
                ax_rows.add_patch(
                    plt.Rectangle(
                        (column, row),
                        1,
                        1,
                        fc=colours(k % colours.N),
                        ec="white",
                        lw=1.5,
                        alpha=0.85,
                    )
                )
                ax_rows.text(
                    column + 0.5,
                    row + 0.5,
                    show_char(text[position]),
                    ha="center",
                    va="center",
                    fontsize=10,
                    family="monospace",
                )
        if k:
            ax_rows.axvline(k * seq_len, color="black", lw=2)
    ax_rows.set_xlim(0, per_row)
    ax_rows.set_ylim(0, batch_size)
    ax_rows.set_xticks(
        [k * seq_len + seq_len / 2 for k in range(count)],
        [f"batch {k}" for k in range(count)],
    )
    ax_rows.set_yticks(
        [batch_size - 1 - b + 0.5 for b in range(batch_size)],
        [f"row {b}" for b in range(batch_size)],
    )
    ax_rows.set_xlabel(
        "the batches in the order training reads them "
        f"({batch_size} rows x {seq_len} characters each)"
    )
    ax_rows.set_ylabel("row of the batch")
    _frameless(ax_rows)
    fig.tight_layout()
    return with_alt(fig, _batch_layout_alt(text, got, seq_len, batch_size, batch_of))


def _batch_layout_alt(
    text: str,
    got: list[tuple[torch.Tensor, torch.Tensor]],
    seq_len: int,
    batch_size: int,
    batch_of: dict[int, tuple[int, int]],
) -> str:
    """Which positions each row's stream reads, what is left over, and what each batch holds."""
    if not got:
        return (
            f"The {len(text)}-character text {say.quoted(text)} as a strip of grey "
            f"cells: it is too short for a single batch of {batch_size} rows of "
            f"{seq_len} characters, so no batch reads any of it."
        )
    streams = []
    for b in range(batch_size):
        read = [p for p, (_, row) in batch_of.items() if row == b]
        streams.append(f"row {b} reads positions {min(read)} to {max(read)}")
    left = [p for p in range(len(text)) if p not in batch_of]
    sentence = (
        f"Top: the {len(text)}-character text {say.quoted(text)} as a strip of cells, "
        "each input character coloured by the batch that reads it; in every batch "
        + say.listing(streams)
    )
    if left:
        sentence += (
            f"; positions {left[0]} to {left[-1]} "
            f"({say.quoted(text[left[0] : left[-1] + 1])}) are grey, read by no batch"
            if left == list(range(left[0], left[-1] + 1))
            else f"; {len(left)} positions are grey, read by no batch"
        )
    shown = []
    for k, (x, _) in enumerate(got[:4]):
        rows = say.listing(
            say.quoted("".join(text[p] for p in x[b].tolist()))
            for b in range(batch_size)
        )
        shown.append(f"batch {k} holds {rows}")
    if len(got) > 4:
        shown.append(f"and so on to batch {len(got) - 1}")
    return (
        sentence
        + f". Bottom: the {len(got)} batches side by side in the order training "
        f"reads them, {batch_size} rows of {seq_len} characters each, so that each "
        "row carries on where it stopped in the batch before: " + "; ".join(shown) + "."
    )


def truncated_bptt(num_windows: int = 3, seq_len: int = 3) -> Figure:
    """Truncated backpropagation through time, drawn.

    The state goes forward across windows; the gradients do not.

    Black arrows carry the hidden state from step to step, across window
    boundaries too; red arrows carry the gradient back, inside a window only;
    at each boundary the state is detached (the scissors).

    Args:
        num_windows: how many consecutive windows to draw.
        seq_len: ``T``, time steps per window.
    """
    from matplotlib.patches import FancyArrowPatch

    num_windows, seq_len = int(num_windows), int(seq_len)
    if not (1 <= num_windows <= 6 and 1 <= seq_len <= 8):
        raise InvalidValueError(
            "num_windows must be 1-6 and seq_len 1-8 (a picture), "
            f"got {num_windows} and {seq_len}"
        )
    steps = num_windows * seq_len
    fig, ax = plt.subplots(figsize=(0.8 * steps + 1.2, 3.1))

    def arrow(start, end, **style):
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=12,
                shrinkA=9,
                shrinkB=9,
                **style,
            )
        )

    for w in range(num_windows):
        left = w * seq_len + 0.5
        ax.add_patch(
            plt.Rectangle(
                (left, -0.65), seq_len, 2.35, fc=f"C{w}", alpha=0.08, ec=f"C{w}", lw=1
            )
        )
        ax.text(
            left + seq_len / 2,
            1.55,
            f"window {w + 1}",
            ha="center",
            fontsize=11,
            color=f"C{w}",
        )
        if w:
            ax.text(left, 0.0, "✂", ha="center", va="center", fontsize=18, color="C3")
            ax.text(
                left, -0.45, "detach", ha="center", va="center", fontsize=10, color="C3"
            )
    for t in range(1, steps + 1):
        ax.add_patch(
            plt.Circle((t, 0.5), 0.26, fc="white", ec="black", lw=1.2, zorder=3)
        )
        ax.text(t, 0.5, f"$h_{{{t}}}$", ha="center", va="center", fontsize=11, zorder=4)
        ax.text(t, 1.2, f"$\\ell_{{{t}}}$", ha="center", va="center", fontsize=11)
        arrow((t, 0.5), (t, 1.2), color="#888888", lw=1)
        if t > 1:
            arrow((t - 1, 0.5), (t, 0.5), color="black", lw=1.3)
            if (t - 1) % seq_len:  # inside a window: the gradient flows back
                arrow(
                    (t, 0.05),
                    (t - 1, 0.05),
                    color="C3",
                    lw=1.3,
                    ls="--",
                    connectionstyle="arc3,rad=-0.5",
                )
    ax.text(0.45, 0.5, "$h_0$", ha="right", va="center", fontsize=11)
    arrow((0.45, 0.5), (1, 0.5), color="black", lw=1.3)
    ax.set_xlim(-0.2, steps + 0.8)
    ax.set_ylim(-0.8, 1.85)
    ax.set_aspect("equal")
    ax.set_xticks(range(1, steps + 1))
    ax.set_yticks([])
    ax.set_xlabel(
        "time step t\n"
        "(black: the hidden state, forward; red, dashed: the gradient, backward)"
    )
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    fig.tight_layout()
    windows = [f"{w * seq_len + 1} to {(w + 1) * seq_len}" for w in range(num_windows)]
    cuts = [str(w * seq_len) for w in range(1, num_windows)]
    sentence = (
        f"Truncated backpropagation through time over {steps} time steps in "
        f"{num_windows} {'window' if num_windows == 1 else 'windows'} of {seq_len} "
        f"steps (steps {say.listing(windows)}). Each hidden state h_t feeds its loss "
        "term; black arrows carry the hidden state forward from h_0 through every "
        "step, across the window boundaries too; red dashed arrows carry the "
        "gradient back from step to step, only inside a window."
    )
    if cuts:
        sentence += (
            f" At each boundary, after step{'s' if len(cuts) > 1 else ''} "
            f"{say.listing(cuts)}, scissors mark where "
            "the state is detached, so no gradient crosses it."
        )
    return with_alt(fig, sentence)


def corpus_learning_curves(
    history: CorpusHistory, uniform_bpc: float | None = None
) -> Figure:
    """Training and validation loss of a corpus run, in bits per character, by step.

    The training loss of single steps is noisy (each step reads other windows),
    so it is drawn faintly with a running mean on top; the validation loss is
    scored on the held-out text at ``history.validation_steps``.

    Args:
        history: a :class:`~hello_rnn.corpus.CorpusHistory`.
        uniform_bpc: ``log2 V``, the loss of guessing every character equally, or None.
    """
    train_bpc = torch.as_tensor(history.train_bpc, dtype=torch.float64)
    if train_bpc.numel() == 0:
        raise InvalidValueError(
            "history must hold at least one step; train for steps >= 1 first"
        )
    steps = torch.arange(1, train_bpc.numel() + 1)
    window = max(1, train_bpc.numel() // 25)
    kernel = torch.ones(1, 1, window, dtype=torch.float64) / window
    smooth = torch.nn.functional.conv1d(
        train_bpc.view(1, 1, -1), kernel
    ).flatten()  # mean of `window` steps
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    ax.plot(steps.numpy(), train_bpc.numpy(), color="C0", alpha=0.25, lw=0.8)
    ax.plot(
        steps[window - 1 :].numpy(),
        smooth.numpy(),
        color="C0",
        lw=2,
        label=f"training (mean of {window} steps)" if window > 1 else "training",
    )
    if history.validation_steps:
        ax.plot(
            history.validation_steps,
            history.validation_bpc,
            "o-",
            color="C1",
            lw=2,
            ms=4,
            label="validation (held-out text)",
        )
    if uniform_bpc is not None:
        ax.axhline(
            uniform_bpc, color="grey", ls=":", label=r"uniform guess, $\log_2 V$"
        )
    ax.set_xlabel("step")
    ax.set_ylabel("loss (bits per character)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    if history.chars_per_step:
        per_step = history.chars_per_step
        top = ax.secondary_xaxis(
            "top",
            functions=(lambda s: s * per_step / 1e6, lambda c: c * 1e6 / per_step),
        )
        top.set_xlabel("characters read (millions)")
    fig.tight_layout()
    total = train_bpc.numel()
    sentence = f"The loss in bits per character against the step, 1 to {total}"
    if history.chars_per_step:
        millions = total * history.chars_per_step / 1e6
        sentence += f" ({say.number(millions)} million characters read)"
    sentence += (
        ". The training loss "
        + (
            f"(a running mean of {window} steps over the faint single steps) "
            if window > 1
            else ""
        )
        + say.curve(smooth.tolist(), lambda i: f"at step {i + window}")
    )
    if history.validation_steps:
        best = min(
            range(len(history.validation_bpc)), key=history.validation_bpc.__getitem__
        )
        sentence += (
            f"; the validation loss on the held-out text, scored "
            f"{len(history.validation_steps)} times, "
            + say.curve(
                history.validation_bpc,
                lambda i: f"at step {history.validation_steps[i]}",
            )
            + f", lowest {say.number(history.validation_bpc[best])} at step "
            f"{history.validation_steps[best]}"
        )
    if uniform_bpc is not None:
        sentence += (
            f". A dotted line marks the uniform guess, log2 V = "
            f"{say.number(uniform_bpc)} bits"
        )
    return with_alt(fig, sentence + ".")


# --- Chapter 7: beyond the vanilla RNN ---


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


# --- Chapter 4: how a matrix stretches, and descent next to a wall ---
# (A separate section: figures added for issue 11's points 4 and 18.)


def _fmt(x: float) -> str:
    """A number for an alt text: three significant digits, and no "-0"."""
    text = f"{x:.3g}"
    return "0" if text == "-0" else text


def matrix_stretch(matrix: torch.Tensor) -> Figure:
    """The unit circle and its image under a 2 x 2 matrix: an ellipse.

    The ellipse's semi-axes are the singular values; the unit vector stretched most
    (the first column of ``Q`` in ``W = U Σ Q^T``) is drawn with its image, and the
    real eigenvectors, the directions the matrix only scales, as dashed lines.

    Args:
        matrix: ``[2, 2]``, real.
    """
    W = torch.as_tensor(matrix).detach().double().cpu()
    if W.shape != (2, 2) or W.is_complex():
        raise InvalidValueError(
            f"matrix must be a real 2 x 2 matrix, got shape {list(W.shape)}"
        )
    U, S, Qh = torch.linalg.svd(W)
    q, u = Qh[0], U[:, 0]
    if q[0] < 0 or (q[0] == 0 and q[1] < 0):  # one of the two signs, always the same
        q, u = -q, -u
    angle = torch.linspace(0, 2 * torch.pi, 361, dtype=torch.float64)
    circle = torch.stack([angle.cos(), angle.sin()])  # [2, 361]
    ellipse = W @ circle
    fig, ax = plt.subplots(figsize=(5.6, 6.6))
    ax.plot(*circle.numpy(), color="grey", lw=1.5, label="unit circle: all x, |x| = 1")
    ax.plot(*ellipse.numpy(), color="C0", lw=2, label="its image: W x")
    image = W @ q
    for vector, color, text in (
        (q, "grey", "unit vector stretched most (column 1 of Q)"),
        (image, "C0", rf"its image, length $\sigma_{{\max}}$ = {S[0].item():.3g}"),
    ):
        ax.annotate(
            "",
            xy=tuple(vector.tolist()),
            xytext=(0, 0),
            arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2},
        )
        ax.plot([], [], color=color, lw=2, label=text)
    values, vectors = torch.linalg.eig(W)
    real = values.imag.abs().max().item() < 1e-12
    eigen = []
    if real:
        for k in range(2):
            lam, e = values[k].real.item(), vectors[:, k].real
            if e[0] < 0 or (e[0] == 0 and e[1] < 0):
                e = -e
            eigen.append((lam, e))
            reach = 1.9 * e
            ax.plot(
                [-reach[0].item(), reach[0].item()],
                [-reach[1].item(), reach[1].item()],
                color=f"C{k + 1}",
                ls="--",
                lw=2,
                label=rf"eigenvector, $\lambda$ = {lam:.3g}: W only scales it",
            )
    limit = 1.15 * max(S[0].item(), 1.0)
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel("first coordinate")
    ax.set_ylabel("second coordinate")
    ax.grid(alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), fontsize=8, loc="lower center")
    fig.tight_layout(rect=(0, 0.2, 1, 1))
    rows = [f"({_fmt(row[0])}, {_fmt(row[1])})" for row in W.tolist()]
    text = (
        f"The unit circle (grey) and its image under the 2 by 2 matrix W with first "
        f"row {rows[0]} and second row {rows[1]}: an ellipse (blue) whose longest "
        f"semi-axis is "
        f"sigma max = {_fmt(S[0].item())} and whose shortest is {_fmt(S[1].item())}. "
        f"The unit vector W stretches most, ({_fmt(q[0].item())}, "
        f"{_fmt(q[1].item())}), comes out as ({_fmt(image[0].item())}, "
        f"{_fmt(image[1].item())})."
    )
    if real:
        for lam, e in eigen:
            text += (
                f" The eigenvector ({_fmt(e[0].item())}, {_fmt(e[1].item())}) comes "
                f"out along itself, scaled by {_fmt(lam)}."
            )
    else:
        text += " Its eigenvalues are complex: no real direction is only scaled."
    return with_alt(fig, text)


def wall_runs(
    w: torch.Tensor,
    b: torch.Tensor,
    loss: torch.Tensor,
    paths: dict[str, torch.Tensor],
    losses: dict[str, torch.Tensor],
) -> Figure:
    """Gradient-descent runs on the one-unit RNN's loss surface, and their loss per step.

    Top: the surface with each run's path; a path that leaves the plot is drawn to
    the edge, and its label says where it ends. Bottom: each run's loss at every
    step (log scale; a loss of exactly 0 is left out).

    Args:
        w: ``[n_w]``, the grid's values of the recurrent weight (x axis).
        b: ``[n_b]``, the grid's values of the bias (y axis).
        loss: ``[n_b, n_w]``, the loss at every grid point.
        paths: ``{label: points [K + 1, 2]}``, the ``(w, b)`` before each step
            and after the last.
        losses: ``{label: loss [K + 1]}`` at those points, same labels.
    """
    w, b, loss = (torch.as_tensor(t).detach().double().cpu() for t in (w, b, loss))
    if loss.shape != (len(b), len(w)):
        raise InvalidValueError(
            f"loss must have shape [len(b), len(w)] = {[len(b), len(w)]}, "
            f"got {list(loss.shape)}"
        )
    if not paths or set(paths) != set(losses):
        raise InvalidValueError("paths and losses must hold the same, nonempty labels")
    paths = {k: torch.as_tensor(p).detach().double().cpu() for k, p in paths.items()}
    losses = {k: torch.as_tensor(v).detach().double().cpu() for k, v in losses.items()}
    for label, p in paths.items():
        if p.ndim != 2 or p.shape[1] != 2 or losses[label].shape != (len(p),):
            raise InvalidValueError(
                f"paths[{label!r}] must have shape [K + 1, 2] and losses[{label!r}] "
                f"shape [K + 1], got {list(p.shape)} and {list(losses[label].shape)}"
            )
    (w_lo, w_hi), (b_lo, b_hi) = (
        (w[0].item(), w[-1].item()),
        (b[0].item(), b[-1].item()),
    )
    fig, (ax, ax_loss) = plt.subplots(
        2, 1, figsize=(7, 7.6), gridspec_kw={"height_ratios": [1.5, 1]}
    )
    image = ax.contourf(w.numpy(), b.numpy(), loss.numpy(), levels=30, cmap="viridis")
    fig.colorbar(image, ax=ax, label="loss $(h_T - h^\\ast)^2$")
    sentences = []
    for i, (label, p) in enumerate(paths.items()):
        color = ["C3", "C9", "C1", "C6"][i % 4]
        inside = (
            (p[:, 0] >= w_lo)
            & (p[:, 0] <= w_hi)
            & (p[:, 1] >= b_lo)
            & (p[:, 1] <= b_hi)
        )
        first_out = int(torch.nonzero(~inside)[0]) if not inside.all() else None
        shown = p if first_out is None else p[:first_out]
        ax.plot(
            *shown.T.numpy(),
            color=color,
            lw=1.2,
            marker="o",
            ms=3,
            mec="black",
            mew=0.4,
        )
        end = p[-1]
        where = (
            f"stays in w {_fmt(p[:, 0].min().item())} to {_fmt(p[:, 0].max().item())}, "
            f"b {_fmt(p[:, 1].min().item())} to {_fmt(p[:, 1].max().item())}"
        )
        if first_out is not None:
            # An arrow from the last point inside towards the first outside, cut at the edge.
            (x0, y0), (x1, y1) = shown[-1].tolist(), p[first_out].tolist()
            dx, dy = x1 - x0, y1 - y0
            fits = [1.0]
            for d, lo, hi, p0 in ((dx, w_lo, w_hi, x0), (dy, b_lo, b_hi, y0)):
                if d:
                    fits.append(((hi if d > 0 else lo) - p0) / d)
            shrink = min(fits)
            ax.annotate(
                "",
                xy=(x0 + shrink * dx, y0 + shrink * dy),
                xytext=(x0, y0),
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2},
                zorder=4,
            )
            where = (
                f"leaves the plot at step {first_out} and ends at "
                f"w = {end[0].item():.4g}, b = {end[1].item():.4g}"
            )
        ax.plot([], [], color=color, lw=2, label=f"{label}: {where}")
        run_loss = losses[label]
        positive = run_loss.clone()
        positive[positive <= 0] = float("nan")
        ax_loss.plot(
            range(len(run_loss)),
            positive.numpy(),
            color=color,
            lw=1.4,
            label=label,
        )
        sentences.append(
            f'The run "{label}": the loss is {_fmt(run_loss[0].item())} at the start, '
            f"{_fmt(run_loss[1].item())} after step 1 and "
            f"{_fmt(run_loss[-1].item())} after step {len(run_loss) - 1}, lowest "
            f"{_fmt(run_loss.min().item())}; the path {where}."
        )
    start = next(iter(paths.values()))[0]
    ax.plot(
        [start[0].item()], [start[1].item()], "o", color="white", mec="black", zorder=5
    )
    ax.set_xlim(w_lo, w_hi)
    ax.set_ylim(b_lo, b_hi)
    ax.set_xlabel("recurrent weight w")
    ax.set_ylabel("bias b")
    ax.legend(fontsize=7, loc="upper right", facecolor="lightgrey")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("gradient-descent step")
    ax_loss.set_ylabel("loss (log scale)")
    ax_loss.grid(alpha=0.3)
    ax_loss.legend(fontsize=8)
    fig.tight_layout()
    text = (
        f"Top: the one-unit RNN's loss surface for w from {_fmt(w_lo)} to "
        f"{_fmt(w_hi)} and b from {_fmt(b_lo)} to {_fmt(b_hi)}, with "
        f"{len(paths)} gradient-descent runs from the same start, w = "
        f"{_fmt(start[0].item())}, b = {_fmt(start[1].item())}. Bottom: their loss "
        "at every step, log scale. " + " ".join(sentences)
    )
    return with_alt(fig, text)


# --- Chapter 6: a fair comparison of training and validation -------------------------


def fair_learning_curves(
    history: CorpusHistory, uniform_bpc: float | None = None
) -> Figure:
    """:func:`corpus_learning_curves`, with the training slice scored as validation is.

    The running training loss is not comparable with the validation loss: it is
    read batch by batch while the weights change, from carried states. The
    training slice (``history.train_slice_bpc``) is: it is scored from blank
    states at the same steps, as long and from the same places. The gap between
    it and validation is what the network has learned by heart.

    Args:
        history: a :class:`~hello_rnn.corpus.CorpusHistory` with validation scores.
        uniform_bpc: ``log2 V``, the loss of guessing every character equally, or None.
    """
    if not history.validation_steps or len(history.train_slice_bpc) != len(
        history.validation_steps
    ):
        raise InvalidValueError(
            "history must hold validation and training-slice scores at the same "
            "steps: train with a validation_fraction above 0"
        )
    fig = corpus_learning_curves(history, uniform_bpc)
    ax = fig.axes[0]
    ax.plot(
        history.validation_steps,
        history.train_slice_bpc,
        "s--",
        color="C2",
        lw=1.5,
        ms=4,
        label="training text, scored as validation is",
    )
    ax.legend(fontsize=9)
    first, last = history.validation_steps[0], history.validation_steps[-1]
    window = max(1, history.steps // 25)
    running = sum(history.train_bpc[-window:]) / window
    gaps = [v - s for v, s in zip(history.validation_bpc, history.train_slice_bpc)]
    baseline = (
        f" The uniform guess costs {uniform_bpc:.2f}."
        if uniform_bpc is not None
        else ""
    )
    sentence = (
        f"Loss in bits per character over {history.steps} steps. The running "
        f"training loss falls from {history.train_bpc[0]:.2f} to {running:.2f} "
        f"(mean of the last {window} steps). Scored the same way from step "
        f"{first} to step {last}, the training slice goes from "
        f"{history.train_slice_bpc[0]:.2f} to {history.train_slice_bpc[-1]:.2f} and "
        f"the validation text from {history.validation_bpc[0]:.2f} to "
        f"{history.validation_bpc[-1]:.2f}; validation minus training slice goes "
        f"from {gaps[0]:+.2f} to {gaps[-1]:+.2f}.{baseline}"
    )
    return with_alt(fig, sentence)


# --- Chapter 7: the race over the number of dashes ---


def race_by_dashes(
    results: dict[str, dict[int, tuple[int, int, float | None]]],
) -> Figure:
    """How many seeds each cell solves as the row of dashes grows, and how fast.

    Args:
        results: ``{label: {D: (solved, seeds, median_steps)}}``, each entry at that
            cell's best learning rate for that ``D``; ``median_steps`` (the median
            step at which the solved seeds solved it) is None when none did.
    """
    from .alt_text import with_alt

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
