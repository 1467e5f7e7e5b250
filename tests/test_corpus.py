"""Going bigger: the default corpus, windows and batches for truncated BPTT, and the corpus trainer."""

import copy
import dataclasses
import importlib
import math

import pytest
import torch
from torch import nn

from hello_rnn import (
    HelloRNN,
    InvalidValueError,
    TrainingDivergedError,
    Vocabulary,
    batches,
    batches_per_pass,
    bits_per_character,
    default_corpus,
    gradient_norm,
    split_text,
    train_on_corpus,
    windows,
)
from hello_rnn.batching import VALIDATION_PIECE_CHARS, pass_length
from hello_rnn.corpus import cosine_rate
from hello_rnn.shakespeare import shakespeare_text


@pytest.fixture(scope="module")
def corpus():
    return default_corpus(max_chars=30_000)


def test_default_corpus_is_the_shipped_shakespeare():
    text = default_corpus()
    assert text == shakespeare_text() and len(text) > 1_000_000
    assert default_corpus() == text
    assert "FIRST CITIZEN.\n" in text and "MACBETH.\n" in text
    assert default_corpus(max_chars=1000) == text[:1000]


@pytest.mark.parametrize(
    ("bad", "error"), [(0, ValueError), (-5, ValueError), (2.5, TypeError)]
)
def test_default_corpus_wants_a_positive_max_chars(bad, error):
    with pytest.raises(error, match="max_chars"):
        default_corpus(max_chars=bad)


def test_windows_targets_are_the_inputs_shifted_by_one():
    indices = torch.arange(23)
    inputs, targets = windows(indices, 5)
    assert inputs.shape == targets.shape == (4, 5)  # (23 - 1) // 5 windows
    assert torch.equal(inputs.flatten(), indices[:20])
    assert torch.equal(targets.flatten(), indices[1:21])
    assert torch.equal(targets[:, :-1], inputs[:, 1:])


def test_batches_carry_each_row_on_from_the_batch_before():
    indices = torch.arange(1000)
    seq_len, batch_size = 7, 4
    got = list(batches(indices, seq_len, batch_size))
    assert len(got) == (1000 - 1) // (batch_size * seq_len)
    assert all(x.shape == y.shape == (batch_size, seq_len) for x, y in got)
    rows = torch.cat([x for x, _ in got], dim=1)  # [B, n * T]: each row a stream
    targets = torch.cat([y for _, y in got], dim=1)
    for row, target in zip(rows, targets):
        assert torch.equal(
            row, torch.arange(row[0], row[0] + len(row))
        )  # contiguous text
        assert torch.equal(target, row + 1)  # the next character
    starts = rows[:, 0]
    assert torch.equal(
        starts, torch.arange(batch_size) * rows.shape[1]
    )  # streams tile the text, no overlap


@pytest.mark.parametrize(
    ("length", "seq_len", "batch_size", "error", "match"),
    [
        (5, 5, 1, ValueError, "too short for one window"),
        (50, 5, 20, ValueError, "too short for batch_size=20"),
        (50, 0, 2, ValueError, "seq_len must be a positive integer"),
        (50, 5, 0, ValueError, "batch_size must be a positive integer"),
    ],
)
def test_batches_report_a_text_too_short_or_bad_sizes(
    length, seq_len, batch_size, error, match
):
    with pytest.raises(error, match=match):
        next(batches(torch.arange(length), seq_len, batch_size))


def test_windows_want_a_1d_long_tensor():
    with pytest.raises(TypeError, match="1-D LongTensor"):
        windows(torch.zeros(10), 3)
    with pytest.raises(TypeError, match="1-D LongTensor"):
        windows(torch.zeros(2, 10, dtype=torch.long), 3)


