"""What the neurons learned: single units of a trained network, read against the text.

After Karpathy, Johnson and Fei-Fei (2015), *Visualizing and Understanding Recurrent
Networks*. Four steps, one group of functions each:

1. **Traces** (:func:`traces`): run the network over a text from a blank state and keep
   every unit's value after every character: ``h`` for a plain RNN; ``h``, ``c`` and
   the gates ``i``, ``f``, ``g``, ``o`` for an LSTM.
2. **Features** (:data:`FEATURES`): facts about the text, one number per character
   ("inside a stage direction", "characters since the line began"), computed from
   the text alone.
3. **Selection without cherry-picking** (:func:`best_units`, :func:`choose_units`):
   a unit is *chosen* on one half of the text and *scored* on the other, and the
   same procedure is run with the feature slid out of line with the text, to see
   how high a score chance alone reaches.
4. **Pictures** (:func:`activation_html`, :func:`activation_bundle`): the text,
   each character coloured by one unit's value, as HTML for the web page and as a
   PNG for the PDF edition.

Book machinery: it reads the core (the model, the vocabulary), the core never
reads it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import re
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from ._checks import positive_int
from .data import Vocabulary
from .errors import InvalidTypeError, InvalidValueError
from .model import HelloRNN

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "BACKGROUND",
    "FEATURES",
    "FEATURE_DESCRIPTIONS",
    "GateRoles",
    "TEXT_COLOUR",
    "UnitChoice",
    "activation_bundle",
    "show_activation",
    "activation_colour",
    "activation_html",
    "after_newline",
    "after_sentence_end",
    "best_units",
    "capital_letter",
    "choose_units",
    "contrast_ratio",
    "gate_roles",
    "halves",
    "in_speaker_name",
    "in_stage_direction",
    "inside_word",
    "position_in_line",
    "position_in_word",
    "relative_luminance",
    "traces",
]

# ---------------------------------------------------------------------------
# 1. Traces: every unit's value after every character
# ---------------------------------------------------------------------------


def traces(net: HelloRNN, vocabulary: Vocabulary, text: str) -> dict[str, torch.Tensor]:
    """Every unit's value after reading each character of ``text``, in one stream.

    The network reads the whole text from a zero state, as one sequence, so a unit
    can carry what it knows across any distance.

    Returns:
        ``{name: [L, H]}`` on the CPU, row ``t`` recorded after reading ``text[t]``.
        A plain RNN (``"scratch"`` or ``"torch"``): ``{"h"}``. An LSTM: ``{"h", "c",
        "i", "f", "g", "o"}``, the hidden and cell states, the input, forget and
        output gates and the candidate ``g``.
    """
    if not isinstance(net, HelloRNN):
        raise InvalidTypeError(f"net must be a HelloRNN, got {type(net).__name__}")
    net.check_vocabulary(vocabulary)
    if net.cell_name not in ("scratch", "torch", "lstm"):
        raise InvalidValueError(
            f"traces reads a plain RNN or an LSTM, not a {net.cell_name!r} cell"
        )
    x = vocabulary.one_hot(vocabulary.encode(text))  # [L, V]
    with torch.no_grad(), _evaluating(net):
        if net.cell_name == "lstm":
            return _lstm_traces(net.cell, x.to(net.cell.weight_ih_l0.device))
        return _rnn_traces(net, x.to(net.readout.weight.device))


@contextmanager
def _evaluating(net: nn.Module) -> Iterator[None]:
    """Put ``net`` in eval mode for the block, and back in the mode it was in."""
    was_training = net.training
    net.eval()
    try:
        yield
    finally:
        net.train(was_training)


def _rnn_traces(net: HelloRNN, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)`` for every ``t``: ``{"h": [L, H]}``."""
    W_xh, W_hh, b_h = net.recurrent_weights()
    # The input's share does not depend on the past: one matrix product for all steps.
    hs = x @ W_xh.T + b_h  # [L, H]; row t becomes h_t as the loop passes it
    h = hs.new_zeros(1, net.num_hidden)
    for t in range(hs.shape[0]):
        h = hs[t : t + 1].addmm_(h, W_hh.T).tanh_()  # in place: row t is now h_t
    return {"h": hs.cpu()}


