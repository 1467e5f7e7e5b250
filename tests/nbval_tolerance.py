"""Stored notebook outputs compared as a reader compares them: numbers within a tolerance.

Strict nbval compares a cell's new outputs with the stored ones character for
character. The chapters train networks, and another CPU (AVX-512 or not, another
thread count, Apple silicon, a GPU) rounds the last bits differently: "2.6707"
comes out as "2.6706", and a glued figure's PNG differs in a few bytes. Neither
is a change in what the book says.

So, as pytest-doctestplus's ``FLOAT_CMP`` does for astropy's documentation, every
number in a text output (printed text, a glued value, a glued Markdown table) is
compared as a number and everything else exactly:

- two numbers agree when ``|a - b| <= atol + rtol * max(|a|, |b|)``, after
  allowing each the half unit of its last printed digit (``0.22`` stands for
  anything in [0.215, 0.225]); an integer (no point, no exponent) is a count,
  exact unless a wider tolerance is declared;
- the default tolerance is :data:`DEFAULT` (``rtol=1e-3, atol=1e-6``): a thousandth of
  the value, and nothing below float32's resolution counts;
- a value that honestly varies more from machine to machine declares its own,
  wider tolerance where it is made: ``hello_rnn.book.notebook.glue(name, value,
  rtol=..., atol=...)`` stores it in the glued output's metadata, and a code
  cell's metadata ``{"tolerance": {"rtol": ..., "atol": ...}}`` widens it for
  what that cell prints. Widening only: the default always holds at least;
- a glued figure is compared by its alt text (written from the figure's data,
  ``hello_rnn.alt_text``) with the same rule, never by its PNG's bytes.

Use: ``pytest -p nbval_tolerance --nbval ...`` with this folder on ``PYTHONPATH``
(``make notebooks`` does). It hooks nbval's own comparison: values that agree
within tolerance are handed to nbval as the stored text, so whatever still
differs is reported by nbval's usual diff. ``scripts/refresh_notebooks.py`` uses
:func:`notebooks_agree` to leave a notebook untouched when its outputs validate.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# Where a glued value (or any display output) declares its tolerance, in the output's
# metadata, and where a code cell declares one for everything it prints.
METADATA_KEY = "hello_rnn"
CELL_KEY = "tolerance"
# The flattened key that carries a declared tolerance into nbval's exact comparison.
DECLARED = "hello_rnn/tolerance"
PNG_SUFFIX = "image/png"
IMAGE_MODEL = "ImageModel"

# A number as the chapters print them: -1.5, 0.0041, 2.75e+01, 1,113,215, −0.9 (a
# Unicode minus, as in Markdown tables). Not a digit inside a word or a hash (W5,
# e3ed1c03), nor the second part of a version number (the 0 of 2.13.0).
# A number stands apart: digits inside a word or a name ("neuron-2e4234d13f", "#5e9ed6",
# "12th") are part of that word, compared exactly.
NUMBER = re.compile(
    r"(?<![\w.])[-+\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?!\w)"
)


@dataclass(frozen=True)
class Tolerance:
    """How far two printed numbers may be apart and still say the same thing."""

    rtol: float = 1e-3
    atol: float = 1e-6

    def widened(self, declared: Mapping[str, float] | None) -> Tolerance:
        """This tolerance, or the declared one where it is wider."""
        if not declared:
            return self
        unknown = set(declared) - {"rtol", "atol"}
        if unknown:
            raise ValueError(f"a tolerance has rtol and atol, not {sorted(unknown)}")
        return Tolerance(
            rtol=max(self.rtol, float(declared.get("rtol", 0.0))),
            atol=max(self.atol, float(declared.get("atol", 0.0))),
        )


DEFAULT = Tolerance()


@dataclass(frozen=True)
class _Number:
    value: float
    half_unit: float  # half the unit of the last printed digit; 0 for a count
    is_count: bool

    @classmethod
    def parse(cls, text: str) -> _Number:
        text = text.replace(",", "").replace("\u2212", "-")
        mantissa, _, exponent = text.lower().partition("e")
        decimals = len(mantissa.partition(".")[2])
        is_count = "." not in mantissa and not exponent
        try:
            unit = 0.0 if is_count else 10.0 ** (int(exponent or 0) - decimals)
        except OverflowError:  # "1e999": beyond a float, so is its last digit
            unit = math.inf
        return cls(float(text), unit / 2, is_count)

    def agrees_with(self, other: _Number, tolerance: Tolerance) -> bool:
        if self.is_count and other.is_count and tolerance == DEFAULT:
            return self.value == other.value
        gap = abs(self.value - other.value) - self.half_unit - other.half_unit
        scale = max(abs(self.value), abs(other.value))
        return gap <= tolerance.atol + tolerance.rtol * scale


def _words_and_numbers(text: str) -> tuple[list[str], list[_Number]]:
    return NUMBER.split(text), [_Number.parse(m) for m in NUMBER.findall(text)]


def texts_agree(stored: str, new: str, tolerance: Tolerance = DEFAULT) -> bool:
    """Whether `new` says what `stored` says: the same words, numbers within `tolerance`."""
    if stored == new:
        return True
    stored_words, stored_numbers = _words_and_numbers(stored)
    new_words, new_numbers = _words_and_numbers(new)
    return (
        stored_words == new_words
        and len(stored_numbers) == len(new_numbers)
        and all(
            a.agrees_with(b, tolerance)
            for a, b in zip(stored_numbers, new_numbers, strict=True)
        )
    )


def values_agree(stored: Any, new: Any, tolerance: Tolerance = DEFAULT) -> bool:
    """`texts_agree` through JSON-like values: dicts, lists, strings and numbers."""
    if isinstance(stored, Mapping) and isinstance(new, Mapping):
        return stored.keys() == new.keys() and all(
            values_agree(stored[key], new[key], tolerance) for key in stored
        )
    if isinstance(stored, list) and isinstance(new, list):
        return len(stored) == len(new) and all(
            values_agree(a, b, tolerance) for a, b in zip(stored, new, strict=True)
        )
    if isinstance(stored, str) and isinstance(new, str):
        return texts_agree(stored, new, tolerance)
    numbers = (int, float)
    if (
        isinstance(stored, numbers)
        and isinstance(new, numbers)
        and not isinstance(stored, bool)
        and not isinstance(new, bool)
    ):
        if isinstance(stored, float) and math.isnan(stored):
            return isinstance(new, float) and math.isnan(new)
        # A stored number is the value itself, not a rounded print of it.
        a, b = (_Number(float(x), 0.0, isinstance(x, int)) for x in (stored, new))
        return a.agrees_with(b, tolerance)
    return stored == new


def declared_tolerance(output: Mapping[str, Any]) -> dict[str, float] | None:
    """The tolerance an output declares in its metadata, if any."""
    return output.get("metadata", {}).get(METADATA_KEY, {}).get(CELL_KEY)


def _text(value: Any) -> Any:
    return "".join(value) if isinstance(value, list) else value


def _described(output: Mapping[str, Any]) -> dict[str, Any]:
    """`output` with each PNG replaced by the alt text stored beside it, if it has one."""
    data = output.get("data")
    if not data:
        return output
    alt = output.get("metadata", {}).get(PNG_SUFFIX, {}).get("alt")
    if alt is None:
        return output
    shown = copy.copy(output)
    shown["data"] = {
        key: f"<figure: {alt}>" if key.endswith(PNG_SUFFIX) else value
        for key, value in data.items()
    }
    return shown


# What nbval never compares (its skip_compare): a figure shown by a cell, not glued.
NOT_COMPARED = ("image/png", "image/jpeg")


def _values(outputs: list) -> Iterator[tuple[str, Mapping, str]]:
    """(key, container, field) for every compared value, keyed as nbval flattens them."""
    for output in outputs:
        if output.get("output_type") == "stream":
            yield output["name"], output, "text"
        for key in output.get("data", {}):
            if key not in NOT_COMPARED:
                yield key, output["data"], key


def reconcile(
    stored: list,
    new: list,
    cell_tolerance: Mapping[str, float] | None = None,
    clean: Callable[[str], str] = lambda text: text,
) -> tuple[list, list]:
    """The two output lists as nbval should compare them.

    Figures become their alt texts on both sides. Each value of `new` that agrees
    with its stored counterpart within tolerance becomes the stored text, so an
    exact comparison afterwards sees only real differences. Values are paired as
    nbval pairs them: the i-th value of each key (``stdout``, ``text/plain``, ...).
    A declared tolerance is added to the outputs as a value of its own
    (:data:`DECLARED`), so a declaration that changed is a difference too.
    `clean` is nbval's sanitizer, applied before comparing.
    """
    stored = [_with_declaration(_described(o)) for o in copy.deepcopy(stored)]
    new = [_with_declaration(_described(o)) for o in copy.deepcopy(new)]
    base = DEFAULT.widened(cell_tolerance)
    stored_by_key: dict[str, list] = {}
    for key, container, field in _values(stored):
        stored_by_key.setdefault(key, []).append((container, field))
    seen: dict[str, int] = {}
    tolerances = _tolerances_by_value(stored, base)
    for key, container, field in _values(new):
        index = seen[key] = seen.get(key, -1) + 1
        if index >= len(stored_by_key.get(key, [])):
            continue
        stored_container, stored_field = stored_by_key[key][index]
        before, after = _text(stored_container[stored_field]), _text(container[field])
        if key == DECLARED or not (isinstance(before, str) and isinstance(after, str)):
            continue  # a declared tolerance is compared exactly
        if texts_agree(clean(before), clean(after), tolerances[key][index]):
            container[field] = stored_container[stored_field]
    return stored, new


def _with_declaration(output: dict) -> dict:
    declared = declared_tolerance(output)
    if declared is not None and "data" in output:
        output["data"] = {
            **output["data"],
            DECLARED: json.dumps(declared, sort_keys=True),
        }
    return output


def _tolerances_by_value(stored: list, base: Tolerance) -> dict[str, list[Tolerance]]:
    found: dict[str, list[Tolerance]] = {}
    for output in stored:
        tolerance = base.widened(declared_tolerance(output))
        for key, _, _ in _values([output]):
            found.setdefault(key, []).append(tolerance)
    return found


def _exactly_equal(stored: list, new: list) -> bool:
    """What nbval checks after :func:`reconcile`: the same values for the same keys."""

    def flat(outputs: list) -> dict[str, list]:
        found: dict[str, list] = {}
        for key, container, field in _values(outputs):
            found.setdefault(key, []).append(_text(container[field]))
        return found

    return flat(stored) == flat(new)


def outputs_agree(
    stored: list,
    new: list,
    cell_tolerance: Mapping[str, float] | None = None,
    clean: Callable[[str], str] = lambda text: text,
) -> bool:
    """Whether a cell's `new` outputs validate against its `stored` ones."""
    stored, new = reconcile(stored, new, cell_tolerance, clean)
    return _exactly_equal(
        [_cleaned(o, clean) for o in stored], [_cleaned(o, clean) for o in new]
    )


