"""Character n-gram models with interpolated Kneser-Ney smoothing (hello_rnn.ngram)."""

from __future__ import annotations

import math

import pytest

from hello_rnn.errors import InvalidTypeError, InvalidValueError
from hello_rnn.ngram import NGramModel, ngram_bpc

TEXT = "the cat sat on the mat. the dog sat on the log. the cat saw the dog. " * 3


@pytest.mark.parametrize("order", [1, 2, 3, 5])
@pytest.mark.parametrize("context", ["", "t", "th", "the c", "zzzz", "the d"])
def test_the_probabilities_after_any_context_sum_to_one(order, context):
    model = NGramModel(order).fit(TEXT)
    total = sum(model.probability(context, c) for c in model.vocabulary)
    assert math.isclose(total, 1.0, rel_tol=1e-12)


def test_an_unseen_character_is_not_impossible():
    model = NGramModel(3).fit(TEXT)
    unseen = model.probability("th", "q")
    assert 0 < unseen < model.probability("th", "e")
    assert math.isfinite(model.bits_per_character("the quay"))


def test_the_unigram_is_the_discounted_frequency_over_a_uniform_guess():
    model = NGramModel(1, discount=0.5).fit("aab")  # counts a 2, b 1, total 3
    # P(a) = (2 - 0.5) / 3 + (2 types * 0.5 / 3) * 1/2
    assert math.isclose(model.probability("", "a"), 1.5 / 3 + (1 / 3) / 2)
    assert math.isclose(model.probability("", "b"), 0.5 / 3 + (1 / 3) / 2)


def test_a_longer_context_predicts_a_repetitive_text_better():
    train, validation = TEXT[:-40], TEXT[-40:]
    bpc = [ngram_bpc(train, validation, n) for n in (1, 2, 3, 4)]
    assert bpc == sorted(bpc, reverse=True) and bpc[-1] < 1.0


def test_a_context_seen_once_gives_its_follower_most_but_not_all():
    model = NGramModel(3).fit("xyz" * 20)
    assert 0.9 < model.probability("xy", "z") < 1.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"order": 0}, InvalidValueError, "order"),
        ({"order": 2, "discount": 1.0}, InvalidValueError, "between 0 and 1"),
        ({"order": 2, "discount": "0.5"}, InvalidTypeError, "discount"),
    ],
)
def test_bad_settings_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        NGramModel(**kwargs)


def test_an_unfitted_model_or_a_bad_text_is_refused():
    with pytest.raises(InvalidValueError, match="fit"):
        NGramModel(2).probability("a", "b")
    with pytest.raises(InvalidTypeError, match="str"):
        NGramModel(2).fit(["a", "b"])
    with pytest.raises(InvalidValueError, match="at least"):
        NGramModel(3).fit("ab")
    with pytest.raises(InvalidValueError, match="validation"):
        ngram_bpc("abcabc", "a", 2)
