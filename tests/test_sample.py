"""Writing text: greedy and sampled generation, temperature, and errors."""

import itertools

import pytest
import torch

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
