"""One-cell notebooks for the tests of the notebook tooling (nbval, make refresh)."""

from __future__ import annotations

from pathlib import Path

import nbformat

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def one_cell_notebook(
    path: Path, code: str, stored_output: str = "", metadata: dict | None = None
) -> Path:
    """Write a notebook whose one code cell is `code`, with `stored_output` as its stdout."""
    cell = nbformat.v4.new_code_cell(code, execution_count=1)
    if stored_output:
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=stored_output)
        ]
    cell.metadata.update(metadata or {})
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    nbformat.write(notebook, path)
    return path
