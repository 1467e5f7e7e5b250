"""Character n-gram models: the yardstick a character RNN has to beat.

An n-gram model predicts the next character from the ``n - 1`` characters before
it, by counting: how often did each character follow that context in the training
text? Chapter 1's memoryless guess is the 1-gram (the character frequencies);
chapter 7 measures 2- to 5-grams on the very split its networks are scored on, as
Goldberg did in his reply to Karpathy (2015).

Counts alone give probability 0 to what the training text never showed, and one
such character in the validation text costs infinitely many bits. Interpolated
Kneser–Ney smoothing (Chen and Goodman, 1999) fixes that: it takes a discount
``d`` off every count, and gives the mass it collected to the next shorter
context, down to a uniform guess over the vocabulary. The shorter contexts count
in how many *different* contexts a character appears, not how often: "k" after
"ar" is common only because of a few words, so it should not get much weight
after a context never seen before.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from ._checks import positive_int
from .errors import InvalidTypeError, InvalidValueError

__all__ = ["NGramModel", "ngram_bpc"]


class NGramModel:
    """A character n-gram model with interpolated Kneser–Ney smoothing.

    Args:
        order: ``n``, the number of characters in a gram: the model reads the
            ``n - 1`` characters before the one it predicts (1: no context).
        discount: ``d`` in (0, 1), taken off every count (0.75 is the usual choice).

    Call :meth:`fit` with a training text, then :meth:`probability` or
    :meth:`bits_per_character`.
    """

    def __init__(self, order: int, discount: float = 0.75) -> None:
        self.order = positive_int("order", order)
        if isinstance(discount, bool) or not isinstance(discount, (int, float)):
            raise InvalidTypeError(
                f"discount must be a number, got {type(discount).__name__}"
            )
        if not 0 < discount < 1:
            raise InvalidValueError(
                f"discount must be between 0 and 1 (0.75 is usual), got {discount!r}"
            )
        self.discount = float(discount)
        self.vocabulary: set[str] = set()
        # counts[k][context][char], context of length k: raw counts for the longest
        # contexts, continuation counts (distinct characters before) for the others
        self.counts: list[dict[str, Counter]] = []

    def fit(self, text: str) -> NGramModel:
        """Count every gram of ``text`` (a str); returns the model itself."""
        if not isinstance(text, str):
            raise InvalidTypeError(f"text must be a str, got {type(text).__name__}")
        if len(text) < self.order:
            raise InvalidValueError(
                f"text must have at least order = {self.order} characters, "
                f"got {len(text)}"
            )
        self.vocabulary = set(text)
        n = self.order
        grams = Counter(text[i : i + n] for i in range(len(text) - n + 1))
        self.counts = [defaultdict(Counter) for _ in range(n)]
        for gram, count in grams.items():
            self.counts[n - 1][gram[:-1]][gram[-1]] += count
        for k in range(n - 1, 0, -1):  # continuation counts, longest to shortest
            longer = self.counts[k]
            for context, following in longer.items():
                for char in following:
                    # one more distinct character before context[1:] + char
                    self.counts[k - 1][context[1:]][char] += 1
        return self

    def probability(self, context: str, char: str) -> float:
        """P(char | the last ``order - 1`` characters of ``context``), never 0.

        A character the training text never holds gets a share of the uniform
        guess over the vocabulary plus that character.
        """
        if not self.counts:
            raise InvalidValueError("the model has not been fitted: call fit(text)")
        size = len(self.vocabulary | {char})
        p = 1.0 / size  # the end of the chain: a uniform guess
        history = context[-(self.order - 1) :] if self.order > 1 else ""
        for k in range(0, self.order):  # shortest context first
            if k > len(history):
                break
            following = self.counts[k].get(history[len(history) - k :] if k else "")
            if not following:
                continue  # a context never seen: keep the shorter one's guess
            total = sum(following.values())
            kept = len(following) * self.discount / total  # the mass handed down
            p = max(following[char] - self.discount, 0.0) / total + kept * p
        return p

    def bits_per_character(self, text: str, context: str = "") -> float:
        """The mean of ``-log2 P(c | the characters before it)`` over ``text``.

        The first characters are predicted from ``context`` (by default nothing)
        and from the text read so far.
        """
        if not isinstance(text, str) or not text:
            raise InvalidValueError("text must be a non-empty str")
        reading = context + text
        start = len(context)
        width = self.order - 1
        total = 0.0
        for i in range(start, len(reading)):
            total -= math.log2(
                self.probability(reading[max(0, i - width) : i], reading[i])
            )
        return total / len(text)


def ngram_bpc(train: str, validation: str, order: int, discount: float = 0.75) -> float:
    """Bits per character on ``validation`` of an n-gram model fitted on ``train``.

    Scored as :func:`hello_rnn.corpus.bits_per_character` scores a network: every
    character of ``validation`` but the first, each from the characters before it.
    """
    if not isinstance(validation, str) or len(validation) < 2:
        raise InvalidValueError("validation must be a str of at least 2 characters")
    model = NGramModel(order, discount).fit(train)
    return model.bits_per_character(validation[1:], context=validation[:1])