@pytest.mark.parametrize("cell", ["scratch", "torch"])
def test_corpus_training_lowers_the_loss_and_reports_validation_bpc(corpus, cell):
    vocabulary = Vocabulary(set(corpus))
    torch.manual_seed(0)
    net = HelloRNN(vocabulary.num_characters, 32, cell=cell)
    history = train_on_corpus(
        net,
        vocabulary,
        corpus,
        seq_len=32,
        batch_size=8,
        steps=40,
        lr=0.01,
        eval_every=20,
        validation_fraction=0.2,
    )
    assert history.steps == 40 and history.chars_per_step == 8 * 32
    assert history.train_bpc[0] == pytest.approx(
        math.log2(vocabulary.num_characters), abs=0.5
    )
    assert sum(history.train_bpc[-5:]) / 5 < history.train_bpc[0] - 1
    assert history.validation_steps == [20, 40]
    assert all(
        math.isfinite(bpc) and 0 < bpc < history.train_bpc[0]
        for bpc in history.validation_bpc
    )
    assert net.training  # the mode it was given in (a new module trains)


def test_no_validation_when_the_fraction_is_zero(corpus):
    vocabulary = Vocabulary(set(corpus))
    net = HelloRNN(vocabulary.num_characters, 8)
    history = train_on_corpus(
        net,
        vocabulary,
        corpus,
        seq_len=16,
        batch_size=4,
        steps=3,
        validation_fraction=0,
    )
    assert (
        history.steps == 3
        and history.validation_bpc == []
        and history.validation_steps == []
    )


def test_training_wraps_around_to_a_new_pass_over_a_short_text():
    text = "abcdefgh" * 20
    vocabulary = Vocabulary(set(text))
    net = HelloRNN(vocabulary.num_characters, 8)
    history = train_on_corpus(
        net,
        vocabulary,
        text,
        seq_len=4,
        batch_size=4,
        steps=25,
        validation_fraction=0.1,
    )
    assert history.steps == 25  # more steps than one pass has batches (8)


def test_the_hidden_state_is_carried_across_windows_and_detached():
    text = (
        "abcdefgh" * 20
    )  # 159 pairs: 4 streams x 4 windows of 8 per pass, so a new pass at step 5
    vocabulary = Vocabulary(set(text))
    net = HelloRNN(vocabulary.num_characters, 8)
    forward, calls = net.forward, []

    def spy(x, h0=None):
        logits, h = forward(x, h0)
        calls.append((h0, h))
        return logits, h

    net.forward = spy
    train_on_corpus(
        net, vocabulary, text, seq_len=8, batch_size=4, steps=6, validation_fraction=0
    )
    assert [h0 is None for h0, _ in calls] == [True, False, False, False, True, False]
    for (_, h_before), (h0, _) in [
        (calls[0], calls[1]),
        (calls[1], calls[2]),
        (calls[4], calls[5]),
    ]:
        assert torch.equal(h0, h_before)  # the same state, carried on
        assert (
            h_before.requires_grad and not h0.requires_grad
        )  # but cut from the window before


def test_bits_per_character_is_the_cross_entropy_in_base_2():
    text = "Hello, RNN! Hello, RNN!"
    vocabulary = Vocabulary(set(text))
    torch.manual_seed(0)
    net = HelloRNN(vocabulary.num_characters, 16)
    indices = vocabulary.encode(text)
    logits, _ = net(vocabulary.one_hot(indices[:-1]))
    expected = nn.functional.cross_entropy(logits, indices[1:]).item() / math.log(2)
    assert bits_per_character(
        net, vocabulary, text, seq_len=len(text) - 1
    ) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"validation_fraction": 1.0},
            InvalidValueError,
            r"validation_fraction must be in \[0, 1\)",
        ),
        (
            {"validation_fraction": -0.1},
            InvalidValueError,
            "validation_fraction must be at least 0",
        ),
        ({"steps": 0}, InvalidValueError, "steps must be a positive integer"),
        ({"lr": float("nan")}, InvalidValueError, "lr must be a finite number"),
        ({"clamp": 0}, InvalidValueError, "clamp must be greater than 0"),
        (
            {"clamp": None, "clip_norm": -1},
            InvalidValueError,
            "clip_norm must be greater than 0",
        ),
        ({"clip_norm": 1.0}, InvalidValueError, "either clamp or clip_norm"),
        ({"seq_len": 10_000}, InvalidValueError, "too short"),
        ({"eval_every": 0}, InvalidValueError, "eval_every must be a positive integer"),
        (
            {"validation_fraction": 0.0001},
            InvalidValueError,
            "the validation text .* has 3 characters",
        ),
    ],
)
def test_bad_corpus_training_arguments(corpus, kwargs, error, match):
    vocabulary = Vocabulary(set(corpus))
    net = HelloRNN(vocabulary.num_characters, 8)
    with pytest.raises(error, match=match):
        train_on_corpus(
            net,
            vocabulary,
            corpus,
            **{"seq_len": 16, "batch_size": 4, "steps": 2, **kwargs},
        )


