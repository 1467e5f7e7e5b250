"""Writing text: feed the network its own predictions, one character at a time."""

from __future__ import annotations

import torch
from torch import nn

from ._checks import finite_float, non_negative_int
from .data import Vocabulary

__all__ = ["generate", "next_char_probabilities"]


def next_char_probabilities(
    logits: torch.Tensor, temperature: float = 1.0
) -> torch.Tensor:
    """Softmax of ``logits / temperature``: ``[*, V]`` scores to ``[*, V]`` probabilities.

    Below 1 the temperature sharpens the distribution towards the top character;
    above 1 it flattens it towards uniform.
    """
    temperature = finite_float("temperature", temperature, positive=True)
    scaled = logits / temperature
    if not torch.isfinite(scaled).all():
        # A tiny temperature overflows float32. Softmax ignores shifts, so shift the top logit to 0
        # and divide in float64 (where the temperature itself is not rounded to 0).
        shifted = (logits - logits.amax(dim=-1, keepdim=True)).double()
        return torch.softmax(shifted / temperature, dim=-1).to(logits.dtype)
    return torch.softmax(scaled, dim=-1)


@torch.no_grad()
def generate(
    net: nn.Module,
    data: Vocabulary,
    prefix: str = "H",
    length: int | None = None,
    temperature: float = 0.0,
    seed: int | None = None,
) -> str:
    """Write ``length`` characters after ``prefix``.

    The prefix is read first to set the hidden state; then each new character
    is chosen from the logits and fed back in as the next input.

    Args:
        net: a trained :class:`~hello_rnn.model.HelloRNN`.
        data: the vocabulary it was trained with (a ``DataHandler`` or a
            ``Vocabulary`` from a checkpoint).
        prefix: the start, at least one character, all in the vocabulary.
        length: how many characters to add; by default enough to make the
            text as long as ``data.text``.
        temperature: 0 picks the most likely character every time (greedy);
            above 0 samples from ``softmax(logits / temperature)``.
        seed: seeds the sampling, so the same seed writes the same text.

    Returns:
        ``prefix`` followed by ``length`` generated characters.
    """
    if not isinstance(prefix, str) or not prefix:
        raise ValueError(f"prefix must be a non-empty string, got {prefix!r}")
    if length is None:
        text = getattr(data, "text", None)
        if text is None:
            raise ValueError(
                "length is required: this vocabulary has no text to take a length from"
            )
        length = max(len(text) - len(prefix), 0)
    length = non_negative_int("length", length)
    temperature = finite_float("temperature", temperature, minimum=0.0)
    generator = torch.Generator().manual_seed(seed) if seed is not None else None

    device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    indices = data.encode(prefix).tolist()
    logits, h = net(data.one_hot(torch.tensor(indices, device=device)))
    for _ in range(length):
        last = logits[-1]
        if temperature == 0.0:
            index = int(last.argmax())
        else:
            # Sample on the CPU with our own generator:
            # the same seed writes the same text on any device.
            probs = next_char_probabilities(last.float().cpu(), temperature)
            index = int(torch.multinomial(probs, 1, generator=generator))
        indices.append(index)
        logits, h = net(data.one_hot(torch.tensor([index], device=device)), h)
    net.train(was_training)
    return data.decode(indices)
