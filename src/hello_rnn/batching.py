"""A long text as training reads it: windows, batches of streams, and a held-out share.

A long text does not fit through the network in one pass: it is cut into windows of
``T`` characters, each with its targets one character on (:func:`windows`), and read
in :func:`batches` of ``B`` streams side by side, each stream continuing from the
batch before. A share of the text is held out to validate on, spread through all of
it (:func:`split_text`). :mod:`hello_rnn.corpus` trains on what this module cuts.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import torch

from ._checks import finite_float, non_negative_int, positive_int
from .errors import InvalidTypeError, InvalidValueError

__all__ = [
    "VALIDATION_PIECE_CHARS",
    "VALIDATION_SPLIT",
    "Text",
    "TextSplit",
    "batches",
    "batches_per_pass",
    "pass_length",
    "split_text",
    "windows",
]

#: The held-out text comes in pieces of at most this many characters, spread
#: evenly through the text (:func:`split_text`).
VALIDATION_PIECE_CHARS = 2_500
#: Which split :func:`split_text` makes, in words. A record of a validation score
#: (``benchmarks/results/``) keeps it, so that a score of another split is never
#: shown as if it were of this one.
VALIDATION_SPLIT = (
    f"spread: the end of each of equal sections, "
    f"pieces of at most {VALIDATION_PIECE_CHARS} characters"
)

#: A text as :func:`split_text` takes it: a ``str``, or a tensor of character indices.
Text = TypeVar("Text", str, torch.Tensor)


def windows(indices: torch.Tensor, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Cut an encoded text into consecutive, non-overlapping (input, target) windows.

    Every target is the input shifted by one character: ``targets[w, t]`` is the
    character after ``inputs[w, t]``. Characters that do not fill a last
    window are dropped.

    Args:
        indices: ``[L]``, an encoded text: a LongTensor, or the compact
            ``vocabulary.encode(text, vocabulary.index_dtype)``.
        seq_len: ``T``, characters per window.

    Returns:
        The pair ``(inputs, targets)``, each ``[W, T]`` with ``W = (L - 1) // T``,
        views of `indices` (so of its dtype).
    """
    _check_indices(indices)
    seq_len = positive_int("seq_len", seq_len)
    count = (len(indices) - 1) // seq_len
    if count == 0:
        raise InvalidValueError(
            f"the text has {len(indices)} characters: too short for one window of seq_len={seq_len} + 1"
        )
    inputs = indices[: count * seq_len].view(count, seq_len)
    targets = indices[1 : count * seq_len + 1].view(count, seq_len)
    return inputs, targets


def batches_per_pass(length: int, seq_len: int, batch_size: int) -> int:
    """How many batches :func:`batches` makes of a text of `length` characters."""
    return (length - 1) // seq_len // batch_size


