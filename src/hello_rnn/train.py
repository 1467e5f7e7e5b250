"""The training loop: seven steps, repeated until the text is memorized.

1. zero the gradients   2. forward   3. loss   4. backward
5. clamp the gradients  6. optimizer step      7. log

:func:`train_step` takes the seven steps once. :func:`train` repeats them on
one short text; :func:`~hello_rnn.corpus.train_on_corpus` on a long one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import nn

from ._checks import clamp_or_clip, finite_float, non_negative_int, positive_int
from ._progress import progress_bar
from .data import DataHandler
from .errors import InvalidTypeError, InvalidValueError
from .model import Hidden, detach_hidden
from .state import History

__all__ = [
    "Batch",
    "StepResult",
    "TrainingDivergedError",
    "log_step",
    "run_steps",
    "train",
    "train_step",
    "clamp_gradients_",
    "gradient_norm",
    "seed_everything",
]


class TrainingDivergedError(FloatingPointError):
    """The loss stopped being a finite number.

    ``.history`` holds every step before the one whose loss was not finite.
    That step was still taken, so the weights are no longer to be trusted.
    """

    def __init__(self, message: str, history: History | None) -> None:
        super().__init__(message)
        self.history = history

    @classmethod
    def at_step(cls, step: int, loss: float, history: History) -> TrainingDivergedError:
        """The error for a `loss` of NaN or infinity at `step`, with what to try."""
        return cls(
            f"the loss became {loss} at step {step}: the weights blew up. "
            "Try a smaller lr, or clamp the gradients (clamp=1.0)",
            history,
        )


# The loss of every step: softmax and the negative log-likelihood of the right
# character in one, so it takes the raw logits.
CROSS_ENTROPY = nn.CrossEntropyLoss()


def seed_everything(seed: int) -> int:
    """Seed every random generator a run draws from, so weights and samples repeat.

    That is Python's ``random``, NumPy's global generator and torch's (the CPU's
    and every GPU's). On a GPU some kernels still add in a varying order, so
    results there can differ in the last digits from run to run; making them
    exact (``torch.use_deterministic_algorithms``) would slow every run down.

    Args:
        seed: an integer in ``[0, 2**32)``, the range NumPy's seed accepts.

    Returns:
        ``seed`` itself, once checked.
    """
    seed = non_negative_int("seed", seed)
    if seed >= 2**32:
        raise InvalidValueError(f"seed must be below 2**32, got {seed}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return seed


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
        changed += (p.grad.abs() > clamp).sum()  # a count, still on the device
        total += p.grad.numel()
        # A clamp beyond the dtype's range changes nothing.
        bound = min(clamp, torch.finfo(p.grad.dtype).max)
        p.grad.clamp_(-bound, bound)
    return int(changed) / total if total else 0.0  # one copy to the CPU


@dataclass
class StepResult:
    """What one :func:`train_step` measured.

    Attributes:
        loss: the mean cross-entropy of every prediction, in nats per character.
        logits: ``[*, T, V]``, the scores the loss came from (detached).
        hidden: the hidden state after the last input, detached: where the next
            window of a long text starts.
        grad_norm: L2 norm of all gradients together, before clamping or clipping.
        clipped_grad_norm: the same norm after them (``grad_norm`` if neither is on).
        clamped_fraction: fraction of gradient elements the clamp changed.
    """

    loss: float
    logits: torch.Tensor
    hidden: Hidden
    grad_norm: float
    clipped_grad_norm: float
    clamped_fraction: float


def train_step(
    net: nn.Module,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    h: Hidden | None = None,
    *,
    clamp: float | None = None,
    clip_norm: float | None = None,
) -> StepResult:
    """One step downhill: teach `net` that after the inputs `x` come the targets `y`.

    Args:
        net: maps ``(x, h)`` to ``(logits, hidden)``, as
            :class:`~hello_rnn.model.HelloRNN` does.
        optimizer: the optimizer of ``net``'s parameters.
        x: one-hot inputs, ``[T, V]`` or ``[B, T, V]``.
        y: the index of the character after each input, ``[T]`` or ``[B, T]``.
        h: the hidden state to start from; None starts from zeros.
        clamp: clamp every gradient element into ``[-clamp, clamp]``.
        clip_norm: instead, rescale the whole gradient to norm at most
            ``clip_norm`` (:func:`torch.nn.utils.clip_grad_norm_`).

    Returns:
        What the step measured, as a :class:`StepResult`. Its numbers are Python
        floats, so on a GPU reading them waits for the step to finish.
    """
    clamp, clip_norm = clamp_or_clip(clamp, clip_norm)
    parameters = list(net.parameters())
    optimizer.zero_grad()  # 1. forget the last step's gradients
    logits, h = net(x, h)  # 2. forward: [*, T, V] scores
    # 3. how surprised were we by each next character? [N, V] rows, [N] targets
    loss = CROSS_ENTROPY(logits.flatten(0, -2), y.flatten())
    loss.backward()  # 4. gradients of the loss for every weight
    norm = gradient_norm(parameters)  # how long the gradient is, before step 5
    fraction = 0.0
    if clamp is not None:  # 5. keep any one gradient element from being huge
        fraction = clamp_gradients_(parameters, clamp)
    elif clip_norm is not None:  # or the whole gradient from being too long
        nn.utils.clip_grad_norm_(parameters, clip_norm)
    clipped = gradient_norm(parameters) if clamp or clip_norm else norm
    optimizer.step()  # 6. move the weights downhill
    return StepResult(  # 7. log what happened
        loss.item(), logits.detach(), detach_hidden(h), norm, clipped, fraction
    )


def log_step(history: History, result: StepResult) -> None:
    """Append what every run records of a step: its loss and its gradient's sizes."""
    history.loss.append(result.loss)
    history.grad_norm.append(result.grad_norm)
    history.clipped_grad_norm.append(result.clipped_grad_norm)
    history.clamped_fraction.append(result.clamped_fraction)