def test_the_vocabulary_must_fit_the_network_and_the_text(corpus):
    vocabulary = Vocabulary(set(corpus))
    with pytest.raises(ValueError, match="network expects 5"):
        train_on_corpus(HelloRNN(5, 8), vocabulary, corpus, steps=1)
    small = Vocabulary("abc")
    with pytest.raises(ValueError, match="is not in the vocabulary 'abc'"):
        train_on_corpus(HelloRNN(3, 8), small, corpus, steps=1)


def test_a_non_finite_loss_raises_and_keeps_the_earlier_steps(corpus):
    vocabulary = Vocabulary(set(corpus))
    net = HelloRNN(vocabulary.num_characters, 8)
    calls = 0
    forward = net.forward

    def breaks_at_step_4(x, h0=None):
        nonlocal calls
        calls += 1
        logits, h = forward(x, h0)
        return (logits * math.nan if calls >= 4 else logits), h

    net.forward = breaks_at_step_4
    with pytest.raises(TrainingDivergedError, match="at step 4") as caught:
        train_on_corpus(
            net,
            vocabulary,
            corpus,
            seq_len=16,
            batch_size=4,
            steps=10,
            validation_fraction=0,
            eval_every=5,  # checked at every step, not only when scoring
        )
    history = caught.value.history
    assert history.steps == 3 and len(history.grad_norm) == 3
    assert all(math.isfinite(bpc) for bpc in history.train_bpc)
    assert calls == 4  # no step after the one that diverged


def _small_run(corpus, vocabulary=None, **options):
    """A small network trained on `corpus` from seed 0 with `options`."""
    vocabulary = vocabulary or Vocabulary(set(corpus))
    torch.manual_seed(0)
    defaults = {"seq_len": 16, "batch_size": 4, "steps": 20, "lr": 0.01, "seed": 0}
    return train_on_corpus(
        HelloRNN(vocabulary.num_characters, 16),
        vocabulary,
        corpus,
        **{**defaults, "validation_fraction": 0, **options},
    )


def test_clip_norm_rescales_every_step_and_the_norms_are_recorded(corpus, monkeypatch):
    clip = nn.utils.clip_grad_norm_
    returned, after = [], []

    def spy(parameters, max_norm):
        returned.append(clip(parameters, max_norm).item())
        after.append(gradient_norm(parameters))

    monkeypatch.setattr(nn.utils, "clip_grad_norm_", spy)
    history = _small_run(corpus, steps=12, clamp=None, clip_norm=0.2)
    assert len(returned) == len(history.grad_norm) == history.steps == 12
    # the norm before clipping, as clip_grad_norm_ measures it
    assert history.grad_norm == pytest.approx(returned, rel=1e-5)
    assert max(history.grad_norm) > 0.2  # so the clip had work to do
    assert all(norm <= 0.2 + 1e-5 for norm in after)


def test_the_gradient_norm_is_recorded_before_the_clamp(corpus):
    history = _small_run(corpus, steps=5, clamp=1e-4)
    assert len(history.grad_norm) == 5
    # a clamp at 1e-4 bounds the norm of ~4000 elements by 1e-4 * sqrt(4000) < 0.01
    assert min(history.grad_norm) > 0.01


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_corpus_training_on_the_gpu(corpus):
    vocabulary = Vocabulary(set(corpus))
    torch.manual_seed(0)
    net = HelloRNN(vocabulary.num_characters, 64, cell="torch")
    history = train_on_corpus(
        net, vocabulary, corpus, steps=30, lr=0.01, device="cuda", eval_every=15
    )
    assert next(net.parameters()).is_cuda
    assert len(history.validation_bpc) == 2 and all(
        math.isfinite(b) for b in history.validation_bpc
    )
    assert history.train_bpc[-1] < history.train_bpc[0]


