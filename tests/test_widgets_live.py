"""live_sampler: a sampler with Python behind it, driven here as a reader would drive it."""

import pytest
import torch

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from hello_rnn import HelloRNN, Vocabulary, generate  # noqa: E402
from hello_rnn.widgets import live_sampler  # noqa: E402

VOCABULARY = Vocabulary("abc <&")


@pytest.fixture
def net():
    torch.manual_seed(0)
    return HelloRNN(VOCABULARY.num_characters, 16)


def _written(box):
    """The text in the output: the bold beginning and the rest, unescaped."""
    value = box.output.value
    assert value.startswith("<pre") and "<b>" in value, value
    inner = value[value.index(">") + 1 : value.rindex("</pre>")]
    return (
        inner.replace("<b>", "")
        .replace("</b>", "")
        .replace("&lt;", "<")
        .replace("&amp;", "&")
    )


def test_it_shows_what_generate_writes_with_the_starting_settings(net):
    box = live_sampler(net, VOCABULARY, "ab", temperature=0.7, length=30, seed=3)
    assert (box.prefix.value, box.temperature.value, box.seed.value) == ("ab", 0.7, 3)
    assert _written(box) == generate(net, VOCABULARY, "ab", 30, temperature=0.7, seed=3)
    assert box.output.value.startswith("<pre style='white-space:pre-wrap'><b>ab</b>")


def test_every_control_writes_again(net):
    box = live_sampler(net, VOCABULARY, "a", temperature=1.0, length=40, seed=0)
    box.temperature.value = 0.0
    assert _written(box) == generate(net, VOCABULARY, "a", 40, temperature=0.0)
    box.seed.value = 5
    box.temperature.value = 1.5
    assert _written(box) == generate(net, VOCABULARY, "a", 40, temperature=1.5, seed=5)
    box.prefix.value = "c<&"  # escaped in the HTML, exact in the text
    assert "&lt;&amp;" in box.output.value
    assert _written(box) == generate(
        net, VOCABULARY, "c<&", 40, temperature=1.5, seed=5
    )


@pytest.mark.parametrize(
    "prefix, message",
    [
        ("abz", "character &#x27;z&#x27; is not in the vocabulary"),
        ("", "prefix must be a non-empty string"),
    ],
)
def test_a_beginning_it_cannot_read_shows_the_reason(net, prefix, message):
    box = live_sampler(net, VOCABULARY, "a", length=10)
    box.prefix.value = prefix
    assert message in box.output.value and "color:#b00020" in box.output.value
    box.prefix.value = "b"  # and it recovers
    assert _written(box) == generate(net, VOCABULARY, "b", 10, temperature=1.0, seed=0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"temperature": 3.0},
            "temperature must be at most max_temperature=2, got 3.0",
        ),
        ({"temperature": -0.1}, "temperature must be at least 0"),
        ({"max_temperature": 0}, "max_temperature must be"),
        ({"seed": -1}, "seed must be"),
        ({"length": -1}, "length must be"),
        ({"prefix": "zz"}, "character 'z' is not in the vocabulary"),
    ],
)
def test_bad_starting_settings_fail_at_once(net, kwargs, match):
    """A ValueError that names the setting, before any widget exists."""
    arguments = {"prefix": "a", **kwargs}
    with pytest.raises(ValueError, match=match):
        live_sampler(net, VOCABULARY, arguments.pop("prefix"), **arguments)


def test_a_temperature_that_is_not_a_number_is_a_type_error(net):
    with pytest.raises(TypeError, match="temperature must be a number"):
        live_sampler(net, VOCABULARY, "a", temperature="hot")
