"""Re-execute the chapters in place, keeping the files unchanged where nothing real changed.

``make refresh`` runs this. A plain ``jupyter execute --inplace`` rewrites every
notebook on every run, even when no output changed: the widgets get new random
model ids, and every cell gets new timing stamps. Then a reviewer's diff shows
thousands of changed lines and hides the one that matters. So, per notebook:

1. execute it in a fresh kernel of this environment (timing stamps and widget
   state recorded, as ``jupyter execute`` does);
2. rename the widget model ids to ones derived from the notebook's name and the
   order in which the ids first appear, so the same code gives the same ids,
   and join printed text that arrived in several pieces;
3. if the result validates against the file on disk, as ``make notebooks``
   validates it (numbers within their tolerance, ``tests/nbval_tolerance.py``;
   nbval's sanitizers applied; cells tagged ``nbval-ignore-output`` compared only
   in the kinds of their outputs; timing stamps ignored), leave the file as it is: its outputs still say what
   these say, so a refresh on another CPU changes nothing. Otherwise write it,
   stamps and all: the execution-statistics appendix reads them.

Usage: ``python scripts/refresh_notebooks.py chapters/*.ipynb``
"""

from __future__ import annotations

import argparse
import configparser
import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from nbval_tolerance import notebooks_agree  # noqa: E402

# A widget model id as ipywidgets makes them: uuid4().hex.
MODEL_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
# How one model refers to another in the stored state.
REFERENCE = re.compile(r"IPY_MODEL_([0-9a-f]{32})")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
IGNORED = "nbval-ignore-output"
# What nbval may rewrite before comparing (tests/nbval_sanitize.cfg).
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


KERNEL = "hello-rnn-refresh"


def use_this_python() -> None:
    """Make the kernel ``KERNEL`` this very Python, whatever kernels the machine has.

    ``JUPYTER_PATH`` comes first when Jupyter looks for kernels, so a ``python3``
    kernel of another Python elsewhere on the machine is never picked up.
    """
    folder = Path(tempfile.mkdtemp(prefix="hello-rnn-kernel-"))
    spec = folder / "kernels" / KERNEL / "kernel.json"
    spec.parent.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3", "language": "python"}
    spec.write_text(json.dumps(kernel), encoding="utf-8")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(folder), os.environ.get("JUPYTER_PATH")])
    )


def execute(path: Path, timeout: int) -> nbformat.NotebookNode:
    """The notebook at `path`, executed top to bottom in a fresh kernel."""
    notebook = nbformat.read(path, as_version=4)
    kernelspec = dict(notebook.metadata.get("kernelspec", {}))
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=True,
        store_widget_state=True,
    )
    client.execute()
    merge_streams(notebook)
    notebook.metadata["kernelspec"] = kernelspec  # as stored: Colab reads it
    return notebook


def merge_streams(notebook: nbformat.NotebookNode) -> None:
    """Join each cell's consecutive outputs to the same stream into one, in place.

    How printed text is cut into messages depends on timing (when the kernel
    flushed), not on the code: "a\\nb\\n" can arrive as one output or as two.
    """
    for cell in notebook.cells:
        merged: list = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (
                output.output_type == "stream"
                and last is not None
                and last.output_type == "stream"
                and last.name == output.name
            ):
                last.text += output.text
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged


def stable_widget_ids(text: str, name: str) -> str:
    """Rename every widget model id in a notebook's JSON text, the same way every run.

    ipywidgets names its models with random ids and the kernel stores them in
    no fixed order. Here ids are given in the order a reader meets the models:
    from each output that shows a widget, through the models it refers to,
    depth first; models nothing refers to (the links between controls) follow,
    ordered by their contents. The new id is a hash of the notebook's name and
    that position, and the state is written with sorted keys.
    """
    notebook = json.loads(text)
    state: dict[str, dict] = {}
    for models in notebook.get("metadata", {}).get("widgets", {}).values():
        state.update(models.get("state", {}))
    renamed: dict[str, str] = {}

    def visit(model_id: str) -> None:
        if model_id in renamed or model_id not in state:
            return
        seed = f"{name}:{len(renamed)}".encode()
        renamed[model_id] = hashlib.sha256(seed).hexdigest()[:32]
        for child in REFERENCE.findall(json.dumps(state[model_id], sort_keys=True)):
            visit(child)

    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                visit(view["model_id"])
    while unnamed := [i for i in state if i not in renamed]:
        visit(min(unnamed, key=lambda i: _rename(json.dumps(state[i]), renamed)))
    return nbformat.writes(nbformat.reads(_rename(text, renamed), as_version=4)) + "\n"


def _rename(text: str, renamed: dict[str, str]) -> str:
    return MODEL_ID.sub(lambda m: renamed.get(m.group(0), m.group(0)), text)


def sanitizers(path: Path = SANITIZE) -> list[tuple[re.Pattern, str]]:
    """The (regex, replacement) pairs of nbval's sanitize file: what truly varies."""
    config = configparser.ConfigParser()
    config.read(path, encoding="utf-8")
    return [
        (re.compile(config[name]["regex"]), config[name]["replace"])
        for name in config.sections()
    ]


def ignored(cell: dict) -> bool:
    """Whether nbval skips this cell's outputs (a measured speed, say)."""
    return IGNORED in cell.get("metadata", {}).get("tags", [])


def shapes(notebook: dict) -> list:
    """What the outputs of the cells nbval skips are made of, not what they say.

    Their words and numbers may differ from run to run, but a change in their kinds
    (a figure that gained its alt text, a new output) is a change to keep.
    """

    def keys(value: object) -> object:
        return (
            {k: keys(v) for k, v in value.items()} if isinstance(value, dict) else None
        )

    return [
        [
            (
                out["output_type"],
                sorted(out.get("data", {})),
                keys(out.get("metadata", {})),
            )
            for out in cell.get("outputs", [])
        ]
        for cell in notebook["cells"]
        if ignored(cell)
    ]


def cleaner() -> Callable[[str], str]:
    """nbval's sanitizers as one function: what truly varies, rewritten."""
    rules = sanitizers()

    def clean(text: str) -> str:
        for regex, replacement in rules:
            text = regex.sub(replacement, text)
        return text

    return clean


def refresh(path: Path, timeout: int) -> bool:
    """Execute `path` and write it back if something real changed; True if written."""
    before = path.read_text(encoding="utf-8")
    executed = nbformat.writes(execute(path, timeout)) + "\n"
    after = stable_widget_ids(executed, path.stem)
    old, new = json.loads(before), json.loads(after)
    if notebooks_agree(old, new, ignored, cleaner()) and shapes(old) == shapes(new):
        return False
    path.write_text(after, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    args = parser.parse_args(argv)
    use_this_python()
    for path in args.notebooks:
        changed = refresh(path, args.timeout)
        print(f"{path}: {'updated' if changed else 'unchanged'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
