"""`make notebooks` and `make refresh` as a maintainer runs them, on notebooks made here.

Both must hold the chapters' claims strictly (a false ``expect`` fails them), and a
refresh of unchanged notebooks must leave the files byte for byte as they were.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tiny_notebooks import one_cell_notebook

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _chapter(folder: Path, code: str, output: str = "") -> Path:
    """A one-cell notebook in `folder` whose stored output is `output`."""
    folder.mkdir(exist_ok=True)
    return one_cell_notebook(folder / "chapter.ipynb", code, output)


def _make(target: str, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", target, f"CHAPTERS={folder}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


FALSE_CLAIM = (
    "from hello_rnn.notebook import expect\n"
    "expect(1 > 2, 'one is more than two')\n"
    "print('went on')"
)


@pytest.mark.parametrize("target", ["notebooks", "refresh"])
def test_a_false_claim_fails_the_target(tmp_path, target):
    _chapter(tmp_path / "chapters", FALSE_CLAIM, "went on\n")
    result = _make(target, tmp_path / "chapters")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "one is more than two" in result.stdout + result.stderr


def test_a_true_claim_passes_strict_nbval(tmp_path):
    code = FALSE_CLAIM.replace("1 > 2", "2 > 1")
    _chapter(tmp_path / "chapters", code, "went on\n")
    result = _make("notebooks", tmp_path / "chapters")
    assert result.returncode == 0, result.stdout + result.stderr


def test_refresh_rewrites_a_stale_output_then_leaves_the_file_alone(tmp_path):
    code = (
        "import ipywidgets\n"
        "box = ipywidgets.VBox([ipywidgets.IntSlider(description='n'),"
        " ipywidgets.HTML('a')])\n"
        "ipywidgets.jslink((box.children[0], 'value'), (box.children[0], 'max'))\n"
        "print(6 * 7)\n"
        "box"
    )
    path = _chapter(tmp_path / "chapters", code, "41\n")
    first = _make("refresh", tmp_path / "chapters")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "updated" in first.stdout
    refreshed = path.read_bytes()
    assert b'"42\\n"' in refreshed and b"widget-state" in refreshed
    second = _make("refresh", tmp_path / "chapters")
    assert second.returncode == 0 and "unchanged" in second.stdout, second.stdout
    assert path.read_bytes() == refreshed


@pytest.mark.parametrize(
    ("stored", "written"),
    [("loss 0.33334\n", False), ("loss 0.33667\n", True)],
    ids=["last-digit", "one-per-cent"],
)
def test_refresh_keeps_outputs_that_validate_within_tolerance(
    tmp_path, stored, written
):
    """Another CPU's last digit leaves the file as it is; a real change rewrites it."""
    path = _chapter(tmp_path / "chapters", "print(f'loss {1/3:.5f}')", stored)
    before = path.read_bytes()
    result = _make("refresh", tmp_path / "chapters")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("updated" in result.stdout) is written
    assert (path.read_bytes() != before) is written


def test_refresh_rewrites_an_unchecked_cell_whose_outputs_changed_kind(tmp_path):
    """nbval skips a cell tagged nbval-ignore-output, but not what it is made of."""
    code = (
        "from IPython.display import display\n"
        "display({'text/plain': 'a picture'}, raw=True,"
        " metadata={'text/plain': {'alt': 'what it shows'}})"
    )
    (tmp_path / "chapters").mkdir()
    path = one_cell_notebook(
        tmp_path / "chapters" / "chapter.ipynb",
        code,
        "a picture\n",  # stored as printed text: another kind of output
        metadata={"tags": ["nbval-ignore-output"]},
    )
    result = _make("refresh", tmp_path / "chapters")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "updated" in result.stdout
    assert b'"alt": "what it shows"' in path.read_bytes()
    again = _make("refresh", tmp_path / "chapters")
    assert "unchanged" in again.stdout, again.stdout


def test_make_check_needs_no_root_no_tex_no_browser_no_second_venv():
    """The contributor's tier: lint, unit tests, the chapters; nothing else (a dry run)."""
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ruff check" in dry and "pytest tests" in dry and "--nbval" in dry
    for needs in (
        "apt-get",
        "sudo",
        "chromium",
        "xelatex",
        "colab/replica.py",
        "jupyter-book",
    ):
        assert needs not in dry, needs
