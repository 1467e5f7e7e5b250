"""Argument checks shared by the public functions.

Each check raises an :class:`~hello_rnn.errors.InvalidTypeError` or
:class:`~hello_rnn.errors.InvalidValueError` whose message names the argument,
the bad value and what would be accepted, so a learner sees the mistake in
their own call rather than a stack trace from deep inside torch.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

from .errors import InvalidTypeError, InvalidValueError


def positive_int(name: str, value: object) -> int:
    """Return `value` if it is an integer >= 1, else raise."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InvalidTypeError(
            f"{name} must be a positive integer, got {value!r} ({type(value).__name__})"
        )
    if value < 1:
        raise InvalidValueError(
            f"{name} must be a positive integer (1 or more), got {value!r}"
        )
    return int(value)


def non_negative_int(name: str, value: object) -> int:
    """Return `value` if it is an integer >= 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InvalidTypeError(
            f"{name} must be an integer >= 0, got {value!r} ({type(value).__name__})"
        )
    if value < 0:
        raise InvalidValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


def finite_float(
    name: str, value: object, *, positive: bool = False, minimum: float | None = None
) -> float:
    """Return `value` as a float if it is a finite real number, else raise.

    ``positive=True`` also asks for > 0, and `minimum` for >= `minimum`.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InvalidTypeError(
            f"{name} must be a number, got {value!r} ({type(value).__name__})"
        )
    number = float(value)
    if not math.isfinite(number):
        raise InvalidValueError(f"{name} must be a finite number, got {value!r}")
    if positive and number <= 0:
        raise InvalidValueError(f"{name} must be greater than 0, got {value!r}")
    if minimum is not None and number < minimum:
        raise InvalidValueError(f"{name} must be at least {minimum}, got {value!r}")
    return number


def clamp_or_clip(
    clamp: object, clip_norm: object
) -> tuple[float | None, float | None]:
    """Return `clamp` and `clip_norm`, each None or a number > 0, and not both set."""
    if clamp is not None:
        clamp = finite_float("clamp", clamp, positive=True)
    if clip_norm is not None:
        clip_norm = finite_float("clip_norm", clip_norm, positive=True)
        if clamp is not None:
            raise InvalidValueError(
                "pass either clamp or clip_norm, not both "
                "(set clamp=None to clip the norm)"
            )
    return clamp, clip_norm