def batches(
    indices: torch.Tensor, seq_len: int, batch_size: int, start: int = 0
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Windows arranged for truncated BPTT: row ``b`` of each batch continues row ``b`` of the batch before.

    The text is split into ``B`` equal, contiguous streams; batch ``k`` holds the
    ``k``-th window of every stream. So the hidden state after a batch is the
    right starting state for the next one.

    Args:
        indices: ``[L]``, an encoded text (any integer dtype, as for :func:`windows`).
        seq_len: ``T``, characters per window.
        batch_size: ``B``, streams read side by side.
        start: the first batch to yield: a resumed run skips those it has read.

    Yields:
        The pairs ``(inputs, targets)`` of LongTensors ``[B, T]``, batches ``start``
        to ``batches_per_pass(L, T, B) - 1``. Only these small pieces are made
        LongTensors, as they are used; the text stays in its compact dtype.
    """
    batch_size = positive_int("batch_size", batch_size)
    start = non_negative_int("start", start)
    inputs, targets = windows(indices, seq_len)
    per_stream = len(inputs) // batch_size
    if per_stream == 0:
        raise InvalidValueError(
            f"the text has {len(indices)} characters: too short for batch_size={batch_size} windows of "
            f"seq_len={len(inputs[0])}; use a longer text or a smaller batch_size or seq_len"
        )
    # [W, T] -> [B, W/B, T]: stream b is windows b*W/B ... (b+1)*W/B - 1, which follow each other in the text.
    inputs = inputs[: batch_size * per_stream].view(batch_size, per_stream, -1)
    targets = targets[: batch_size * per_stream].view(batch_size, per_stream, -1)
    for k in range(start, per_stream):
        yield inputs[:, k].long(), targets[:, k].long()


@dataclass(frozen=True)
class TextSplit(Generic[Text]):
    """A text cut into what is trained on and what is held out (:func:`split_text`).

    Attributes:
        train: the text to train on, its pieces joined in order.
        validation: the held-out text, its pieces joined in order (empty for none).
        train_slice: part of ``train`` as long as ``validation`` (when the held-out
            share is at most one half), from the same places: the characters just
            before each held-out piece. Scored the way the validation text is, it
            tells how the network does on text it trained on, like for like.
    """

    train: Text
    validation: Text
    train_slice: Text


def split_text(text: Text, validation_fraction: float) -> TextSplit[Text]:
    """Hold out a share of `text`, spread through all of it, to validate on.

    The held-out share, ``round(L * validation_fraction)`` characters, is cut into
    ``n`` pieces of at most :data:`VALIDATION_PIECE_CHARS` characters, and the
    text into ``n`` equal sections; the end of each section is held out. With a
    tenth held out, that is one block in ten: every part of the text, every play
    of a corpus of plays, gives a little to validation, so validation text is the
    same kind of text as training text. (Holding out the last tenth would
    validate on one play only.) A text too short for two pieces keeps one, at
    its end.

    The rest is joined in order into the training text. At the ``n - 1`` joins a
    window reads across the gap a held-out piece left: a few characters of
    nonsense context in thousands.

    Args:
        text: a string, or its indices ``[L]`` (a tensor).
        validation_fraction: the share to hold out, in ``[0, 1)``.

    Returns:
        A :class:`TextSplit` of strings for a string, of tensors for a tensor.
    """
    if not isinstance(text, str | torch.Tensor):
        raise InvalidTypeError(
            f"text must be a str or its indices (a tensor), got {type(text).__name__}"
        )
    fraction = _validation_fraction(validation_fraction)
    length = len(text)
    held = round(length * fraction)
    if held == 0:
        return TextSplit(text, text[:0], text[:0])
    sections = math.ceil(held / VALIDATION_PIECE_CHARS)
    edges = [s * length // sections for s in range(sections + 1)]
    train, validation, train_slice = [], [], []
    for s in range(sections):
        start, end = edges[s], edges[s + 1]
        piece = (s + 1) * held // sections - s * held // sections  # they add up to held
        train.append(text[start : end - piece])
        validation.append(text[end - piece : end])
        train_slice.append(text[max(start, end - 2 * piece) : end - piece])
    return TextSplit(
        *(_join(parts, text) for parts in (train, validation, train_slice))
    )


def _join(parts: list[Text], like: Text) -> Text:
    return "".join(parts) if isinstance(like, str) else torch.cat(parts)


def _validation_fraction(value: object) -> float:
    fraction = finite_float("validation_fraction", value, minimum=0.0)
    if fraction >= 1:
        raise InvalidValueError(
            f"validation_fraction must be in [0, 1), got {fraction!r}"
        )
    return fraction


def pass_length(length: int, seq_len: int) -> int:
    """How much of a training text of `length` characters each pass reads.

    A pass starts at an offset below ``T`` and reads this many characters from
    there, so every pass, whatever its offset, has the same number of batches:
    ``batches_per_pass(pass_length(length, T), T, B)``.
    """
    return length - (seq_len - 1)


def _check_indices(indices: object) -> None:
    if (
        not isinstance(indices, torch.Tensor)
        or indices.dtype not in _INDEX_DTYPES
        or indices.dim() != 1
    ):
        raise InvalidTypeError(
            "indices must be a 1-D LongTensor (or uint8, int16, int32), "
            "for instance vocabulary.encode(text)"
        )


_INDEX_DTYPES = (torch.uint8, torch.int16, torch.int32, torch.long)
