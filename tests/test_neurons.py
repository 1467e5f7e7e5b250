"""hello_rnn.neurons: traces, text features, unit selection with a control, pictures."""

import base64
import html
import re

import numpy as np
import pytest
import torch

from hello_rnn import HelloRNN, Vocabulary
from hello_rnn.errors import InvalidValueError
from hello_rnn.neurons import (
    FEATURE_DESCRIPTIONS,
    FEATURES,
    TEXT_COLOUR,
    UnitChoice,
    activation_bundle,
    activation_colour,
    activation_html,
    best_units,
    choose_units,
    contrast_ratio,
    feature_values,
    gate_roles,
    halves,
    traces,
)

SAMPLE = "MENENIUS.\nWhat [aside] work's\n"


def ones(length: int, *spans: tuple[int, int]) -> np.ndarray:
    """``[length]``: 1 on each ``range(start, stop)`` of ``spans``, 0 elsewhere."""
    out = np.zeros(length)
    for start, stop in spans:
        out[start:stop] = 1
    return out


# --- traces ------------------------------------------------------------------


def tiny_net(cell: str, text: str, hidden: int = 6) -> tuple[HelloRNN, Vocabulary]:
    """A random network with weights large enough that its gates move."""
    torch.manual_seed(0)
    vocabulary = Vocabulary(set(text))
    net = HelloRNN(vocabulary.num_characters, hidden, cell=cell)
    with torch.no_grad():
        for weight in net.cell.parameters():
            weight.mul_(4)
    return net, vocabulary


@pytest.mark.parametrize("cell", ["torch", "scratch", "lstm"])
def test_traces_reproduce_the_cell(cell):
    text = SAMPLE * 3
    net, vocabulary = tiny_net(cell, text)
    net.train()
    values = traces(net, vocabulary, text)
    assert net.training  # the mode it was in
    with torch.no_grad():
        x = vocabulary.one_hot(vocabulary.encode(text))
        _, last = net(x)
    expected = {"h", "c", "i", "f", "g", "o"} if cell == "lstm" else {"h"}
    assert set(values) == expected
    assert all(v.shape == (len(text), 6) for v in values.values())
    h_last = last[0] if cell == "lstm" else last
    torch.testing.assert_close(values["h"][-1], h_last, atol=1e-5, rtol=0)


def test_lstm_traces_match_nn_lstm_at_every_step():
    text = SAMPLE * 4
    net, vocabulary = tiny_net("lstm", text)
    values = traces(net, vocabulary, text)
    with torch.no_grad():
        hs, _ = net.cell(vocabulary.one_hot(vocabulary.encode(text)).unsqueeze(0))
    torch.testing.assert_close(values["h"], hs[0], atol=1e-5, rtol=0)
    # The gates and states obey the LSTM's equations.
    c_before = torch.cat([torch.zeros(1, 6), values["c"][:-1]])
    i, f, g, o = (values[k] for k in "ifgo")
    torch.testing.assert_close(values["c"], f * c_before + i * g)
    torch.testing.assert_close(values["h"], o * values["c"].tanh())
    assert values["f"].min() < 0.3 and values["f"].max() > 0.7  # the gates do move


def test_traces_refuse_a_gru():
    net, vocabulary = tiny_net("gru", SAMPLE)
    with pytest.raises(InvalidValueError, match="gru"):
        traces(net, vocabulary, SAMPLE)


# --- features ----------------------------------------------------------------

# SAMPLE, position by position: "MENENIUS." 0-8, "\n" 9, "What" 10-13, " " 14,
# "[" 15, "aside" 16-20, "]" 21, " " 22, "work's" 23-28, "\n" 29.
L = len(SAMPLE)
EXPECTED = {
    "in_speaker_name": ones(L, (0, 9)),
    "in_stage_direction": ones(L, (15, 22)),
    "position_in_line": np.r_[1:10, 0, 1:20, 0],
    "after_newline": ones(L, (9, 10), (29, 30)),
    "inside_word": ones(L, (0, 8), (10, 14), (16, 21), (23, 29)),
    "position_in_word": np.r_[1:9, 0, 0, 1:5, 0, 0, 1:6, 0, 0, 1:7, 0],
    "capital_letter": ones(L, (0, 8), (10, 11)),
    "after_sentence_end": ones(L, (8, 10)),
}


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_features_on_a_sample(name):
    value = FEATURES[name](SAMPLE)
    assert value.dtype == float and value.shape == (L,)
    np.testing.assert_array_equal(value, EXPECTED[name])
    assert FEATURE_DESCRIPTIONS[name]


