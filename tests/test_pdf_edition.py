"""The PDF edition's widget frames (book/_ext/pdf_edition.py), without TeX: on widgets made by
``hello_rnn.widgets`` and on the widget state stored in the chapters."""

import json
import sys
from pathlib import Path

import ipywidgets
import pytest
from docutils import nodes
from ipywidgets.embed import embed_data
from matplotlib.figure import Figure

from hello_rnn import widgets

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from pdf_edition import SENTENCE, WIDGET_STATE, WIDGET_VIEW, _Frame, html_to_nodes  # noqa: E402


def stored_state(box: ipywidgets.Widget) -> dict:
    """The widget state as a notebook stores it (buffers base64-encoded), by model id."""
    return embed_data(views=[box])["manager_state"]["state"]


def frame_of(box: ipywidgets.Widget, tmp_path: Path) -> _Frame:
    frame = _Frame(stored_state(box), tmp_path / "frames", tmp_path)
    frame.walk(box.model_id)
    return frame


def small_image(color: str) -> ipywidgets.Image:
    fig = Figure(figsize=(1, 1))
    fig.add_subplot().set_facecolor(color)
    return widgets.figure_to_image(fig, dpi=20)


def test_a_slider_of_images_shows_its_first_image_and_label(tmp_path):
    images = [small_image(color) for color in ("red", "green", "blue")]
    box = widgets.frame_slider(images, "position t", labels=["t = 0", "t = 1", "t = 2"])
    frame = frame_of(box, tmp_path)
    kinds = [type(block) for block in frame.blocks]
    assert kinds == [nodes.paragraph, nodes.image]
    assert frame.blocks[0].astext() == "t = 0"
    uri = frame.blocks[1]["uri"]
    assert uri.startswith("/frames/")
    assert (tmp_path / uri.lstrip("/")).read_bytes() == images[0].value
    assert frame.controls == ["the slider \u201cposition t\u201d"]
    note = frame.nodes()
    assert (
        note[0].get("format") == "latex" and "minipage" in note[0].astext()
    )  # kept on one page
    assert SENTENCE in note[-2].astext()


def test_a_described_frame_keeps_its_sentence_as_the_image_alt(tmp_path):
    from hello_rnn import DataHandler, plots

    data = DataHandler("hello")
    frames = [
        widgets.figure_to_image(plots.one_hot_matrix(data, highlight=t), dpi=20)
        for t in range(2)
    ]
    frame = frame_of(widgets.frame_slider(frames, "position t"), tmp_path)
    (image,) = [block for block in frame.blocks if isinstance(block, nodes.image)]
    assert image["alt"] == frames[0].alt and "Row t = 1" in image["alt"]
    assert (tmp_path / image["uri"].lstrip("/")).read_bytes() == frames[0].value
    assert (
        frame_of(widgets.frame_slider([small_image("red")], "x"), tmp_path).blocks[0][
            "alt"
        ]
        == "one frame of an interactive figure"
    )


def test_a_grid_shows_its_start_frame_and_says_which_it_is(tmp_path):
    frames = [
        [ipywidgets.HTML(f"<pre>row {r} column {c}</pre>") for c in range(3)]
        for r in range(2)
    ]
    box = widgets.frame_grid(
        frames,
        "beginning",
        "temperature τ",
        ["the cat ", "a bird "],
        ["0", "0.5", "1"],
        start=(1, 2),
    )
    frame = frame_of(box, tmp_path)
    assert [block.astext() for block in frame.blocks] == ["row 1 column 2"]
    assert frame.controls == [
        "the buttons \u201cbeginning\u201d set to \u201ca bird\u201d",
        "the slider \u201ctemperature τ\u201d set to 1",
    ]
    text = frame.nodes()[-1].astext()
    assert (
        text.startswith("One frame of the buttons")
        and " and the slider " in text
        and text.endswith(SENTENCE)
    )


def test_frame_html_becomes_paragraphs_and_literal_text():
    blocks = html_to_nodes(
        "<p>after <b>50</b> steps</p><pre style='padding:1em'>def f(x):\n    return x &lt; 1</pre>"
        "<div style='white-space: pre-wrap'>seed 0: <b>the</b> cat</div>"
    )
    assert [type(block) for block in blocks] == [nodes.paragraph, nodes.literal_block]
    assert blocks[0].astext() == "after 50 steps"
    assert isinstance(blocks[0][1], nodes.strong)
    assert blocks[1].astext() == "def f(x):\n    return x < 1\nseed 0: the cat"


@pytest.mark.parametrize(
    "path", sorted((ROOT / "chapters").glob("*.ipynb")), ids=lambda p: p.stem
)
def test_every_stored_widget_has_a_frame_for_the_pdf(path, tmp_path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    state = (
        notebook.get("metadata", {})
        .get("widgets", {})
        .get(WIDGET_STATE, {})
        .get("state", {})
    )
    views = [
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    for model_id in views:
        frame = _Frame(state, tmp_path, tmp_path)
        frame.walk(model_id)
        assert frame.blocks, f"{path.name}: widget {model_id} shows nothing in the PDF"
        assert frame.controls, f"{path.name}: widget {model_id} has no control to name"
        for image in (
            block for block in frame.blocks if isinstance(block, nodes.image)
        ):
            assert (
                (tmp_path / image["uri"].lstrip("/"))
                .read_bytes()
                .startswith(b"\x89PNG")
            )
