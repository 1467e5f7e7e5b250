"""The errors hello_rnn raises for bad input, told apart from bugs.

Every check of an argument, a command-line value or a checkpoint file raises
one of these. They are also a ``ValueError`` or a ``TypeError``, so code that
catches those keeps working. The command line reports them as one line with
exit status 2; any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["HelloRNNError", "InvalidValueError", "InvalidTypeError"]


class HelloRNNError(Exception):
    """Base of every error hello_rnn raises on purpose for bad input."""


class InvalidValueError(HelloRNNError, ValueError):
    """A value of the right type that cannot be used: ``steps=0``, a damaged file."""


class InvalidTypeError(HelloRNNError, TypeError):
    """A value of the wrong type: ``steps=2.5``, ``text=None``."""