def test_an_lstm_trains_on_a_corpus_carrying_its_pair_of_states():
    text = default_corpus(max_chars=5_000)
    vocabulary = Vocabulary(set(text))
    torch.manual_seed(0)
    net = HelloRNN(vocabulary.num_characters, 16, cell="lstm")
    history = train_on_corpus(
        net, vocabulary, text, seq_len=16, batch_size=4, steps=5, seed=0
    )
    assert history.steps == 5 and all(math.isfinite(b) for b in history.train_bpc)


def test_on_eval_sees_every_scoring_and_leaves_training_unchanged(corpus):
    vocabulary = Vocabulary(set(corpus))
    options = {
        "seq_len": 16,
        "batch_size": 4,
        "steps": 7,
        "lr": 0.01,
        "eval_every": 3,
        "seed": 0,
    }
    torch.manual_seed(0)
    plain = train_on_corpus(
        HelloRNN(vocabulary.num_characters, 8), vocabulary, corpus, **options
    )
    seen = []

    def watch(step, net, history):
        seen.append((step, history.steps, len(history.validation_bpc)))
        net.eval()  # as generate() does; training must go on in training mode
        net(vocabulary.one_hot(vocabulary.encode("def ")))

    torch.manual_seed(0)
    watched = train_on_corpus(
        HelloRNN(vocabulary.num_characters, 8),
        vocabulary,
        corpus,
        on_eval=watch,
        **options,
    )
    assert seen == [
        (3, 3, 1),
        (6, 6, 2),
        (7, 7, 3),
    ]  # every eval_every steps, and at the end
    assert (
        watched.train_bpc == plain.train_bpc
        and watched.validation_bpc == plain.validation_bpc
    )

    seen.clear()
    train_on_corpus(
        HelloRNN(vocabulary.num_characters, 8),
        vocabulary,
        corpus,
        on_eval=watch,
        **{**options, "validation_fraction": 0},
    )
    assert [step for step, _, _ in seen] == [
        3,
        6,
        7,
    ]  # called without a validation text too
    with pytest.raises(TypeError, match="on_eval must be a function"):
        train_on_corpus(
            HelloRNN(vocabulary.num_characters, 8),
            vocabulary,
            corpus,
            on_eval="print",
            **options,
        )


def _train_with_adam(corpus, monkeypatch, make_adam):
    """Train a small network with `make_adam(params, **options)` standing in for torch.optim.Adam."""
    monkeypatch.setattr(torch.optim, "Adam", make_adam)
    return _small_run(corpus)


FUSED_ON_CPU = torch.__version__ >= "2.4"  # torch 2.2 and 2.3 fuse Adam on CUDA only


def test_adam_is_fused_exactly_where_this_torch_can(corpus, monkeypatch):
    adam, made = torch.optim.Adam, []

    def spy(params, **options):
        made.append(adam(params, **options))  # raises for fused=True on an older torch
        return made[-1]

    history = _train_with_adam(corpus, monkeypatch, spy)
    [optimizer] = made
    assert bool(optimizer.defaults["fused"]) == FUSED_ON_CPU
    assert history.steps == 20 and history.train_bpc[-1] < history.train_bpc[0]


@pytest.mark.skipif(not FUSED_ON_CPU, reason="torch < 2.4 has no fused Adam on the CPU")
def test_the_fused_adam_trains_as_the_plain_one_does(corpus, monkeypatch):
    adam, options_seen = torch.optim.Adam, []

    def spy(params, **options):
        options_seen.append(options)
        return adam(params, **options)

    fused = _train_with_adam(corpus, monkeypatch, spy)
    plain = _train_with_adam(
        corpus, monkeypatch, lambda params, **options: adam(params, lr=options["lr"])
    )
    assert options_seen == [
        {"lr": 0.01, "fused": True}
    ]  # asked for, and this torch has it on the CPU
    assert fused.train_bpc == pytest.approx(plain.train_bpc, abs=1e-5)
    assert fused.train_bpc[-1] < fused.train_bpc[0] - 0.5  # and it did train


