"""Chapter 7's figures: each is a Figure with labelled axes and refuses bad input."""

import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402

from hello_rnn import CorpusHistory, InvalidValueError, plots  # noqa: E402


def _close(fig):
    plt.close(fig)


def test_batch_layout_draws_the_text_and_the_batches():
    fig = plots.batch_layout("abcdefghijklmnopqrstuvwxyz", seq_len=3, batch_size=2)
    ax_text, ax_rows = fig.axes
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in (ax_text, ax_rows))
    assert [label.get_text() for label in ax_rows.get_xticklabels()] == [
        f"batch {k}" for k in range(4)
    ]
    assert [label.get_text() for label in ax_rows.get_yticklabels()] == [
        "row 0",
        "row 1",
    ]
    # row 0 reads a, b, c, ... l in order: the first cells' letters, left to right,
    # top row
    top_row = sorted(
        (t.get_position()[0], t.get_text())
        for t in ax_rows.texts
        if t.get_position()[1] > 1
    )
    assert "".join(c for _, c in top_row) == "abcdefghijkl"
    _close(fig)


@pytest.mark.parametrize(
    ("text", "seq_len", "batch_size", "error", "match"),
    [
        ("abc", 3, 1, InvalidValueError, "too short"),
        ("x" * 200, 3, 2, InvalidValueError, "at most 120"),
        ("abcdefgh", 0, 1, InvalidValueError, "seq_len"),
    ],
)
def test_batch_layout_rejects_what_it_cannot_draw(
    text, seq_len, batch_size, error, match
):
    with pytest.raises(error, match=match):
        plots.batch_layout(text, seq_len, batch_size)


def test_truncated_bptt_draws_one_window_box_per_window():
    fig = plots.truncated_bptt(num_windows=3, seq_len=4)
    ax = fig.axes[0]
    assert ax.get_xlabel()
    assert len([t for t in ax.texts if t.get_text().startswith("window")]) == 3
    assert (
        len([t for t in ax.texts if t.get_text() == "detach"]) == 2
    )  # between windows only
    _close(fig)
    with pytest.raises(InvalidValueError, match="num_windows"):
        plots.truncated_bptt(num_windows=0)


def test_corpus_learning_curves_draw_training_validation_and_the_baseline():
    history = CorpusHistory(
        train_bpc=[6.5 - 0.01 * k for k in range(100)],
        validation_steps=[50, 100],
        validation_bpc=[6.0, 5.6],
        chars_per_step=512,
    )
    fig = plots.corpus_learning_curves(history, uniform_bpc=6.6)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "step" and "bits per character" in ax.get_ylabel()
    assert len(ax.get_lines()) == 4  # raw, mean, validation, uniform
    _close(fig)
    with pytest.raises(InvalidValueError, match="at least one step"):
        plots.corpus_learning_curves(CorpusHistory())


def test_fair_learning_curves_add_the_training_slice_and_say_the_gap():
    from hello_rnn.alt_text import alt_of

    history = CorpusHistory(
        train_bpc=[6.5 - 0.01 * k for k in range(100)],
        validation_steps=[50, 100],
        validation_bpc=[6.0, 5.6],
        train_slice_bpc=[6.1, 5.4],
        chars_per_step=512,
    )
    fig = plots.fair_learning_curves(history, uniform_bpc=6.6)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 5  # raw, mean, validation, uniform, training slice
    assert list(ax.get_lines()[-1].get_ydata()) == [6.1, 5.4]
    alt = alt_of(fig)
    assert "from 6.10 to 5.40" in alt and "from -0.10 to +0.20" in alt
    assert "uniform guess costs 6.60" in alt
    _close(fig)
    with pytest.raises(InvalidValueError, match="validation and training-slice"):
        plots.fair_learning_curves(CorpusHistory(train_bpc=[1.0]))
