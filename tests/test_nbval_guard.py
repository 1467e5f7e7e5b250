"""The guard the book rests on: strict nbval fails when a stored output is stale."""

import subprocess
import sys
from pathlib import Path

import nbformat


def _notebook(path: Path, stored_output: str) -> None:
    cell = nbformat.v4.new_code_cell("print(6 * 7)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored_output)]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


def _nbval(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            str(path),
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        capture_output=True,
        text=True,
        cwd=path.parent,
    )


def test_strict_nbval_passes_a_true_output_and_fails_a_stale_one(tmp_path):
    _notebook(tmp_path / "fresh.ipynb", "42\n")
    _notebook(tmp_path / "stale.ipynb", "41\n")
    assert _nbval(tmp_path / "fresh.ipynb").returncode == 0
    stale = _nbval(tmp_path / "stale.ipynb")
    assert stale.returncode == 1
    assert "41" in stale.stdout and "42" in stale.stdout
