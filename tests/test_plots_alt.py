"""Every figure of hello_rnn.plots says what it shows: an alt text written from the data it draws.

For each figure: the sentence exists, names what the picture shows of its input (a value, a
highlighted row, a step), and two different inputs give two different sentences. The phrasing
helpers (hello_rnn.plots._describe) are checked first.
"""

import importlib
import math
from weakref import WeakKeyDictionary

import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from hello_rnn import DataHandler, History, InvalidValueError, alt_text, plots  # noqa: E402
from hello_rnn.alt_text import alt_of  # noqa: E402
from hello_rnn.plots import _describe as say  # noqa: E402
from hello_rnn.state import LN2, CorpusHistory  # noqa: E402


def alt(fig) -> str:
    """The figure's alt text (closing the figure): a sentence, not a word."""
    text = alt_of(fig)
    plt.close(fig)
    assert text and len(text.split()) >= 8 and text.endswith("."), text
    assert "$" not in text and "\\" not in text, text  # no TeX left in the words
    return text


def history(loss, accuracy=None, grad_norm=None, memorized_at=None) -> History:
    steps = len(loss)
    return History(
        loss=list(loss),
        accuracy=list(accuracy or [0.5] * steps),
        grad_norm=list(grad_norm or [1.0] * steps),
        clipped_grad_norm=[1.0] * steps,
        clamped_fraction=[0.0] * steps,
        memorized_at=memorized_at,
    )


# --- The phrasing helpers ---


@pytest.mark.parametrize(
    "value, text",
    [
        (0, "0"),
        (2.0, "2"),
        (2.0794, "2.08"),
        (0.01604, "0.016"),
        (12403.2, "12403"),
        (1.4e-05, "1.4e-5"),
        (2.1e6, "2.1e6"),
        (-0.5, "-0.5"),
        (float("nan"), "not a number"),
        (float("inf"), "infinity"),
    ],
)
def test_numbers_are_rounded_for_reading(value, text):
    assert say.number(value) == text


def test_a_curve_says_which_way_it_goes_and_where_it_peaks():
    def at(i):
        return f"at step {i}"

    assert say.curve([4.0, 2.0, 1.0], at) == "falls from 4 at step 0 to 1 at step 2"
    assert say.curve([1.0, 9.0, 2.0], at) == (
        "rises from 1 at step 0 to 2 at step 2, peaking at 9 at step 1"
    )
    assert say.curve([3.0, 3.0], at) == "stays at 3"
    assert say.curve([1.0, 1e-6, 1e-3], log=True).startswith("falls from 1 to 0.001")
    assert "not finite" in say.curve([1.0, float("nan"), 0.5], at)
    assert say.curve([], at) == "is empty"


def test_characters_and_texts_are_named_so_they_can_be_heard():
    assert say.character(" ") == "space" and say.character("\n") == "newline"
    assert say.character("a") == "'a'"
    assert say.quoted("a b\n") == "“a␣b↵”"
    assert say.listing(["a", "b", "c"]) == "a, b and c"
    assert say.plain("cell state $c_t$\n(unit 3)") == "cell state c_t (unit 3)"


# --- Chapter 1 ---


def test_one_hot_matrix_spells_the_text_and_names_the_outlined_row():
    data = DataHandler("hello")
    plain = alt(plots.one_hot_matrix(data))
    assert "4 rows" in plain and "4 columns" in plain and "“hell”" in plain
    assert "outlined" not in plain
    frames = [alt(plots.one_hot_matrix(data, highlight=t)) for t in range(4)]
    assert len(set(frames)) == 4  # every frame of the slider says which row it shows
    assert "Row t = 3, the input 'l', is outlined" in frames[2]
    assert f"column {data.char_to_index['l']}" in frames[2]
    assert "Row t = 1, the input 'h'" in frames[0]


# --- Chapter 2 ---


def test_unrolled_rnn_names_the_inputs_the_targets_and_the_bold_step():
    text = alt(plots.unrolled_rnn("hel", "ell", highlight=2))
    assert "3 time steps" in text
    assert "'h', 'e' and 'l'" in text and "'e', 'l' and 'l'" in text
    assert "Step t = 2, input 'e', is drawn in bold" in text
    assert "should predict" not in alt(plots.unrolled_rnn("ab"))


