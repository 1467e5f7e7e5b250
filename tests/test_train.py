"""The training loop: memorizing "Hello, RNN!", gradient clamping, the history, errors."""

import copy
import inspect
import math

import pytest
import torch
from torch import nn

from hello_rnn import (
    DataHandler,
    HelloRNN,
    InvalidTypeError,
    InvalidValueError,
    TrainingDivergedError,
    clamp_gradients_,
    generate,
    gradient_norm,
    train,
    train_on_corpus,
    train_step,
)


def _with_gradients(*grads):
    params = [nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    return params


def test_clamp_bounds_every_element_and_reports_the_fraction_it_changed():
    params = _with_gradients(
        torch.tensor([0.5, 2.0, -3.0, 1.0]), torch.tensor([[-0.2, -1.5], [0.0, 7.0]])
    )
    params.append(nn.Parameter(torch.zeros(3)))  # no gradient: skipped, not counted
    fraction = clamp_gradients_(params, 1.0)
    assert fraction == pytest.approx(
        4 / 8
    )  # 2.0, -3.0, -1.5, 7.0; exactly 1.0 is inside the range
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
        assert history.memorized_at is not None, (
            f"seed {seed} did not memorize in {history.steps} steps"
        )
        assert generate(net, hello, prefix="H") == "Hello, RNN!", f"seed {seed}"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_memorized_at_is_the_first_step_after_which_every_character_is_right(
    hello, seed
):
    """Not a step late: before that step the network still got one wrong, and training
    stops right after it, with every character right."""
    torch.manual_seed(seed)
    net = HelloRNN(hello.num_characters, 50)
    history = train(net, hello)
    k = history.memorized_at
    assert k is not None and history.steps == k
    # history.accuracy[k - 1] was measured before step k: with the weights after step k - 1
    assert history.accuracy[k - 1] < 1.0
    with torch.no_grad():
        logits, _ = net(hello.X)
    assert (logits.argmax(dim=-1) == hello.y).all()


def test_history_has_one_entry_per_step(hello):
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50)
    history = train(net, hello, steps=7, stop_when_memorized=False)
    assert history.steps == 7
    for values in (
        history.loss,
        history.accuracy,
        history.grad_norm,
        history.clipped_grad_norm,
    ):
        assert len(values) == 7 and all(math.isfinite(v) for v in values)
    assert len(history.clamped_fraction) == 7 and all(
        0 <= f <= 1 for f in history.clamped_fraction
    )
    assert history.loss[0] == pytest.approx(
        math.log(hello.num_characters), abs=0.3
    )  # a guess among 9


def test_training_can_go_on_after_memorizing(hello):
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50)
    history = train(net, hello, steps=150, stop_when_memorized=False)
    assert history.steps == 150
    assert history.memorized_at is not None and history.memorized_at < 150


def test_clip_norm_bounds_the_gradient_norm(hello):
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50)
    history = train(
        net, hello, steps=10, clamp=None, clip_norm=0.1, stop_when_memorized=False
    )
    assert all(norm <= 0.1 + 1e-5 for norm in history.clipped_grad_norm)
    assert max(history.grad_norm) > 0.1  # the clip did something


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"steps": 0}, InvalidValueError, "steps must be a positive integer"),
        ({"steps": -5}, InvalidValueError, "steps must be a positive integer"),
        ({"steps": 2.5}, InvalidTypeError, "steps must be a positive integer"),
        ({"steps": True}, InvalidTypeError, "steps must be a positive integer"),
        ({"lr": 0}, InvalidValueError, "lr must be greater than 0"),
        ({"lr": -0.1}, InvalidValueError, "lr must be greater than 0"),
        ({"lr": float("nan")}, InvalidValueError, "lr must be a finite number"),
        ({"lr": float("inf")}, InvalidValueError, "lr must be a finite number"),
        ({"lr": "fast"}, InvalidTypeError, "lr must be a number"),
        ({"clamp": 0}, InvalidValueError, "clamp must be greater than 0"),
        ({"clamp": -1.0}, InvalidValueError, "clamp must be greater than 0"),
        (
            {"clamp": None, "clip_norm": 0},
            InvalidValueError,
            "clip_norm must be greater than 0",
        ),
        (
            {"clamp": 1.0, "clip_norm": 1.0},
            InvalidValueError,
            "either clamp or clip_norm",
        ),
        (
            {"optimizer": "rmsprop"},
            InvalidValueError,
            "optimizer must be 'adam' or 'sgd'",
        ),
    ],
)
def test_bad_training_arguments_are_reported_before_any_step(
    hello, kwargs, error, match
):
    net = HelloRNN(hello.num_characters, 8)
    before = [p.detach().clone() for p in net.parameters()]
    with pytest.raises(error, match=match):
        train(net, hello, **kwargs)
    assert all(torch.equal(b, p) for b, p in zip(before, net.parameters()))


