"""What a run leaves behind: its history, and the state a long run goes on from.

Kept apart from the loop that fills them (:func:`hello_rnn.corpus.train_on_corpus`),
so that :mod:`hello_rnn.checkpoint` can write and read them without importing a
training loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from .model import Hidden

__all__ = ["LN2", "CorpusHistory", "History", "TrainingState"]


#: ``ln 2``: a loss in nats divided by it is in bits.
LN2 = math.log(2)


@dataclass
class History:
    """What happened at every step of a run, and at every scoring of held-out text.

    Losses are kept as they are computed, in nats per character (the natural
    logarithm, as :class:`torch.nn.CrossEntropyLoss` gives them); the ``*_bpc``
    properties give them in bits. A short text's run (:func:`~hello_rnn.train.train`)
    fills the per-step lists and ``memorized_at``; a long text's
    (:func:`~hello_rnn.corpus.train_on_corpus`) the scorings and passes too.

    Attributes:
        loss: cross-entropy in nats per character, one per step (before the step).
        accuracy: fraction of next characters the argmax got right, before the
            step (a short text's run only).
        grad_norm: L2 norm of all gradients together, before clamping or clipping.
        clipped_grad_norm: the same norm after clamping (or norm clipping).
        clamped_fraction: fraction of gradient elements the clamp changed.
        memorized_at: the first step after which the network got every next
            character right (so greedy generation reproduces the text), or None.
        validation_steps: the steps after which the held-out text was scored.
        validation_loss: its loss in nats per character at those steps.
        train_slice_loss: the loss on the training slice
            (:class:`~hello_rnn.batching.TextSplit`) at those steps, scored exactly
            as the held-out text is: from blank states, as long, from the same
            places. Unlike ``loss``, a running loss of the batches as the weights
            changed, it compares like for like with ``validation_loss``.
        pass_offsets: where each pass over the training text began, one per pass
            started: a random offset in ``[0, T)``.
        chars_per_step: ``B * T``, characters read per step (0: not recorded).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    clipped_grad_norm: list[float] = field(default_factory=list)
    clamped_fraction: list[float] = field(default_factory=list)
    memorized_at: int | None = None
    validation_steps: list[int] = field(default_factory=list)
    validation_loss: list[float] = field(default_factory=list)
    train_slice_loss: list[float] = field(default_factory=list)
    pass_offsets: list[int] = field(default_factory=list)
    chars_per_step: int = 0

    @property
    def steps(self) -> int:
        """How many steps were taken."""
        return len(self.loss)

    @property
    def train_bpc(self) -> list[float]:
        """``loss`` in bits per character."""
        return [nats / LN2 for nats in self.loss]

    @property
    def validation_bpc(self) -> list[float]:
        """``validation_loss`` in bits per character."""
        return [nats / LN2 for nats in self.validation_loss]

    @property
    def train_slice_bpc(self) -> list[float]:
        """``train_slice_loss`` in bits per character."""
        return [nats / LN2 for nats in self.train_slice_loss]


#: A long text's history: the same :class:`History`, its scorings filled in.
CorpusHistory = History


@dataclass
class TrainingState:
    """Where a run of :func:`~hello_rnn.corpus.train_on_corpus` stands after a step: enough to go on.

    :func:`~hello_rnn.checkpoint.save_training` writes one to a file and
    :func:`~hello_rnn.checkpoint.load_training` reads it back; then
    ``train_on_corpus(net, ..., resume=state)`` takes the next steps exactly as
    the run would have, to the last bit.

    Attributes:
        step: steps taken.
        optimizer: Adam's ``state_dict()``: its step count and its two running
            averages of every weight's gradient.
        hidden: the hidden state after the step, ``[B, H]`` (an LSTM's pair of
            them), carried into the next window unless a new pass starts there.
        history: the :class:`History` of the steps taken.
        rng: torch's CPU random generator, ``torch.get_rng_state()`` (uint8).
        offset_seed: seeds the generator of the passes' random offsets, so a
            resumed run starts its next passes where the whole run would.
    """

    step: int
    optimizer: dict
    hidden: Hidden | None
    history: CorpusHistory
    rng: torch.Tensor
    offset_seed: int