def test_next_char_confidences_counts_the_right_answers():
    data = DataHandler("hello")
    uniform = torch.zeros(4, data.num_characters)
    right = uniform.clone()
    right[torch.arange(4), data.y] = 5.0
    before = alt(plots.next_char_confidences(uniform, data, "before training"))
    after = alt(plots.next_char_confidences(right, data, "after 40 steps"))
    assert before.startswith("Before training:")
    assert after.startswith("After 40 steps:")
    assert "at 4 of 4 positions" in after
    assert "0.25" in before  # 1/V for the 4 characters h, e, l, o
    assert "score" in before
    assert "score" not in alt(
        plots.next_char_confidences(right, data, show_scores=False)
    )


# --- Chapter 3 ---


def test_training_curves_give_the_ends_memorization_and_relapses():
    run = history(
        [2.0, 1.0, 0.5, 0.1, 0.05],
        accuracy=[0.0, 0.5, 1.0, 0.75, 1.0],
        memorized_at=2,
    )
    text = alt(plots.training_curves(run, uniform_loss=math.log(4)))
    assert "falls from 2 at step 0 to 0.05 at step 4" in text
    assert "ln V = 1.39" in text
    assert "step 2, where the network memorizes" in text
    assert "drops below 100% again at 1 step, first at step 3" in text
    never = alt(plots.training_curves(history([2.0, 1.9])))
    assert "does not memorize" in never and "ln V" not in never


def test_hidden_state_heatmap_summarises_range_and_standout_units():
    states = torch.zeros(4, 6)
    states[:, 2] = torch.tensor([-0.95, 0.95, -0.95, 0.95])  # unit 2 swings most
    states[1] += 0.1
    text = alt(plots.hidden_state_heatmap(states, "abcd"))
    assert "6 rows" in text and "4 columns" in text
    assert "unit 2 (from -0.95 to 1)" in text or "unit 2 (from -0.95 to 0.95)" in text
    assert "beyond ±0.9" in text


def test_hidden_value_histogram_gives_the_shares_from_the_values():
    states = torch.tensor([[0.95, -0.97, 0.1, 0.2], [0.3, -0.92, 0.0, 0.6]])  # 8 values
    text = alt(plots.hidden_value_histogram(states, bins=4))
    assert "all 8 hidden values, in 4 bars" in text
    assert "37.5% are beyond ±0.9" in text or "38% are beyond ±0.9" in text
    assert "50% within ±0.5" in text
    other = alt(plots.hidden_value_histogram(torch.zeros(2, 3), bins=4))
    assert "0% are beyond" in other and "100% within ±0.5" in other


def test_lstm_cell_diagram_says_the_path_and_what_the_belt_keeps():
    plain = alt(plots.lstm_cell_diagram())
    assert "forget gate f_t" in plain and "hidden state h_t" in plain
    kept = alt(plots.lstm_cell_diagram(forget=0.9))
    assert "keeps 90% of the cell state a step, 0.0424 of it after 30 steps" in kept
    with pytest.raises(InvalidValueError, match="between 0 and 1"):
        plots.lstm_cell_diagram(forget=1.5)


def test_memorization_study_gives_each_median_and_the_failures():
    text = alt(plots.memorization_study({4: [400, None, 300], 16: [60, 70, 80]}, 500))
    assert "H = 4: median 300 steps" in text
    assert "1 of 3 runs not memorized" in text
    assert "H = 16: median 70 steps (from 60 to 80)" in text


def test_training_snapshot_frames_each_say_their_step_loss_and_text():
    data = DataHandler("hello")
    run = history([1.5, 1.0, 0.6, 0.3])
    logits = torch.zeros(4, data.num_characters)
    first = alt(plots.training_snapshot(data, logits, run, 0, "hhhhh"))
    logits[torch.arange(4), data.y] = 8.0
    last = alt(plots.training_snapshot(data, logits, run, 3, "hello"))
    assert first.startswith("After 0 training steps")
    assert last.startswith("After 3 training steps")
    assert "this step's loss, 1.386" in first  # ln 4: a uniform guess
    assert "writes “hhhhh”" in first and "writes “hello”" in last
    assert "at 4 of 4 positions" in last


# --- Chapter 4 ---


