"""Chapter 4's figures: each is a Figure with labelled axes and refuses bad input."""

import pytest

pytest.importorskip("matplotlib")

import torch  # noqa: E402
from figure_checks import assert_labelled  # noqa: E402

from hello_rnn import History, InvalidValueError, plots  # noqa: E402


def test_gradient_norm_vs_length_draws_one_curve_and_one_bound_per_scale():
    fig = plots.gradient_norm_vs_length(
        {0.5: 0.5 ** torch.arange(1, 11.0), 1.5: 1.5 ** torch.arange(1, 11.0)}
    )
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert len([line for line in ax.get_lines() if len(line.get_xdata()) == 10]) == 4
    assert_labelled(fig)
    with pytest.raises(InvalidValueError, match="norms"):
        plots.gradient_norm_vs_length({})


def test_loss_wall_checks_the_grid_shape():
    w, b = torch.linspace(0, 3, 7), torch.linspace(-1, 1, 5)
    loss = torch.rand(5, 7)
    assert_labelled(
        plots.loss_wall(
            w, b, loss, (1.0, 0.0), {"step": (100.0, 50.0), "clipped": (0.1, 0.05)}
        )
    )
    with pytest.raises(InvalidValueError, match="shape"):
        plots.loss_wall(w, b, loss.T, (1.0, 0.0), {})


def test_exploding_runs_and_largest_gradient_element():
    history = History(
        loss=[3.0, 2.0],
        accuracy=[0.1, 0.5],
        grad_norm=[10.0, 1.0],
        clipped_grad_norm=[1.0, 1.0],
        clamped_fraction=[0.5, 0.0],
    )
    assert_labelled(plots.exploding_runs({"run": history}))
    assert_labelled(plots.largest_gradient_element([0.1, 0.05], [1.0, 0.05]))
    with pytest.raises(InvalidValueError):
        plots.exploding_runs({})
    with pytest.raises(InvalidValueError):
        plots.largest_gradient_element([], [1.0])


def test_clamp_vs_clip_wants_two_dimensional_vectors():
    g = torch.tensor([3.0, 0.8])
    assert_labelled(plots.clamp_vs_clip(g, g.clamp(-1, 1), g / g.norm(), 1.0))
    with pytest.raises(InvalidValueError, match="shape"):
        plots.clamp_vs_clip(torch.ones(3), torch.ones(3), torch.ones(3), 1.0)
