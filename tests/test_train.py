"""The training loop: memorizing "Hello, RNN!", gradient clamping, the history, errors."""

import math

import pytest
import torch
from torch import nn

from hello_rnn import (
    DataHandler,
    HelloRNN,
    TrainingDivergedError,
    clamp_gradients_,
    generate,
    gradient_norm,
    train,
)


def _with_gradients(*grads):
    params = [nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    return params


def test_clamp_bounds_every_element_and_reports_the_fraction_it_changed():
    params = _with_gradients(torch.tensor([0.5, 2.0, -3.0, 1.0]), torch.tensor([[-0.2, -1.5], [0.0, 7.0]]))
    params.append(nn.Parameter(torch.zeros(3)))  # no gradient: skipped, not counted
    fraction = clamp_gradients_(params, 1.0)
    assert fraction == pytest.approx(4 / 8)  # 2.0, -3.0, -1.5, 7.0; exactly 1.0 is inside the range
    assert torch.equal(params[0].grad, torch.tensor([0.5, 1.0, -1.0, 1.0]))
    assert torch.equal(params[1].grad, torch.tensor([[-0.2, -1.0], [0.0, 1.0]]))
    assert params[2].grad is None


@pytest.mark.parametrize("clamp", [1e-3, 0.5, 3.0, 1e300])
def test_clamp_equals_torch_clip_grad_value(clamp):
    torch.manual_seed(0)
    grads = [torch.randn(50, 9) * 4, torch.randn(50) * 4]
    ours, theirs = _with_gradients(*grads), _with_gradients(*grads)
    clamp_gradients_(ours, clamp)
    nn.utils.clip_grad_value_(theirs, min(clamp, 1e30))
    for mine, reference in zip(ours, theirs):
        assert mine.grad.abs().max() <= clamp
        assert torch.equal(mine.grad, reference.grad)


def test_gradient_norm_is_the_norm_of_all_gradients_as_one_vector():
    params = _with_gradients(torch.tensor([3.0]), torch.tensor([[4.0, 0.0]]))
    assert gradient_norm(params) == pytest.approx(5.0)
    assert gradient_norm([nn.Parameter(torch.zeros(2))]) == 0.0


@pytest.mark.parametrize("cell", ["torch", "scratch"])
def test_defaults_memorize_hello_rnn_for_ten_seeds_out_of_ten(hello, cell):
    for seed in range(10):
        torch.manual_seed(seed)
        net = HelloRNN(hello.num_characters, 50, cell=cell)
        history = train(net, hello)
        assert history.memorized_at is not None, f"seed {seed} did not memorize in {history.steps} steps"
        assert generate(net, hello, prefix="H") == "Hello, RNN!", f"seed {seed}"


def test_history_has_one_entry_per_step(hello):
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50)
    history = train(net, hello, steps=7, stop_when_memorized=False)
    assert history.steps == 7
    for values in (history.loss, history.accuracy, history.grad_norm, history.clipped_grad_norm):
        assert len(values) == 7 and all(math.isfinite(v) for v in values)
    assert len(history.clamped_fraction) == 7 and all(0 <= f <= 1 for f in history.clamped_fraction)
    assert history.loss[0] == pytest.approx(math.log(hello.num_characters), abs=0.3)  # a guess among 9


def test_training_can_go_on_after_memorizing(hello):
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50)
    history = train(net, hello, steps=150, stop_when_memorized=False)
    assert history.steps == 150
    assert history.memorized_at is not None and history.memorized_at < 150


def test_clip_norm_bounds_the_gradient_norm(hello):
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50)
    history = train(net, hello, steps=10, clamp=None, clip_norm=0.1, stop_when_memorized=False)
    assert all(norm <= 0.1 + 1e-5 for norm in history.clipped_grad_norm)
    assert max(history.grad_norm) > 0.1  # the clip did something


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"steps": 0}, ValueError, "steps must be a positive integer"),
        ({"steps": -5}, ValueError, "steps must be a positive integer"),
        ({"steps": 2.5}, TypeError, "steps must be a positive integer"),
        ({"steps": True}, TypeError, "steps must be a positive integer"),
        ({"lr": 0}, ValueError, "lr must be greater than 0"),
        ({"lr": -0.1}, ValueError, "lr must be greater than 0"),
        ({"lr": float("nan")}, ValueError, "lr must be a finite number"),
        ({"lr": float("inf")}, ValueError, "lr must be a finite number"),
        ({"lr": "fast"}, TypeError, "lr must be a number"),
        ({"clamp": 0}, ValueError, "clamp must be greater than 0"),
        ({"clamp": -1.0}, ValueError, "clamp must be greater than 0"),
        ({"clamp": 1.0, "clip_norm": 1.0}, ValueError, "either clamp or clip_norm"),
        ({"optimizer": "rmsprop"}, ValueError, "optimizer must be 'adam' or 'sgd'"),
    ],
)
def test_bad_training_arguments_are_reported_before_any_step(hello, kwargs, error, match):
    net = HelloRNN(hello.num_characters, 8)
    before = [p.detach().clone() for p in net.parameters()]
    with pytest.raises(error, match=match):
        train(net, hello, **kwargs)
    assert all(torch.equal(b, p) for b, p in zip(before, net.parameters()))


def test_data_must_be_a_data_handler():
    with pytest.raises(TypeError, match="data must be a DataHandler"):
        train(HelloRNN(9, 8), "Hello, RNN!")


class _NaNFromCall(nn.Module):
    """Wraps a network; from its `call`-th forward on, every logit is NaN (as if a weight had blown up)."""

    def __init__(self, net: nn.Module, call: int) -> None:
        super().__init__()
        self.net, self.call, self.calls = net, call, 0

    def forward(self, x, h0=None):
        self.calls += 1
        logits, h = self.net(x, h0)
        return (logits * math.nan if self.calls >= self.call else logits), h


def test_non_finite_loss_raises_naming_the_step_and_keeps_the_history(hello):
    torch.manual_seed(0)
    net = _NaNFromCall(HelloRNN(hello.num_characters, 50), call=4)
    with pytest.raises(TrainingDivergedError, match="the loss became nan at step 4") as caught:
        train(net, hello, stop_when_memorized=False)
    history = caught.value.history
    assert history.steps == 3
    assert all(math.isfinite(loss) for loss in history.loss)
    assert isinstance(caught.value, FloatingPointError)


def test_a_nan_weight_diverges_at_the_first_step(hello):
    net = HelloRNN(hello.num_characters, 50)
    with torch.no_grad():
        net.readout.bias[0] = math.nan
    with pytest.raises(TrainingDivergedError, match="step 1") as caught:
        train(net, hello)
    assert caught.value.history.steps == 0


def test_training_works_on_any_text():
    data = DataHandler("abcabcabd")
    torch.manual_seed(0)
    net = HelloRNN(data.num_characters, 16, cell="scratch")
    history = train(net, data, steps=3000, lr=0.01)
    assert history.memorized_at is not None
    assert generate(net, data, prefix="a") == "abcabcabd"