def test_gradient_norm_vs_length_describes_each_scale():
    lengths = torch.arange(1, 21.0)
    text = alt(plots.gradient_norm_vs_length({0.5: 0.5**lengths, 1.5: 1.5**lengths}))
    assert "largest singular value 0.5 it falls from 0.5 at T = 1" in text
    assert (
        "largest singular value 1.5 it rises from 1.5 at T = 1 to 3325 at T = 20"
        in text
    )
    assert "bound" in text
    assert "bound" not in alt(
        plots.gradient_norm_vs_length({0.5: 0.5**lengths}, show_bound=False)
    )


def test_loss_wall_names_the_start_the_arrows_and_the_wall():
    w, b = torch.linspace(0, 3, 7), torch.linspace(-1, 1, 5)
    loss = torch.zeros(5, 7)
    loss[3:, :] = 2.0  # a wall between b = 0 and b = 0.5
    text = alt(
        plots.loss_wall(
            w, b, loss, (1.0, 0.0), {"step": (100.0, 50.0), "clipped": (0.1, 0.05)}
        )
    )
    assert "the step (length 112) leaves the plot" in text
    assert "the clipped (length 0.112) ends inside the plot" in text
    assert "between b = 0 and 0.5, from 0 to 2" in text


# --- Chapter 5 ---


def test_exploding_runs_give_each_run_its_peak():
    wild = history([3.0, 2.0, 5.0], grad_norm=[10.0, 1000.0, float("inf")])
    calm = history([3.0, 2.0, 1.0], memorized_at=3)
    text = alt(plots.exploding_runs({"free": wild, "clipped": calm}))
    assert "The run “free”: the loss" in text and "peaks at 1000 at step 2" in text
    assert (
        "The run “clipped”: the loss falls from 3 at step 1 to 1 at step 3; it " in text
    )
    assert "it memorizes at step 3" in text


def test_clamp_vs_clip_gives_the_vectors_and_angles():
    g = torch.tensor([3.0, 0.8])
    frames = {
        c: alt(plots.clamp_vs_clip(g, g.clamp(-c, c), g * min(1, c / g.norm()), c))
        for c in (0.5, 1.0)
    }
    assert frames[0.5] != frames[1.0]
    assert "g = (3, 0.8)" in frames[1.0]
    assert "clamped element by element to ±1" in frames[1.0]
    assert "it becomes (1, 0.8), 23.7° off" in frames[1.0]
    assert "0.0° off" in frames[1.0]  # clipping keeps the direction


def test_largest_gradient_element_says_when_each_clamp_fires():
    text = alt(plots.largest_gradient_element([0.5, 2.0, 0.1, 0.05], [5.0, 0.06]))
    assert "peaking at 2 at step 2" in text
    assert "clamp at 5 is above the curve at every step, so it never fires" in text
    assert "clamp at 0.06 is below it at 3 of 4 steps" in text


# --- Chapter 6 ---


def test_temperature_distributions_name_the_favourite_at_each_temperature():
    chars = list("abc")
    text = alt(
        plots.temperature_distributions(
            {
                0.5: torch.tensor([0.9, 0.08, 0.02]),
                2.0: torch.tensor([0.4, 0.35, 0.25]),
            },
            chars,
            "the ",
        )
    )
    assert "after “the␣”" in text
    assert (
        "at temperature 0.5, 'a' gets 0.9 and the next most likely, 'b', 0.08" in text
    )
    assert "at temperature 2, 'a' gets 0.4" in text


def test_entropy_vs_temperature_gives_the_ends_the_limits_and_the_dots():
    temps = torch.tensor([0.1, 1.0, 10.0])
    text = alt(
        plots.entropy_vs_temperature(
            temps, torch.tensor([0.2, 1.5, 3.0]), 10, marked={1.0: 1.5}
        )
    )
    assert "rises from 0.2 bits at temperature 0.1 to 3 bits at temperature 10" in text
    assert "log2 V = 3.32 bits" in text
    assert "Dots mark temperature 1 (1.5 bits)" in text


def test_sampling_tradeoff_lists_both_panels():
    text = alt(plots.sampling_tradeoff([0, 1.0], [1, 12], [1.0, 0.75]))
    assert "1 at temperature 0 (greedy) and 12 at temperature 1" in text
    assert "100% at temperature 0 (greedy) and 75% at temperature 1" in text


# --- Chapter 7 ---


def test_batch_layout_says_what_each_row_and_batch_reads():
    text = alt(plots.batch_layout("abcdefghijklmnopqrstuvwxyz", 3, 2))
    assert "row 0 reads positions 0 to 11 and row 1 reads positions 12 to 23" in text
    assert "positions 24 to 25 (“yz”) are grey" in text
    assert "batch 0 holds “abc” and “mno”" in text
    assert "4 batches" in text
    assert alt(plots.batch_layout("abcdefghij", 2, 2)) != text


