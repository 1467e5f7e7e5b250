"""What strict nbval does not compare: the pictures stored in the chapters.

nbval compares text outputs and skips images. A chapter executed with the wrong
matplotlib backend (``MPLBACKEND=Agg`` in the kernel's environment) stores its
glued figures as ``<Figure size ...>`` text alone, and the book shows no figure;
so every glued figure must carry its PNG.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
RECORD = "application/papermill.record/"


def glued_figures(path: Path) -> list[tuple[str, dict]]:
    """(name, data) of every glued value whose text is a matplotlib figure's."""
    found = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            text = "".join(data.get(RECORD + "text/plain", ""))
            if text.startswith("<Figure size"):
                name = output["metadata"]["scrapbook"]["name"]
                found.append((name, data))
    return found


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_glued_figure_is_stored_as_a_picture(notebook):
    for name, data in glued_figures(notebook):
        assert RECORD + "image/png" in data, (
            f"{notebook.name}: the figure glued as {name!r} has no PNG; "
            "re-run `make refresh` (not with MPLBACKEND=Agg)"
        )


def test_the_chapters_glue_figures():
    assert sum(len(glued_figures(path)) for path in NOTEBOOKS) >= 7
