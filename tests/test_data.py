"""DataHandler and Vocabulary: maps, tensors, shapes, errors."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from hello_rnn import DataHandler, InvalidTypeError, InvalidValueError, Vocabulary
from hello_rnn.data import vocabulary_and_text


def test_hello_rnn_vocabulary_and_pairs():
    data = DataHandler("Hello, RNN!")
    assert data.chars == sorted(set("Hello, RNN!"))
    assert data.num_characters == 9
    assert data.X.shape == (10, 9) and data.X.dtype == torch.float32
    assert data.y.shape == (10,) and data.y.dtype == torch.long
    assert data.decode(data.X.argmax(dim=1)) == "Hello, RNN"
    assert data.decode(data.y) == "ello, RNN!"


def test_a_text_has_a_vocabulary_and_is_not_one():
    data = DataHandler("Hello, RNN!")
    assert not isinstance(data, Vocabulary)
    assert isinstance(data.vocabulary, Vocabulary)
    assert data.vocabulary.chars == sorted(set(data.text))
    # What the chapters read off the data is the vocabulary's, passed on.
    assert data.num_characters == data.vocabulary.num_characters
    assert data.chars is data.vocabulary.chars
    assert data.char_to_index is data.vocabulary.char_to_index
    indices = data.vocabulary.encode("NNH")
    assert torch.equal(data.encode("NNH"), indices)
    assert data.decode(indices) == "NNH"
    assert torch.equal(data.one_hot(indices), data.vocabulary.one_hot(indices))


def test_vocabulary_and_text_splits_a_data_handler_and_passes_a_vocabulary_on():
    data = DataHandler("abca")
    assert vocabulary_and_text(data) == (data.vocabulary, "abca")
    assert vocabulary_and_text(data.vocabulary) == (data.vocabulary, None)
    with pytest.raises(
        InvalidTypeError, match="a Vocabulary or a DataHandler, got str"
    ):
        vocabulary_and_text("abca")


@given(st.text(min_size=2))
def test_encode_decode_round_trip_for_any_text(text):
    data = DataHandler(text)
    assert data.decode(data.encode(text)) == text
    vocabulary = data.vocabulary
    assert all(
        vocabulary.char_to_index[vocabulary.index_to_char[i]] == i
        for i in range(vocabulary.num_characters)
    )


@given(st.text(min_size=2))
def test_one_hot_rows_have_a_single_one_at_the_index(text):
    data = DataHandler(text)
    indices = data.encode(text)
    one_hot = data.one_hot(indices)
    assert torch.equal(one_hot.sum(dim=1), torch.ones(len(text)))
    assert torch.equal(one_hot.argmax(dim=1), indices)


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["H", "i"]])
def test_text_that_is_not_a_string_is_a_type_error(bad):
    with pytest.raises(InvalidTypeError, match="text must be a str"):
        DataHandler(bad)


@pytest.mark.parametrize("short", ["", "H"])
def test_text_shorter_than_two_characters_is_a_value_error(short):
    with pytest.raises(InvalidValueError, match="at least 2 characters"):
        DataHandler(short)


def test_unknown_character_names_the_character_and_the_vocabulary():
    data = DataHandler("Hello, RNN!")
    with pytest.raises(
        InvalidValueError, match=r"'w' is not in the vocabulary ' !,HNRelo'"
    ):
        data.encode("Hello, world")


def test_decode_rejects_an_index_outside_the_vocabulary():
    data = DataHandler("ab")
    with pytest.raises(InvalidValueError, match="index 2 is not in 0..1"):
        data.decode([0, 2])


def test_one_hot_wants_a_long_tensor():
    with pytest.raises(InvalidTypeError, match="LongTensor"):
        DataHandler("ab").one_hot(torch.tensor([0.0, 1.0]))


def test_vocabulary_is_sorted_and_rejects_repeats():
    assert Vocabulary("cab").chars == ["a", "b", "c"]
    with pytest.raises(InvalidValueError, match="repeat"):
        Vocabulary(["a", "a"])


@pytest.mark.parametrize(
    ("size", "dtype"),
    [
        (1, torch.uint8),
        (256, torch.uint8),
        (257, torch.int16),
        (2**15 + 1, torch.int32),
    ],
)
def test_index_dtype_is_the_smallest_integer_type_that_holds_every_index(size, dtype):
    vocabulary = Vocabulary(chr(0x100 + i) for i in range(size))
    assert vocabulary.index_dtype == dtype
    last = vocabulary.chars[-1]
    indices = vocabulary.encode(last + vocabulary.chars[0], vocabulary.index_dtype)
    assert indices.dtype == dtype and indices.tolist() == [size - 1, 0]


@given(st.text(min_size=1))
def test_the_compact_encoding_holds_the_same_indices(text):
    vocabulary = Vocabulary(set(text))
    expected = [vocabulary.char_to_index[c] for c in text]  # the definition
    assert vocabulary.encode(text).tolist() == expected
    compact = vocabulary.encode(text, vocabulary.index_dtype)
    assert compact.dtype == vocabulary.index_dtype and compact.tolist() == expected


def test_encode_reads_a_long_text_in_pieces(monkeypatch):
    import hello_rnn.data

    monkeypatch.setattr(hello_rnn.data, "_PIECE", 4)  # pieces of 4 characters
    vocabulary = Vocabulary("abcé😀\ud800")  # (a lone surrogate too)
    text = "abcé😀\ud800" * 3 + "a"
    assert vocabulary.decode(vocabulary.encode(text, torch.uint8)) == text
    with pytest.raises(InvalidValueError, match="character 'z' is not in"):
        vocabulary.encode(text + "bcz")  # in the last piece


@pytest.mark.parametrize("dtype", [torch.float32, torch.int8, torch.bool])
def test_encode_wants_an_integer_type_that_holds_the_indices(dtype):
    vocabulary = Vocabulary(chr(i) for i in range(200))  # int8 stops at 127
    with pytest.raises(InvalidValueError, match="dtype must be an integer type"):
        vocabulary.encode("a", dtype)
