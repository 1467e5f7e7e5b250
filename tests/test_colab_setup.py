"""The Colab setup cell of every chapter: hidden in the book; on Colab only, it
installs hello_rnn from this repository.

The cell runs here with Colab simulated (a fake ``google.colab`` module,
``subprocess.run`` recorded instead of run), so what it would install is checked
without installing anything.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPOSITORY = CONFIG["repository"]["url"].rstrip("/")


def setup_cell(notebook: Path) -> dict:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    assert cells, f"{notebook.name} has no cells"
    return cells[0]


def source(cell: dict) -> str:
    return (
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    )


def run_cell(
    code: str, monkeypatch: pytest.MonkeyPatch, *, on_colab: bool
) -> list[tuple[tuple, dict]]:
    """Execute ``code`` as a notebook would; returns the subprocess.run calls it made.

    On a simulated Colab, ``google.colab.output.enable_custom_widget_manager()``
    calls are recorded as ``(("enable_custom_widget_manager",), {})``.
    """
    calls: list[tuple[tuple, dict]] = []

    def record(*args: object, **kwargs: object) -> subprocess.CompletedProcess:
        calls.append((args, kwargs))
        return subprocess.CompletedProcess(args[0] if args else kwargs.get("args"), 0)

    monkeypatch.setattr(subprocess, "run", record)
    monkeypatch.setattr(subprocess, "check_call", record)
    monkeypatch.setattr(subprocess, "call", record)
    if on_colab:
        google = types.ModuleType("google")
        colab = types.ModuleType("google.colab")
        output = types.ModuleType("google.colab.output")
        output.enable_custom_widget_manager = lambda: calls.append(
            (("enable_custom_widget_manager",), {})
        )
        google.colab, colab.output = colab, output
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", colab)
        monkeypatch.setitem(sys.modules, "google.colab.output", output)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(code, "<setup cell>", "exec"), {"__name__": "__main__"})
    return calls


def test_there_are_chapters() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_is_the_hidden_setup_cell(notebook: Path) -> None:
    cell = setup_cell(notebook)
    assert cell["cell_type"] == "code", (
        f"{notebook.name}: the first cell must be the Colab setup cell"
    )
    assert "remove-cell" in cell.get("metadata", {}).get("tags", []), (
        f"{notebook.name}: tag it remove-cell"
    )
    assert "google.colab" in source(cell), (
        f"{notebook.name}: the first cell is not the Colab setup cell"
    )
    assert f'REPOSITORY = "{REPOSITORY}"' in source(cell), (
        f"{notebook.name}: installs from another repository"
    )


def test_every_chapter_has_the_same_setup_cell() -> None:
    sources = {notebook.name: source(setup_cell(notebook)) for notebook in NOTEBOOKS}
    assert len(set(sources.values())) == 1, f"setup cells differ: {sorted(sources)}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_setup_cell_installs_the_package_from_the_repository_on_colab(
    notebook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = run_cell(source(setup_cell(notebook)), monkeypatch, on_colab=True)
    assert len(calls) == 1, f"expected one pip install and nothing else, got {calls}"
    (args, kwargs) = calls[0]
    command = list(args[0] if args else kwargs["args"])
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    requirement = command[-1]
    assert requirement.replace(" ", "") == f"hello_rnn@git+{REPOSITORY}", requirement
    assert not any("torch" in part or "widgets" in part for part in command), (
        f"Colab keeps its own torch and ipywidgets: {command}"
    )
    assert not any(part.startswith("-U") or part == "--upgrade" for part in command), (
        command
    )
    assert kwargs.get("check") is True, "a failed install must stop the notebook"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_setup_cell_does_nothing_off_colab(
    notebook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cell(source(setup_cell(notebook)), monkeypatch, on_colab=False) == []