def test_feature_edge_cases():
    text = "[Enter a company,\nwith staves.] lovers' O! ALL.\nFIRST CITIZEN.\n[Exit"
    stage = FEATURES["in_stage_direction"](text)
    assert stage[: text.index("]") + 1].all()  # across the line break
    assert not stage[text.index("]") + 1 : text.rindex("[")].any()
    assert stage[text.rindex("[") :].all()  # never closed: to the end
    # A bracket never closed ends with its paragraph.
    unclosed = FEATURES["in_stage_direction"]("a [Enter X\nand Y\n\nBRUTUS.\nHail!]")
    np.testing.assert_array_equal(unclosed, ones(32, (2, 16)))
    word = FEATURES["inside_word"](text)
    assert word[text.index("lovers") + 5] == 1 and word[text.index("' O")] == 0
    name = FEATURES["in_speaker_name"](text)
    start = text.index("FIRST")
    assert name.sum() == len("FIRST CITIZEN.") and name[start] == 1
    assert FEATURES["after_sentence_end"](text)[text.index("O!") + 1] == 1


# --- selection ---------------------------------------------------------------


def bracket_text(length: int, seed: int = 0) -> str:
    """Random words, with stage directions of random length in between."""
    rng = np.random.default_rng(seed)
    pieces, size = [], 0
    while size < length:
        words = " ".join("ab"[rng.integers(2)] * rng.integers(1, 5) for _ in range(5))
        piece = f"[{words}]\n" if rng.random() < 0.4 else f"{words}\n"
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces)[:length]


def bracket_rnn(vocabulary: Vocabulary, hidden: int = 8) -> HelloRNN:
    """A plain RNN whose unit 0 is +1 inside brackets (the "]" too), -1 outside.

    Unit 1 is +1 right after a "]": it switches unit 0 off one step later. Unit 0
    holds its sign (self weight 3); a "[" pushes it to +1. The other units are noise.
    """
    torch.manual_seed(1)
    net = HelloRNN(vocabulary.num_characters, hidden, cell="torch")
    open_, close = vocabulary.char_to_index["["], vocabulary.char_to_index["]"]
    with torch.no_grad():
        rnn = net.cell
        rnn.bias_hh_l0.zero_()
        rnn.weight_ih_l0[:2].zero_()
        rnn.weight_hh_l0[:2].zero_()
        rnn.weight_ih_l0[0, open_] = 10.0
        rnn.weight_hh_l0[0, 0], rnn.weight_hh_l0[0, 1] = 3.0, -5.0
        rnn.bias_ih_l0[0] = -5.0
        rnn.weight_ih_l0[1, close] = 10.0
        rnn.bias_ih_l0[1] = -5.0
    return net


def test_the_selection_finds_a_built_bracket_unit():
    text = bracket_text(8000)
    vocabulary = Vocabulary(set(text))
    values = traces(bracket_rnn(vocabulary), vocabulary, text)
    feature = FEATURES["in_stage_direction"](text)
    in_a = halves(len(text), block=500)
    choice = best_units(values["h"], feature, in_a, feature_name="stage", shifts=20)
    assert isinstance(choice, UnitChoice)
    assert (choice.feature, choice.trace, choice.unit) == ("stage", "h", 0)
    assert choice.r_a > 0.99 and choice.r_b > 0.99
    unit_a, feature_a = values["h"][in_a, 0].numpy(), feature[in_a]
    assert choice.r_a == pytest.approx(np.corrcoef(unit_a, feature_a)[0, 1], abs=1e-5)
    assert choice.control.shape == (20,)
    assert choice.control_max == np.abs(choice.control).max() < 0.5
    assert choice.above_control


def test_the_control_is_seeded():
    text = bracket_text(3000)
    vocabulary = Vocabulary(set(text))
    values = traces(bracket_rnn(vocabulary), vocabulary, text)
    feature = FEATURES["inside_word"](text)
    in_a = halves(len(text), block=300)
    first, again, other = (
        best_units(values["h"], feature, in_a, seed=s) for s in (0, 0, 1)
    )
    np.testing.assert_array_equal(first.control, again.control)
    assert not np.array_equal(first.control, other.control)


def test_halves_alternate_blocks():
    in_a = halves(10, block=3)
    assert in_a.tolist() == [True] * 3 + [False] * 3 + [True] * 3 + [False]


def test_a_feature_that_never_changes_is_refused():
    text = bracket_text(2000)
    vocabulary = Vocabulary(set(text))
    values = traces(bracket_rnn(vocabulary), vocabulary, text)
    with pytest.raises(InvalidValueError, match="never changes"):
        best_units(values["h"], np.zeros(len(text)), halves(len(text), 200))


def lstm_sample() -> tuple[dict[str, torch.Tensor], str, np.ndarray]:
    """A random LSTM's traces over a text where every feature changes in both halves."""
    text = (SAMPLE + "FIRST CITIZEN.\nGood! [Exeunt.] Is't so?\n") * 8
    net, vocabulary = tiny_net("lstm", text)
    return traces(net, vocabulary, text), text, halves(len(text), block=60)


def test_choose_units_runs_every_feature_over_h_and_c():
    values, text, in_a = lstm_sample()
    choices = choose_units(values, text, in_a, shifts=3)
    assert [c.feature for c in choices] == list(FEATURES)
    assert {c.trace for c in choices} <= {"h", "c"}
    assert all(0 <= c.unit < 6 and len(c.control) == 3 for c in choices)
    only_h = choose_units(values, text, in_a, names=("h",), shifts=3)
    assert {c.trace for c in only_h} == {"h"}


