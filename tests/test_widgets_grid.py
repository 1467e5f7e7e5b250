"""frame_grid: two controls over a grid of frames, linked in the browser (no kernel)."""

import pytest

widgets = pytest.importorskip("ipywidgets")

from hello_rnn.widgets import KERNEL_FREE, frame_grid  # noqa: E402


def _links_from(box, control):
    return [link for link in box.links if link.source[0] is control]


def _grid(rows=3, columns=4, **kwargs):
    frames = [[widgets.HTML(f"{r},{c}") for c in range(columns)] for r in range(rows)]
    labels = [f"row {r}" for r in range(rows)], [f"col {c}" for c in range(columns)]
    return frames, frame_grid(frames, "prefix", "T", *labels, **kwargs)


def test_every_frame_sits_in_its_row_and_column():
    frames, box = _grid()
    assert box.children == (box.buttons, box.slider, box.stack)
    assert list(box.stack.children) == box.stacks
    for r, inner in enumerate(box.stacks):
        assert list(inner.children) == frames[r]


def test_buttons_choose_the_row_and_the_slider_every_inner_column_in_the_browser():
    _, box = _grid()
    button_links = _links_from(box, box.buttons)
    assert [(link.source[1], link.target) for link in button_links] == [
        ("index", (box.stack, "selected_index"))
    ]
    slider_links = _links_from(box, box.slider)
    assert all(
        link.source[1] == "index" and link.target[1] == "selected_index"
        for link in slider_links
    )
    assert [
        link.target[0] for link in slider_links
    ] == box.stacks  # one link per row, none missing
    assert [label for label, _ in box.buttons.options] == ["row 0", "row 1", "row 2"]
    assert [label for label, _ in box.slider.options] == [
        "col 0",
        "col 1",
        "col 2",
        "col 3",
    ]


@pytest.mark.skipif(KERNEL_FREE, reason="ipywidgets 8 links in the browser, not here")
def test_on_ipywidgets_7_the_controls_pick_the_frame_in_the_kernel():
    frames, box = _grid()
    box.buttons.value = 2
    box.slider.value = 3
    assert box.stack.selected_index == 2
    assert all(inner.selected_index == 3 for inner in box.stacks)
    shown = [c for c in box.stack.children if c.layout.display != "none"]
    assert shown == [box.stacks[2]]
    assert [c for c in box.stacks[2].children if c.layout.display != "none"] == [
        frames[2][3]
    ]


def test_start_selects_the_first_frame_shown_and_the_controls_agree():
    _, box = _grid(start=(2, 1))
    assert box.buttons.index == box.stack.selected_index == 2
    assert box.slider.index == 1 and all(
        inner.selected_index == 1 for inner in box.stacks
    )


def test_repeated_labels_are_allowed():
    box = frame_grid(
        [[widgets.HTML("a"), widgets.HTML("b")]],
        "r",
        "c",
        ["x"],
        ["same", "same"],
        start=(0, 1),
    )
    assert box.slider.index == 1


@pytest.mark.parametrize(
    ("frames", "row_labels", "column_labels", "start", "message"),
    [
        ([], [], [], (0, 0), "at least one row"),
        ([[]], ["a"], [], (0, 0), "at least one row"),
        ([["x", "y"], ["z"]], ["a", "b"], ["1", "2"], (0, 0), "same length"),
        (
            [["x"]],
            ["a", "b"],
            ["1"],
            (0, 0),
            r"row_labels must have one entry per row \(1\), got 2",
        ),
        (
            [["x"]],
            ["a"],
            [],
            (0, 0),
            r"column_labels must have one entry per column \(1\), got 0",
        ),
        ([["x"]], ["a"], ["1"], (0, 1), "start must be"),
    ],
)
def test_malformed_grids_are_refused(frames, row_labels, column_labels, start, message):
    frames = [[widgets.HTML(str(f)) for f in row] for row in frames]
    with pytest.raises(ValueError, match=message):
        frame_grid(frames, "r", "c", row_labels, column_labels, start=start)
