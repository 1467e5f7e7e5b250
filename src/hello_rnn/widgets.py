"""Interactive controls that keep working in the published book, with no kernel.

The trick: compute every frame in advance, put them in a ``Stack`` and link a
slider to the stack's ``selected_index`` in the browser (``jslink``). Moving
the slider then needs no Python at all, so the control works in Jupyter, in
Colab and on a static HTML page alike.

Not imported by ``hello_rnn`` itself: ``from hello_rnn import widgets``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import ipywidgets as widgets
from matplotlib.figure import Figure

__all__ = ["figure_to_image", "frame_slider"]


def figure_to_image(fig: Figure, dpi: int = 100) -> widgets.Image:
    """A matplotlib figure as a PNG ``Image`` widget (and close the figure)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return widgets.Image(value=buffer.getvalue(), format="png")


def frame_slider(
    frames: Sequence[widgets.Widget], description: str, labels: Sequence[str] | None = None
) -> widgets.VBox:
    """A slider that shows one of ``frames`` at a time, linked in the browser.

    Args:
        frames: the precomputed widgets (``figure_to_image`` output, ``HTML``, ...).
        description: the slider's label.
        labels: optional text per frame, shown beside the slider instead of its index.

    Returns:
        ``VBox([controls, Stack(frames)])``; its ``.slider`` and ``.stack`` are exposed for tests.
    """
    if not frames:
        raise ValueError("frames must hold at least one widget to show")
    if labels is not None and len(labels) != len(frames):
        raise ValueError(f"labels must have one entry per frame ({len(frames)}), got {len(labels)}")
    slider = widgets.IntSlider(
        value=0, min=0, max=len(frames) - 1, description=description,
        readout=labels is None, style={"description_width": "initial"},
    )
    stack = widgets.Stack(list(frames), selected_index=0)
    widgets.jslink((slider, "value"), (stack, "selected_index"))
    controls: list[widgets.Widget] = [slider]
    if labels is not None:
        captions = widgets.Stack([widgets.HTML(f"<b>{label}</b>") for label in labels], selected_index=0)
        widgets.jslink((slider, "value"), (captions, "selected_index"))
        controls.append(captions)
    box = widgets.VBox([widgets.HBox(controls), stack])
    box.slider, box.stack = slider, stack
    return box
