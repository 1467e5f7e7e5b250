"""Chapter 8's figures: each is a Figure with labelled axes and refuses bad input."""

import pytest

pytest.importorskip("matplotlib")

import torch  # noqa: E402
from figure_checks import assert_labelled  # noqa: E402

from hello_rnn import InvalidValueError, plots  # noqa: E402


def test_gradient_reach_draws_one_panel_per_state_and_one_curve_per_cell():
    norms = {"RNN": 0.5 ** torch.arange(1, 21.0), "LSTM": torch.ones(20)}
    fig = plots.gradient_reach({"at initialisation": norms, "trained": norms}, mark=12)
    assert len(fig.axes) == 2 and all(
        ax.get_yscale() == "log" and ax.get_xlabel() for ax in fig.axes
    )
    assert (
        len([line for line in fig.axes[0].get_lines() if len(line.get_xdata()) == 20])
        == 2
    )
    assert_labelled(fig, every_y_axis=False)
    with pytest.raises(InvalidValueError, match="panels"):
        plots.gradient_reach({})
    with pytest.raises(InvalidValueError, match="panels"):
        plots.gradient_reach({"empty": {}})


def test_decisive_predictions_checks_shapes():
    probs = {"RNN": torch.full((2, 4), 0.25), "LSTM": torch.eye(4)[[2, 3]]}
    fig = plots.decisive_predictions(
        probs, ["\n", "-", "a", "b"], ["a", "b"], ["line 1", "line 2"]
    )
    assert len(fig.axes) == 2
    assert_labelled(fig, every_y_axis=False)
    with pytest.raises(InvalidValueError, match="shape"):
        plots.decisive_predictions(
            probs, ["-", "a", "b"], ["a", "b"], ["line 1", "line 2"]
        )
    with pytest.raises(InvalidValueError, match="at least one"):
        plots.decisive_predictions({}, ["a"], ["a"], ["line 1"])


def test_unit_traces_wants_one_value_per_input():
    fig = plots.unit_traces(
        {"cell state": torch.arange(5.0), "forget gate": torch.rand(5)}, "a---a"
    )
    assert len(fig.axes) == 2 and all(ax.get_ylabel() for ax in fig.axes)
    assert_labelled(fig, every_y_axis=False)
    with pytest.raises(InvalidValueError, match="shape"):
        plots.unit_traces({"cell state": torch.arange(4.0)}, "a---a")
    with pytest.raises(InvalidValueError, match="at least one"):
        plots.unit_traces({}, "a")


def test_race_by_dashes_counts_seeds_and_says_so():
    from hello_rnn.alt_text import alt_of

    def entry(solved, seeds, low, high, final):
        return {
            "solved": solved,
            "seeds": seeds,
            "interval": (low, high),
            "final_given": final,
        }

    results = {
        "RNN": {10: entry(10, 10, 0.72, 1.0, 0.99), 20: entry(0, 10, 0.0, 0.28, 0.25)},
        "LSTM": {10: entry(9, 10, 0.6, 0.98, 0.9), 20: entry(5, 10, 0.24, 0.76, 0.51)},
    }
    fig = plots.race_by_dashes(results)
    ax_solved, ax_final = fig.axes
    assert ax_solved.get_ylim()[1] < 1.1 and ax_final.get_ylim()[1] < 1.1
    alt = alt_of(fig)
    assert "share of 10 evaluation seeds" in alt
    assert (
        "RNN: 10/10 at D = 10 (interval 0.72 to 1.00, final 0.99), "
        "0/10 at D = 20 (interval 0.00 to 0.28, final 0.25)"
    ) in alt
    assert "LSTM: 9/10 at D = 10 (interval 0.60 to 0.98, final 0.90)" in alt
    assert_labelled(fig, every_y_axis=True)
    with pytest.raises(InvalidValueError, match="results"):
        plots.race_by_dashes({})
    with pytest.raises(InvalidValueError, match="solved"):
        plots.race_by_dashes({"RNN": {10: entry(4, 3, 0.0, 1.0, 0.5)}})
    with pytest.raises(InvalidValueError, match="interval"):
        plots.race_by_dashes({"RNN": {10: entry(1, 3, 0.5, 0.2, 0.5)}})
