"""HelloRNN and RNNCell: shapes, the scratch cell against nn.RNN, gradients, errors."""

import pytest
import torch

from hello_rnn import HelloRNN, InvalidTypeError, InvalidValueError, RNNCell

V, H = 9, 50


@pytest.mark.parametrize("cell", ["torch", "scratch"])
def test_unbatched_input_gives_logits_per_step_and_one_hidden_state(cell):
    net = HelloRNN(V, H, cell=cell)
    logits, h = net(torch.randn(10, V))
    assert logits.shape == (10, V)
    assert h.shape == (H,)
    logits, h = net(torch.randn(10, V), torch.randn(H))
    assert logits.shape == (10, V) and h.shape == (H,)


@pytest.mark.parametrize("cell", ["torch", "scratch"])
def test_batched_input_gives_a_batch_of_logits_and_hidden_states(cell):
    net = HelloRNN(V, H, cell=cell)
    logits, h = net(torch.randn(4, 7, V))
    assert logits.shape == (4, 7, V)
    assert h.shape == (4, H)
    logits, h = net(torch.randn(4, 7, V), torch.randn(4, H))
    assert logits.shape == (4, 7, V) and h.shape == (4, H)


@pytest.mark.parametrize("cell", ["torch", "scratch"])
def test_last_hidden_state_lets_a_sequence_continue_where_it_stopped(cell):
    torch.manual_seed(0)
    net = HelloRNN(V, H, cell=cell)
    x = torch.randn(2, 8, V)
    whole, h_whole = net(x)
    first, h_first = net(x[:, :5])
    rest, h_rest = net(x[:, 5:], h_first)
    torch.testing.assert_close(torch.cat([first, rest], dim=1), whole)
    torch.testing.assert_close(h_rest, h_whole)


def test_zero_initial_state_is_the_default():
    net = HelloRNN(V, H)
    x = torch.randn(6, V)
    torch.testing.assert_close(net(x)[0], net(x, torch.zeros(H))[0])


@pytest.mark.parametrize(
    ("shape", "h0_shape"),
    [
        ((10, V + 1), None),  # wrong vocabulary size
        ((V,), None),  # no time axis
        ((2, 3, 4, V), None),  # too many axes
        ((10, V), (2, H)),  # batched h0 for unbatched x
        ((4, 10, V), (H,)),  # unbatched h0 for batched x
        ((4, 10, V), (3, H)),  # batch sizes differ
        ((4, 10, V), (4, H + 1)),  # wrong hidden size
    ],
)
def test_badly_shaped_input_is_a_value_error_naming_the_shapes(shape, h0_shape):
    net = HelloRNN(V, H)
    h0 = None if h0_shape is None else torch.zeros(h0_shape)
    with pytest.raises(InvalidValueError, match="must have shape"):
        net(torch.zeros(shape), h0)


def test_input_without_time_steps_is_a_value_error():
    with pytest.raises(InvalidValueError, match="at least one time step"):
        HelloRNN(V, H)(torch.zeros(0, V))


def test_input_of_indices_is_a_type_error():
    with pytest.raises(InvalidTypeError, match="float tensor of one-hot rows"):
        HelloRNN(V, H)(torch.zeros(10, V, dtype=torch.long))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"cell": "transformer"}, InvalidValueError, "cell must be one of"),
        ({"num_hidden": 0}, InvalidValueError, "num_hidden must be a positive integer"),
        (
            {"num_hidden": 2.5},
            InvalidTypeError,
            "num_hidden must be a positive integer",
        ),
        ({"num_chars": -1}, InvalidValueError, "num_chars must be a positive integer"),
        ({"dropout": 1.0}, InvalidValueError, r"dropout must be in \[0, 1\)"),
        ({"dropout": -0.1}, InvalidValueError, "dropout must be at least 0"),
        ({"dropout": "0.5"}, InvalidTypeError, "dropout must be a number"),
    ],
)
def test_bad_hyper_parameters_are_reported(kwargs, error, match):
    args = {"num_chars": V, "num_hidden": H, **kwargs}
    with pytest.raises(error, match=match):
        HelloRNN(**args)


@pytest.mark.parametrize(
    ("start", "twin"), [("torch", "scratch"), ("scratch", "torch")]
)
def test_scratch_cell_computes_what_nn_rnn_computes(start, twin):
    torch.manual_seed(0)
    net = HelloRNN(V, H, cell=start)
    other = net.with_cell(twin)
    assert other.cell_name == twin
    x, h0 = torch.randn(3, 12, V), torch.randn(3, H)
    logits, h = net(x, h0)
    other_logits, other_h = other(x, h0)
    torch.testing.assert_close(other_logits, logits, atol=1e-6, rtol=0)
    torch.testing.assert_close(other_h, h, atol=1e-6, rtol=0)
    for mine, theirs in zip(net.recurrent_weights(), other.recurrent_weights()):
        torch.testing.assert_close(mine, theirs, atol=1e-6, rtol=0)


def test_scratch_cell_is_the_written_out_recurrence():
    torch.manual_seed(0)
    cell = RNNCell(V, H)
    x, h = torch.randn(2, 5, V), torch.randn(2, H)
    hs, h_last = cell(x, h)
    for t in range(5):
        h = torch.tanh(x[:, t] @ cell.W_xh.T + h @ cell.W_hh.T + cell.b_h)
        torch.testing.assert_close(hs[:, t], h)
    torch.testing.assert_close(h_last, h)


