"""A directive that tabulates the recorded measurements of chapter 7's runs.

``benchmarks/going_bigger.py`` runs chapter 7's training on a device and writes
what it measured to ``benchmarks/results/going_bigger.json``; this turns that
file into the appendix's table, so the page always shows what was recorded and
never a number typed by hand.

Usage in a page::

    ```{going-bigger-measurements} benchmarks/results/going_bigger.json
    ```
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from execution_statistics import _table  # a sibling in book/_ext, on the path
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def _shape(run: dict) -> str:
    sizes = run["sizes"]
    return f"H={sizes['hidden']}, T={sizes['seq_len']}, B={sizes['batch_size']}"


def row(run: dict) -> list[str]:
    """One line of the table: what ran, how fast, and how far it got."""
    if run["status"] != "measured":
        return [run["device"], run["setting"], _shape(run), run["status"], ""]
    if run["complete"]:
        reached = f"{run['validation_bpc']:.4f}"
    else:
        reached = f"(speed test: {run['steps_run']} of {run['sizes']['steps']} steps)"
    speed = f"{run['chars_per_s']:,.0f}"
    return [run["device"], run["setting"], _shape(run), speed, reached]


def measured_on(run: dict) -> str:
    """What a measurement ran on."""
    threads = f", {run['torch_threads']} thread" if run["torch_threads"] else ""
    load = run["load_average_at_start"]
    busy = f", load average {load:.1f}" if load is not None else ""
    return (
        f"{run['device']}, {run['setting']}: {run['device_name']}{threads} "
        f"({run['cpu_cores']} cores{busy}), torch {run['torch']}, "
        f"Python {run['python']}, {run['date']}"
    )


class GoingBiggerMeasurements(SphinxDirective):
    required_arguments = 1  # the results file, relative to the book's root

    def run(self) -> list[nodes.Node]:
        path = Path(self.env.srcdir) / self.arguments[0]
        self.env.note_dependency(str(path))
        runs = json.loads(path.read_text(encoding="utf-8"))["runs"]
        header = [
            "device",
            "setting",
            "sizes",
            "characters per second",
            "validation bpc",
        ]
        table = _table(header, [row(run) for run in runs])
        done = [measured_on(r) for r in runs if r["status"] == "measured"]
        todo = [r["how"] for r in runs if r["status"] != "measured"]
        found = [table, nodes.paragraph(text="Measured on:"), _bullets(done)]
        if todo:
            commands = _bullets(todo, literal=True)
            found += [nodes.paragraph(text="To measure the others:"), commands]
        return found


def _bullets(lines: list[str], literal: bool = False) -> nodes.bullet_list:
    """A bulleted list; commands as literal text (no "--" turned into a dash)."""
    items = nodes.bullet_list()
    for line in lines:
        text = nodes.literal(text=line) if literal else nodes.Text(line)
        items += nodes.list_item("", nodes.paragraph("", "", text))
    return items


def setup(app: Sphinx) -> dict:
    app.add_directive("going-bigger-measurements", GoingBiggerMeasurements)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