def test_without_a_fused_adam_the_plain_one_trains(corpus, monkeypatch):
    adam, options_seen = torch.optim.Adam, []

    def old_torch(params, **options):  # torch < 2.4 on a CPU, on any torch
        options_seen.append(options)
        if options.get("fused"):
            raise RuntimeError(
                "`fused=True` requires all the params to be CUDA, floating point Tensors"
            )
        return adam(params, **options)

    history = _train_with_adam(corpus, monkeypatch, old_torch)
    assert options_seen == [{"lr": 0.01, "fused": True}, {"lr": 0.01}]
    assert history.steps == 20 and history.train_bpc[-1] < history.train_bpc[0]


# --- A long text kept compact, and runs that stop and go on ---


def test_batches_of_a_compact_text_are_longs_and_can_start_later():
    indices = torch.arange(200, dtype=torch.long)
    compact = indices.to(torch.uint8)
    every = list(batches(indices, 5, 3))
    assert len(every) == batches_per_pass(200, 5, 3) == 13
    later = list(batches(compact, 5, 3, start=4))
    assert len(later) == 9
    for (x, y), (cx, cy) in zip(every[4:], later):
        assert cx.dtype == cy.dtype == torch.long
        assert torch.equal(x, cx) and torch.equal(y, cy)


def test_a_string_and_its_compact_indices_train_alike(corpus):
    vocabulary = Vocabulary(set(corpus))
    indices = vocabulary.encode(corpus, vocabulary.index_dtype)
    assert indices.dtype == torch.uint8
    from_text = _small_run(corpus, steps=6, validation_fraction=0.1, eval_every=3)
    from_indices = _small_run(
        indices, steps=6, validation_fraction=0.1, eval_every=3, vocabulary=vocabulary
    )
    assert from_text.train_bpc == from_indices.train_bpc
    assert from_text.validation_bpc == from_indices.validation_bpc
    with pytest.raises(InvalidValueError, match="indices outside 0..2"):
        train_on_corpus(HelloRNN(3, 4), Vocabulary("abc"), torch.arange(5), steps=1)
    with pytest.raises(TypeError, match="text must be a str or its indices"):
        train_on_corpus(HelloRNN(3, 4), Vocabulary("abc"), [0, 1, 2], steps=1)


def _stopped(vocabulary, text, cell, stop_at, saved, **options):
    """Train from seed 0 until `stop_at`, keeping copies of the net and the state then."""

    def keep(net, state):
        if state.step == stop_at:
            saved["weights"] = copy.deepcopy(net.state_dict())
            saved["state"] = copy.deepcopy(state)
            raise KeyboardInterrupt  # as a Ctrl-C between two steps would

    torch.manual_seed(0)
    net = HelloRNN(vocabulary.num_characters, 8, cell=cell)
    with pytest.raises(KeyboardInterrupt):
        train_on_corpus(net, vocabulary, text, on_step=keep, **options)