@dataclass(frozen=True)
class Batch:
    """One step's worth of text for :func:`run_steps`.

    Attributes:
        x: one-hot inputs, ``[T, V]`` or ``[B, T, V]``.
        y: the index of the character after each input, ``[T]`` or ``[B, T]``.
        fresh: start this step from a blank memory (zeros); otherwise from the
            hidden state the step before ended with, as truncated BPTT does.
    """

    x: torch.Tensor
    y: torch.Tensor
    fresh: bool = True


def run_steps(
    net: nn.Module,
    optimizer: torch.optim.Optimizer,
    batches: Iterable[Batch],
    after_step: Callable[[int, StepResult], bool],
    *,
    clamp: float | None = None,
    clip_norm: float | None = None,
    first_step: int = 1,
    hidden: Hidden | None = None,
    rate: Callable[[int], float] | None = None,
    history: History | None = None,
) -> None:
    """The training loop: one :func:`train_step` per batch, until told to stop.

    Args:
        net: the network, in training mode.
        optimizer: the optimizer of ``net``'s parameters.
        batches: the steps' data, in order; the loop ends when they do.
        after_step: called as ``after_step(step, result)`` after every step, to
            record it; returning True stops the loop there.
        clamp, clip_norm: as for :func:`train_step`.
        first_step: the number of the first step (a resumed run's is not 1).
        hidden: the memory the first batch starts from, unless it is fresh.
        rate: ``rate(step)`` is the learning rate of that step; None leaves it.
        history: what is recorded so far, handed to the error if the loss blows up.

    Raises:
        TrainingDivergedError: the loss became NaN or infinite; no ``after_step``
            is called for that step.
    """
    h = hidden
    for step, batch in enumerate(batches, start=first_step):
        if rate is not None:
            for group in optimizer.param_groups:
                group["lr"] = rate(step)
        if batch.fresh:
            h = None
        result = train_step(
            net, optimizer, batch.x, batch.y, h, clamp=clamp, clip_norm=clip_norm
        )
        # The loss is read every step, so a run that blows up stops at that very step.
        if not math.isfinite(result.loss):
            raise TrainingDivergedError.at_step(step, result.loss, history)
        h = result.hidden  # carried to the next batch, detached: truncated BPTT
        if after_step(step, result):
            return


