"""Interactive controls for the chapters, on ipywidgets 8 (the book) and 7 (Colab).

The book's controls must work on a static HTML page, with no kernel behind it.
So every frame is computed in advance and put in a ``Stack``, and the control
is linked to the stack's ``selected_index`` *in the browser* (``jslink``):
moving it needs no Python at all. That is ipywidgets 8, which the book is built
with.

Colab runs ipywidgets 7.7.1, which has no ``Stack``, and installing
``hello_rnn`` must not replace it. There the same frames sit in a
:class:`Pages` box that shows one child and hides the others, and the control
is linked to its ``selected_index`` in the kernel (``link``). A notebook on
Colab always has a kernel, so the reader sees the same control, the same
frames, the same labels. One function, ``_link_pages``, picks the link;
nothing else in the module depends on the ipywidgets version.

One control, :func:`live_sampler`, is the other kind on every version: it runs
the network on every change, so it needs Python behind it (Jupyter, Colab),
and in return takes any input.

Not imported by ``hello_rnn`` itself: ``from hello_rnn import widgets``.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence

import ipywidgets as widgets
import traitlets
from matplotlib.figure import Figure
from torch import nn

from ._checks import finite_float, non_negative_int
from .alt_text import alt_of
from .data import Vocabulary
from .errors import InvalidValueError
from .sample import generate

__all__ = [
    "KERNEL_FREE",
    "Pages",
    "describe_figure",
    "figure_to_image",
    "frame_grid",
    "frame_slider",
    "live_sampler",
]

# ipywidgets 8 has Stack, so its controls can switch frames in the browser alone.
KERNEL_FREE: bool = hasattr(widgets, "Stack")


class Pages(widgets.Box):
    """``Stack`` for ipywidgets 7: shows ``children[selected_index]``, hides the rest.

    Hiding is ``layout.display = "none"``, set from Python, so it needs a kernel.
    """

    selected_index = traitlets.Int(0)

    def __init__(self, children: Sequence[widgets.Widget], selected_index: int = 0):
        super().__init__(list(children))
        self.selected_index = selected_index
        self._show(self.selected_index)

    @traitlets.observe("selected_index")
    def _on_index(self, change: dict) -> None:
        self._show(change["new"])

    def _show(self, index: int) -> None:
        for i, child in enumerate(self.children):
            child.layout.display = None if i == index else "none"


def _pages(children: Sequence[widgets.Widget], selected_index: int = 0) -> widgets.Box:
    """The box that shows one of ``children``: a ``Stack`` where there is one."""
    if KERNEL_FREE:
        return widgets.Stack(list(children), selected_index=selected_index)
    return Pages(children, selected_index)


def _link_pages(control: widgets.Widget, trait: str, pages: widgets.Box):
    """Make ``control.<trait>`` choose the page: in the browser on ipywidgets 8."""
    link = widgets.jslink if KERNEL_FREE else widgets.link
    return link((control, trait), (pages, "selected_index"))


def figure_to_image(
    fig: Figure, dpi: int = 100, *, alt: str | None = None
) -> widgets.Image | widgets.HTML:
    """A matplotlib figure as a PNG ``Image`` widget (and close the figure); an ``HTML`` one on ipywidgets 7.

    Args:
        fig: the figure; closed once drawn.
        dpi: its resolution.
        alt: what the picture shows, for a reader who cannot see it (the img's text alternative),
            written from the data: "The one-hot matrix of 'hello' with row 2 (the first l)
            highlighted", not "Figure". By default it is the text its plotting function attached
            (:func:`hello_rnn.alt_text.with_alt`), else it is put together from the figure's
            own titles and axis labels (:func:`describe_figure`).

    On ipywidgets 8 the text is the widget's ``tooltip``, which the book's page script
    (book/_ext/widgets-config.js) turns into the image's alt text. ipywidgets 7 (Colab) has
    no tooltip on an ``Image``, and its view writes nothing but the img's ``src``, ``width``
    and ``height``: there the frame is an ``HTML`` widget holding ``<img alt="..." src="data:...">``
    instead (``_described_picture``), which looks the same. Either way the text is also kept
    as the widget's ``.alt``.
    """
    import matplotlib.pyplot as plt

    if alt is None:
        alt = alt_of(fig) or describe_figure(fig)
    elif not alt.strip():
        raise InvalidValueError("alt must say what the figure shows, got an empty text")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    png = buffer.getvalue()
    if alt and KERNEL_FREE:
        image = _DescribedImage(value=png, format="png", tooltip=alt)
    elif alt:
        image = _described_picture(png, alt)
    else:
        image = widgets.Image(value=png, format="png")
    image.alt = alt
    return image


def _described_picture(png: bytes, alt: str) -> widgets.HTML:
    """A PNG with its alt text, for ipywidgets 7: an ``HTML`` widget holding the ``img`` itself.

    The PNG travels inside the HTML as a ``data:`` URL (a third larger than the ``Image``
    widget's bytes); ``display: block`` keeps the HTML widget's line height from adding a gap.
    """
    source = base64.b64encode(png).decode("ascii")
    return widgets.HTML(
        f'<img src="data:image/png;base64,{source}" alt="{html.escape(alt)}" '
        'style="display:block; max-width:100%; height:auto">'
    )


class _DescribedImage(widgets.Image):
    """An ``Image`` with a tooltip, which ipywidgets 8's view can show.

    The view puts a tooltip in the img's title only when the model's ``description`` is empty,
    and reads it without checking that there is one: an ``Image`` has none, so an Image with a
    tooltip fails to render ("Could not create a view for model id ..."). This one syncs an
    empty ``description``; the page script then copies the title into the img's alt.
    """

    description = traitlets.Unicode("").tag(sync=True)


def describe_figure(fig: Figure) -> str:
    """A figure's own words: its title, and each plot's title and axis labels ("" if it has none)."""
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(suptitle.get_text().strip())
    for ax in fig.get_axes():
        title = " ".join(
            ax.get_title(loc).strip() for loc in ("left", "center", "right")
        ).strip()
        axes = [
            f"{name} {label}"
            for name, label in (
                ("x:", ax.get_xlabel().strip()),
                ("y:", ax.get_ylabel().strip()),
            )
            if label
        ]
        described = ", ".join(filter(None, [title, *axes]))
        if described:
            parts.append(described)
    return "; ".join(parts)


def frame_slider(
    frames: Sequence[widgets.Widget],
    description: str,
    labels: Sequence[str] | None = None,
) -> widgets.VBox:
    """A slider that shows one of ``frames`` at a time.

    Args:
        frames: the precomputed widgets (``figure_to_image`` output, ``HTML``, ...).
        description: the slider's label.
        labels: optional text per frame, shown beside the slider instead of its index.

    Returns:
        ``VBox([controls, pages])``; its ``.slider``, ``.stack`` (the pages) and
        ``.links`` (slider to pages) are exposed for tests.
    """
    if not frames:
        raise InvalidValueError("frames must hold at least one widget to show")
    if labels is not None and len(labels) != len(frames):
        raise InvalidValueError(
            f"labels must have one entry per frame ({len(frames)}), got {len(labels)}"
        )
    slider = widgets.IntSlider(
        value=0,
        min=0,
        max=len(frames) - 1,
        description=description,
        readout=labels is None,
        style={"description_width": "initial"},
    )
    stack = _pages(frames)
    links = [_link_pages(slider, "value", stack)]
    controls: list[widgets.Widget] = [slider]
    if labels is not None:
        captions = _pages([widgets.HTML(f"<b>{label}</b>") for label in labels])
        links.append(_link_pages(slider, "value", captions))
        controls.append(captions)
    box = widgets.VBox([widgets.HBox(controls), stack])
    box.slider, box.stack, box.links = slider, stack, links
    return box


# --- Chapter 6: sampling ---


def frame_grid(
    frames: Sequence[Sequence[widgets.Widget]],
    row_description: str,
    column_description: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    start: tuple[int, int] = (0, 0),
) -> widgets.VBox:
    """Two controls over a grid of precomputed frames.

    Buttons choose the row and a slider the column. The frames sit in nested
    pages: an outer one with one inner page set per row. The buttons' index is
    linked to the outer pages and the slider's index to every inner one, so on
    ipywidgets 8 changing either control needs no kernel, like
    :func:`frame_slider`.

    Args:
        frames: ``frames[r][c]``, the widget for row ``r`` and column ``c``;
            every row as long.
        row_description: the buttons' label.
        column_description: the slider's label.
        row_labels: one button label per row.
        column_labels: one slider label per column (shown as the slider's readout).
        start: the ``(row, column)`` shown first.

    Returns:
        ``VBox([buttons, slider, outer pages])``; its ``.buttons``, ``.slider``,
        ``.stack`` (outer), ``.stacks`` (inner, one per row) and ``.links`` are
        exposed for tests.
    """
    rows = [list(row) for row in frames]
    if not rows or not rows[0]:
        raise InvalidValueError(
            "frames must hold at least one row with at least one widget"
        )
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        lengths = [len(row) for row in rows]
        raise InvalidValueError(
            f"every row of frames must have the same length, got {lengths}"
        )
    if len(row_labels) != len(rows):
        raise InvalidValueError(
            f"row_labels must have one entry per row ({len(rows)}), "
            f"got {len(row_labels)}"
        )
    if len(column_labels) != width:
        raise InvalidValueError(
            f"column_labels must have one entry per column ({width}), "
            f"got {len(column_labels)}"
        )
    row, column = start
    if not (0 <= row < len(rows) and 0 <= column < width):
        raise InvalidValueError(
            f"start must be a (row, column) in the grid ({len(rows)} x {width}), "
            f"got {start!r}"
        )
    buttons = widgets.ToggleButtons(
        options=[(label, i) for i, label in enumerate(row_labels)],
        value=row,
        description=row_description,
        style={"description_width": "initial", "button_width": "auto"},
    )
    slider = widgets.SelectionSlider(
        options=[(label, i) for i, label in enumerate(column_labels)],
        value=column,
        description=column_description,
        style={"description_width": "initial"},
        layout={"width": "min(100%, 34em)"},
    )
    stacks = [_pages(row_frames, column) for row_frames in rows]
    stack = _pages(stacks, row)
    links = [_link_pages(buttons, "index", stack)]
    links += [_link_pages(slider, "index", inner) for inner in stacks]
    box = widgets.VBox([buttons, slider, stack])
    box.buttons, box.slider, box.stack, box.stacks = buttons, slider, stack, stacks
    box.links = links
    return box


def live_sampler(
    net: nn.Module,
    vocabulary: Vocabulary,
    prefix: str,
    *,
    temperature: float = 1.0,
    length: int = 200,
    seed: int = 0,
    max_temperature: float = 2.0,
) -> widgets.VBox:
    """A sampler that writes with the network itself: any beginning, temperature and seed.

    Every change of the text box (on Enter), the temperature slider or the seed
    calls :func:`~hello_rnn.sample.generate` again and shows what it wrote. That
    needs Python behind the page: in a static HTML page the controls do nothing.
    A beginning the network cannot read (a character not in its vocabulary, or
    nothing at all) shows the reason instead of a sample.

    Args:
        net: the network that writes.
        vocabulary: its characters.
        prefix: the beginning shown first.
        temperature: the temperature shown first, in ``[0, max_temperature]``.
        length: characters to write after the beginning.
        seed: the seed shown first; the same settings always write the same text.
        max_temperature: the right end of the slider.

    Returns:
        ``VBox([controls, output])``; its ``.prefix``, ``.temperature``, ``.seed``
        and ``.output`` (an ``HTML`` widget) are exposed for tests.
    """
    max_temperature = finite_float("max_temperature", max_temperature, positive=True)
    temperature = finite_float("temperature", temperature, minimum=0.0)
    if temperature > max_temperature:
        raise InvalidValueError(
            f"temperature must be at most max_temperature={max_temperature:g}, got {temperature!r}"
        )
    seed = non_negative_int("seed", seed)
    first = generate(
        net, vocabulary, prefix, length, temperature, seed
    )  # bad arguments fail here, not in a callback
    style = {"description_width": "initial"}
    prefix_box = widgets.Text(
        value=prefix, description="beginning", continuous_update=False, style=style
    )
    temperature_slider = widgets.FloatSlider(
        value=temperature,
        min=0.0,
        max=max_temperature,
        step=0.05,
        description="temperature τ",
        continuous_update=False,
        style=style,
    )
    seed_box = widgets.BoundedIntText(
        value=seed, min=0, max=2**31 - 1, description="seed", style=style
    )
    output = widgets.HTML(_sample_html(first, len(prefix)))

    def write(change: object) -> None:
        try:
            text = generate(
                net,
                vocabulary,
                prefix_box.value,
                length,
                temperature_slider.value,
                seed_box.value,
            )
        except ValueError as error:  # the reader's beginning: say what is wrong with it
            output.value = f"<p style='color:#b00020'>{html.escape(str(error))}</p>"
            return
        output.value = _sample_html(text, len(prefix_box.value))

    for control in (prefix_box, temperature_slider, seed_box):
        control.observe(write, names="value")
    box = widgets.VBox(
        [widgets.HBox([prefix_box, temperature_slider, seed_box]), output]
    )
    box.prefix, box.temperature, box.seed, box.output = (
        prefix_box,
        temperature_slider,
        seed_box,
        output,
    )
    return box


def _sample_html(text: str, prefix_length: int) -> str:
    """A written text as HTML: the beginning in bold, the rest as written."""
    start, rest = html.escape(text[:prefix_length]), html.escape(text[prefix_length:])
    return f"<pre style='white-space:pre-wrap'><b>{start}</b>{rest}</pre>"