def test_truncated_bptt_names_the_windows_and_the_cuts():
    text = alt(plots.truncated_bptt(3, 2))
    assert "6 time steps in 3 windows of 2 steps" in text
    assert "after steps 2 and 4" in text
    one = alt(plots.truncated_bptt(1, 4))
    assert "1 window of 4" in one and "scissors" not in one


def test_corpus_learning_curves_give_training_validation_and_baseline():
    run = CorpusHistory(
        loss=[(5.0 - 0.01 * k) * LN2 for k in range(200)],
        validation_steps=[50, 100, 150, 200],
        validation_loss=[bpc * LN2 for bpc in (4.0, 3.5, 3.2, 3.3)],
        chars_per_step=1000,
    )
    text = alt(plots.corpus_learning_curves(run, uniform_bpc=math.log2(65)))
    assert "1 to 200 (0.2 million characters read)" in text
    assert "a running mean of 8 steps" in text
    assert "lowest 3.2 at step 150" in text
    assert "log2 V = 6.02 bits" in text


# --- Chapter 8 ---


def test_gradient_reach_gives_each_cell_and_the_value_at_the_mark():
    norms = {"RNN": 0.5 ** torch.arange(1, 21.0), "LSTM": torch.ones(20)}
    text = alt(plots.gradient_reach({"before training": norms}, mark=11))
    assert "Before training: RNN falls from 0.5 at T = 1" in text
    assert "(4.88e-4 at T = 11)" in text
    assert "LSTM stays at 1" in text
    assert "dotted line marks T = 11" in text


def test_decisive_predictions_give_the_right_characters_probability():
    probabilities = {
        "RNN": torch.tensor([[0.6, 0.4], [0.5, 0.5]]),
        "LSTM": torch.tensor([[0.02, 0.98], [0.97, 0.03]]),
    }
    text = alt(
        plots.decisive_predictions(
            probabilities, ["a", "b"], ["b", "a"], ["line 1 (t = 3)", "line 2 (t = 8)"]
        )
    )
    assert "Line 1 (t = 3), the right next character is 'b'" in text
    assert "RNN 0.4 (it favours 'a', 0.6) and LSTM 0.98" in text
    assert "LSTM 0.97" in text


def test_unit_traces_give_each_trace_its_low_and_high():
    c = torch.tensor([0.0, 0.5, 1.0, -0.2])
    text = alt(plots.unit_traces({"cell state $c_t$\n(unit 3)": c}, "ab\nc"))
    assert "Cell state c_t (unit 3) starts at 0 and ends at -0.2" in text
    assert "highest, 1, at t = 3 (input newline)" in text
    assert "lowest, -0.2, at t = 4 (input 'c')" in text


# --- Every figure is covered ---