def _lstm_traces(lstm: nn.LSTM, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """The LSTM's equations, one step at a time, keeping every intermediate value.

    Torch stacks the four gates' weights in the order i, f, g, o, so row ``t`` of
    ``pre = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh`` is ``[4H]``, a quarter per gate:
    ``i, f, o = sigmoid(...)``, ``g = tanh(...)``, ``c_t = f c_{t-1} + i g``,
    ``h_t = o tanh(c_t)``.
    """
    if lstm.num_layers != 1 or lstm.proj_size != 0 or lstm.bidirectional:
        raise InvalidValueError("traces reads a one-layer LSTM without projections")
    size = lstm.hidden_size
    W_hh = lstm.weight_hh_l0.T  # [H, 4H]
    # The input's share for all steps at once; each row then gains the recurrent
    # share in place, as the loop reaches it.
    pre = x @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0  # [L, 4H]
    hs, cs = pre.new_empty(len(pre), size), pre.new_empty(len(pre), size)
    h, c = pre.new_zeros(1, size), pre.new_zeros(1, size)
    for t in range(len(pre)):
        row = pre[t : t + 1].addmm_(h, W_hh)
        i, f, g, o = row.chunk(4, dim=1)
        c = torch.addcmul(f.sigmoid() * c, i.sigmoid(), g.tanh(), out=cs[t : t + 1])
        h = torch.mul(o.sigmoid(), c.tanh(), out=hs[t : t + 1])
    # The gates of every step, activated at once, in place (pre is not needed again).
    i, f, g, o = pre.chunk(4, dim=1)
    gates = {"i": i.sigmoid_(), "f": f.sigmoid_(), "g": g.tanh_(), "o": o.sigmoid_()}
    return {"h": hs.cpu(), "c": cs.cpu()} | {k: v.cpu() for k, v in gates.items()}


# ---------------------------------------------------------------------------
# 2. Features: facts about the text, one value per character
# ---------------------------------------------------------------------------
#
# Each feature takes the text (length L) and returns a float array [L]. Its value at
# t describes the situation *after reading* text[t], the moment the unit's value at t
# is recorded. Binary features are 0 or 1.

# A letter, in any alphabet: a word character that is neither a digit nor "_".
_LETTER = r"[^\W\d_]"
# A word: letters, with apostrophes only between letters ("work's", not "lovers'").
_WORD = re.compile(rf"{_LETTER}+(?:'{_LETTER}+)*")
# A line that is only a speaker's name, in capitals, with its full stop: "FIRST CITIZEN."
_SPEAKER_LINE = re.compile(r"^[A-Z][A-Z ]+\.$", re.MULTILINE)
# A stage direction: from "[" up to and including "]", across lines but not across a
# blank line. (The corpus has a few brackets never closed: "[Enter MENENIUS" and then
# the scene goes on; such a one ends with its paragraph.)
_STAGE_DIRECTION = re.compile(r"\[(?:[^\]\n]|\n(?!\n))*\]?")
# The end of a sentence, and whatever is not a letter after it: "! ", ".\n\n".
_SENTENCE_END = re.compile(r"[.!?][\W\d_]*")


def _marked(text: str, pattern: re.Pattern[str]) -> np.ndarray:
    """``[L]``: 1 at every character of a match of ``pattern``, 0 elsewhere."""
    marks = np.zeros(len(text))
    for match in pattern.finditer(text):
        marks[match.start() : match.end()] = 1.0
    return marks


def _is(text: str, test: Callable[[str], bool]) -> np.ndarray:
    """``[L]``: 1 where ``test(character)`` holds, 0 elsewhere."""
    return np.fromiter((test(c) for c in text), dtype=float, count=len(text))


def in_speaker_name(text: str) -> np.ndarray:
    """1 inside a line that is a speaker's name ("MENENIUS."), its full stop included."""
    return _marked(text, _SPEAKER_LINE)


def in_stage_direction(text: str) -> np.ndarray:
    """1 inside square brackets, "[" and "]" included, across lines but not blank lines."""
    return _marked(text, _STAGE_DIRECTION)


def position_in_line(text: str) -> np.ndarray:
    """The number of characters read since the last newline: 0 on the newline itself.

    Before the first newline it counts from the start, as if a newline came before it.
    """
    positions = np.arange(len(text))
    newlines = np.where(_is(text, lambda c: c == "\n") == 1, positions, -1)
    return (positions - np.maximum.accumulate(newlines)).astype(float)


def after_newline(text: str) -> np.ndarray:
    """1 where the character read is a newline."""
    return _is(text, lambda c: c == "\n")


def inside_word(text: str) -> np.ndarray:
    """1 on a letter, and on an apostrophe between two letters ("work's")."""
    return _marked(text, _WORD)


def position_in_word(text: str) -> np.ndarray:
    """How many characters of the current word have been read (1, 2, ...); 0 outside words."""
    counts = np.zeros(len(text))
    for match in _WORD.finditer(text):
        counts[match.start() : match.end()] = np.arange(1, len(match[0]) + 1)
    return counts


def capital_letter(text: str) -> np.ndarray:
    """1 where the character read is a capital letter."""
    return _is(text, str.isupper)


def after_sentence_end(text: str) -> np.ndarray:
    """1 from a ".", "!" or "?" up to the next letter (not included): a capital is due."""
    return _marked(text, _SENTENCE_END)


#: Every feature, by name, as a function ``text -> [L]``.
#:
#: :meta hide-value:
FEATURES: dict[str, Callable[[str], np.ndarray]] = {
    "in_speaker_name": in_speaker_name,
    "in_stage_direction": in_stage_direction,
    "position_in_line": position_in_line,
    "after_newline": after_newline,
    "inside_word": inside_word,
    "position_in_word": position_in_word,
    "capital_letter": capital_letter,
    "after_sentence_end": after_sentence_end,
}


def feature_values(text: str) -> dict[str, np.ndarray]:
    """Every feature of :data:`FEATURES` on ``text``: ``{name: [L]}``."""
    return {name: feature(text) for name, feature in FEATURES.items()}


#: What each feature says, in a phrase for the page.
#:
#: :meta hide-value:
FEATURE_DESCRIPTIONS: dict[str, str] = {
    "in_speaker_name": "inside a speaker's name, such as MENENIUS.",
    "in_stage_direction": "inside a stage direction, from [ to ]",
    "position_in_line": "how far into the line (characters since the newline)",
    "after_newline": "the character just read is a newline",
    "inside_word": "inside a word (a letter, or an apostrophe between letters)",
    "position_in_word": "how far into the word (letters read so far)",
    "capital_letter": "the character just read is a capital letter",
    "after_sentence_end": "after a . ! or ? until the next letter",
}


# ---------------------------------------------------------------------------
# 3. Selection without cherry-picking
# ---------------------------------------------------------------------------


def halves(length: int, block: int = 5_000) -> np.ndarray:
    """Which characters belong to half A (True) and which to half B (False).

    The text is cut into blocks of ``block`` characters, alternately A and B. Both
    halves then sample every part of the text (the held-out text visits every play,
    and the plays differ: some have far more stage directions than others), so a
    unit that scores lower on B than on A was chosen for luck, not moved to another
    play. A block of thousands of characters is much longer than a speech, so what a
    unit remembers seldom crosses from one half into the other.

    Returns:
        A bool array ``[length]``.
    """
    positive_int("length", length)
    positive_int("block", block)
    return (np.arange(length) // block) % 2 == 0


@dataclass(frozen=True)
class UnitChoice:
    """The unit chosen for one feature, and how it scores.

    Attributes:
        feature: the feature's name.
        trace: the trace the unit belongs to (``"h"`` or ``"c"``).
        unit: its index in that trace.
        r_a: its Pearson correlation with the feature on half A, where it was chosen
            (the largest ``|r|`` of all candidates).
        r_b: its correlation on half B, with the sign it had on A: near ``|r_a|`` if
            the unit really follows the feature, near 0 or negative if it was luck.
        control: ``[S]``, ``r_b`` of the unit the same procedure chooses when the
            feature is shifted out of line with the text, once per shift.
        control_max: the largest ``|control|``: the best chance alone did.
        rival: the other feature of :data:`FEATURES` this unit follows best on
            half B, and ``rival_r`` its ``|r|`` there. A unit chosen for one feature
            may follow another better (the features overlap: a speaker's name is in
            capitals and ends a line). Set by :func:`choose_units`, which scores the
            unit against every feature; ``None`` from :func:`best_units`.
    """

    feature: str
    trace: str
    unit: int
    r_a: float
    r_b: float
    control: np.ndarray
    control_max: float
    rival: str | None = None
    rival_r: float | None = None

    @property
    def above_control(self) -> bool:
        """Whether the unit scores on B higher than the control ever did."""
        return self.r_b > self.control_max

    @property
    def own_best(self) -> bool:
        """Whether the unit follows its own feature on B better than any other feature."""
        if self.rival_r is None:
            raise InvalidValueError(
                "no rival feature was scored: use choose_units, not best_units"
            )
        return self.r_b > self.rival_r


@dataclass(frozen=True)
class _Candidates:
    """Every candidate unit's values, split into the two halves and standardized.

    ``a`` ``[L_A, N]`` and ``b`` ``[L_B, N]`` have mean 0 and standard deviation 1
    in every column (0 for a unit that never moves), so a correlation with a
    feature is one matrix-vector product. ``labels[n]`` is column ``n``'s
    ``(trace, unit)``.
    """

    in_a: np.ndarray
    a: np.ndarray
    b: np.ndarray
    labels: list[tuple[str, int]]


def _standardized(values: np.ndarray) -> np.ndarray:
    """``values`` ``[n, N]`` (or ``[n]``) with each column shifted to mean 0, scaled to std 1."""
    centred = values - values.mean(axis=0)
    spread = centred.std(axis=0)
    return centred / np.where(spread > 0, spread, np.inf)


def _candidates(values: dict[str, torch.Tensor], in_a: np.ndarray) -> _Candidates:
    """The candidates: every unit of every trace in ``values`` (``{name: [L, H]}``)."""
    columns = np.concatenate(
        [torch.as_tensor(v).detach().cpu().float().numpy() for v in values.values()],
        axis=1,
    )
    if columns.shape[0] != len(in_a):
        raise InvalidValueError(
            f"the traces have {columns.shape[0]} rows, the halves {len(in_a)}"
        )
    labels = [(name, u) for name, v in values.items() for u in range(v.shape[1])]
    return _Candidates(
        in_a, _standardized(columns[in_a]), _standardized(columns[~in_a]), labels
    )


def _correlations(standardized: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """Pearson's r of every column of ``standardized`` ``[n, N]`` with ``feature`` ``[n]``."""
    return standardized.T @ _standardized(feature).astype(np.float32) / len(feature)


def _choose(units: _Candidates, feature: np.ndarray) -> tuple[int, float, float]:
    """Choose the column with the largest ``|r|`` on A; its ``(column, r_A, r_B)``.

    ``r_B`` is given the sign the unit had on A, so a good choice has ``r_B > 0``.
    """
    r_a = _correlations(units.a, feature[units.in_a])
    best = int(np.argmax(np.abs(r_a)))
    r_b = _correlations(units.b[:, best : best + 1], feature[~units.in_a])[0]
    return best, float(r_a[best]), float(r_b * np.sign(r_a[best]))


def _control(
    units: _Candidates, feature: np.ndarray, shifts: int, seed: int
) -> np.ndarray:
    """``[shifts]``: the chosen unit's ``r_B`` with the feature rolled out of line.

    A circular shift keeps the feature's own rhythm (how long a stage direction
    lasts, how often a line breaks) and the units' own, and breaks only their
    alignment. Shifts are at least a tenth of the text, far beyond any memory.
    """
    length = len(feature)
    offsets = np.random.default_rng(seed).integers(
        length // 10, length - length // 10, shifts
    )
    return np.array([_choose(units, np.roll(feature, s))[2] for s in offsets])


def _best(
    units: _Candidates, feature: np.ndarray, name: str, shifts: int, seed: int
) -> UnitChoice:
    """Choose a unit for ``feature`` among ``units``, score it, and run the control."""
    if feature.shape != units.in_a.shape:
        raise InvalidValueError(
            f"feature {name!r} has shape {feature.shape}, the text {units.in_a.shape}"
        )
    for half, where in (("A", units.in_a), ("B", ~units.in_a)):
        if np.ptp(feature[where]) == 0:
            raise InvalidValueError(
                f"feature {name!r} never changes on half {half}: nothing to correlate"
            )
    column, r_a, r_b = _choose(units, feature)
    control = _control(units, feature, positive_int("shifts", shifts), seed)
    trace, unit = units.labels[column]
    return UnitChoice(
        name, trace, unit, r_a, r_b, control, float(np.abs(control).max())
    )


def best_units(
    values: torch.Tensor,
    feature: np.ndarray,
    in_a: np.ndarray,
    *,
    feature_name: str = "feature",
    trace: str = "h",
    shifts: int = 20,
    seed: int = 0,
) -> UnitChoice:
    """The unit of ``values`` that best follows ``feature``, chosen on A, scored on B.

    Args:
        values: ``[L, H]``, one trace (for instance ``traces(...)["h"]``).
        feature: ``[L]``, the feature's value at every character.
        in_a: ``[L]`` bool, True for half A (see :func:`halves`).
        feature_name, trace: names to report the choice under.
        shifts: how many misaligned copies of the feature the control tries.
        seed: seeds the control's random shifts.
    """
    units = _candidates({trace: values}, np.asarray(in_a, dtype=bool))
    return _best(units, np.asarray(feature, dtype=float), feature_name, shifts, seed)


def choose_units(
    values: dict[str, torch.Tensor],
    text: str,
    in_a: np.ndarray,
    *,
    names: tuple[str, ...] | None = None,
    shifts: int = 20,
    seed: int = 0,
) -> list[UnitChoice]:
    """:func:`best_units` for every feature of :data:`FEATURES`.

    Args:
        values: the network's traces, ``{name: [L, H]}``, from :func:`traces`.
        text: the text they were recorded on (length ``L``).
        in_a: ``[L]`` bool, True for half A.
        names: the traces whose units compete. By default ``h`` and ``c`` for an
            LSTM (what the cell remembers and what it shows; the gates only steer
            them), ``h`` for a plain RNN.
    """
    if names is None:
        names = ("h", "c") if "c" in values else ("h",)
    units = _candidates({n: values[n] for n in names}, np.asarray(in_a, dtype=bool))
    features = feature_values(text)
    return [
        _with_rival(units, _best(units, feature, name, shifts, seed), features)
        for name, feature in features.items()
    ]


def _with_rival(
    units: _Candidates, choice: UnitChoice, features: dict[str, np.ndarray]
) -> UnitChoice:
    """``choice`` with the other feature its unit follows best on half B (``|r|``)."""
    column = units.labels.index((choice.trace, choice.unit))
    on_b = units.b[:, column : column + 1]
    others = {
        name: abs(float(_correlations(on_b, feature[~units.in_a])[0]))
        for name, feature in features.items()
        if name != choice.feature
    }
    rival = max(others, key=others.__getitem__)
    return replace(choice, rival=rival, rival_r=others[rival])


@dataclass(frozen=True)
class GateRoles:
    """How an LSTM unit's gates move with a feature, on half B.

    Attributes:
        unit: the unit.
        correlations: ``{gate: r}`` for ``"i"``, ``"f"``, ``"g"``, ``"o"``.
        means: ``{gate: (mean where the feature is on, mean where off, mean at
            its onsets)}``, for a 0/1 feature; empty otherwise.
        strongest: the gate with the largest ``|r|``.
        summary: that, in a sentence.
    """

    unit: int
    correlations: dict[str, float]
    means: dict[str, tuple[float, float, float]]
    strongest: str
    summary: str


_GATE_NAMES = {
    "i": "input gate",
    "f": "forget gate",
    "g": "candidate",
    "o": "output gate",
}


def gate_roles(
    values: dict[str, torch.Tensor],
    unit: int | UnitChoice,
    feature: np.ndarray,
    in_a: np.ndarray,
) -> GateRoles:
    """Which of an LSTM unit's gates move with ``feature``, measured on half B.

    Args:
        values: an LSTM's traces (:func:`traces`).
        unit: the unit, or the :class:`UnitChoice` that chose it.
        feature: ``[L]``, the feature.
        in_a: ``[L]`` bool, True for half A; the gates are read on the rest.
    """
    if not all(gate in values for gate in _GATE_NAMES):
        raise InvalidValueError("gate_roles needs an LSTM's traces, with i, f, g, o")
    index = unit.unit if isinstance(unit, UnitChoice) else unit
    on_b = ~np.asarray(in_a, dtype=bool)
    feature = np.asarray(feature, dtype=float)
    gates = {k: values[k][:, index].double().numpy() for k in _GATE_NAMES}
    correlations = {
        k: float(_correlations(_standardized(g[on_b, None]), feature[on_b])[0])
        for k, g in gates.items()
    }
    means = _gate_means(gates, feature, on_b)
    strongest = max(correlations, key=lambda k: abs(correlations[k]))
    r = correlations[strongest]
    summary = (
        f"unit {index}: its {_GATE_NAMES[strongest]} moves most with the feature, "
        f"{'higher' if r > 0 else 'lower'} where the feature is high "
        f"(r = {r:+.2f} on half B)"
    )
    return GateRoles(index, correlations, means, strongest, summary)


def _gate_means(
    gates: dict[str, np.ndarray], feature: np.ndarray, on_b: np.ndarray
) -> dict[str, tuple[float, float, float]]:
    """``{gate: (mean on, mean off, mean at onsets)}`` on half B, for a 0/1 feature."""
    if not np.isin(feature, (0.0, 1.0)).all():
        return {}
    on = (feature == 1) & on_b
    onset = on & (np.roll(feature, 1) == 0)
    off = (feature == 0) & on_b
    return {
        k: tuple(
            float(g[where].mean()) if where.any() else np.nan
            for where in (on, off, onset)
        )
        for k, g in gates.items()
    }


# ---------------------------------------------------------------------------
# 4. Pictures: the text, coloured by one unit's value
# ---------------------------------------------------------------------------

#: The text's colour and the page's, set explicitly, so that a dark-mode page does
#: not change them under the coloured backgrounds.
TEXT_COLOUR = "#1f2328"
BACKGROUND = "#ffffff"
# The two ends of the diverging scale, blue for -1 and orange for +1 (told apart
# with every common colour vision deficiency). Both are light enough that the
# dark text keeps a contrast of 5.5:1 on them; every shade between is lighter.
_NEGATIVE = "#5e9ed6"
_POSITIVE = "#e08214"
_STEPS = 10  # shades per side: values are rounded to tenths


def _rgb(colour: str) -> np.ndarray:
    """``"#rrggbb"`` to ``[3]`` floats in [0, 1]."""
    return np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)]) / 255


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of ``"#rrggbb"``: 0 for black, 1 for white."""
    srgb = _rgb(colour)
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two colours, from 1:1 to 21:1 (AA text needs 4.5)."""
    light, dark = sorted(map(relative_luminance, (first, second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def activation_colour(value: float) -> str:
    """The background for ``value``: white at 0, towards blue at -1, orange at +1.

    Values are clipped to [-1, 1] and rounded to tenths, so a page uses at most
    21 colours.
    """
    share = round(min(abs(float(value)), 1.0) * _STEPS) / _STEPS
    end = _rgb(_NEGATIVE if value < 0 else _POSITIVE)
    mixed = (1 - share) * _rgb(BACKGROUND) + share * end
    return "#" + "".join(f"{round(255 * part):02x}" for part in mixed)


def _unit_values(text: str, values: torch.Tensor | np.ndarray) -> np.ndarray:
    """``values`` as floats ``[L]``, one per character of ``text``."""
    array = torch.as_tensor(values).detach().cpu().double().numpy()
    if array.shape != (len(text),):
        raise InvalidValueError(
            f"values must have shape [{len(text)}], one per character, got {list(array.shape)}"
        )
    return array


_LEGEND = ((-1.0, "\u22121", "negative"), (0.0, "0", "near 0"), (1.0, "+1", "positive"))


def _swatch(value: float, label: str) -> str:
    """A legend entry's coloured box, holding its label."""
    return (
        f'<span style="background:{activation_colour(value)}; padding:0 0.4em; '
        f'border:1px solid {TEXT_COLOUR}">{label}</span>'
    )


def _visible(c: str) -> str:
    """``c``, HTML-escaped; a newline also gets a "↵" to colour (hidden from screen readers)."""
    if c == "\n":
        return '<span aria-hidden="true">\u21b5</span>\n'
    return html.escape(c)


def activation_html(
    text: str,
    values: torch.Tensor | np.ndarray,
    unit_label: str,
    description: str,
) -> str:
    """``text`` with every character's background coloured by ``values`` ``[L]``.

    A diverging scale: blue below 0, white at 0, orange above, clipped to [-1, 1]
    (divide a cell state by its largest ``|value|`` first). The text stays text:
    a screen reader reads ``description`` first (the block points to it with
    ``aria-describedby``), then the characters themselves. A newline shows a
    "↵" before it, so its colour can be seen.

    Args:
        text: the characters, ``L`` of them; newlines are kept.
        values: ``[L]``, the unit's value after each character.
        unit_label: which unit this is ("unit 137 of c"), shown above the text.
        description: what the colouring shows, in words, shown above the text.
    """
    shades = _unit_values(text, values)
    # An id for the description, the same each time the same picture is made.
    digest = hashlib.sha1(f"{unit_label}|{description}|{text}".encode())
    digest.update(shades.tobytes())
    key = digest.hexdigest()[:10]
    spans = "".join(
        f'<span style="background:{activation_colour(v)}">{_visible(c)}</span>'
        for c, v in zip(text, shades)
    )
    legend = " ".join(f"{_swatch(v, label)} {words}" for v, label, words in _LEGEND)
    return (
        f'<div class="hello-rnn-neuron" style="color:{TEXT_COLOUR}; '
        f'background:{BACKGROUND}; padding:0.5em; border-radius:4px">'
        f'<p id="neuron-{key}" style="margin:0 0 0.4em 0">'
        f"<strong>{html.escape(unit_label)}</strong>: {html.escape(description)}</p>"
        f'<p style="margin:0 0 0.4em 0">{legend}</p>'
        f'<div aria-describedby="neuron-{key}" style="white-space:pre-wrap; '
        f'font-family:monospace; line-height:1.5">{spans}</div></div>'
    )


def activation_bundle(
    text: str,
    values: torch.Tensor | np.ndarray,
    unit_label: str,
    description: str,
    *,
    columns: int = 72,
) -> dict[str, str]:
    """The coloured text as an IPython display bundle, for the web page and the PDF.

    Show it with ``IPython.display.display(bundle, raw=True)``: the web page takes
    the ``"text/html"`` of :func:`activation_html`, the PDF edition the
    ``"image/png"`` (base64), a plain-text reader the description.

    Args:
        text, values, unit_label, description: as for :func:`activation_html`.
            Keep the text short (a few hundred characters): the PNG draws a box
            per character.
        columns: the PNG's lines are wrapped at this many characters.
    """
    shades = _unit_values(text, values)
    return {
        "text/html": activation_html(text, shades, unit_label, description),
        "image/png": base64.b64encode(
            _activation_png(text, shades, unit_label, columns, description)
        ).decode("ascii"),
        "text/plain": f"{unit_label}: {description}",
    }


def show_activation(
    text: str,
    values: torch.Tensor | np.ndarray,
    unit_label: str,
    description: str,
) -> None:
    """Display :func:`activation_bundle` in a notebook, its PNG's alt text the description."""
    from IPython.display import display

    display(
        activation_bundle(text, values, unit_label, description),
        metadata={"image/png": {"alt": f"{unit_label}: {description}"}},
        raw=True,
    )


def _grid(text: str, columns: int) -> list[tuple[int, int, str]]:
    """``(row, column, character)`` for each character, lines wrapped at ``columns``.

    A newline is drawn as "↵" at the end of its line.
    """
    cells, row, column = [], 0, 0
    for c in text:
        if column == columns:
            row, column = row + 1, 0
        cells.append((row, column, "\u21b5" if c == "\n" else c))
        row, column = (row + 1, 0) if c == "\n" else (row, column + 1)
    return cells


def _activation_png(
    text: str, shades: np.ndarray, unit_label: str, columns: int, description: str = ""
) -> bytes:
    """The coloured text drawn by matplotlib: the label, the description, a box per
    character, then a legend (for the PDF, which has no HTML: the words go with it)."""
    from matplotlib.figure import Figure

    cells = _grid(text, positive_int("columns", columns))
    rows = cells[-1][0] + 1 if cells else 1
    width = max(max((column for _, column, _ in cells), default=0) + 1, 32)
    said = textwrap.wrap(description, width=int(1.35 * width))
    top = len(said)  # rows of description above the text
    fig = Figure(figsize=(0.12 * width + 0.3, 0.22 * (rows + top + 3) + 0.2), dpi=100)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    ax.set_xlim(0, width)
    ax.set_ylim(rows + top + 3, 0)  # row 0 at the top
    ax.axis("off")
    ax.text(0, 0.8, unit_label, fontsize=9, color=TEXT_COLOUR, fontweight="bold")
    for k, line in enumerate(said):
        ax.text(0, 1.8 + k, line, fontsize=8.5, color=TEXT_COLOUR)
    for (row, column, c), value in zip(cells, shades):
        _box(ax, column, row + top + 1.2, activation_colour(value), c)
    for k, (value, label, words) in enumerate(_LEGEND):
        y = rows + top + 1.7
        _box(ax, 10 * k, y, activation_colour(value), label, 2.5, framed=True)
        ax.text(10 * k + 3, y + 0.5, words, fontsize=9, va="center", color=TEXT_COLOUR)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor=BACKGROUND)
    return buffer.getvalue()


def _box(
    ax: Axes,
    left: float,
    top: float,
    colour: str,
    label: str,
    width: float = 1.0,
    framed: bool = False,
) -> None:
    """A coloured box one row high at ``(left, top)``, with ``label`` in it."""
    from matplotlib.patches import Rectangle

    edge = TEXT_COLOUR if framed else "none"
    ax.add_patch(Rectangle((left, top), width, 1, facecolor=colour, edgecolor=edge))
    ax.text(
        left + width / 2,
        top + 0.5,
        label,
        ha="center",
        va="center",
        fontsize=9,
        family="DejaVu Sans Mono",
        color=TEXT_COLOUR,
    )
