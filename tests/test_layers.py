"""The package's layers (pyproject.toml's [tool.importlinter]), and that the check bites."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="no lint-imports")


def _lint_imports(src: Path) -> subprocess.CompletedProcess:
    """lint-imports with the project's contracts, on the package found in `src`."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_contracts_hold():
    result = _lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "data.py",
            "from . import plots",
            "The core never imports the book's machinery",
        ),
        ("model.py", "from . import train", "The model knows nothing of training"),
        (
            "checkpoint.py",
            "from . import corpus",
            "Checkpoints import no training loop",
        ),
    ],
)
def test_an_import_across_the_layers_breaks_a_contract(
    tmp_path, module, line, contract
):
    package = tmp_path / "hello_rnn"
    shutil.copytree(
        ROOT / "src" / "hello_rnn",
        package,
        ignore=shutil.ignore_patterns("__pycache__", "*.pt", "corpora"),
    )
    target = package / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout, result.stdout
