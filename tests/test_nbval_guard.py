"""The guard the book rests on: strict nbval fails when a stored output is stale."""

import subprocess
import sys
from pathlib import Path

from tiny_notebooks import one_cell_notebook


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
    one_cell_notebook(tmp_path / "fresh.ipynb", "print(6 * 7)", "42\n")
    one_cell_notebook(tmp_path / "stale.ipynb", "print(6 * 7)", "41\n")
    assert _nbval(tmp_path / "fresh.ipynb").returncode == 0
    stale = _nbval(tmp_path / "stale.ipynb")
    assert stale.returncode == 1
    assert "41" in stale.stdout and "42" in stale.stdout
