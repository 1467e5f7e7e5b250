"""Going bigger: a long text, cut into windows, learned with truncated backpropagation through time.

"Hello, RNN!" fits in one forward pass. A long text does not: we cut it into
``B`` contiguous streams (one per batch row) and walk along them ``T``
characters at a time. The hidden state is carried from one window to the next,
so the network can remember further back than ``T``, but it is *detached*
between windows, so each backward pass only goes ``T`` steps back in time.
That is truncated backpropagation through time (BPTT). Each pass over the text
starts at a random offset below ``T``, so that no character always sits at the
same place in its window (:func:`train_on_corpus`).

The held-out text is spread through the whole text (:func:`~hello_rnn.batching.split_text`), so
that training and validation text are the same kind of text.

Loss is reported in bits per character (bpc): the cross-entropy in base 2. A
model that guesses uniformly among ``V`` characters scores ``log2(V)``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import nn

from ._checks import clamp_or_clip, finite_float, non_negative_int, positive_int
from ._progress import progress_bar
from .batching import (  # (importable from here too, as before)
    _check_indices,
    _validation_fraction,
    batches,
    batches_per_pass,
    pass_length,
    split_text,
)
from .data import Vocabulary
from .errors import InvalidTypeError, InvalidValueError
from .model import HelloRNN, Hidden
from .shakespeare import shakespeare_text
from .state import LN2, CorpusHistory, TrainingState
from .train import Batch, StepResult, log_step, run_steps, seed_everything

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = [
    "bits_per_character",
    "cosine_rate",
    "default_eval_every",
    "default_corpus",
    "train_on_corpus",
]


def default_corpus(max_chars: int | None = None) -> str:
    """The book's long text: nine Shakespeare plays, about 1.1 million characters.

    The text ships inside the package (:mod:`hello_rnn.shakespeare`) and is
    checked against its SHA-256 when read, so every Python and Colab train on
    the same bytes, with no download.

    Args:
        max_chars: keep only the first ``max_chars`` characters; None keeps everything.
    """
    if max_chars is not None:
        max_chars = positive_int("max_chars", max_chars)
    return shakespeare_text()[:max_chars]


def train_on_corpus(
    net: HelloRNN,
    vocabulary: Vocabulary,
    text: str | torch.Tensor,
    *,
    steps: int = 1000,
    lr: float = 0.001,
    clamp: float | None = 1.0,
    clip_norm: float | None = None,
    seed: int | None = None,
    device: torch.device | str | None = None,
    progress: bool = False,
    lr_final: float | None = None,
    seq_len: int = 64,
    batch_size: int = 32,
    validation_fraction: float = 0.1,
    eval_every: int | None = None,
    on_eval: Callable[[int, HelloRNN, CorpusHistory], object] | None = None,
    on_step: Callable[[HelloRNN, TrainingState], object] | None = None,
    resume: TrainingState | None = None,
) -> CorpusHistory:
    """Train `net` on a long `text` with truncated BPTT and Adam.

    A share ``validation_fraction`` of the text, spread through all of it, is
    held out (:func:`~hello_rnn.batching.split_text`); it and a slice of the training text as long
    are scored the same way every ``eval_every`` steps and at the end. The
    training text is read in :func:`~hello_rnn.batching.batches`, over and over (an *epoch* is one
    pass), with the hidden state carried from window to window and reset at the
    start of each pass. Every step is one :func:`~hello_rnn.train.train_step`
    on a batch.

    Each pass starts at a random offset in ``[0, T)``. The loss at position
    ``t`` of a window is backpropagated ``t`` steps; with the same windows in
    every pass, the same characters would always get the short end. Shifted by
    a random offset, each character falls on every position of its window in
    turn. The offsets come from a generator of their own, seeded by `seed` (or,
    without one, by a draw from torch's generator), so a run repeats exactly and
    the callbacks cannot change them.

    Any :class:`~hello_rnn.model.HelloRNN` works. On a GPU give it ``cell="torch"`` (the
    default): cuDNN runs the whole recurrence as one fused kernel, where the
    scratch cell launches several small kernels per time step. On a CPU the two
    cells run at about the same speed, the scratch cell a little faster
    (``benchmarks/README.md``).

    Args:
        net: the network; its ``num_chars`` must equal the vocabulary's size.
        vocabulary: the characters of `text` (for instance ``Vocabulary(set(text))``).
        text: the corpus: a string, or its indices ``[L]`` from
            ``vocabulary.encode(text, vocabulary.index_dtype)``, which take one
            byte a character (so the string need not be kept).
        steps: optimizer steps to take (in all, counting a resumed run's).
        lr: Adam's learning rate.
        clamp: clamp every gradient element into ``[-clamp, clamp]``; None turns it off.
        clip_norm: instead of clamping, rescale the whole gradient to norm at
            most ``clip_norm`` (:func:`torch.nn.utils.clip_grad_norm_`).
        seed: seeds torch first, as :func:`~hello_rnn.train.train` does, and
            the offsets of the passes.
        device: move the network (and the data) there first.
        progress: show a progress bar: steps, the latest bpc, characters a second.
        lr_final: lower the rate along half a cosine, from `lr` at the first
            step to this at the last (:func:`cosine_rate`): big steps while
            the loss is far from its floor, small ones to settle near it.
            None keeps `lr` throughout.
        seq_len: ``T``, how far back each backward pass reaches.
        batch_size: ``B``, streams per step.
        validation_fraction: the share of the text held out, spread through it
            (:func:`~hello_rnn.batching.split_text`), in ``[0, 1)``; 0 for none.
        eval_every: score the validation text every this many steps; by default
            ten times per run.
        on_eval: called as ``on_eval(step, net, history)`` after each of those
            scorings (and at the end, with or without a validation text), to
            watch a long run: write a sample, save a checkpoint. It must not
            change the weights; the network is in training mode again after it.
        on_step: called as ``on_step(net, state)`` after every step (and its
            scoring), with a :class:`~hello_rnn.state.TrainingState` to save
            (:func:`~hello_rnn.checkpoint.save_training`) before the next step
            changes it. Raising stops the run between two whole steps.
        resume: go on from this state of an earlier run of `net` (on the same
            text, with the same settings), from its step ``resume.step + 1``.

    Returns:
        A :class:`~hello_rnn.state.CorpusHistory` (a resumed run's includes the earlier steps).

    Raises:
        TrainingDivergedError: the loss became NaN or infinite; the message
            names the step and what to try.
    """
    steps = positive_int("steps", steps)
    lr = finite_float("lr", lr, positive=True)
    rate = _cosine_schedule(steps, lr, lr_final)  # None keeps lr throughout
    clamp, clip_norm = clamp_or_clip(clamp, clip_norm)
    seq_len = positive_int("seq_len", seq_len)
    batch_size = positive_int("batch_size", batch_size)
    validation_fraction = _validation_fraction(validation_fraction)
    if eval_every is None:
        eval_every = default_eval_every(steps)
    eval_every = positive_int("eval_every", eval_every)
    _check_hooks(on_eval, on_step, resume)
    net.check_vocabulary(vocabulary)
    indices = _indices_of(text, vocabulary)
    if seed is not None:
        seed_everything(seed)
    offset_seed = _offset_seed(resume, seed)
    if device is not None:
        net.to(device)
    parameters = list(net.parameters())
    texts = _TrainingTexts.of(
        indices, validation_fraction, seq_len, batch_size, parameters[0].device
    )
    optimizer = _adam(parameters, lr)
    history = CorpusHistory(chars_per_step=batch_size * seq_len)
    step, h = 0, None
    if resume is not None:  # go on where a saved run stopped
        step, h, history = _resume(
            resume, optimizer, net, lr, steps, history.chars_per_step
        )
    offsets = _pass_offsets(offset_seed, seq_len)
    run = _corpus_batches(
        texts, vocabulary, seq_len, batch_size, offsets, step, steps, history
    )
    was_training = net.training
    net.train()
    with progress_bar(steps, progress, initial=step) as bar:
        record = _recorder(
            net, vocabulary, texts, optimizer, history, bar,
            seq_len=seq_len, steps=steps, eval_every=eval_every,
            offset_seed=offset_seed, on_eval=on_eval, on_step=on_step,
        )  # fmt: skip
        run_steps(
            net,
            optimizer,
            run,
            record,
            clamp=clamp,
            clip_norm=clip_norm,
            first_step=step + 1,
            hidden=h,
            rate=rate,
            history=history,
        )
    net.train(was_training)
    return history


def _recorder(
    net: HelloRNN,
    vocabulary: Vocabulary,
    texts: _TrainingTexts,
    optimizer: torch.optim.Optimizer,
    history: CorpusHistory,
    bar: tqdm,
    *,
    seq_len: int,
    steps: int,
    eval_every: int,
    offset_seed: int,
    on_eval: Callable[[int, HelloRNN, CorpusHistory], object] | None,
    on_step: Callable[[HelloRNN, TrainingState], object] | None,
) -> Callable[[int, StepResult], bool]:
    """What :func:`train_on_corpus` does after every step, for :func:`~hello_rnn.train.run_steps`."""

    def record(step: int, result: StepResult) -> bool:
        """Log a step; score the held-out text when it is time; call back."""
        log_step(history, result)
        if step % eval_every == 0 or step == steps:
            _score(net, vocabulary, texts, seq_len, step, history)
            if on_eval is not None:
                on_eval(step, net, history)
                net.train()
        if on_step is not None:  # the step is whole: a state to save
            rng = torch.get_rng_state()
            state_dict = optimizer.state_dict()
            on_step(
                net,
                TrainingState(
                    step, state_dict, result.hidden, history, rng, offset_seed
                ),
            )
        _show_progress(bar, history)
        return False  # the batches end the run

    return record


def _cosine_schedule(
    steps: int, lr: float, lr_final: float | None
) -> Callable[[int], float] | None:
    """The rate of step ``s`` (from 1): :func:`cosine_rate`; None for a constant rate."""
    if lr_final is None:
        return None
    lr_final = finite_float("lr_final", lr_final, positive=True)
    return lambda step: cosine_rate(step - 1, steps, lr, lr_final)


def _check_hooks(on_eval: object, on_step: object, resume: object) -> None:
    """Raise a readable error for callbacks that cannot be called, or a bad resume."""
    _check_callback("on_eval", on_eval, "(step, net, history)")
    _check_callback("on_step", on_step, "(net, state)")
    if resume is not None and not isinstance(resume, TrainingState):
        raise InvalidTypeError(
            f"resume must be a TrainingState or None, got {type(resume).__name__}"
        )


def _corpus_batches(
    texts: _TrainingTexts,
    vocabulary: Vocabulary,
    seq_len: int,
    batch_size: int,
    offsets: Callable[[int], int],
    step: int,
    steps: int,
    history: CorpusHistory,
) -> Iterator[Batch]:
    """The batches of steps ``step + 1`` to `steps`: pass after pass over the training text.

    Each pass starts at its offset and from a blank memory; within a pass every
    batch goes on from the hidden state the batch before ended with. The offset of
    each pass is logged in ``history.pass_offsets`` as the pass starts.
    """
    per_pass = batches_per_pass(texts.span, seq_len, batch_size)
    while step < steps:
        taken = step % per_pass  # batches of this pass taken before a resume
        offset = offsets(step // per_pass)  # where this pass starts
        if taken == 0:
            history.pass_offsets.append(offset)
        text_of_pass = texts.train[offset : offset + texts.span]
        for k, (x, y) in enumerate(
            batches(text_of_pass, seq_len, batch_size, start=taken)
        ):
            # [B, T] -> [B, T, V] one-hot rows. At the start of a pass the streams
            # jump back to their beginnings, where the old memory makes no sense.
            yield Batch(vocabulary.one_hot(x), y, fresh=taken == 0 and k == 0)
            step += 1
            if step == steps:
                return


@dataclass(frozen=True)
class _TrainingTexts:
    """A corpus as a run reads it: its split, on the device, and how much a pass reads."""

    train: torch.Tensor
    validation: torch.Tensor | None
    train_slice: torch.Tensor
    span: int  # every pass reads this much, from its offset: as many batches each

    @classmethod
    def of(
        cls,
        indices: torch.Tensor,
        validation_fraction: float,
        seq_len: int,
        batch_size: int,
        device: torch.device,
    ) -> _TrainingTexts:
        """Split `indices` and check, with a clear message, that every part is long enough."""
        split = split_text(indices, validation_fraction)
        train = split.train.to(device)
        validation = split.validation.to(device) if len(split.validation) else None
        span = pass_length(len(train), seq_len)
        next(batches(train[: max(span, 1)], seq_len, batch_size))  # one batch, at least
        if validation is not None and len(validation) <= seq_len:
            raise InvalidValueError(
                f"the validation text ({validation_fraction:g} of the text) has "
                f"{len(validation)} characters: too short for one window of "
                f"seq_len={seq_len} + 1; use a larger validation_fraction or 0"
            )
        if validation is not None and len(split.train_slice) <= seq_len:
            raise InvalidValueError(
                f"validation_fraction={validation_fraction:g} leaves too little training "
                "text beside each held-out piece to score it the same way; hold out "
                "at most 0.5"
            )
        return cls(train, validation, split.train_slice.to(device), span)


def _score(
    net: HelloRNN,
    vocabulary: Vocabulary,
    texts: _TrainingTexts,
    seq_len: int,
    step: int,
    history: CorpusHistory,
) -> None:
    """Score the held-out text and the training slice alike, if there is a held-out text."""
    if texts.validation is None:
        return
    history.validation_steps.append(step)
    for scores, scored in (
        (history.validation_loss, texts.validation),
        (history.train_slice_loss, texts.train_slice),
    ):
        scores.append(_nats_per_character(net, vocabulary, scored, seq_len))
    net.train()


def _offset_seed(resume: TrainingState | None, seed: int | None) -> int:
    """The seed of the passes' offsets: the resumed run's, `seed`, or a draw from torch."""
    if resume is not None:
        return resume.offset_seed
    if seed is not None:
        return seed
    return int(torch.randint(2**62, ()))  # reproducible after torch.manual_seed


def default_eval_every(steps: int) -> int:
    """How often a run of `steps` steps scores its held-out text by default: ten times."""
    return max(steps // 10, 1)


def cosine_rate(step: int, steps: int, lr: float, lr_final: float) -> float:
    """The rate for step ``step + 1`` of `steps`: `lr` at the first, `lr_final` at the last.

    ``lr_final + (lr - lr_final) * (1 + cos(pi * step / (steps - 1))) / 2``.
    """
    fraction = step / (steps - 1) if steps > 1 else 1.0
    return lr_final + (lr - lr_final) * (1 + math.cos(math.pi * fraction)) / 2


def _pass_offsets(seed: int, seq_len: int) -> Callable[[int], int]:
    """The offset of pass ``e`` (0, 1, ...), each drawn in turn from one seeded generator.

    Drawn in order whatever pass is asked for first, so a resumed run gets the
    offsets the whole run got.
    """
    generator = torch.Generator().manual_seed(seed)
    drawn: list[int] = []

    def offset(epoch: int) -> int:
        while len(drawn) <= epoch:
            drawn.append(int(torch.randint(seq_len, (), generator=generator)))
        return drawn[epoch]

    return offset


def bits_per_character(
    net: HelloRNN, vocabulary: Vocabulary, text: str, *, seq_len: int = 64
) -> float:
    """How surprised `net` is by `text`, on average, in bits per character (lower is better)."""
    indices = vocabulary.encode(text).to(next(net.parameters()).device)
    was_training = net.training
    nats = _nats_per_character(
        net, vocabulary, indices, positive_int("seq_len", seq_len)
    )
    net.train(was_training)
    return nats / LN2


@torch.no_grad()
def _nats_per_character(
    net: HelloRNN, vocabulary: Vocabulary, indices: torch.Tensor, seq_len: int
) -> float:
    """Score consecutive windows in up to 32 side-by-side streams, carrying the hidden state."""
    net.eval()
    streams = max(min(32, (len(indices) - 1) // seq_len), 1)
    total, count, h = 0.0, 0, None
    for x, y in batches(indices, seq_len, streams):
        logits, h = net(vocabulary.one_hot(x), h)
        total = total + nn.functional.cross_entropy(
            logits.reshape(-1, net.num_chars), y.reshape(-1), reduction="sum"
        )
        count += y.numel()
    return float(total) / count


def _adam(parameters: list[nn.Parameter], lr: float) -> torch.optim.Adam:
    """Adam with its update fused into one kernel where this torch has one.

    The fused update computes what the default (a loop over the tensors) does, to
    rounding, about three times faster: on CPU from torch 2.4, and on CUDA.
    """
    try:
        return torch.optim.Adam(parameters, lr=lr, fused=True)
    except RuntimeError:  # an older torch, or a device with no fused Adam
        return torch.optim.Adam(parameters, lr=lr)


def _resume(
    state: TrainingState,
    optimizer: torch.optim.Optimizer,
    net: HelloRNN,
    lr: float,
    steps: int,
    chars_per_step: int,
) -> tuple[int, Hidden | None, CorpusHistory]:
    """Put `optimizer` and torch's generator back as `state` left them.

    Returns:
        ``(step, hidden, history)`` to go on from; the history is a copy.
    """
    step = non_negative_int("resume.step", state.step)
    non_negative_int("resume.offset_seed", state.offset_seed)
    if state.history.steps != step:
        raise InvalidValueError(
            f"resume.history has {state.history.steps} steps but resume.step is {step}"
        )
    if step >= steps:
        raise InvalidValueError(
            f"the run to resume has taken {step} steps already: "
            f"ask for more than that, got steps={steps}"
        )
    if state.history.chars_per_step != chars_per_step:
        raise InvalidValueError(
            f"the run to resume read {state.history.chars_per_step} characters a "
            f"step, this one would read {chars_per_step} "
            "(batch_size * seq_len): resume it with its batch_size and seq_len"
        )
    try:
        optimizer.load_state_dict(state.optimizer)
        # (torch checks the number of weights, not their shapes)
        for weight, moments in optimizer.state.items():
            for name, moment in moments.items():
                if moment.dim() > 0 and moment.shape != weight.shape:
                    raise ValueError(
                        f"its {name!r} of shape {list(moment.shape)} belongs to "
                        f"no weight of shape {list(weight.shape)}"
                    )
    except (KeyError, TypeError, ValueError) as error:
        optimizer.state.clear()
        raise InvalidValueError(
            f"resume.optimizer is not the state of this network's Adam: {error}"
        ) from None
    for group in optimizer.param_groups:
        group["lr"] = lr  # the rate asked for now
    torch.set_rng_state(state.rng)
    hidden = state.hidden
    if hidden is not None:
        device = next(net.parameters()).device
        hidden = (
            tuple(part.to(device) for part in hidden)
            if isinstance(hidden, tuple)
            else hidden.to(device)
        )
    return step, hidden, copy.deepcopy(state.history)


def _show_progress(bar: tqdm, history: CorpusHistory) -> None:
    """Move the bar on a step; show the latest bpc and characters read a second."""
    bar.update(1)
    if not bar.disable:
        shown = bar.format_dict
        rate = shown["rate"]  # steps a second, smoothed, as the bar shows it
        if rate is None and shown["elapsed"] > 0:  # (before tqdm's first measure)
            rate = (shown["n"] - shown["initial"]) / shown["elapsed"]
        rate = (rate or 0) * history.chars_per_step
        bar.set_postfix(
            {
                "bpc": _last(history.loss),
                "validation": _last(history.validation_loss),
                "chars/s": f"{rate:,.0f}",
            },
            refresh=False,
        )


def _last(nats: list[float]) -> str:
    """The last of some losses in nats, in bits per character (a dash for none)."""
    return f"{nats[-1] / LN2:.3f}" if nats else "-"


def _indices_of(text: object, vocabulary: Vocabulary) -> torch.Tensor:
    """The text as ``[L]`` indices in the vocabulary's compact dtype (or as given)."""
    if isinstance(text, str):
        return vocabulary.encode(text, vocabulary.index_dtype)
    if not isinstance(text, torch.Tensor):
        raise InvalidTypeError(
            f"text must be a str or its indices (a tensor), got {type(text).__name__}"
        )
    _check_indices(text)
    low, high = (int(text.min()), int(text.max())) if len(text) else (0, 0)
    if low < 0 or high >= vocabulary.num_characters:
        raise InvalidValueError(
            f"text holds indices outside 0..{vocabulary.num_characters - 1}, "
            "the vocabulary's range: encode it with this vocabulary"
        )
    return text


def _check_callback(name: str, callback: object, arguments: str) -> None:
    if callback is not None and not callable(callback):
        raise InvalidTypeError(
            f"{name} must be a function of {arguments} or None, "
            f"got {type(callback).__name__}"
        )