@pytest.mark.parametrize("cell", ["torch", "scratch", "gru", "lstm"])
@pytest.mark.parametrize("stop_at", [3, 7, 8])  # mid-pass, a pass's end, a new pass
def test_a_resumed_run_is_the_uninterrupted_run_to_the_last_bit(cell, stop_at):
    text = default_corpus(max_chars=1_000)  # 900 to train on: 7 batches a pass
    vocabulary = Vocabulary(set(text))
    options = {"seq_len": 16, "batch_size": 7, "steps": 14, "lr": 0.01, "eval_every": 4}
    assert batches_per_pass(pass_length(900, 16), 16, 7) == 7
    torch.manual_seed(0)
    whole = HelloRNN(vocabulary.num_characters, 8, cell=cell)
    uninterrupted = train_on_corpus(whole, vocabulary, text, **options)

    saved = {}
    _stopped(vocabulary, text, cell, stop_at, saved, **options)
    state = saved["state"]
    assert state.step == state.history.steps == stop_at
    net = HelloRNN(vocabulary.num_characters, 8, cell=cell)
    net.load_state_dict(saved["weights"])
    torch.manual_seed(123)  # the run puts torch's generator back as it was
    resumed = train_on_corpus(net, vocabulary, text, resume=state, **options)

    assert resumed.train_bpc == uninterrupted.train_bpc
    assert resumed.grad_norm == uninterrupted.grad_norm
    assert resumed.validation_steps == uninterrupted.validation_steps == [4, 8, 12, 14]
    assert resumed.validation_bpc == uninterrupted.validation_bpc
    assert resumed.train_slice_bpc == uninterrupted.train_slice_bpc
    assert resumed.pass_offsets == uninterrupted.pass_offsets
    assert len(set(uninterrupted.pass_offsets)) == 2  # two passes, two offsets
    for mine, theirs in zip(net.state_dict().values(), whole.state_dict().values()):
        assert torch.equal(mine, theirs)
    assert state.history.steps == stop_at  # the state passed in is left as it was


def test_without_the_saved_hidden_state_the_run_would_differ():
    """The check above can fail: a resume that drops what it carried is caught."""
    text = default_corpus(max_chars=1_000)
    vocabulary = Vocabulary(set(text))
    options = {"seq_len": 16, "batch_size": 7, "steps": 6, "lr": 0.01}
    torch.manual_seed(0)
    uninterrupted = train_on_corpus(
        HelloRNN(vocabulary.num_characters, 8), vocabulary, text, **options
    )
    saved = {}
    _stopped(vocabulary, text, "torch", 3, saved, **options)
    net = HelloRNN(vocabulary.num_characters, 8)
    net.load_state_dict(saved["weights"])
    forgetful = dataclasses.replace(saved["state"], hidden=None)
    resumed = train_on_corpus(net, vocabulary, text, resume=forgetful, **options)
    assert resumed.train_bpc[:3] == uninterrupted.train_bpc[:3]
    assert resumed.train_bpc[3] != uninterrupted.train_bpc[3]


def test_on_step_sees_every_whole_step_after_its_scoring(corpus):
    seen = []

    def watch(net, state):
        seen.append(
            (state.step, state.history.steps, len(state.history.validation_bpc))
        )
        assert state.rng.dtype == torch.uint8
        assert set(state.optimizer) == {"state", "param_groups"}

    _small_run(corpus, steps=5, eval_every=2, validation_fraction=0.1, on_step=watch)
    assert seen == [(1, 1, 0), (2, 2, 1), (3, 3, 1), (4, 4, 2), (5, 5, 3)]
    with pytest.raises(
        TypeError, match=r"on_step must be a function of \(net, state\)"
    ):
        _small_run(corpus, on_step=3)
    with pytest.raises(TypeError, match="resume must be a TrainingState"):
        _small_run(corpus, resume={"step": 3})


def test_a_resume_that_does_not_fit_is_refused(corpus):
    vocabulary = Vocabulary(set(corpus))
    saved = {}
    options = {"seq_len": 16, "batch_size": 4, "steps": 10, "validation_fraction": 0}
    _stopped(vocabulary, corpus, "torch", 4, saved, **options)
    state = saved["state"]

    def resume(net=None, **changes):
        net = net or HelloRNN(vocabulary.num_characters, 8)
        train_on_corpus(net, vocabulary, corpus, resume=state, **{**options, **changes})

    with pytest.raises(InvalidValueError, match="has taken 4 steps already"):
        resume(steps=4)
    with pytest.raises(InvalidValueError, match="read 64 characters a step"):
        resume(seq_len=8)
    with pytest.raises(InvalidValueError, match="not the state of this network's Adam"):
        resume(HelloRNN(vocabulary.num_characters, 8, cell="gru"))
    with pytest.raises(InvalidValueError, match="has 3 steps but resume.step is 4"):
        state.history.loss.pop()
        resume()


