"""Chapter 6's figures: each is a Figure with labelled axes and refuses bad input."""

import pytest

pytest.importorskip("matplotlib")

import torch  # noqa: E402
from figure_checks import assert_labelled  # noqa: E402

from hello_rnn import InvalidValueError, plots  # noqa: E402


def test_temperature_distributions_draws_one_panel_of_bars_per_temperature():
    logits = torch.tensor([2.0, 1.0, 0.0, -1.0])
    probabilities = {t: torch.softmax(logits / t, dim=0) for t in (0.5, 1.0, 2.0)}
    fig = plots.temperature_distributions(probabilities, list("ab c"), "x ")
    assert len(fig.axes) == 3
    assert all(len(ax.patches) == 4 for ax in fig.axes)
    assert [t.get_text() for t in fig.axes[-1].get_xticklabels()] == [
        "a",
        "b",
        "␣",
        "c",
    ]
    assert_labelled(fig)


def test_temperature_distributions_checks_its_input():
    with pytest.raises(InvalidValueError, match="at least one temperature"):
        plots.temperature_distributions({}, ["a"], "")
    with pytest.raises(InvalidValueError, match=r"shape \[3\]"):
        plots.temperature_distributions({1.0: torch.ones(4) / 4}, ["a", "b", "c"], "")


def test_entropy_vs_temperature_marks_both_limits():
    temps = torch.logspace(-2, 2, 20)
    fig = plots.entropy_vs_temperature(
        temps, torch.linspace(0, 2, 20), num_chars=4, marked={1.0: 1.0}
    )
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    levels = sorted(
        line.get_ydata()[0]
        for line in ax.get_lines()
        if len(set(line.get_ydata())) == 1 and len(line.get_xdata()) == 2
    )
    assert levels == [0, 2.0]  # 0 bits and log2(4) bits
    assert_labelled(fig)
    with pytest.raises(InvalidValueError, match="equal length"):
        plots.entropy_vs_temperature(temps, torch.zeros(3), num_chars=4)
    with pytest.raises(InvalidValueError, match="num_chars"):
        plots.entropy_vs_temperature(temps, torch.zeros(20), num_chars=0)


def test_sampling_tradeoff_labels_greedy_and_checks_lengths():
    fig = plots.sampling_tradeoff([0, 1, 5], [3, 10, 20], [1.0, 0.9, 0.1])
    assert fig.axes[0].get_xticklabels()[0].get_text() == "0\n(greedy)"
    assert list(fig.axes[1].get_lines()[0].get_ydata()) == [100.0, 90.0, 10.0]
    assert_labelled(fig)
    with pytest.raises(InvalidValueError, match="equal length"):
        plots.sampling_tradeoff([0, 1], [3], [1.0, 0.5])
