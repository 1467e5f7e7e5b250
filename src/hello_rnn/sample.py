"""Writing text: feed the network its own predictions, one character at a time.

Each next character is drawn from ``softmax(z / τ)``, the logits ``z`` divided by the
temperature ``τ`` (0: always the most likely one). Top-p (nucleus) sampling then
keeps only the likeliest characters that together hold a share ``top_p`` of the
probability, and draws among them.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import nn

from ._checks import finite_float, non_negative_int
from .data import DataHandler, Vocabulary, vocabulary_and_text
from .errors import InvalidValueError

__all__ = ["generate", "iter_generate", "next_char_probabilities"]


def next_char_probabilities(
    logits: torch.Tensor, temperature: float = 1.0, *, top_p: float = 1.0
) -> torch.Tensor:
    """``softmax(logits / τ)``, then top-p: ``[*, V]`` logits to probabilities.

    Below 1 the temperature ``τ`` sharpens the distribution towards the top
    character; above 1 it flattens it towards uniform. A ``top_p`` below 1 then
    keeps the smallest set of likeliest characters whose probabilities sum to at
    least ``top_p`` (the *nucleus*), sets the others to 0 and renormalises.

    Args:
        logits: ``[*, V]``, the scores ``z`` of the ``V`` characters (any
            leading dimensions; each row on its own).
        temperature: ``τ``, greater than 0.
        top_p: the share of probability to keep, in ``(0, 1]``. 1 keeps every
            character and changes nothing; a tiny one keeps the top character only.

    Returns:
        ``[*, V]``, rows that sum to 1, with 0 for every character top-p left out.
    """
    temperature = finite_float("temperature", temperature, positive=True)
    top_p = _top_p(top_p)
    scaled = logits / temperature
    if not torch.isfinite(scaled).all():
        # A tiny temperature overflows float32. Softmax ignores shifts, so shift
        # the top logit to 0 and divide in float64 (where the temperature itself
        # is not rounded to 0).
        shifted = (logits - logits.amax(dim=-1, keepdim=True)).double()
        probs = torch.softmax(shifted / temperature, dim=-1).to(logits.dtype)
    else:
        probs = torch.softmax(scaled, dim=-1)
    return probs if top_p == 1.0 else _nucleus(probs, top_p)


def _top_p(value: object) -> float:
    """Return `value` as a float if it is in (0, 1], else raise."""
    top_p = finite_float("top_p", value)
    if not 0.0 < top_p <= 1.0:
        raise InvalidValueError(
            f"top_p must be greater than 0 and at most 1 (the share of probability "
            f"to keep; 1 keeps every character), got {value!r}"
        )
    return top_p


def _nucleus(probs: torch.Tensor, top_p: float) -> torch.Tensor:
    """Keep the fewest likeliest characters that hold ``top_p``; renormalise."""
    ranked, order = probs.sort(dim=-1, descending=True, stable=True)
    # A character stays if the likelier ones before it hold less than top_p: the
    # top one always does, and the last to stay is the one that reaches top_p.
    before = ranked.double().cumsum(dim=-1) - ranked.double()
    keep = torch.empty_like(probs, dtype=torch.bool).scatter_(-1, order, before < top_p)
    kept = probs.masked_fill(~keep, 0.0)
    return kept / kept.sum(dim=-1, keepdim=True)


def generate(
    net: nn.Module,
    vocabulary: Vocabulary | DataHandler,
    prefix: str = "H",
    length: int | None = None,
    temperature: float = 0.0,
    seed: int | None = None,
    *,
    top_p: float = 1.0,
) -> str:
    """Write ``length`` characters after ``prefix``.

    The prefix is read first to set the hidden state; then each new character
    is chosen from the logits and fed back in as the next input. The loop is
    :func:`iter_generate`, which hands out the characters one at a time.

    Args:
        net: a trained :class:`~hello_rnn.model.HelloRNN`.
        vocabulary: the characters it was trained on: a ``Vocabulary`` (from
            a checkpoint, say), or the ``DataHandler`` it learned.
        prefix: the start, at least one character, all in the vocabulary.
        length: how many characters to add. Given a ``DataHandler``, by
            default enough to make the text as long as ``data.text``, so a
            network that memorized it writes it out; required otherwise.
        temperature: ``τ``. 0 picks the most likely character every time
            (greedy); above 0 samples from ``softmax(z / τ)``, ``z`` the logits.
        seed: seeds the sampling, so the same seed writes the same text.
        top_p: top-p (nucleus) sampling, in ``(0, 1]``: after the temperature,
            draw only among the fewest likeliest characters whose probabilities
            sum to at least ``top_p`` (:func:`next_char_probabilities`). 1, the
            default, keeps every character and writes the same text as without
            it; greedy decoding (``τ = 0``) has no use for it.

    Returns:
        ``prefix`` followed by ``length`` generated characters.
    """
    characters = iter_generate(
        net, vocabulary, prefix, length, temperature, seed, top_p=top_p
    )
    return "".join(characters)


@torch.no_grad()
def iter_generate(
    net: nn.Module,
    vocabulary: Vocabulary | DataHandler,
    prefix: str = "H",
    length: int | None = None,
    temperature: float = 0.0,
    seed: int | None = None,
    *,
    top_p: float = 1.0,
) -> Iterator[str]:
    """:func:`generate`, one character at a time: the prefix's, then each new one.

    A reader sees every character as soon as it is chosen, however long the
    text. The arguments are those of :func:`generate`; they are checked when
    the first character is asked for.
    """
    if not isinstance(prefix, str) or not prefix:
        raise InvalidValueError(f"prefix must be a non-empty string, got {prefix!r}")
    vocabulary, text = vocabulary_and_text(vocabulary)
    if length is None:
        if text is None:
            raise InvalidValueError(
                "length is required: a Vocabulary has no text to take a length from"
            )
        length = max(len(text) - len(prefix), 0)  # as long as the text
    length = non_negative_int("length", length)
    temperature = finite_float("temperature", temperature, minimum=0.0)
    top_p = _top_p(top_p)
    indices = vocabulary.encode(prefix)  # [P]; raises for a character not in it
    generator = None
    if seed is not None:
        generator = torch.Generator().manual_seed(non_negative_int("seed", seed))

    yield from prefix
    device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    try:
        logits, h = net(vocabulary.one_hot(indices.to(device)))  # [P, V]
        for _ in range(length):
            last = logits[-1]  # [V]: a score for every possible next character
            if temperature == 0.0:
                index = int(last.argmax())
            else:
                # Sample on the CPU with our own generator:
                # the same seed writes the same text on any device.
                probs = next_char_probabilities(
                    last.float().cpu(), temperature, top_p=top_p
                )  # [V]
                index = int(torch.multinomial(probs, 1, generator=generator))
            yield vocabulary.index_to_char[index]
            x = vocabulary.one_hot(torch.tensor([index], device=device))  # [1, V]
            logits, h = net(x, h)
    finally:  # also when the reader stops early (Ctrl-C, break)
        net.train(was_training)
