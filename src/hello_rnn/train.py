"""The training loop: seven steps, repeated until the text is memorized.

1. zero the gradients   2. forward   3. loss   4. backward
5. clamp the gradients  6. optimizer step      7. log
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import torch
from torch import nn

from ._checks import finite_float, positive_int
from .data import DataHandler

__all__ = [
    "History",
    "TrainingDivergedError",
    "train",
    "clamp_gradients_",
    "gradient_norm",
    "seed_everything",
]


@dataclass
class History:
    """What happened at every training step (lists indexed by step - 1).

    Attributes:
        loss: cross-entropy in nats per character, before the step.
        accuracy: fraction of next characters the argmax got right, before the step.
        grad_norm: L2 norm of all gradients together, before clamping.
        clipped_grad_norm: the same norm after clamping (or norm clipping).
        clamped_fraction: fraction of gradient elements the clamp changed.
        memorized_at: the first step after which the network got every next
            character right (so greedy generation reproduces the text), or None.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    clipped_grad_norm: list[float] = field(default_factory=list)
    clamped_fraction: list[float] = field(default_factory=list)
    memorized_at: int | None = None

    @property
    def steps(self) -> int:
        """How many steps were taken."""
        return len(self.loss)


class TrainingDivergedError(FloatingPointError):
    """The loss stopped being a finite number. ``.history`` holds every step before it."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


def seed_everything(seed: int) -> None:
    """Seed torch's generators (CPU and every GPU), so weights and samples repeat."""
    torch.manual_seed(seed)


def gradient_norm(parameters: list[nn.Parameter]) -> float:
    """The L2 norm of all gradients taken together, as one long vector."""
    grads = [p.grad.detach().flatten() for p in parameters if p.grad is not None]
    return torch.cat(grads).norm().item() if grads else 0.0


def clamp_gradients_(parameters: list[nn.Parameter], clamp: float) -> float:
    """Clamp every gradient element into ``[-clamp, clamp]`` in place.

    Same result as :func:`torch.nn.utils.clip_grad_value_`; we write it out
    because it is one line, and we also want to know how often it fired.

    Returns:
        The fraction of gradient elements that were outside the range.
    """
    changed = total = 0
    for p in parameters:
        if p.grad is None:
            continue
        changed += (p.grad.abs() > clamp).sum().item()
        total += p.grad.numel()
        # A clamp beyond the dtype's range changes nothing.
        bound = min(clamp, torch.finfo(p.grad.dtype).max)
        p.grad.clamp_(-bound, bound)
    return changed / total if total else 0.0


def train(
    net: nn.Module,
    data: DataHandler,
    *,
    steps: int = 1000,
    lr: float = 0.001,
    clamp: float | None = 1.0,
    clip_norm: float | None = None,
    optimizer: Literal["adam", "sgd"] = "adam",
    stop_when_memorized: bool = True,
    seed: int | None = None,
    device: torch.device | str | None = None,
    progress: bool = False,
) -> History:
    """Teach `net` to predict every next character of ``data.text``.

    Args:
        net: a :class:`~hello_rnn.model.HelloRNN` (any module mapping ``[T, V]`` to
            ``([T, V] logits, hidden)`` works).
        data: the text as tensors: ``data.X`` ``[T, V]``, ``data.y`` ``[T]``.
        steps: the most steps to take.
        lr: learning rate.
        clamp: clamp every gradient element into ``[-clamp, clamp]``; None turns it off.
        clip_norm: instead of clamping, rescale the whole gradient to norm at
            most ``clip_norm`` (:func:`torch.nn.utils.clip_grad_norm_`).
        optimizer: ``"adam"`` (default) or ``"sgd"``.
        stop_when_memorized: stop at the first step at which the network gets
            every next character right (then greedy generation from the first
            character reproduces the text exactly).
        seed: seeds torch first, for runs that repeat.
        device: move the network there first; by default it stays where it is
            and the data follows it.
        progress: show a progress bar.

    Returns:
        A :class:`History` of every step.

    Raises:
        TrainingDivergedError: the loss became NaN or infinite; the message
            names the step and what to try.
    """
    steps = positive_int("steps", steps)
    lr = finite_float("lr", lr, positive=True)
    if clamp is not None:
        clamp = finite_float("clamp", clamp, positive=True)
    if clip_norm is not None:
        clip_norm = finite_float("clip_norm", clip_norm, positive=True)
        if clamp is not None:
            raise ValueError(
                "pass either clamp or clip_norm, not both "
                "(set clamp=None to clip the norm)"
            )
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    if not isinstance(data, DataHandler):
        raise TypeError(f"data must be a DataHandler, got {type(data).__name__}")
    if seed is not None:
        seed_everything(seed)
    if device is not None:
        net.to(device)
    parameters = list(net.parameters())
    X, y = data.X.to(parameters[0].device), data.y.to(parameters[0].device)

    loss_fn = nn.CrossEntropyLoss()  # takes logits: softmax is inside it
    Optimizer = torch.optim.Adam if optimizer == "adam" else torch.optim.SGD
    opt = Optimizer(parameters, lr=lr)
    history = History()
    net.train()
    bar = _progress_bar(steps, progress)
    for step in range(1, steps + 1):
        opt.zero_grad()  # 1. forget the last step's gradients
        logits, _ = net(X)  # 2. forward: [T, V] scores
        loss = loss_fn(logits, y)  # 3. how surprised were we by each next character?
        if not math.isfinite(loss.item()):
            bar.close()
            raise TrainingDivergedError(
                f"the loss became {loss.item()} at step {step}: the weights blew up. "
                "Try a smaller lr, or clamp the gradients (clamp=1.0)",
                history,
            )
        loss.backward()  # 4. gradients of the loss for every weight
        norm_before = gradient_norm(parameters)
        fraction = 0.0
        if clamp is not None:  # 5. keep any one gradient element from being huge
            fraction = clamp_gradients_(parameters, clamp)
        elif clip_norm is not None:
            nn.utils.clip_grad_norm_(parameters, clip_norm)
        opt.step()  # 6. move the weights downhill
        accuracy = _accuracy_of(logits, y)  # 7. log
        history.loss.append(loss.item())
        history.accuracy.append(accuracy)
        history.grad_norm.append(norm_before)
        history.clipped_grad_norm.append(
            gradient_norm(parameters) if clamp or clip_norm else norm_before
        )
        history.clamped_fraction.append(fraction)
        bar.update(1)
        bar.set_postfix(
            loss=f"{loss.item():.4f}", accuracy=f"{accuracy:.2f}", refresh=False
        )
        # The accuracy above was measured before the step; confirm the updated
        # weights still get every character right before calling it memorized.
        if (
            accuracy == 1.0
            and history.memorized_at is None
            and _accuracy(net, X, y) == 1.0
        ):
            history.memorized_at = step
            if stop_when_memorized:
                break
    bar.close()
    net.eval()
    return history


def _accuracy_of(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of positions whose highest-scoring character is the target."""
    return (logits.argmax(dim=-1) == y).float().mean().item()


@torch.no_grad()
def _accuracy(net: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    return _accuracy_of(net(X)[0], y)


def _progress_bar(total: int, enabled: bool):
    """A tqdm bar, or a stand-in with the same methods that shows nothing."""
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, unit="step", leave=False)
