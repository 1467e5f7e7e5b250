"""The book's training text: nine Shakespeare plays, shipped inside the package.

The text is a fixed file, ``corpora/shakespeare.txt`` next to this module, so
every Python version, every operating system and Colab train on the very same
bytes, and nothing is downloaded. ``scripts/build_shakespeare_corpus.py`` made
it from Project Gutenberg's public-domain e-texts; ``corpora/README.md`` says
which plays and how.

This module imports nothing from torch or from the rest of hello_rnn, so it
can be loaded (and tested) on any Python, even one without torch.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__all__ = [
    "PLAYS",
    "SHAKESPEARE_FILE",
    "SHAKESPEARE_SHA256",
    "CorpusChecksumError",
    "play_spans",
    "shakespeare_path",
    "shakespeare_text",
]

SHAKESPEARE_FILE = "corpora/shakespeare.txt"
# The digest of the file's bytes: a changed or damaged copy is caught on reading.
SHAKESPEARE_SHA256 = "e3ed1c036fec02d85ef083aaa0310f4a05e82c94ae4ff07eb037726b7ac80ea8"


# The nine plays, in the order the text holds them, each with its length in characters.
# Consecutive plays are joined by a blank line (two newlines), and the text ends with
# a newline (corpora/README.md).
PLAYS = (
    ("Coriolanus", 163_720),
    ("Julius Caesar", 115_063),
    ("Macbeth", 102_403),
    ("Measure for Measure", 125_233),
    ("The Merchant of Venice", 119_545),
    ("Much Ado About Nothing", 121_659),
    ("Othello", 153_784),
    ("The Tempest", 97_606),
    ("Twelfth Night", 114_185),
)


def play_spans() -> list[tuple[str, int, int]]:
    """``(title, start, end)`` of every play: ``shakespeare_text()[start:end]`` is its text."""
    spans, start = [], 0
    for title, length in PLAYS:
        spans.append((title, start, start + length))
        start += length + 2  # the blank line that joins it to the next
    return spans


class CorpusChecksumError(ValueError):
    """The shipped text is not the one the book was made with."""


def shakespeare_path() -> Path:
    """Where the text lies: next to this module, in an installed or editable copy.

    Found from ``__file__`` rather than ``importlib.resources.files("hello_rnn")``,
    which would import the whole package (and torch) first.
    """
    return Path(__file__).parent / SHAKESPEARE_FILE


@functools.cache
def shakespeare_text() -> str:
    """The whole text (about 1.1 million characters), checked and decoded once.

    The bytes are checked against ``SHAKESPEARE_SHA256`` so that every run of
    the book, on any Python, sees exactly the same text; the result is cached.

    Raises:
        CorpusChecksumError: the file's SHA-256 is not ``SHAKESPEARE_SHA256``.
    """
    path = shakespeare_path()
    data = path.read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != SHAKESPEARE_SHA256:
        raise CorpusChecksumError(
            f"{path} is not the text hello_rnn was made with: its SHA-256 is "
            f"{found}, expected {SHAKESPEARE_SHA256}. The file is damaged or was "
            "changed: reinstall hello_rnn (pip install --force-reinstall --no-deps "
            "hello_rnn) or, in a git checkout, restore the file with git."
        )
    return data.decode("utf-8")
