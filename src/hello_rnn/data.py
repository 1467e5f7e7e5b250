"""Text in, tensors out: the vocabulary of a text and the text as training pairs.

An RNN reads numbers, not characters. We give every distinct character an
index (its position in the sorted vocabulary), feed the network one-hot
vectors, and ask it to predict the index of the *next* character.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import torch

from .errors import InvalidTypeError, InvalidValueError

__all__ = ["Vocabulary", "DataHandler", "vocabulary_and_text"]

_PIECE = 1 << 20  # encode reads this many characters at a time
_NUMPY_DTYPES = {
    torch.uint8: np.uint8,
    torch.int16: np.int16,
    torch.int32: np.int32,
    torch.long: np.int64,
}


class Vocabulary:
    """A fixed set of characters and the maps between characters and indices.

    Args:
        chars: the characters, each once. They are sorted, so the same set
            always gets the same indices.

    Attributes:
        chars: the sorted unique characters; ``chars[i]`` has index ``i``.
        num_characters: ``V``, the size of the vocabulary.
        char_to_index: ``{character: index}``.
        index_to_char: ``{index: character}``.
    """

    def __init__(self, chars: Iterable[str]) -> None:
        chars = list(chars)
        if not all(isinstance(c, str) and len(c) == 1 for c in chars):
            raise InvalidTypeError(f"chars must be single characters, got {chars!r}")
        if len(set(chars)) != len(chars):
            raise InvalidValueError(f"chars must not repeat a character, got {chars!r}")
        if not chars:
            raise InvalidValueError("chars must hold at least one character")
        self.chars: list[str] = sorted(chars)
        self.num_characters: int = len(self.chars)
        self.char_to_index: dict[str, int] = {c: i for i, c in enumerate(self.chars)}
        self.index_to_char: dict[int, str] = dict(enumerate(self.chars))
        self._table: np.ndarray | None = None  # for encode, made when first needed

    @property
    def index_dtype(self) -> torch.dtype:
        """The smallest integer type that holds every index (uint8 up to 256 characters).

        A text of 100 million characters then takes 100 MB as indices, not the
        800 MB of a LongTensor.
        """
        if self.num_characters <= 256:
            return torch.uint8
        return torch.int16 if self.num_characters <= 2**15 else torch.int32

    def encode(self, text: str, dtype: torch.dtype = torch.long) -> torch.Tensor:
        """Characters to indices.

        Args:
            text: a string of length ``L`` made of characters in the vocabulary.
            dtype: the integer type of the result; ``index_dtype`` stores a long
                text compactly (turn a piece into longs when it is used).

        Returns:
            Tensor of shape ``[L]``.
        """
        if not isinstance(text, str):
            raise InvalidTypeError(f"text must be a str, got {type(text).__name__}")
        if (
            dtype not in _NUMPY_DTYPES
            or torch.iinfo(dtype).max < self.num_characters - 1
        ):
            raise InvalidValueError(
                f"dtype must be an integer type that holds {self.num_characters} "
                f"indices, such as torch.long or {self.index_dtype}, got {dtype}"
            )
        indices = np.empty(len(text), dtype=_NUMPY_DTYPES[dtype])
        # A piece at a time, through NumPy: a fixed number of bytes per character
        # (UTF-32), each code point looked up in a table. Fast for a text of
        # millions of characters, and the pieces keep the copies small.
        for start in range(0, len(text), _PIECE):
            piece = text[start : start + _PIECE]
            raw = piece.encode("utf-32-le", "surrogatepass")
            codes = np.frombuffer(raw, dtype=np.uint32)
            found = self._index_of_code(codes)
            if (found < 0).any():
                missing = piece[int(np.argmax(found < 0))]
                raise InvalidValueError(
                    f"character {missing!r} is not in the vocabulary "
                    f"{''.join(self.chars)!r}; "
                    "use only characters the model was trained on"
                )
            indices[start : start + len(piece)] = found
        return torch.from_numpy(indices)

    def _index_of_code(self, codes: np.ndarray) -> np.ndarray:
        """``[N]`` code points to ``[N]`` indices; -1 for a character not in the vocabulary."""
        if self._table is None:
            # table[code point] = index, up to the largest code point, then one -1
            # that stands for every code point above it.
            table = np.full(ord(self.chars[-1]) + 2, -1, dtype=np.int32)
            table[[ord(c) for c in self.chars]] = np.arange(self.num_characters)
            self._table = table
        return self._table[np.minimum(codes, len(self._table) - 1)]

    def decode(self, indices: torch.Tensor | Sequence[int]) -> str:
        """Indices to characters: the inverse of :meth:`encode`.

        Args:
            indices: shape ``[L]``, each in ``0 .. V-1``.

        Returns:
            A string of length ``L``.
        """
        values = (
            indices.tolist() if isinstance(indices, torch.Tensor) else list(indices)
        )
        for i in values:
            if (
                isinstance(i, bool)
                or not isinstance(i, int)
                or not 0 <= i < self.num_characters
            ):
                raise InvalidValueError(
                    f"index {i!r} is not in 0..{self.num_characters - 1}, the vocabulary's range"
                )
        return "".join(self.index_to_char[i] for i in values)

    def one_hot(self, indices: torch.Tensor) -> torch.Tensor:
        """Indices to one-hot rows: index ``i`` becomes a row of zeros with a 1 at ``i``.

        Args:
            indices: LongTensor of any shape ``[*]``.

        Returns:
            FloatTensor of shape ``[*, V]``, on the same device as ``indices``.
        """
        if not isinstance(indices, torch.Tensor) or indices.dtype != torch.long:
            raise InvalidTypeError(
                "indices must be a LongTensor, for instance from encode()"
            )
        return torch.nn.functional.one_hot(indices, self.num_characters).float()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({''.join(self.chars)!r})"


class DataHandler:
    """A text, its vocabulary, and the (input, target) pairs it teaches.

    The target at every position is the character that comes next, so the
    inputs are the text without its last character and the targets the text
    without its first.

    Args:
        text: the text to learn: any Unicode string of at least two characters.

    Attributes:
        text: the text.
        vocabulary: the :class:`Vocabulary` of its characters.
        X: FloatTensor ``[L-1, V]``, one-hot rows of ``text[:-1]``.
        y: LongTensor ``[L-1]``, indices of ``text[1:]``.

    A text *has* a vocabulary; the chapters also reach it through the data, so
    ``num_characters``, ``chars``, ``char_to_index``, ``encode``, ``decode``
    and ``one_hot`` are the vocabulary's, passed on.
    """

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise InvalidTypeError(
                f"text must be a str, got {type(text).__name__}: "
                "pass the text to learn ('Hello, RNN!')"
            )
        if len(text) < 2:
            raise InvalidValueError(
                "text must have at least 2 characters "
                f"(an input and the target after it), got {text!r}"
            )
        self.text: str = text
        self.vocabulary: Vocabulary = Vocabulary(set(text))
        indices = self.vocabulary.encode(text)  # [L]
        self.X: torch.Tensor = self.vocabulary.one_hot(indices[:-1])
        self.y: torch.Tensor = indices[1:]

    @property
    def num_characters(self) -> int:
        """``V``, the size of the vocabulary."""
        return self.vocabulary.num_characters

    @property
    def chars(self) -> list[str]:
        """The vocabulary's sorted characters."""
        return self.vocabulary.chars

    @property
    def char_to_index(self) -> dict[str, int]:
        """The vocabulary's ``{character: index}``."""
        return self.vocabulary.char_to_index

    def encode(self, text: str) -> torch.Tensor:
        """:meth:`Vocabulary.encode`: ``[L]`` indices of `text`."""
        return self.vocabulary.encode(text)

    def decode(self, indices: torch.Tensor | Sequence[int]) -> str:
        """:meth:`Vocabulary.decode`: the characters of `indices`."""
        return self.vocabulary.decode(indices)

    def one_hot(self, indices: torch.Tensor) -> torch.Tensor:
        """:meth:`Vocabulary.one_hot`: ``[*]`` indices to ``[*, V]`` rows."""
        return self.vocabulary.one_hot(indices)

    def __repr__(self) -> str:
        return f"DataHandler({self.text!r})"


def vocabulary_and_text(
    vocabulary: Vocabulary | DataHandler,
) -> tuple[Vocabulary, str | None]:
    """Split what was passed as a vocabulary into the vocabulary and its text.

    :func:`~hello_rnn.sample.generate` and :func:`~hello_rnn.checkpoint.save`
    take either a :class:`Vocabulary` or a :class:`DataHandler`; from the
    latter they also use the text (how much to write, what to record).

    Returns:
        ``(vocabulary, text)``; ``text`` is None for a bare :class:`Vocabulary`.
    """
    if isinstance(vocabulary, DataHandler):
        return vocabulary.vocabulary, vocabulary.text
    if isinstance(vocabulary, Vocabulary):
        return vocabulary, None
    raise InvalidTypeError(
        "vocabulary must be a Vocabulary or a DataHandler, "
        f"got {type(vocabulary).__name__}"
    )