def test_data_must_be_a_data_handler(hello):
    with pytest.raises(InvalidTypeError, match="data must be a DataHandler"):
        train(HelloRNN(9, 8), "Hello, RNN!")
    with pytest.raises(InvalidTypeError, match="data must be a DataHandler"):
        train(HelloRNN(9, 8), hello.vocabulary)


class _NaNFromCall(nn.Module):
    """Wraps a network; from its `call`-th training forward on (one that records a graph,
    one a step), every logit is NaN (as if a weight had blown up)."""

    def __init__(self, net: nn.Module, call: int) -> None:
        super().__init__()
        self.net, self.call, self.calls = net, call, 0

    def forward(self, x, h0=None):
        self.calls += torch.is_grad_enabled()  # not train()'s look after each step
        logits, h = self.net(x, h0)
        return (logits * math.nan if self.calls >= self.call else logits), h


def test_non_finite_loss_raises_naming_the_step_and_keeps_the_history(hello):
    torch.manual_seed(0)
    net = _NaNFromCall(HelloRNN(hello.num_characters, 50), call=4)
    with pytest.raises(
        TrainingDivergedError, match="the loss became nan at step 4"
    ) as caught:
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


def _adam_pair(net: nn.Module, lr: float = 0.01):
    """`net`, an exact copy, and an Adam for each (one for train_step, one by hand)."""
    twin = copy.deepcopy(net)
    return (
        net,
        torch.optim.Adam(net.parameters(), lr=lr),
        twin,
        torch.optim.Adam(twin.parameters(), lr=lr),
    )


@pytest.mark.parametrize(
    "settings",
    [{}, {"clamp": 0.01}, {"clip_norm": 0.05}],
    ids=["none", "clamp", "clip"],
)
def test_train_step_is_the_seven_steps(hello, settings):
    torch.manual_seed(0)
    net, optimizer, twin, twin_optimizer = _adam_pair(HelloRNN(9, 16))
    result = train_step(net, optimizer, hello.X, hello.y, **settings)

    twin_optimizer.zero_grad()
    logits, h = twin(hello.X)
    loss = nn.CrossEntropyLoss()(logits, hello.y)
    loss.backward()
    parameters = list(twin.parameters())
    norm = gradient_norm(parameters)
    if "clamp" in settings:
        nn.utils.clip_grad_value_(parameters, settings["clamp"])
    if "clip_norm" in settings:
        nn.utils.clip_grad_norm_(parameters, settings["clip_norm"])
    twin_optimizer.step()

    assert result.loss == loss.item()
    assert torch.equal(result.logits, logits) and not result.logits.requires_grad
    assert torch.equal(result.hidden, h) and not result.hidden.requires_grad
    assert result.grad_norm == norm
    assert result.clipped_grad_norm == pytest.approx(gradient_norm(parameters))
    for mine, theirs in zip(net.parameters(), twin.parameters()):
        assert torch.equal(mine, theirs)
    if settings:  # the safety net did something
        assert result.clipped_grad_norm < result.grad_norm
    else:
        assert result.clipped_grad_norm == result.grad_norm
    assert (result.clamped_fraction > 0) == ("clamp" in settings)


def test_train_step_starts_a_batch_from_a_hidden_state_and_hands_on_the_next():
    torch.manual_seed(0)
    net = HelloRNN(5, 8, cell="scratch")
    x = nn.functional.one_hot(torch.randint(0, 5, (3, 4)), 5).float()  # [B, T, V]
    y = torch.randint(0, 5, (3, 4))  # [B, T]
    h0 = torch.randn(3, 8)  # [B, H]
    logits, h = net(x, h0)
    loss = nn.functional.cross_entropy(logits.reshape(-1, 5), y.reshape(-1))
    result = train_step(net, torch.optim.SGD(net.parameters(), lr=0.1), x, y, h0)
    assert result.logits.shape == (3, 4, 5) and torch.equal(result.logits, logits)
    assert torch.equal(result.hidden, h) and not result.hidden.requires_grad
    assert result.loss == pytest.approx(loss.item())


@pytest.mark.parametrize(
    ("settings", "error", "match"),
    [
        ({"clamp": 1.0, "clip_norm": 1.0}, InvalidValueError, "either clamp or"),
        ({"clamp": -1.0}, InvalidValueError, "clamp must be greater than 0"),
        ({"clip_norm": "long"}, InvalidTypeError, "clip_norm must be a number"),
    ],
)
def test_train_step_checks_its_safety_net_before_touching_the_weights(
    hello, settings, error, match
):
    net = HelloRNN(9, 8)
    before = [p.detach().clone() for p in net.parameters()]
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    with pytest.raises(error, match=match):
        train_step(net, optimizer, hello.X, hello.y, **settings)
    assert all(torch.equal(b, p) for b, p in zip(before, net.parameters()))


