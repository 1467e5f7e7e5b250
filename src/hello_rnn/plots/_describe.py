"""Phrases for the figures' alt texts (:mod:`hello_rnn.plots`): numbers, characters, curves.

A figure's alt text tells a reader who cannot see it what a sighted reader reads off the
picture: which way a curve goes, where it peaks, which cell is outlined. These helpers say
those things the same way in every figure, with rounded numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

# How a character is named in a sentence: the invisible ones by name.
_CHARACTER_NAMES = {" ": "space", "\n": "newline", "\t": "tab"}
# How they look inside a quoted text: as on the figures (and in chapter 1's table).
_VISIBLE = {" ": "␣", "\n": "↵", "\t": "⇥"}


def number(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits (at most 4 decimals), without trailing zeros.

    Tiny and huge values in e-notation with a short exponent: ``1.4e-5``, ``2.1e6``.
    """
    value = float(value)
    if math.isnan(value):
        return "not a number"
    if math.isinf(value):
        return "infinity" if value > 0 else "minus infinity"
    if value == 0:
        return "0"
    size = abs(value)
    if size < 1e-3 or size >= 1e5:
        mantissa, exponent = f"{value:.{max(digits - 1, 1)}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    decimals = min(max(digits - 1 - math.floor(math.log10(size)), 0), 4)
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(fraction: float) -> str:
    """A fraction as a percentage: ``0.995`` -> ``99.5%``."""
    return f"{number(100 * float(fraction))}%"


def character(c: str) -> str:
    """A character named for a sentence: ``'h'``, or ``space``, ``newline``, ``tab``."""
    return _CHARACTER_NAMES.get(c, f"'{c}'")


def quoted(text: str, limit: int = 60) -> str:
    """A text in quotes, its spaces and newlines shown as on the figures; long texts shortened."""
    shown = "".join(_VISIBLE.get(c, c) for c in text)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"“{shown}”"


def listing(items: Iterable[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def plain(label: str) -> str:
    """A figure label as words: no TeX dollars or backslashes, one line."""
    text = label.replace("$", "").replace("\\", "").replace("{", "").replace("}", "")
    return " ".join(text.split())


def curve(
    values: Sequence[float],
    at: Callable[[int], str] | None = None,
    *,
    log: bool = False,
    unit: str = "",
) -> str:
    """How a curve goes: "falls from 4.1 to 0.02", with a peak or a dip between its ends if it has one.

    Args:
        values: the curve's values, in order.
        at: names the place of index ``i`` ("at step 12"); None: places are not named.
        log: compare values on a log scale (a curve drawn on a log axis).
        unit: appended to every value ("bits").
    """
    values = [float(v) for v in values]
    if not values:
        return "is empty"
    suffix = unit if unit in ("", "%") else f" {unit}"

    def say(i: int) -> str:
        where = f" {at(i)}" if at is not None else ""
        return f"{number(values[i])}{suffix}{where}"

    if len(values) == 1:
        return f"is {say(0)}"

    def scale(v: float) -> float:
        if not log:
            return v
        return math.log10(v) if v > 0 else -math.inf

    scaled = [scale(v) for v in values]
    kept = [i for i, v in enumerate(scaled) if math.isfinite(v)]
    if not kept:
        return "has no finite value to draw"
    lost = [i for i in range(len(values)) if not math.isfinite(values[i])]
    note = (
        f", with {len(lost)} values that are not finite numbers (the first "
        f"{at(lost[0]) if at is not None else 'one at position ' + str(lost[0] + 1)})"
        if lost
        else ""
    )
    low, high = min(scaled[i] for i in kept), max(scaled[i] for i in kept)
    span = high - low
    begin, end = kept[0], kept[-1]
    first, last = scaled[begin], scaled[end]
    top = max(kept, key=lambda i: scaled[i])
    bottom = min(kept, key=lambda i: scaled[i])
    tolerance = 0.1 * span  # ends this close count as level
    bump = 0.05 * span  # a peak or a dip this far beyond both ends is worth naming
    size = max(abs(values[i]) for i in kept)
    if span == 0 or (log and span < 0.02) or (not log and span <= 0.02 * size):
        level = f"{number(values[begin])}{suffix}"
        return (f"stays at {level}" if span == 0 else f"stays near {level}") + note
    if abs(last - first) <= tolerance:
        phrase = f"starts at {say(begin)} and ends at {say(end)}"
    elif last < first:
        phrase = f"falls from {say(begin)} to {say(end)}"
    else:
        phrase = f"rises from {say(begin)} to {say(end)}"
    extras = []
    if scaled[top] - max(first, last) > bump:
        extras.append(f"peaking at {say(top)}")
    if min(first, last) - scaled[bottom] > bump:
        extras.append(f"dipping to {say(bottom)}")
    if extras:
        phrase += ", " + " and ".join(extras)
    return phrase + note


def largest(values: Sequence[float]) -> int | None:
    """The index of the largest finite value, or None when none is finite."""
    kept = [i for i, v in enumerate(values) if math.isfinite(float(v))]
    return max(kept, key=lambda i: float(values[i])) if kept else None


def capital(text: str) -> str:
    """``text`` with its first letter a capital, the rest as it is."""
    return text[:1].upper() + text[1:]
