"""The appendix's execution table reads real timing stamps from notebooks."""

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).parents[1] / "book" / "_ext"))
from execution_statistics import notebook_statistics  # noqa: E402


def test_statistics_add_up_the_stamped_cells(tmp_path):
    timed = nbformat.v4.new_code_cell("1")
    timed.metadata["execution"] = {
        "iopub.execute_input": "2026-01-01T10:00:00.000000Z",
        "shell.execute_reply": "2026-01-01T10:00:02.500000Z",
    }
    failed = nbformat.v4.new_code_cell("1/0")
    failed.metadata["execution"] = {
        "iopub.execute_input": "2026-01-01T10:00:03.000000Z",
        "shell.execute_reply": "2026-01-01T10:00:04.000000Z",
    }
    failed.outputs = [
        nbformat.v4.new_output(
            "error", ename="ZeroDivisionError", evalue="", traceback=[]
        )
    ]
    never_run = nbformat.v4.new_code_cell("2")
    path = tmp_path / "nb.ipynb"
    nbformat.write(
        nbformat.v4.new_notebook(
            cells=[timed, failed, never_run, nbformat.v4.new_markdown_cell("x")]
        ),
        path,
    )

    stats = notebook_statistics(path)

    assert stats["cells"] == 3
    assert stats["seconds"] == 3.5
    assert stats["finished"].isoformat() == "2026-01-01T10:00:04+00:00"
    assert stats["errors"] == 1


def test_every_chapter_was_executed_with_stamps_and_no_errors():
    for path in sorted((Path(__file__).parents[1] / "chapters").glob("*.ipynb")):
        stats = notebook_statistics(path)
        assert stats["finished"] is not None, (
            f"{path.name} has no timing stamps: run make refresh"
        )
        assert stats["errors"] == 0, f"{path.name} stores an error output"
