"""Writing text: greedy and sampled generation, temperature, and errors."""

import itertools

import pytest
import torch
from torch import nn

from hello_rnn import (
    HelloRNN,
    InvalidTypeError,
    InvalidValueError,
    Vocabulary,
    generate,
    iter_generate,
    next_char_probabilities,
)


def test_greedy_generation_writes_the_memorized_text(trained, hello):
    assert generate(trained, hello) == "Hello, RNN!"
    assert (
        generate(trained, hello, prefix="H", length=10, temperature=0.0)
        == "Hello, RNN!"
    )


def test_greedy_generation_is_deterministic(hello):
    torch.manual_seed(0)
    net = HelloRNN(
        hello.num_characters, 50
    )  # untrained: greedy must still repeat itself
    first = generate(net, hello, length=30)
    torch.manual_seed(123)  # the global generator plays no part
    assert generate(net, hello, length=30) == first
    assert len(first) == 31


def test_sampling_repeats_for_a_seed_and_varies_between_seeds(hello):
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50)
    texts = {
        seed: generate(net, hello, length=40, temperature=1.0, seed=seed)
        for seed in range(3)
    }
    assert generate(net, hello, length=40, temperature=1.0, seed=1) == texts[1]
    assert len(set(texts.values())) == 3
    assert all(text.startswith("H") and len(text) == 41 for text in texts.values())


def test_prefix_is_read_first_and_kept(trained, hello):
    assert generate(trained, hello, prefix="Hello", length=6) == "Hello, RNN!"
    assert generate(trained, hello, prefix="Hel", length=0) == "Hel"


def test_default_length_makes_the_text_as_long_as_the_training_text(trained, hello):
    assert len(generate(trained, hello, prefix="He")) == len(hello.text)


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_iter_generate_hands_out_the_characters_of_generate(
    trained, hello, temperature
):
    kwargs = {"prefix": "Hel", "length": 40, "temperature": temperature, "seed": 2}
    characters = list(iter_generate(trained, hello, **kwargs))
    assert all(len(c) == 1 for c in characters) and len(characters) == 43
    assert "".join(characters) == generate(trained, hello, **kwargs)


def test_iter_generate_computes_a_character_only_when_asked(
    trained, hello, monkeypatch
):
    calls = []
    forward = type(trained).forward

    def counted(self, *args):
        calls.append(1)
        return forward(self, *args)

    monkeypatch.setattr(type(trained), "forward", counted)
    characters = iter_generate(trained, hello, length=1_000_000)
    assert calls == []
    assert "".join(itertools.islice(characters, 11)) == "Hello, RNN!"
    assert len(calls) <= 11  # the prefix in one call, then one per character


def test_stopping_early_restores_training_mode(trained, hello):
    trained.train()
    characters = iter_generate(trained, hello, length=100)
    next(characters), next(characters)
    assert not trained.training  # eval while it writes
    characters.close()  # what a `for` loop left by `break` or Ctrl-C does
    assert trained.training
    trained.eval()


def test_generation_restores_training_mode(trained, hello):
    trained.train()
    generate(trained, hello, length=3)
    assert trained.training
    trained.eval()
    generate(trained, hello, length=3)
    assert not trained.training


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"temperature": -0.5}, InvalidValueError, "temperature must be at least 0"),
        ({"temperature": float("nan")}, InvalidValueError, "must be a finite number"),
        ({"temperature": "hot"}, InvalidTypeError, "temperature must be a number"),
        ({"length": -1}, InvalidValueError, "length must be an integer >= 0"),
        ({"length": 2.5}, InvalidTypeError, "length must be an integer"),
        ({"seed": -1}, InvalidValueError, "seed must be an integer >= 0"),
        ({"seed": 2.5}, InvalidTypeError, "seed must be an integer >= 0"),
        ({"prefix": ""}, InvalidValueError, "prefix must be a non-empty string"),
        ({"prefix": None}, InvalidValueError, "prefix must be a non-empty string"),
        ({"prefix": "Hi"}, InvalidValueError, "character 'i' is not in the vocabulary"),
    ],
)
@pytest.mark.parametrize("function", [generate, iter_generate])
def test_bad_generation_arguments_are_reported(
    trained, hello, function, kwargs, error, match
):
    with pytest.raises(error, match=match):
        "".join(function(trained, hello, **kwargs))


def test_a_bare_vocabulary_needs_a_length(trained, hello):
    vocabulary = Vocabulary(hello.chars)
    with pytest.raises(InvalidValueError, match="length is required"):
        generate(trained, vocabulary)
    assert generate(trained, vocabulary, length=10) == "Hello, RNN!"
    assert generate(trained, hello.vocabulary, length=10) == "Hello, RNN!"


@pytest.mark.parametrize("function", [generate, iter_generate])
def test_the_vocabulary_must_be_a_vocabulary_or_a_data_handler(trained, function):
    with pytest.raises(InvalidTypeError, match="a Vocabulary or a DataHandler"):
        "".join(function(trained, "Hello, RNN!", length=3))


