"""frame_slider and figure_to_image: widgets that work with no kernel, linked in the browser."""

import pytest

widgets = pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from hello_rnn.widgets import KERNEL_FREE, figure_to_image, frame_slider  # noqa: E402


def _links_from(box, control):
    return [link for link in box.links if link.source[0] is control]


def _shown(pages):
    """The child a reader sees: the selected one (ipywidgets 7 also hides the others)."""
    if not KERNEL_FREE:
        visible = [c for c in pages.children if c.layout.display != "none"]
        assert visible == [pages.children[pages.selected_index]]
    return pages.children[pages.selected_index]


def test_slider_has_one_position_per_frame_and_is_linked_in_the_browser():
    frames = [widgets.HTML(f"frame {i}") for i in range(5)]
    box = frame_slider(frames, "step")
    slider, stack = box.slider, box.stack
    assert (slider.min, slider.max, slider.value) == (0, 4, 0)
    assert slider.max - slider.min + 1 == len(frames)
    assert list(stack.children) == frames and stack.selected_index == 0
    links = _links_from(box, slider)
    assert [(link.source[1], link.target) for link in links] == [
        ("value", (stack, "selected_index"))
    ]
    assert box.children[1] is stack
    # ipywidgets 8 links them in the browser (nothing moves here); 7 in the kernel.
    assert type(links[0]).__name__ == ("Link" if KERNEL_FREE else "link")


@pytest.mark.skipif(KERNEL_FREE, reason="ipywidgets 8 links in the browser, not here")
def test_on_ipywidgets_7_moving_the_slider_shows_that_frame_alone():
    frames = [widgets.HTML(f"frame {i}") for i in range(3)]
    box = frame_slider(frames, "step", labels=["a", "b", "c"])
    assert _shown(box.stack) is frames[0]
    box.slider.value = 2
    assert _shown(box.stack) is frames[2]
    captions = box.links[1].target[0]
    assert _shown(captions).value == "<b>c</b>"


def test_labels_are_shown_in_a_second_linked_stack():
    frames = [widgets.HTML("a"), widgets.HTML("b")]
    box = frame_slider(frames, "t", labels=["first", "second"])
    links = _links_from(box, box.slider)
    assert len(links) == 2
    targets = [link.target[0] for link in links]
    assert box.stack in targets
    captions = next(t for t in targets if t is not box.stack)
    assert [c.value for c in captions.children] == ["<b>first</b>", "<b>second</b>"]
    assert all(link.target[1] == "selected_index" for link in links)
    assert not box.slider.readout  # the labels replace the number


def test_a_single_frame_still_works():
    box = frame_slider([widgets.HTML("only")], "x")
    assert (box.slider.min, box.slider.max) == (0, 0)


def test_no_frames_is_an_error():
    with pytest.raises(ValueError, match="at least one widget"):
        frame_slider([], "step")


def test_labels_must_match_the_frames():
    with pytest.raises(ValueError, match=r"one entry per frame \(2\), got 3"):
        frame_slider(
            [widgets.HTML("a"), widgets.HTML("b")], "step", labels=["1", "2", "3"]
        )


def test_figure_to_image_is_a_png_and_closes_the_figure():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    image = figure_to_image(fig, dpi=30)
    assert image.format == "png" and bytes(image.value).startswith(b"\x89PNG")
    assert not plt.fignum_exists(fig.number)


def test_figure_to_image_says_what_it_shows():
    """The alt text: the caller's words, or else the figure's own titles and axis labels."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    ax.set(title="loss", xlabel="step", ylabel="bits per character")
    fig.suptitle("Training")
    image = figure_to_image(fig, dpi=20)
    assert image.alt == "Training; loss, x: step, y: bits per character"
    fig, _ = plt.subplots()
    image = figure_to_image(fig, dpi=20, alt="The loss falls from 4.1 to 0.2 bits")
    assert image.alt == "The loss falls from 4.1 to 0.2 bits"
    if KERNEL_FREE:
        # ipywidgets 8: the tooltip, which the page script makes the img's alt; and an empty
        # description, which ipywidgets 8's view reads when it shows a tooltip
        state = image.get_state()
        assert state["tooltip"] == image.alt and state["description"] == ""
        assert state["_model_name"] == "ImageModel"


def test_a_frame_takes_the_sentence_its_plotting_function_wrote():
    from hello_rnn import DataHandler, plots
    from hello_rnn.alt_text import alt_of

    data = DataHandler("hello")
    fig = plots.one_hot_matrix(data, highlight=2)
    sentence = alt_of(fig)
    image = figure_to_image(fig, dpi=20)
    assert image.alt == sentence and "Row t = 3" in sentence


def test_on_ipywidgets_7_a_frame_is_an_img_with_its_alt(monkeypatch):
    """ipywidgets 7's Image view writes no alt (nor title): there the frame is HTML with an img."""
    import base64
    import re

    import matplotlib.pyplot as plt

    from hello_rnn import widgets as hello_widgets

    monkeypatch.setattr(hello_widgets, "KERNEL_FREE", False)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    frame = hello_widgets.figure_to_image(
        fig, dpi=20, alt='The line falls "fast" & <far>'
    )
    assert isinstance(frame, widgets.HTML) and not plt.fignum_exists(fig.number)
    img = re.fullmatch(
        r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)" style="[^"]*">',
        frame.value,
    )
    assert img, frame.value
    assert base64.b64decode(img[1]).startswith(b"\x89PNG")
    assert img[2] == "The line falls &quot;fast&quot; &amp; &lt;far&gt;"
    assert frame.alt == 'The line falls "fast" & <far>'


def test_figure_to_image_refuses_an_empty_alt():
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt must say what the figure shows"):
        figure_to_image(fig, dpi=20, alt="  ")
    plt.close(fig)