def test_the_progress_bar_shows_bpc_and_characters_a_second(corpus, progress_bars):
    _small_run(corpus, steps=4, eval_every=2, validation_fraction=0.1, progress=True)
    [bar] = progress_bars
    assert bar.n == 4 and bar.total == 4
    postfix = bar.postfix
    assert "bpc=" in postfix and "validation=" in postfix and "chars/s=" in postfix
    assert int(postfix.split("chars/s=")[1].replace(",", "")) > 0


def test_the_held_out_text_is_spread_through_the_whole_text():
    text = "".join(chr(ord("a") + k % 26) for k in range(100_000))
    split = split_text(text, 0.1)
    assert len(split.validation) == len(split.train_slice) == 10_000
    assert len(split.train) == 90_000
    pieces = 10_000 // VALIDATION_PIECE_CHARS  # 4 sections of 25,000 characters
    for s in range(pieces):
        end = (s + 1) * 25_000
        piece = slice(s * VALIDATION_PIECE_CHARS, (s + 1) * VALIDATION_PIECE_CHARS)
        assert split.validation[piece] == text[end - VALIDATION_PIECE_CHARS : end]
        # the training slice: the characters just before each held-out piece
        before = text[end - 2 * VALIDATION_PIECE_CHARS : end - VALIDATION_PIECE_CHARS]
        assert split.train_slice[piece] == before
        assert before in split.train
    # tensors split the same way, and nothing held out when the share is 0
    indices = torch.arange(100_000)
    as_tensors = split_text(indices, 0.1)
    assert torch.equal(as_tensors.validation[:5], torch.arange(22_500, 22_505))
    none = split_text(text, 0)
    assert none.train == text and none.validation == none.train_slice == ""
    with pytest.raises(InvalidValueError, match=r"must be in \[0, 1\)"):
        split_text(text, 1.0)
    with pytest.raises(TypeError, match="text must be a str or its indices"):
        split_text([1, 2, 3], 0.1)


def test_a_short_text_holds_out_its_end():
    split = split_text("abcdefghij" * 10, 0.1)
    assert split.validation == "abcdefghij" and split.train_slice == "abcdefghij"
    assert split.train == "abcdefghij" * 9


def test_the_training_slice_is_scored_as_the_validation_text_is(corpus):
    vocabulary = Vocabulary(set(corpus))
    torch.manual_seed(0)
    net = HelloRNN(vocabulary.num_characters, 8)
    history = train_on_corpus(
        net, vocabulary, corpus, seq_len=16, batch_size=4, steps=4, eval_every=2
    )
    split = split_text(corpus, 0.1)
    assert len(history.train_slice_bpc) == len(history.validation_bpc) == 2
    assert history.train_slice_bpc[-1] == pytest.approx(
        bits_per_character(net, vocabulary, split.train_slice, seq_len=16), rel=1e-6
    )
    assert history.validation_bpc[-1] == pytest.approx(
        bits_per_character(net, vocabulary, split.validation, seq_len=16), rel=1e-6
    )


def _offsets_seen(text, vocabulary, monkeypatch, **options):
    """Train, and return where each batch's first row starts in the training text."""
    import hello_rnn.corpus as corpus_module

    starts, real = [], corpus_module.batches

    def spy(indices, seq_len, batch_size, start=0):
        starts.append((len(indices), int(indices[0]), start))
        return real(indices, seq_len, batch_size, start)

    monkeypatch.setattr(corpus_module, "batches", spy)
    net = HelloRNN(vocabulary.num_characters, 8)
    history = train_on_corpus(net, vocabulary, text, validation_fraction=0, **options)
    return history, starts


