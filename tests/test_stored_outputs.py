"""What strict nbval does not compare: the pictures stored in the chapters, and their words.

nbval compares text outputs and skips images. A chapter executed with the wrong
matplotlib backend (``MPLBACKEND=Agg`` in the kernel's environment) stores its
glued figures as ``<Figure size ...>`` text alone, and the book shows no figure;
so every glued figure must carry its PNG.

Nor does nbval look at output metadata or the widget state in the notebook's metadata,
where the figures' alt texts are stored: a glued figure's in its output's
``metadata["image/png"]["alt"]``, a slider frame's as its ``Image`` model's ``tooltip``
(book/_ext/widgets-config.js makes it the img's alt). Each must be the sentence its
plotting function wrote from the data, not a placeholder, and not the titles and axis
labels that ``widgets.describe_figure`` falls back to.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
RECORD = "application/papermill.record/"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# describe_figure's fallback: "title, x: label, y: label; ..." (an "x: " or "y: " at the start
# of a part or after a comma); the plots' sentences never read like that.
TITLES_AND_LABELS = re.compile(r"(^|[,;] )[xy]: ")

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from a11y import generic_alt  # noqa: E402


def glued_figure_outputs(path: Path) -> list[tuple[str, dict]]:
    """(name, output) of every glued value whose text is a matplotlib figure's."""
    found = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            text = "".join(data.get(RECORD + "text/plain", ""))
            if text.startswith("<Figure size"):
                name = output["metadata"]["scrapbook"]["name"]
                found.append((name, output))
    return found


def glued_figures(path: Path) -> list[tuple[str, dict]]:
    """(name, data) of every glued value whose text is a matplotlib figure's."""
    return [(name, output["data"]) for name, output in glued_figure_outputs(path)]


def widget_models(path: Path) -> dict[str, dict]:
    """The widget models stored in a notebook's metadata, by model id."""
    metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    return metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def says_what_it_shows(alt: object) -> bool:
    """A real sentence: not missing, not a placeholder word, not titles and axis labels."""
    return (
        isinstance(alt, str)
        and not generic_alt(alt)
        and not TITLES_AND_LABELS.search(alt)
        and len(alt.split()) >= 8
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_glued_figure_is_stored_as_a_picture(notebook):
    for name, data in glued_figures(notebook):
        assert RECORD + "image/png" in data, (
            f"{notebook.name}: the figure glued as {name!r} has no PNG; "
            "re-run `make refresh` (not with MPLBACKEND=Agg)"
        )


def test_the_chapters_glue_figures():
    assert sum(len(glued_figures(path)) for path in NOTEBOOKS) >= 7


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_glued_figure_carries_its_alt_text(notebook):
    for name, output in glued_figure_outputs(notebook):
        alt = output["metadata"].get("image/png", {}).get("alt")
        assert says_what_it_shows(alt), (
            f"{notebook.name}: the figure glued as {name!r} has no alt text written from "
            f"its data (got {alt!r}); its plots function must return with_alt(fig, ...), "
            "then re-run `make refresh`"
        )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_slider_frame_says_what_it_shows(notebook):
    """Each frame's Image carries its own sentence, and the frames of one control differ."""
    models = widget_models(notebook)
    images = {
        key: model["state"]
        for key, model in models.items()
        if model["model_name"] == "ImageModel"
    }
    for key, state in images.items():
        tooltip = state.get("tooltip")
        assert says_what_it_shows(tooltip), (
            f"{notebook.name}: the slider frame {key} has no alt text written from its "
            f"data (tooltip {tooltip!r}); re-run `make refresh`"
        )
        # ipywidgets 8's view reads `description` whenever there is a tooltip
        assert state.get("description") == "", key
    for key, model in models.items():
        frames = [
            images[child.removeprefix("IPY_MODEL_")]
            for child in model["state"].get("children", [])
            if child.removeprefix("IPY_MODEL_") in images
        ]
        tooltips = [frame.get("tooltip") for frame in frames]
        assert len(set(tooltips)) == len(tooltips), (
            f"{notebook.name}: the frames of {key} share an alt text; each frame must "
            "describe what it shows"
        )


def test_the_chapters_store_slider_frames():
    assert (
        sum(
            model["model_name"] == "ImageModel"
            for path in NOTEBOOKS
            for model in widget_models(path).values()
        )
        >= 5
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_visible_code_is_code_to_learn(notebook):
    """Bookkeeping (glue, expect) lives in hidden cells; the page shows the computation."""
    hidden = {"remove-cell", "hide-input", "remove-input"}
    for index, cell in enumerate(
        json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    ):
        if cell["cell_type"] != "code" or hidden & set(
            cell["metadata"].get("tags", [])
        ):
            continue
        source = "".join(cell["source"])
        found = re.findall(r"(?<![\w.])(glue|expect)\(", source)
        assert not found, (
            f"{notebook.name}, cell {index}: visible code calls {sorted(set(found))}; "
            "move it into a hidden cell (tag remove-cell)"
        )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_figure_is_shown_without_its_alt_text(notebook):
    """A figure a cell shows directly (not glued) needs its sentence too; usually such a
    figure is a mistake: a figure glued in a later cell was left open at the end of its own."""
    for index, cell in enumerate(
        json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    ):
        for output in cell.get("outputs", []):
            if "image/png" not in output.get("data", {}):
                continue
            alt = output.get("metadata", {}).get("image/png", {}).get("alt")
            assert says_what_it_shows(alt), (
                f"{notebook.name}, cell {index} shows a figure without alt text; glue it "
                "(hello_rnn.notebook.glue) in the cell that draws it, or close it"
            )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_code_cell_is_empty(notebook):
    """An empty code cell is never executed, so whatever outputs it holds are stale."""
    for index, cell in enumerate(
        json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    ):
        if cell["cell_type"] == "code":
            assert "".join(cell["source"]).strip(), (
                f"{notebook.name}, cell {index} is empty"
            )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_widget_state_belongs_to_widgets_the_page_shows(notebook):
    """Stored widget state with no widget output to show it (left behind by a cell that
    moved to another chapter, say) puts dead controls' state on the page."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    shown = sum(
        "application/vnd.jupyter.widget-view+json" in output.get("data", {})
        for cell in cells
        for output in cell.get("outputs", [])
    )
    assert bool(widget_models(notebook)) == bool(shown), (
        f"{notebook.name}: {len(widget_models(notebook))} widget models stored, "
        f"{shown} widget outputs"
    )
