"""Chapter 3's figures: learning curves, hidden states, the memorization study, snapshots."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..alt_text import with_alt
from ..data import DataHandler
from ..errors import InvalidValueError
from ..train import History
from . import _describe as say
from ._common import _plain_log_yaxis, show_char


def training_curves(history: History, uniform_loss: float | None = None) -> Figure:
    """Loss (log scale) and accuracy of a training run, side by side.

    Point ``k`` is the network after ``k`` steps (``history.loss[k]``). A dashed
    line marks ``history.memorized_at``; a dotted one the loss of a uniform guess.

    Args:
        history: the :class:`~hello_rnn.state.History` that ``train`` returned.
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


def hidden_value_histogram(hidden: torch.Tensor, bins: int = 20) -> Figure:
    """How the hidden values spread over the tanh's range: a histogram of all of them.

    Args:
        hidden: ``[T, H]`` hidden states (values of tanh, in -1..1), every value counted.
        bins: bars of equal width between -1 and 1.
    """
    values = hidden.detach().float().cpu().flatten()
    if values.numel() == 0:
        raise InvalidValueError("hidden must hold at least one value")
    counts = torch.histc(values, bins=bins, min=-1.0, max=1.0)
    shares = counts / values.numel()
    edges = torch.linspace(-1.0, 1.0, bins + 1)
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.bar(
        edges[:-1].numpy(),
        shares.numpy(),
        width=2 / bins,
        align="edge",
        color="C0",
        edgecolor="white",
    )
    for edge in (-0.9, 0.9):
        ax.axvline(edge, color="0.3", ls="--", lw=1)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("hidden value $h$ (tanh: -1 to 1); dashed: ±0.9")
    ax.set_ylabel("share of all values")
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return with_alt(fig, _histogram_alt(values, shares, edges))


def _histogram_alt(
    values: torch.Tensor, shares: torch.Tensor, edges: torch.Tensor
) -> str:
    tallest = int(shares.argmax())
    beyond = (values.abs() > 0.9).float().mean().item()
    middle = (values.abs() < 0.5).float().mean().item()
    return (
        f"A histogram of all {values.numel()} hidden values, in {len(shares)} bars from "
        f"-1 to 1. {say.capital(say.percent(beyond))} are beyond ±0.9 (dashed lines), "
        f"{say.percent(middle)} within ±0.5; the median |h| is "
        f"{say.number(values.abs().median(), 2)}. The tallest bar, "
        f"{say.number(edges[tallest], 2)} to {say.number(edges[tallest + 1], 2)}, "
        f"holds {say.percent(shares[tallest].item())} of the values."
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

    from ..sample import next_char_probabilities

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