def test_each_pass_starts_at_a_reproducible_random_offset(monkeypatch):
    # The text is its positions: 0, 1, 2, ... so a batch shows where it starts.
    text = "".join(chr(0x100 + k) for k in range(400))
    vocabulary = Vocabulary(set(text))
    options = {"seq_len": 8, "batch_size": 4, "steps": 60, "seed": 3}
    per_pass = batches_per_pass(pass_length(400, 8), 8, 4)
    assert per_pass == 12
    history, starts = _offsets_seen(text, vocabulary, monkeypatch, **options)
    offsets = history.pass_offsets
    assert len(offsets) == 5 and all(0 <= o < 8 for o in offsets)
    assert len(set(offsets)) > 1  # passes start at different offsets
    # each pass reads the same length of text from its offset on
    passes = [(length, first) for length, first, _ in starts[1:]]
    first_char = vocabulary.chars.index(text[0])
    assert passes == [(393, first_char + o) for o in offsets]
    again, _ = _offsets_seen(text, vocabulary, monkeypatch, **options)
    other, _ = _offsets_seen(text, vocabulary, monkeypatch, **{**options, "seed": 4})
    assert again.pass_offsets == offsets and other.pass_offsets != offsets
    # a callback that draws from torch's generator does not move the offsets
    noisy, _ = _offsets_seen(
        text,
        vocabulary,
        monkeypatch,
        on_step=lambda net, state: torch.rand(3),
        **options,
    )
    assert noisy.pass_offsets == offsets


def test_without_a_seed_the_offsets_follow_torchs_generator(monkeypatch):
    text = "".join(chr(0x100 + k) for k in range(400))
    vocabulary = Vocabulary(set(text))
    options = {"seq_len": 8, "batch_size": 4, "steps": 60}
    runs = []
    for seed in (5, 5, 6):
        torch.manual_seed(seed)
        runs.append(_offsets_seen(text, vocabulary, monkeypatch, **options)[0])
    assert runs[0].pass_offsets == runs[1].pass_offsets != runs[2].pass_offsets


def test_the_cosine_rate_falls_from_lr_to_lr_final():
    rates = [cosine_rate(step, 11, 0.01, 0.001) for step in range(11)]
    assert rates[0] == pytest.approx(0.01) and rates[-1] == pytest.approx(0.001)
    assert rates[5] == pytest.approx(0.0055)  # half way: the mean of the two
    assert all(a > b for a, b in zip(rates, rates[1:]))


def test_lr_final_sets_the_rate_of_every_step(corpus, monkeypatch):
    seen = []
    train_module = importlib.import_module(
        "hello_rnn.train"
    )  # (hello_rnn.train is the function)
    original = train_module.train_step

    def spy(net, optimizer, *args, **kwargs):
        seen.append(optimizer.param_groups[0]["lr"])
        return original(net, optimizer, *args, **kwargs)

    monkeypatch.setattr(train_module, "train_step", spy)  # what run_steps calls
    _small_run(corpus, steps=5, lr=0.01, lr_final=0.001)
    assert seen == pytest.approx([cosine_rate(s, 5, 0.01, 0.001) for s in range(5)])
    seen.clear()
    _small_run(corpus, steps=5, lr=0.01)
    assert seen == [0.01] * 5


def test_a_cosine_run_with_dropout_resumes_exactly(corpus):
    # The rate of each step follows from the step, and dropout's masks from torch's
    # generator, which the state keeps: a resumed run repeats the whole run.
    vocabulary = Vocabulary(set(corpus))
    options = {"seq_len": 16, "batch_size": 4, "steps": 8, "lr": 0.01, "seed": 0}
    options.update(lr_final=0.001, validation_fraction=0)

    def fresh():
        torch.manual_seed(0)
        return HelloRNN(vocabulary.num_characters, 16, dropout=0.3)

    whole = train_on_corpus(fresh(), vocabulary, corpus, **options)
    saved = {}

    def keep(net, state):
        if state.step == 3:
            saved.update(
                weights=copy.deepcopy(net.state_dict()), state=copy.deepcopy(state)
            )
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_on_corpus(fresh(), vocabulary, corpus, on_step=keep, **options)
    net = fresh()
    net.load_state_dict(saved["weights"])
    resumed = train_on_corpus(net, vocabulary, corpus, resume=saved["state"], **options)
    assert resumed.train_bpc == whole.train_bpc