def test_each_choice_knows_the_feature_its_unit_follows_next_best():
    values, text, in_a = lstm_sample()
    features = feature_values(text)
    on_b = ~in_a
    for c in choose_units(values, text, in_a, shifts=3):
        unit_b = values[c.trace][on_b, c.unit].double().numpy()
        others = {
            name: abs(np.corrcoef(unit_b, feature[on_b])[0, 1])
            for name, feature in features.items()
            if name != c.feature
        }
        assert c.rival != c.feature
        assert c.rival_r == pytest.approx(max(others.values()), abs=1e-4)
        assert others[c.rival] == pytest.approx(c.rival_r, abs=1e-4)
    # A network of one unit that is the line-break feature itself: chosen for the line
    # break it follows nothing better; chosen for a capital letter, it follows the line
    # break better than the capital letter.
    newline = torch.tensor(features["after_newline"])[:, None]
    by_feature = {
        c.feature: c for c in choose_units({"h": newline}, text, in_a, shifts=2)
    }
    assert by_feature["after_newline"].own_best
    capital = by_feature["capital_letter"]
    assert capital.rival == "after_newline" and capital.rival_r == pytest.approx(1)
    assert not capital.own_best


def test_best_units_scores_no_rival():
    values, text, in_a = lstm_sample()
    choice = best_units(values["h"], FEATURES["inside_word"](text), in_a, shifts=2)
    assert choice.rival is None and choice.rival_r is None
    with pytest.raises(InvalidValueError, match="choose_units"):
        _ = choice.own_best


def test_gate_roles():
    values, text, in_a = lstm_sample()
    feature = FEATURES["in_stage_direction"](text)
    choice = best_units(values["c"], feature, in_a, trace="c", shifts=3)
    roles = gate_roles(values, choice, feature, in_a)
    assert roles.unit == choice.unit
    assert set(roles.correlations) == set(roles.means) == set("ifgo")
    strongest = max(roles.correlations.values(), key=abs)
    assert roles.correlations[roles.strongest] == strongest
    assert "gate" in roles.summary or "candidate" in roles.summary
    on_b = ~in_a
    for gate, r in roles.correlations.items():
        gate_b = values[gate][:, choice.unit].numpy()[on_b]
        assert r == pytest.approx(np.corrcoef(gate_b, feature[on_b])[0, 1], abs=1e-5)
    i_on = values["i"][:, choice.unit].numpy()[(feature == 1) & on_b].mean()
    assert roles.means["i"][0] == pytest.approx(i_on)
    counted = gate_roles(values, choice.unit, FEATURES["position_in_line"](text), in_a)
    assert counted.means == {}  # not a 0/1 feature


# --- pictures ----------------------------------------------------------------


def test_every_shade_keeps_the_text_readable():
    shades = {activation_colour(v) for v in np.linspace(-1.2, 1.2, 241)}
    assert len(shades) == 21
    assert min(contrast_ratio(TEXT_COLOUR, s) for s in shades) >= 4.5


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_activation_html():
    text = "a<b & c\n[d]"
    values = np.linspace(-1.5, 1.5, len(text))
    page = activation_html(text, values, "unit 3 of h", "orange where <on>")
    shown = page.replace('<span aria-hidden="true">\u21b5</span>', "")
    spans = re.findall(
        r'<span style="background:#[0-9a-f]{6}">(.*?)</span>', shown, re.S
    )
    assert html.unescape("".join(spans)) == text  # every character, in order
    assert page.count("\u21b5") == text.count("\n")  # a newline's colour shows
    assert len(spans) == len(text) and "&lt;" in page and "&amp;" in page
    assert "a<b" not in page and "<on>" not in page
    backgrounds = re.findall(r"background:(#[0-9a-f]{6})", page)
    assert min(contrast_ratio(TEXT_COLOUR, b) for b in backgrounds) >= 4.5
    assert f"color:{TEXT_COLOUR}" in page and "white-space:pre-wrap" in page
    (label,) = re.findall(r'<p id="([^"]+)"', page)
    assert f'aria-describedby="{label}"' in page
    assert page.index("orange where") < page.index("aria-describedby")  # read first
    for word in ("\u22121", "negative", "near 0", "+1", "positive"):
        assert word in page


def test_activation_html_checks_the_length():
    with pytest.raises(InvalidValueError, match="one per character"):
        activation_html("abc", np.zeros(2), "unit", "what")


def test_activation_bundle():
    text = SAMPLE * 2
    bundle = activation_bundle(text, np.sin(np.arange(len(text))), "unit 1", "waves")
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) < 200_000
    assert "waves" in bundle["text/plain"]
    assert bundle["text/html"] == activation_html(
        text, np.sin(np.arange(len(text))), "unit 1", "waves"
    )
