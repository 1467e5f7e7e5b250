"""Chapters 4 and 5's figures: gradient norms, the loss wall, clamping and clipping, how a matrix stretches."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..alt_text import with_alt
from ..errors import InvalidValueError
from ..train import History
from . import _describe as say
from ._common import _at_step


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
    rows = [f"({say.number(row[0])}, {say.number(row[1])})" for row in W.tolist()]
    text = (
        f"The unit circle (grey) and its image under the 2 by 2 matrix W with first "
        f"row {rows[0]} and second row {rows[1]}: an ellipse (blue) whose longest "
        f"semi-axis is "
        f"sigma max = {say.number(S[0].item())} and whose shortest is {say.number(S[1].item())}. "
        f"The unit vector W stretches most, ({say.number(q[0].item())}, "
        f"{say.number(q[1].item())}), comes out as ({say.number(image[0].item())}, "
        f"{say.number(image[1].item())})."
    )
    if real:
        for lam, e in eigen:
            text += (
                f" The eigenvector ({say.number(e[0].item())}, {say.number(e[1].item())}) comes "
                f"out along itself, scaled by {say.number(lam)}."
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
            f"stays in w {say.number(p[:, 0].min().item())} to {say.number(p[:, 0].max().item())}, "
            f"b {say.number(p[:, 1].min().item())} to {say.number(p[:, 1].max().item())}"
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
            f'The run "{label}": the loss is {say.number(run_loss[0].item())} at the start, '
            f"{say.number(run_loss[1].item())} after step 1 and "
            f"{say.number(run_loss[-1].item())} after step {len(run_loss) - 1}, lowest "
            f"{say.number(run_loss.min().item())}; the path {where}."
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
        f"Top: the one-unit RNN's loss surface for w from {say.number(w_lo)} to "
        f"{say.number(w_hi)} and b from {say.number(b_lo)} to {say.number(b_hi)}, with "
        f"{len(paths)} gradient-descent runs from the same start, w = "
        f"{say.number(start[0].item())}, b = {say.number(start[1].item())}. Bottom: their loss "
        "at every step, log scale. " + " ".join(sentences)
    )
    return with_alt(fig, text)