def _cleaned(output: dict, clean: Callable[[str], str]) -> dict:
    cleaned = copy.deepcopy(output)
    for _, container, field in _values([cleaned]):
        value = _text(container[field])
        if isinstance(value, str):
            container[field] = clean(value)
    return cleaned


def widget_state_agrees(stored: Mapping, new: Mapping) -> bool:
    """Whether two notebooks' stored widget states say the same, within tolerance.

    A slider frame's ``Image`` holds a PNG (in its ``value`` or a binary buffer): it is
    compared by its ``tooltip``, the frame's alt text, never by its bytes.
    """
    return values_agree(_without_pictures(stored), _without_pictures(new))


def _without_pictures(widgets: Mapping) -> Any:
    widgets = copy.deepcopy(dict(widgets))
    for saved in widgets.values():  # one entry per widget-state MIME type
        for model in saved.get("state", {}).values():
            if model.get("model_name") == IMAGE_MODEL:
                model.get("state", {}).pop("value", None)
                model.pop("buffers", None)
    return widgets


def notebooks_agree(
    stored: Mapping,
    new: Mapping,
    ignored: Callable[[Mapping], bool] = lambda cell: False,
    clean: Callable[[str], str] = lambda text: text,
) -> bool:
    """Whether notebook `new` (just executed) validates against `stored`.

    The same cells with the same sources, every compared cell's outputs within
    tolerance (:func:`outputs_agree`; cells for which `ignored` is true are not
    compared, as nbval skips ``nbval-ignore-output``), and the same widget state
    within tolerance.
    """
    stored_cells, new_cells = stored["cells"], new["cells"]
    if [(c["cell_type"], _text(c["source"])) for c in stored_cells] != [
        (c["cell_type"], _text(c["source"])) for c in new_cells
    ]:
        return False
    for before, after in zip(stored_cells, new_cells, strict=True):
        if before["cell_type"] != "code" or ignored(before):
            continue
        cell_tolerance = before.get("metadata", {}).get(CELL_KEY)
        if not outputs_agree(
            before.get("outputs", []), after.get("outputs", []), cell_tolerance, clean
        ):
            return False
    return widget_state_agrees(
        stored.get("metadata", {}).get("widgets", {}),
        new.get("metadata", {}).get("widgets", {}),
    )


# --- The pytest plugin: nbval's comparison, after reconcile -----------------------------


def pytest_configure(config: Any) -> None:
    """Make nbval compare each cell's outputs through :func:`reconcile`."""
    from nbval.plugin import IPyNbCell

    exact = IPyNbCell.compare_outputs
    if getattr(exact, "tolerant", False):
        return

    def compare_outputs(
        self: Any, test: list, ref: list, skip_compare: Any = None
    ) -> bool:
        cell_tolerance = self.cell.get("metadata", {}).get(CELL_KEY)
        ref, test = reconcile(ref, test, cell_tolerance, self.sanitize)
        return exact(self, test, ref, skip_compare)

    compare_outputs.tolerant = True  # type: ignore[attr-defined]
    IPyNbCell.compare_outputs = compare_outputs