def test_probabilities_sum_to_one_and_temperature_sharpens_or_flattens():
    logits = torch.tensor([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    probs = next_char_probabilities(logits, 1.0)
    torch.testing.assert_close(probs.sum(dim=-1), torch.ones(2))
    torch.testing.assert_close(probs, torch.softmax(logits, dim=-1))
    cold, hot = (
        next_char_probabilities(logits, 0.1),
        next_char_probabilities(logits, 100.0),
    )
    assert (cold.max(dim=-1).values > probs.max(dim=-1).values).all()
    assert (hot.max(dim=-1).values < probs.max(dim=-1).values).all()


@pytest.mark.parametrize("temperature", [1e-30, 1e-300])
def test_a_tiny_temperature_picks_the_top_character_without_nan(temperature):
    probs = next_char_probabilities(torch.tensor([2.0, 1.0, -3.0]), temperature)
    assert torch.equal(probs, torch.tensor([1.0, 0.0, 0.0]))


def test_probabilities_need_a_positive_temperature():
    with pytest.raises(InvalidValueError, match="temperature must be greater than 0"):
        next_char_probabilities(torch.zeros(3), 0.0)


# Top-p (nucleus) sampling. Four characters with known probabilities: the logits are
# their logarithms, so softmax gives them back.
NUCLEUS = torch.tensor([0.5, 0.3, 0.15, 0.05])


class FixedLogits(nn.Module):
    """A stand-in network that scores the next character the same after any input."""

    def __init__(self, probs: torch.Tensor) -> None:
        super().__init__()
        self.logits = nn.Parameter(probs.log())

    def forward(self, x, h=None):  # [T, V] -> [T, V] logits, and a dummy state
        return self.logits.expand(x.shape[0], -1), x.new_zeros(1)


def test_top_p_of_one_changes_nothing_bit_for_bit(hello):
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50)
    for seed in range(3):
        kwargs = {"length": 60, "temperature": 1.3, "seed": seed}
        assert generate(net, hello, **kwargs, top_p=1.0) == generate(
            net, hello, **kwargs
        )
    logits = torch.randn(5, 7)
    assert torch.equal(
        next_char_probabilities(logits, 0.7, top_p=1),
        next_char_probabilities(logits, 0.7),
    )


def test_a_tiny_top_p_is_greedy_decoding(trained, hello):
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50)  # untrained: not the same character
    greedy = generate(net, hello, length=60)
    assert len(set(greedy[1:])) > 1
    for seed in range(3):
        assert (
            generate(net, hello, length=60, temperature=2.0, seed=seed, top_p=1e-6)
            == greedy
        )
    assert generate(trained, hello, temperature=5.0, seed=0, top_p=1e-6) == hello.text


def test_top_p_keeps_the_fewest_likeliest_characters_that_reach_it():
    # 0.5 < 0.7 <= 0.5 + 0.3: the first two, renormalised to 0.625 and 0.375
    torch.testing.assert_close(
        next_char_probabilities(NUCLEUS.log(), top_p=0.7),
        torch.tensor([0.625, 0.375, 0.0, 0.0]),
        rtol=1e-6,
        atol=0.0,
    )
    # 0.5 reaches 0.5 on its own; 0.9 needs three; every row on its own
    rows = next_char_probabilities(NUCLEUS.log().flip(0).expand(2, 4), top_p=0.5)
    assert torch.equal(rows, torch.tensor([[0.0, 0.0, 0.0, 1.0]] * 2))
    assert (next_char_probabilities(NUCLEUS.log(), top_p=0.9) > 0).sum() == 3


def test_temperature_comes_before_top_p():
    # At τ = 2 the probabilities go as sqrt(p): flatter, so 0.7 now needs three.
    flat = NUCLEUS.sqrt() / NUCLEUS.sqrt().sum()
    assert flat[:2].sum() < 0.7 < flat[:3].sum()
    kept = torch.cat([flat[:3], torch.zeros(1)])
    torch.testing.assert_close(
        next_char_probabilities(NUCLEUS.log(), 2.0, top_p=0.7),
        kept / kept.sum(),
        rtol=1e-6,
        atol=1e-7,
    )


def test_a_top_p_that_keeps_two_characters_draws_only_those_two():
    vocabulary = Vocabulary("abcd")
    net = FixedLogits(NUCLEUS)  # a: 0.5, b: 0.3, c: 0.15, d: 0.05
    text = generate(net, vocabulary, "a", 4000, temperature=1.0, seed=0, top_p=0.7)
    drawn = text[1:]
    assert set(drawn) == {"a", "b"}
    # a is drawn with probability 0.625: 4000 draws put it within 0.03 (4 sd)
    assert abs(drawn.count("a") / len(drawn) - 0.625) < 0.03
    # without top-p all four appear, and the same seed repeats the same text
    assert set(generate(net, vocabulary, "a", 4000, 1.0, seed=0)) == set("abcd")
    assert text == generate(net, vocabulary, "a", 4000, 1.0, seed=0, top_p=0.7)


@pytest.mark.parametrize(
    ("top_p", "error", "match"),
    [
        (0.0, InvalidValueError, r"top_p must be greater than 0 and at most 1"),
        (-0.5, InvalidValueError, r"top_p must be greater than 0 and at most 1"),
        (1.5, InvalidValueError, r"at most 1 \(.*1 keeps every character\), got 1.5"),
        (float("nan"), InvalidValueError, "top_p must be a finite number"),
        (float("inf"), InvalidValueError, "top_p must be a finite number"),
        ("0.9", InvalidTypeError, r"top_p must be a number, got '0.9' \(str\)"),
        (True, InvalidTypeError, "top_p must be a number"),
        (None, InvalidTypeError, "top_p must be a number"),
    ],
)
@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_bad_top_p_is_reported(trained, hello, top_p, error, match, temperature):
    for function in (generate, iter_generate):
        with pytest.raises(error, match=match):
            "".join(function(trained, hello, temperature=temperature, top_p=top_p))
    with pytest.raises(error, match=match):
        next_char_probabilities(torch.zeros(3), top_p=top_p)