# Which test reads each figure's alt text: (test module, test function). A new figure
# in plots.__all__ needs its line here, and the check below runs that test to see it
# draws the figure and reads the alt text of what it drew.
ALT_TEXT_TESTS = {
    "long_run_curves": (
        "test_plots_chapter7",
        "test_long_run_curves_draw_each_run_and_say_its_best",
    ),
    "one_hot_matrix": (
        "test_plots_alt",
        "test_one_hot_matrix_spells_the_text_and_names_the_outlined_row",
    ),
    "unrolled_rnn": (
        "test_plots_alt",
        "test_unrolled_rnn_names_the_inputs_the_targets_and_the_bold_step",
    ),
    "next_char_confidences": (
        "test_plots_alt",
        "test_next_char_confidences_counts_the_right_answers",
    ),
    "training_curves": (
        "test_plots_alt",
        "test_training_curves_give_the_ends_memorization_and_relapses",
    ),
    "hidden_state_heatmap": (
        "test_plots_alt",
        "test_hidden_state_heatmap_summarises_range_and_standout_units",
    ),
    "hidden_value_histogram": (
        "test_plots_alt",
        "test_hidden_value_histogram_gives_the_shares_from_the_values",
    ),
    "lstm_cell_diagram": (
        "test_plots_alt",
        "test_lstm_cell_diagram_says_the_path_and_what_the_belt_keeps",
    ),
    "memorization_study": (
        "test_plots_alt",
        "test_memorization_study_gives_each_median_and_the_failures",
    ),
    "training_snapshot": (
        "test_plots_alt",
        "test_training_snapshot_frames_each_say_their_step_loss_and_text",
    ),
    "gradient_norm_vs_length": (
        "test_plots_alt",
        "test_gradient_norm_vs_length_describes_each_scale",
    ),
    "loss_wall": (
        "test_plots_alt",
        "test_loss_wall_names_the_start_the_arrows_and_the_wall",
    ),
    "exploding_runs": (
        "test_plots_alt",
        "test_exploding_runs_give_each_run_its_peak",
    ),
    "clamp_vs_clip": (
        "test_plots_alt",
        "test_clamp_vs_clip_gives_the_vectors_and_angles",
    ),
    "largest_gradient_element": (
        "test_plots_alt",
        "test_largest_gradient_element_says_when_each_clamp_fires",
    ),
    "matrix_stretch": (
        "test_plots_chapter4",
        "test_matrix_stretch_describes_the_ellipse_from_the_matrix",
    ),
    "wall_runs": (
        "test_plots_chapter4",
        "test_wall_runs_follows_each_path_and_says_where_it_ends",
    ),
    "temperature_distributions": (
        "test_plots_alt",
        "test_temperature_distributions_name_the_favourite_at_each_temperature",
    ),
    "entropy_vs_temperature": (
        "test_plots_alt",
        "test_entropy_vs_temperature_gives_the_ends_the_limits_and_the_dots",
    ),
    "sampling_tradeoff": (
        "test_plots_alt",
        "test_sampling_tradeoff_lists_both_panels",
    ),
    "batch_layout": (
        "test_plots_alt",
        "test_batch_layout_says_what_each_row_and_batch_reads",
    ),
    "truncated_bptt": (
        "test_plots_alt",
        "test_truncated_bptt_names_the_windows_and_the_cuts",
    ),
    "corpus_learning_curves": (
        "test_plots_alt",
        "test_corpus_learning_curves_give_training_validation_and_baseline",
    ),
    "fair_learning_curves": (
        "test_plots_chapter7",
        "test_fair_learning_curves_add_the_training_slice_and_say_the_gap",
    ),
    "gradient_reach": (
        "test_plots_alt",
        "test_gradient_reach_gives_each_cell_and_the_value_at_the_mark",
    ),
    "decisive_predictions": (
        "test_plots_alt",
        "test_decisive_predictions_give_the_right_characters_probability",
    ),
    "unit_traces": (
        "test_plots_alt",
        "test_unit_traces_give_each_trace_its_low_and_high",
    ),
    "race_by_dashes": (
        "test_plots_chapter8",
        "test_race_by_dashes_counts_seeds_and_says_so",
    ),
}


def test_every_figure_function_has_an_alt_text_test():
    # show_char writes a character for a tick label; it draws no figure.
    figures = set(plots.__all__) - {"show_char"}
    unlisted = sorted(figures - set(ALT_TEXT_TESTS))
    assert not unlisted, f"no alt-text test listed in ALT_TEXT_TESTS for {unlisted}"
    gone = sorted(set(ALT_TEXT_TESTS) - figures)
    assert not gone, f"ALT_TEXT_TESTS lists {gone}, which plots.__all__ does not"


class _ReadingLog(WeakKeyDictionary):
    """hello_rnn.alt_text's store of alt texts, remembering which figures were read."""

    def __init__(self):
        super().__init__()
        self.read = []

    def get(self, key, default=None):
        self.read.append(key)
        return super().get(key, default)


@pytest.mark.parametrize("name", sorted(ALT_TEXT_TESTS))
def test_the_listed_test_reads_the_alt_text_of_its_figure(name, monkeypatch):
    module, function = ALT_TEXT_TESTS[name]
    test = getattr(importlib.import_module(module), function)
    draw, drawn = getattr(plots, name), []

    def drawing(*args, **kwargs):
        drawn.append(draw(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(plots, name, drawing)
    log = _ReadingLog()
    monkeypatch.setattr(alt_text, "_ALT_TEXTS", log)
    test()
    assert drawn, f"{function} never calls plots.{name}"
    assert any(figure is read for figure in drawn for read in log.read), (
        f"{function} never reads the alt text of a figure plots.{name} drew"
    )
    for figure in drawn:
        plt.close(figure)
