"""A directive that tabulates how long each chapter took to run when its outputs were stored.

``make refresh`` (``jupyter execute``) records when every cell started and
finished in the cell's metadata; this reads those stamps from the notebooks
themselves, so the table always describes the outputs the book shows.

Usage in a page::

    ```{execution-statistics} chapters
    ```
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def _stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def notebook_statistics(path: Path) -> dict:
    """Code cells, seconds spent in them, and when the last one ran, from a notebook's stored metadata."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    seconds, finished = 0.0, None
    for cell in cells:
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            start, end = (
                _stamp(timing["iopub.execute_input"]),
                _stamp(timing["shell.execute_reply"]),
            )
            seconds += (end - start).total_seconds()
            finished = max(finished, end) if finished else end
    errors = sum(
        1
        for c in cells
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    )
    return {
        "cells": len(cells),
        "seconds": seconds,
        "finished": finished,
        "errors": errors,
    }


class ExecutionStatistics(SphinxDirective):
    required_arguments = 1  # the folder of notebooks, relative to the book's root

    def run(self) -> list[nodes.Node]:
        folder = Path(self.env.srcdir) / self.arguments[0]
        rows = []
        for path in sorted(folder.glob("*.ipynb")):
            self.env.note_dependency(str(path))
            stats = notebook_statistics(path)
            when = (
                stats["finished"].strftime("%Y-%m-%d %H:%M UTC")
                if stats["finished"]
                else "not recorded"
            )
            rows.append(
                [
                    path.stem,
                    str(stats["cells"]),
                    f"{stats['seconds']:.1f}",
                    when,
                    str(stats["errors"]),
                ]
            )
        header = ["notebook", "code cells", "run time (s)", "last executed", "errors"]
        # In the PDF, columns as wide as their text (LaTeX would otherwise hyphenate the names).
        return [addnodes.tabular_col_spec(spec="lrrlr"), _table(header, rows)]


def _table(header: list[str], rows: list[list[str]]) -> nodes.table:
    table = nodes.table(classes=["execution-statistics"])
    group = nodes.tgroup(cols=len(header))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in header)
    head, body = nodes.thead(), nodes.tbody()
    group += head
    group += body
    for target, cells in [(head, [header]), (body, rows)]:
        for values in cells:
            row = nodes.row()
            for value in values:
                row += nodes.entry("", nodes.paragraph(text=value))
            target += row
    return table


def setup(app: Sphinx) -> dict:
    app.add_directive("execution-statistics", ExecutionStatistics)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
