"""Argument checks shared by the public functions.

Each check raises a `TypeError` or `ValueError` whose message names the
argument, the bad value and what would be accepted, so a learner sees the
mistake in their own call rather than a stack trace from deep inside torch.
"""

from __future__ import annotations

import math
from numbers import Integral, Real


def positive_int(name: str, value: object) -> int:
    """Return `value` if it is an integer >= 1, else raise."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(
            f"{name} must be a positive integer, got {value!r} ({type(value).__name__})"
        )
    if value < 1:
        raise ValueError(
            f"{name} must be a positive integer (1 or more), got {value!r}"
        )
    return int(value)


def non_negative_int(name: str, value: object) -> int:
    """Return `value` if it is an integer >= 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(
            f"{name} must be an integer >= 0, got {value!r} ({type(value).__name__})"
        )
    if value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


def finite_float(
    name: str, value: object, *, positive: bool = False, minimum: float | None = None
) -> float:
    """Return `value` as a float if it is a finite real number (and > 0 / >= minimum when asked)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"{name} must be a number, got {value!r} ({type(value).__name__})"
        )
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if positive and number <= 0:
        raise ValueError(f"{name} must be greater than 0, got {value!r}")
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return number
