"""expect: claims about a run are errors where the book is made, notes anywhere else."""

import sys
from pathlib import Path

import pytest

from hello_rnn.notebook import STRICT, expect

ROOT = Path(__file__).resolve().parents[1]


def test_a_true_claim_says_nothing(monkeypatch, capsys):
    for strict in ("1", None):
        if strict:
            monkeypatch.setenv(STRICT, strict)
        else:
            monkeypatch.delenv(STRICT, raising=False)
        expect(True, "the RNN never memorizes")
    assert capsys.readouterr().out == ""


def test_a_false_claim_fails_where_the_book_is_made(monkeypatch):
    monkeypatch.setenv(STRICT, "1")
    with pytest.raises(
        AssertionError,
        match="the text says the RNN never memorizes, but this run does not",
    ):
        expect(False, "the RNN never memorizes")


@pytest.mark.parametrize("value", [None, "0", ""])
def test_a_false_claim_is_a_note_anywhere_else(monkeypatch, capsys, value):
    if value is None:
        monkeypatch.delenv(STRICT, raising=False)
    else:
        monkeypatch.setenv(STRICT, value)
    expect(0, "the RNN never memorizes")
    out = capsys.readouterr().out
    assert out.startswith(
        "Note: in the book's run the RNN never memorizes; not in this one."
    )


def test_a_glued_figure_keeps_its_alt_text_beside_its_png():
    """The alt text written from the data travels in the PNG's output metadata, where the book reads it."""
    from IPython.core.formatters import format_display_data

    from hello_rnn.notebook import _Described

    class Picture:  # displays as a PNG, as a figure does in a notebook
        def _repr_png_(self):
            return b"\x89PNG fake"

    alt = {"image/png": {"alt": "A line that falls."}}
    data, metadata = format_display_data(_Described(Picture(), alt))
    assert data["image/png"] == b"\x89PNG fake"
    assert metadata["image/png"]["alt"] == "A line that falls."


def test_a_glued_value_declares_the_tolerance_validation_reads():
    """glue(..., rtol=...) stores what tests/nbval_tolerance.py widens its comparison by."""
    from IPython.core.formatters import format_display_data
    from nbval_tolerance import declared_tolerance

    from hello_rnn.notebook import _with_metadata

    _, metadata = format_display_data(_with_metadata(713, rtol=0.5, atol=None))
    assert declared_tolerance({"metadata": metadata}) == {"rtol": 0.5}
    _, plain = format_display_data(_with_metadata(713, rtol=None, atol=None))
    assert declared_tolerance({"metadata": plain}) is None
    assert "image/png" not in metadata  # no picture, no picture's facts


def test_the_colab_replica_finds_the_note_expect_prints(monkeypatch, capsys):
    """colab/replica.py fails a chapter whose output holds expect's note."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "replica", ROOT / "colab" / "replica.py"
    )
    replica = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "replica", replica)  # its dataclasses look it up
    spec.loader.exec_module(replica)
    monkeypatch.delenv(STRICT, raising=False)
    expect(False, "the RNN never memorizes")
    printed = capsys.readouterr().out
    cells = [
        {
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": "loss 0.1\n"}
            ]
        },
        {"outputs": [{"output_type": "stream", "name": "stdout", "text": printed}]},
    ]
    assert replica.claim_notes(cells) == [f"cell 1: {printed.strip()}"]
    assert replica.claim_notes(cells[:1]) == []
