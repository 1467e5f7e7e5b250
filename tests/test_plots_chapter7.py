"""Chapter 7's figures: each is a Figure with labelled axes and refuses bad input."""

import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402

from hello_rnn import CorpusHistory, InvalidValueError, plots  # noqa: E402
from hello_rnn.state import LN2  # noqa: E402


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
        loss=[(6.5 - 0.01 * k) * LN2 for k in range(100)],
        validation_steps=[50, 100],
        validation_loss=[6.0 * LN2, 5.6 * LN2],
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
        loss=[(6.5 - 0.01 * k) * LN2 for k in range(100)],
        validation_steps=[50, 100],
        validation_loss=[6.0 * LN2, 5.6 * LN2],
        train_slice_loss=[6.1 * LN2, 5.4 * LN2],
        chars_per_step=512,
    )
    fig = plots.fair_learning_curves(history, uniform_bpc=6.6)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 5  # raw, mean, validation, uniform, training slice
    assert list(ax.get_lines()[-1].get_ydata()) == pytest.approx([6.1, 5.4])
    alt = alt_of(fig)
    assert "from 6.10 to 5.40" in alt and "from -0.10 to +0.20" in alt
    assert "uniform guess costs 6.60" in alt
    _close(fig)
    with pytest.raises(InvalidValueError, match="validation and training-slice"):
        plots.fair_learning_curves(CorpusHistory(loss=[1.0]))


def _record(validation, slice_, every=1000):
    curve = [
        {"step": every * (k + 1), "validation_bpc": v, "train_slice_bpc": s}
        for k, (v, s) in enumerate(zip(validation, slice_))
    ]
    best = min(curve, key=lambda point: point["validation_bpc"])
    return {
        "curve": curve,
        "best": {"step": best["step"], "validation_bpc": best["validation_bpc"]},
    }


def test_long_run_curves_draw_each_run_and_say_its_best():
    from hello_rnn.alt_text import alt_of

    with_dropout = _record([2.5, 2.1, 1.95, 1.97], [2.5, 2.0, 1.8, 1.7])
    without = _record([2.4, 2.05, 2.2, 2.4], [2.3, 1.7, 1.4, 1.2])
    fig = plots.long_run_curves(
        {"LSTM": {"dropout 0.5": with_dropout, "no dropout": without}},
        yardsticks={"the 5-gram": 2.07},
    )
    ax = fig.axes[0]
    solid = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    assert [list(line.get_ydata()) for line in solid] == [
        [2.5, 2.1, 1.95, 1.97],
        [2.4, 2.05, 2.2, 2.4],
    ]
    alt = alt_of(fig)
    assert (
        "LSTM, dropout 0.5: validation from 2.5 at step 1000 to its best, 1.95, at step 3000"
        in alt
    )
    assert (
        "LSTM, no dropout: validation from 2.4 at step 1000 to its best, 2.05, at step 2000"
        in alt
    )
    assert "the training slice ends at 1.2" in alt
    assert "A dotted line marks the 5-gram at 2.07" in alt
    _close(fig)
    with pytest.raises(InvalidValueError, match="at least one run"):
        plots.long_run_curves({"LSTM": {}})
