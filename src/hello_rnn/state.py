"""What a run on a long text leaves behind: its history, and the state to go on from.

Kept apart from the loop that fills them (:func:`hello_rnn.corpus.train_on_corpus`),
so that :mod:`hello_rnn.checkpoint` can write and read them without importing a
training loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from .model import Hidden

__all__ = ["CorpusHistory", "TrainingState"]


@dataclass
class CorpusHistory:
    """What happened while training on a corpus.

    Attributes:
        train_bpc: training loss in bits per character, one per step (before the step).
        grad_norm: L2 norm of all gradients together, one per step, before
            clamping or clipping.
        validation_steps: the steps after which the validation text was scored.
        validation_bpc: the validation loss in bits per character at those steps.
        train_slice_bpc: the loss on the training slice (:class:`~hello_rnn.batching.TextSplit`) at
            those steps, scored exactly as the validation text is: from blank
            states, as long, from the same places. Unlike ``train_bpc``, a
            running loss of the batches as the weights changed, it compares
            like for like with ``validation_bpc``.
        pass_offsets: where each pass over the training text began, one per
            pass started: a random offset in ``[0, T)``.
        chars_per_step: ``B * T``, characters read per step.
    """

    train_bpc: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    validation_steps: list[int] = field(default_factory=list)
    validation_bpc: list[float] = field(default_factory=list)
    train_slice_bpc: list[float] = field(default_factory=list)
    pass_offsets: list[int] = field(default_factory=list)
    chars_per_step: int = 0

    @property
    def steps(self) -> int:
        """How many steps were taken."""
        return len(self.train_bpc)


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
        history: the :class:`CorpusHistory` of the steps taken.
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