def test_scratch_cell_gradients_match_finite_differences():
    torch.manual_seed(0)
    cell = RNNCell(4, 5).double()
    x = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(2, 5, dtype=torch.float64, requires_grad=True)
    weights = tuple(
        p.detach().clone().requires_grad_() for p in (cell.W_xh, cell.W_hh, cell.b_h)
    )

    def run(x, h0, W_xh, W_hh, b_h):
        params = {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}
        return torch.func.functional_call(cell, params, (x, h0))

    assert torch.autograd.gradcheck(run, (x, h0, *weights))


def _ks_distance(a: torch.Tensor, b: torch.Tensor) -> float:
    """Two-sample Kolmogorov-Smirnov statistic: the widest gap between the samples'
    empirical distribution functions (0 for the same sample, 1 for disjoint ones)."""
    a, b = a.detach().flatten().sort().values, b.detach().flatten().sort().values
    points = torch.cat([a, b])
    cdf_a = torch.searchsorted(a, points, right=True) / len(a)
    cdf_b = torch.searchsorted(b, points, right=True) / len(b)
    return (cdf_a - cdf_b).abs().max().item()


def test_scratch_cell_weights_are_initialised_like_nn_rnn():
    """Each weight is drawn from nn.RNN's distribution: uniform in ±1/sqrt(H)."""
    V, H = 65, 256  # enough numbers for the statistics to tell distributions apart
    bound = 1 / H**0.5
    torch.manual_seed(0)
    cell = RNNCell(V, H)
    torch.manual_seed(1)
    reference = torch.nn.RNN(V, H)
    pairs = [
        (cell.W_xh, reference.weight_ih_l0),
        (cell.W_hh, reference.weight_hh_l0),
        (cell.b_h, reference.bias_ih_l0),
    ]
    for mine, theirs in pairs:
        assert mine.shape == theirs.shape
        n = mine.numel()
        # Two samples of n from one distribution differ by more than this one time in
        # ten thousand (the KS critical value at alpha = 1e-4).
        assert _ks_distance(mine, theirs) < 2.23 * (2 / n) ** 0.5, mine.shape
        # And the distribution is nn.RNN's: the whole of ±bound, with its variance.
        assert mine.abs().max() <= bound
        assert mine.abs().max() > bound * (1 - 10 / n)
        # (within five standard errors of the variance of n uniform numbers)
        torch.testing.assert_close(
            mine.var().item(), bound**2 / 3, rtol=5 * (0.8 / n) ** 0.5, atol=0
        )


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_scratch_cell_matches_nn_rnn_on_the_gpu():
    torch.manual_seed(0)
    net = HelloRNN(V, H, cell="torch").cuda()
    twin = net.with_cell("scratch")
    assert twin.readout.weight.is_cuda
    x = torch.randn(3, 12, V, device="cuda")
    # cuDNN may use TF32; compare with a tolerance that allows for it.
    torch.testing.assert_close(twin(x)[0], net(x)[0], atol=1e-3, rtol=1e-3)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_gated_cells_carry_their_state_across_calls(cell, hello):
    """Reading a text in two halves, carrying the state, equals reading it at once.

    (For an LSTM the state is the pair (h, c).)
    """
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 16, cell=cell)
    whole, h_whole = net(hello.X)
    first, h_half = net(hello.X[:4])
    second, h_end = net(hello.X[4:], h_half)
    torch.testing.assert_close(torch.cat([first, second]), whole)
    assert isinstance(h_end, tuple) == (cell == "lstm")
    with pytest.raises(InvalidTypeError, match="h0 must be"):
        net(
            hello.X,
            torch.zeros(16) if cell == "lstm" else (torch.zeros(16), torch.zeros(16)),
        )


def test_gated_cells_have_no_plain_rnn_weights():
    with pytest.raises(InvalidValueError, match="has gates"):
        HelloRNN(4, 3, cell="lstm").recurrent_weights()
    with pytest.raises(InvalidValueError, match="the same maths"):
        HelloRNN(4, 3).with_cell("gru")


@pytest.mark.parametrize("cell", ["scratch", "torch", "lstm"])
def test_dropout_zeroes_hidden_values_while_training_only(cell):
    torch.manual_seed(0)
    net = HelloRNN(V, H, cell=cell, dropout=0.5)
    plain = HelloRNN(V, H, cell=cell)
    plain.load_state_dict(net.state_dict())  # the same weights: dropout has none
    x = torch.eye(V)[torch.randint(V, (3, 7))]  # [B, T, V]
    net.train()
    dropped = [net(x)[0] for _ in range(2)]
    assert not torch.allclose(dropped[0], dropped[1])  # a fresh mask every call
    assert not torch.allclose(dropped[0], plain(x)[0])
    net.eval()
    assert torch.equal(net(x)[0], plain(x)[0])  # eval(): the whole network


def test_no_dropout_draws_no_random_numbers():
    # A network without dropout trains exactly as it did before dropout existed.
    torch.manual_seed(0)
    net = HelloRNN(V, H).train()
    before = torch.get_rng_state()
    net(torch.eye(V)[torch.randint(V, (3, 7))])
    x_drawn = torch.get_rng_state()
    torch.set_rng_state(before)
    torch.randint(V, (3, 7))
    assert torch.equal(x_drawn, torch.get_rng_state())
