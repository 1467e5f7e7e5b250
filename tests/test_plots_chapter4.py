"""Chapters 4 and 5's figures: each is a Figure with labelled axes and refuses bad input."""

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


def test_matrix_stretch_describes_the_ellipse_from_the_matrix():
    from hello_rnn.alt_text import alt_of

    fig = plots.matrix_stretch(torch.tensor([[1.2, 0.6], [0.0, 0.7]]))
    text = alt_of(fig)
    sigma = torch.linalg.matrix_norm(torch.tensor([[1.2, 0.6], [0.0, 0.7]]), ord=2)
    assert f"sigma max = {sigma.item():.3g}" in text
    assert "scaled by 1.2" in text and "scaled by 0.7" in text
    assert_labelled(fig)
    quarter_turn = plots.matrix_stretch(torch.tensor([[0.0, -1.0], [1.0, 0.0]]))
    assert "complex" in alt_of(quarter_turn)
    assert_labelled(quarter_turn)
    with pytest.raises(InvalidValueError, match="2 x 2"):
        plots.matrix_stretch(torch.eye(3))


def test_wall_runs_follows_each_path_and_says_where_it_ends():
    from hello_rnn.alt_text import alt_of

    w, b = torch.linspace(0, 3, 7), torch.linspace(-1, 1, 5)
    loss = torch.rand(5, 7)
    near = torch.tensor([[1.0, 0.0], [1.1, 0.1], [1.2, 0.1]])
    away = torch.tensor([[1.0, 0.0], [500.0, 900.0], [500.0, 900.0]])
    fig = plots.wall_runs(
        w,
        b,
        loss,
        {"clipped": near, "no clip": away},
        {"clipped": torch.tensor([1.0, 0.5, 0.0]), "no clip": torch.ones(3) * 0.09},
    )
    text = alt_of(fig)
    assert "leaves the plot at step 1 and ends at w = 500, b = 900" in text
    assert "stays in w 1 to 1.2" in text
    assert_labelled(fig)
    with pytest.raises(InvalidValueError, match="shape"):
        plots.wall_runs(w, b, loss.T, {"a": near}, {"a": torch.ones(3)})
    with pytest.raises(InvalidValueError, match="same"):
        plots.wall_runs(w, b, loss, {"a": near}, {"b": torch.ones(3)})
    with pytest.raises(InvalidValueError, match="K \\+ 1"):
        plots.wall_runs(w, b, loss, {"a": near}, {"a": torch.ones(2)})
