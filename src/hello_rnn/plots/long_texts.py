"""Chapter 7's figures: how batches read a text, truncated BPTT, learning curves, the long runs."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..alt_text import with_alt
from ..batching import batches
from ..errors import InvalidValueError
from ..state import CorpusHistory
from . import _describe as say
from ._common import _frameless, show_char


def batch_layout(text: str, seq_len: int, batch_size: int) -> Figure:
    """Where the windows of :func:`~hello_rnn.batching.batches` come from in the text.

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
        history: a :class:`~hello_rnn.state.CorpusHistory`.
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
        history: a :class:`~hello_rnn.state.CorpusHistory` with validation scores.
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


def long_run_curves(
    panels: Mapping[str, Mapping[str, dict]],
    yardsticks: Mapping[str, float] | None = None,
) -> Figure:
    """The learning curves of long runs, one panel per network, from their records.

    Each run is a record of ``benchmarks/long_runs.py`` (``hello_rnn.shipped.long_run_record``):
    its ``curve`` holds, at every scoring, the step, the validation loss and the
    training slice's, scored alike. Validation is drawn solid, the training
    slice dashed, in the run's colour; a dot marks the best validation score,
    the network kept. Runs side by side in a panel (a run and its control)
    share the axes; so do the panels, so that they compare at a glance.

    Args:
        panels: ``{panel title: {run label: record}}``, for instance
            ``{"plain RNN": {"dropout 0.2": ..., "no dropout": ...}}``.
        yardsticks: ``{label: bpc}``, drawn as dotted lines across every
            panel (the best n-gram, say).
    """
    if not panels or not all(panels.values()):
        raise InvalidValueError("panels must hold at least one run each")
    yardsticks = dict(yardsticks or {})
    fig, axes = plt.subplots(
        1, len(panels), figsize=(4.6 * len(panels), 3.8), sharey=True, squeeze=False
    )
    sentences = []
    for ax, (title, runs) in zip(axes[0], panels.items()):
        for colour, (label, record) in zip(("C0", "C1", "C2", "C3"), runs.items()):
            steps = [point["step"] for point in record["curve"]]
            validation = [point["validation_bpc"] for point in record["curve"]]
            slice_ = [point["train_slice_bpc"] for point in record["curve"]]
            best = record["best"]
            ax.plot(
                steps, validation, "-", color=colour, lw=2, label=f"{label}: validation"
            )
            ax.plot(
                steps,
                slice_,
                "--",
                color=colour,
                lw=1.2,
                label=f"{label}: training slice",
            )
            ax.plot(best["step"], best["validation_bpc"], "o", color=colour, ms=7)
            sentences.append(
                f"{title}, {label}: validation from {say.number(validation[0])} at step "
                f"{steps[0]} to its best, {say.number(best['validation_bpc'])}, at step "
                f"{best['step']}, and {say.number(validation[-1])} at the last, step "
                f"{steps[-1]}; the training slice ends at {say.number(slice_[-1])}."
            )
        for name, bpc in yardsticks.items():
            ax.axhline(bpc, color="0.35", ls=":", lw=1)
            ax.annotate(
                name,
                (0.99, bpc),
                xycoords=("axes fraction", "data"),
                ha="right",
                va="bottom",
                fontsize=8,
                color="0.25",
            )
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7.5)
    axes[0][0].set_ylabel("bits per character")
    fig.tight_layout()
    marks = "".join(
        f" A dotted line marks {name} at {say.number(bpc)}."
        for name, bpc in yardsticks.items()
    )
    return with_alt(
        fig,
        "Loss in bits per character against the training step, validation solid "
        "and training slice dashed, a dot at the best validation score. "
        + " ".join(sentences)
        + marks,
    )