def train(
    net: nn.Module,
    data: DataHandler,
    *,
    steps: int = 1000,
    lr: float = 0.001,
    clamp: float | None = 1.0,
    clip_norm: float | None = None,
    seed: int | None = None,
    device: torch.device | str | None = None,
    progress: bool = False,
    optimizer: Literal["adam", "sgd"] = "adam",
    stop_when_memorized: bool = True,
) -> History:
    """Teach `net` to predict every next character of ``data.text``.

    Every step is one :func:`train_step` on the whole text, from a blank memory.

    Args:
        net: a :class:`~hello_rnn.model.HelloRNN` (any module mapping ``[T, V]``
            and a hidden state to ``([T, V] logits, hidden)`` works).
        data: the text as tensors: ``data.X`` ``[T, V]``, ``data.y`` ``[T]``.
        steps: the most steps to take.
        lr: learning rate.
        clamp: clamp every gradient element into ``[-clamp, clamp]``; None turns it off.
        clip_norm: instead of clamping, rescale the whole gradient to norm at
            most ``clip_norm`` (:func:`torch.nn.utils.clip_grad_norm_`).
        seed: seeds torch first, for runs that repeat.
        device: move the network there first; by default it stays where it is
            and the data follows it.
        progress: show a progress bar.
        optimizer: ``"adam"`` (default) or ``"sgd"``.
        stop_when_memorized: stop right after the first step after which the
            network gets every next character right (then greedy generation from
            the first character reproduces the text exactly).

    Returns:
        A :class:`~hello_rnn.state.History` of every step.

    Raises:
        TrainingDivergedError: the loss became NaN or infinite; the message
            names the step and what to try.
    """
    steps = positive_int("steps", steps)
    lr = finite_float("lr", lr, positive=True)
    clamp, clip_norm = clamp_or_clip(clamp, clip_norm)
    if optimizer not in ("adam", "sgd"):
        raise InvalidValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    if not isinstance(data, DataHandler):
        raise InvalidTypeError(f"data must be a DataHandler, got {type(data).__name__}")
    if seed is not None:
        seed_everything(seed)
    if device is not None:
        net.to(device)
    device = next(net.parameters()).device
    X, y = data.X.to(device), data.y.to(device)

    Optimizer = torch.optim.Adam if optimizer == "adam" else torch.optim.SGD
    opt = Optimizer(net.parameters(), lr=lr)
    history = History()
    was_training = net.training
    net.train()
    with progress_bar(steps, progress) as bar:

        def record(step: int, result: StepResult) -> bool:
            """Log the step; True (stop) once memorized, if asked to."""
            accuracy = _accuracy_of(result.logits, y)
            log_step(history, result)
            history.accuracy.append(accuracy)
            bar.update(1)
            bar.set_postfix(
                loss=f"{result.loss:.4f}", accuracy=f"{accuracy:.2f}", refresh=False
            )
            # The accuracy above was measured before the step: memorized means the
            # weights after it get every character right, so look again.
            if history.memorized_at is None and _accuracy(net, X, y) == 1.0:
                history.memorized_at = step
                return stop_when_memorized
            return False

        whole_text = (Batch(X, y) for _ in range(steps))  # every step: all of it
        run_steps(
            net,
            opt,
            whole_text,
            record,
            clamp=clamp,
            clip_norm=clip_norm,
            history=history,
        )
    net.train(was_training)
    return history


def _accuracy_of(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of positions whose highest-scoring character is the target."""
    return (logits.argmax(dim=-1) == y).float().mean().item()


@torch.no_grad()
def _accuracy(net: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    return _accuracy_of(net(X)[0], y)