def test_train_is_train_step_repeated(hello):
    torch.manual_seed(0)
    net, optimizer, twin, _ = _adam_pair(HelloRNN(9, 16), lr=0.001)
    history = train(twin, hello, steps=5, stop_when_memorized=False)
    losses = [
        train_step(net, optimizer, hello.X, hello.y, clamp=1.0).loss for _ in range(5)
    ]
    assert history.loss == losses
    for mine, theirs in zip(net.parameters(), twin.parameters()):
        assert torch.equal(mine, theirs)


def test_the_two_loops_take_their_shared_settings_alike():
    shared = ["steps", "lr", "clamp", "clip_norm", "seed", "device", "progress"]
    signatures = [
        inspect.signature(loop).parameters for loop in (train, train_on_corpus)
    ]
    for parameters in signatures:
        keyword_only = [
            name for name, p in parameters.items() if p.kind is p.KEYWORD_ONLY
        ]
        assert keyword_only[: len(shared)] == shared
    train_defaults, corpus_defaults = (
        {name: parameters[name].default for name in shared} for parameters in signatures
    )
    assert train_defaults == corpus_defaults


class _StopsAtCall(nn.Module):
    """Wraps a network; its `call`-th forward raises `error`, as a Ctrl-C would."""

    def __init__(self, net: nn.Module, call: int, error: type[BaseException]) -> None:
        super().__init__()
        self.net, self.call, self.calls, self.error = net, call, 0, error

    def forward(self, x, h0=None):
        self.calls += 1
        if self.calls >= self.call:
            raise self.error()
        return self.net(x, h0)


@pytest.mark.parametrize(
    ("wrap", "error"),
    [
        (lambda net: _NaNFromCall(net, call=2), TrainingDivergedError),
        (lambda net: _StopsAtCall(net, 2, KeyboardInterrupt), KeyboardInterrupt),
    ],
    ids=["diverged", "interrupted"],
)
def test_the_progress_bar_closes_however_training_ends(
    hello, progress_bars, wrap, error
):
    net = wrap(HelloRNN(hello.num_characters, 8))
    with pytest.raises(error):
        train(net, hello, stop_when_memorized=False, progress=True)
    [bar] = progress_bars
    assert bar.n == 1  # one step was taken
    assert bar.disable  # tqdm's mark of a closed bar


def test_seed_everything_seeds_python_numpy_and_torch():
    import random

    import numpy as np

    from hello_rnn import seed_everything

    draws = []
    for _ in range(2):
        assert seed_everything(7) == 7
        draws.append((random.random(), np.random.rand(), torch.rand(1).item()))
    assert draws[0] == draws[1]
    seed_everything(8)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) != draws[0]


@pytest.mark.parametrize(
    ("seed", "error"), [(-1, ValueError), (2**32, ValueError), (1.5, TypeError)]
)
def test_seed_everything_refuses_a_bad_seed(seed, error):
    from hello_rnn import seed_everything

    with pytest.raises(error, match="seed"):
        seed_everything(seed)


def test_train_step_is_called_from_one_loop_only():
    # train(), train_on_corpus() and the race are adapters around run_steps: the
    # loop that repeats the seven steps is written once.
    import ast
    from pathlib import Path

    import hello_rnn

    callers = []
    for path in Path(hello_rnn.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None))
                    == "train_step"
                ):
                    callers.append(f"{path.name}:{function.name}")
    assert callers == ["train.py:run_steps"]


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_every_trainer_gives_the_network_back_in_the_mode_it_was_given(mode, hello):
    from hello_rnn import Vocabulary, default_corpus, train_on_corpus
    from hello_rnn.race import line_task, train_lines

    text = default_corpus(max_chars=2_000)
    vocabulary = Vocabulary(set(text))
    task = line_task(3)
    runs = [
        (HelloRNN(hello.num_characters, 8), lambda n: train(n, hello, steps=2)),
        (
            HelloRNN(vocabulary.num_characters, 8),
            lambda n: train_on_corpus(
                n, vocabulary, text, steps=2, seq_len=8, batch_size=2
            ),
        ),
        (
            HelloRNN(task.vocabulary.num_characters, 8),
            lambda n: train_lines(n, task, steps=2),
        ),
    ]
    for net, trainer in runs:
        net.train(mode == "train")
        trainer(net)
        assert net.training == (mode == "train")
