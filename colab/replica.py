"""Run every chapter as a reader on Colab would, in a replica of Colab's packages.

Why: the book is built and tested with the newest packages (``.venv``), but a
reader who opens a chapter on Colab runs it on Colab's own, older ones
(ipywidgets 7, IPython 7, ipykernel 6, ...), and the chapter's setup cell
installs ``hello_rnn`` on top of them. Both can break in ways the book's own
tests never see. This script checks them, on this machine, without Colab:

1. ``.colab-venv``: a virtual environment with the versions Colab publishes,
   from ``colab/requirements.txt`` (reused while that file is unchanged).
2. ``pip install`` of this checkout into it, as the setup cell would install
   it from GitHub, must add ``hello_rnn`` and change nothing else: pip
   replacing one of Colab's packages (say ipywidgets 7 by 8) would change the
   reader's runtime under their feet.
3. Every chapter runs top to bottom, each in a fresh kernel of the replica
   (its own ipykernel, IPython and ipywidgets, never the dev venv's), with
   ``google.colab`` simulated, so the setup cell takes its Colab branch; its
   ``pip install`` from GitHub is pointed at this checkout instead.
4. In the same kernel, every control the chapter made (sliders, buttons, text
   boxes) is moved to each end of its range: no exception may be raised, and
   what the control's widget shows must change.

The kernels are driven from the dev venv (its nbclient and jupyter_client),
through a kernel spec that starts ``.colab-venv/bin/python -m
ipykernel_launcher``: nothing the driver needs is installed in the replica, so
the replica keeps exactly Colab's versions.

Run it with the dev venv's Python: ``.venv/bin/python colab/replica.py``
(``make colab-replica``). The last line of its output is ``N passed, M failed``.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "colab" / "requirements.txt"
CHAPTERS = ROOT / "chapters"
VENV = ROOT / ".colab-venv"
VENV_PYTHON = VENV / "bin" / "python"
# Written once the replica is built: the hash of what it was built from, and its `pip freeze`.
STAMP = VENV / ".colab-replica-stamp"
BASELINE = VENV / ".colab-replica-freeze.txt"
# JUPYTER_PATH for the driver: holds only the replica's kernel spec.
JUPYTER_DIR = VENV / "colab-replica-jupyter"
KERNEL_NAME = "colab-replica"
# Bump to rebuild every replica when how it is built changes (not only requirements.txt).
BUILD_VERSION = "1"
# The longest a single cell may run (chapter 7 trains for a while on one CPU thread).
CELL_TIMEOUT_S = 600
# The replica's packages compared with their pins in the kernel itself.
KERNEL_PACKAGES = (
    "ipykernel",
    "ipython",
    "ipywidgets",
    "traitlets",
    "jupyter_client",
    "matplotlib",
    "numpy",
    "torch",
    "tqdm",
    "nbformat",
)
# Lines the kernel-side helpers print, for the driver to find among the cell's outputs.
MARKER = "@@colab-replica@@ "
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# How hello_rnn.notebook.expect's note begins (tests/test_notebook.py checks the words).
EXPECT_NOTE = "Note: in the book's run"


def say(text: str = "") -> None:
    """Print at once: make and CI show the progress of a run that takes minutes."""
    print(text, flush=True)


# --- Checks and their summary ---


@dataclass
class Check:
    """One thing the replica verified; ``detail`` says what was seen (for a failure, why)."""

    name: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    """Every check of a run, printed as it is made and summed up at the end."""

    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        say(f"{'PASS' if ok else 'FAIL'}  {name}")
        if detail and not ok:
            say(textwrap.indent(detail.rstrip(), "      "))
        return ok

    def note(self, text: str) -> None:
        self.notes.append(text)
        say(f"note  {text}")

    def summary(self) -> int:
        """Print the failures again, then ``N passed, M failed``; returns the exit status."""
        failed = [check for check in self.checks if not check.ok]
        passed = len(self.checks) - len(failed)
        say()
        say("=" * 72)
        if self.notes:
            say(f"Notes ({len(self.notes)}):")
            for text in self.notes:
                say(f"  - {text}")
        if failed:
            say(f"Failures ({len(failed)}):")
            for check in failed:
                say(f"  FAIL {check.name}")
                if check.detail:
                    say(textwrap.indent(check.detail.rstrip(), "       "))
        say(f"{passed} passed, {len(failed)} failed")
        return 1 if failed or not self.checks else 0


# --- The replica: a venv with Colab's versions ---


def replica_environment() -> dict[str, str]:
    """The environment of every command in the replica: this one, less the dev setup.

    A ``PYTHONPATH`` naming the checkout's ``src`` would show pip (and the kernel)
    the dev install's ``hello_rnn.egg-info``; ``HELLO_RNN_STRICT`` is unset, as on
    Colab, where claims about a run are notes. pip's own settings stay: they say
    where this machine's torch wheel is.
    """
    dropped = {
        "HELLO_RNN_STRICT",
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "JUPYTER_PATH",
    }
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env["VIRTUAL_ENV"] = str(VENV)
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a command in the replica's environment; a failure raises with its output in the message."""
    result = subprocess.run(
        command, capture_output=True, text=True, env=replica_environment()
    )
    if result.returncode != 0:
        output = "\n".join(
            part for part in (result.stdout, result.stderr) if part
        ).strip()
        raise RuntimeError(
            f"{' '.join(command)} exited with {result.returncode}:\n{quiet_pip(output)}"
        )
    return result


def quiet_pip(output: str) -> str:
    """Pip's output without this machine's warnings about local index folders it cannot read."""
    return "\n".join(
        line for line in output.splitlines() if "is ignored: it is neither" not in line
    )


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    """The replica's own pip (never the dev venv's)."""
    return run([str(VENV_PYTHON), "-m", "pip", "--disable-pip-version-check", *args])


def pins(requirements: Path = REQUIREMENTS) -> dict[str, str]:
    """``{normalized name: version}`` of every ``name==version`` line of requirements.txt."""
    found = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)", line)
        if match:
            found[normalize(match[1])] = match[2]
    return found


def normalize(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def replica_python() -> str:
    """The interpreter named in requirements.txt (``# replica-python: 3.11``): the file is the whole upgrade."""
    text = REQUIREMENTS.read_text(encoding="utf-8")
    match = re.search(r"^#\s*replica-python:\s*(\d+\.\d+)\s*$", text, re.MULTILINE)
    if not match:
        raise RuntimeError(
            f"{REQUIREMENTS}: no '# replica-python: X.Y' line says which Python to use"
        )
    return f"python{match[1]}"


def build_fingerprint(python: str) -> str:
    """What the replica is built from: a change to any of it rebuilds the replica."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(f"\n{python}\n{BUILD_VERSION}\n".encode())
    return digest.hexdigest()


def freeze() -> list[str]:
    """``pip freeze --all`` of the replica (``--all``: pip and setuptools count too)."""
    return sorted(pip("freeze", "--all").stdout.splitlines(), key=str.lower)


def freeze_name(line: str) -> str:
    """The normalized distribution name of a ``pip freeze`` line (``a==1`` or ``a @ url``)."""
    return normalize(re.split(r"\s*(?:==|@)\s*", line.strip(), maxsplit=1)[0])


def ensure_replica(report: Report) -> None:
    """Build ``.colab-venv`` from requirements.txt, unless the one there was built from the same file.

    A rebuild starts from an empty venv, so nothing from an earlier requirements.txt
    (or from an install that changed Colab's packages) survives it.
    """
    python = replica_python()
    fingerprint = build_fingerprint(python)
    if (
        VENV_PYTHON.exists()
        and STAMP.exists()
        and STAMP.read_text() == fingerprint
        and BASELINE.exists()
    ):
        say(f"Replica: reusing {VENV.name} (requirements.txt unchanged)")
        return
    if shutil.which(python) is None:
        raise RuntimeError(
            f"The replica runs on {python} (requirements.txt), which is not on PATH"
        )
    started = time.perf_counter()
    say(
        f"Replica: building {VENV.name} with {python} from {REQUIREMENTS.relative_to(ROOT)} (a one-off, ~1 min)"
    )
    shutil.rmtree(VENV, ignore_errors=True)
    run([python, "-m", "venv", str(VENV)])
    pip("install", "--quiet", "-r", str(REQUIREMENTS))
    check = subprocess.run(
        [str(VENV_PYTHON), "-m", "pip", "check"],
        capture_output=True,
        text=True,
        env=replica_environment(),
    )
    report.add(
        "replica: its packages are consistent (pip check)",
        check.returncode == 0,
        (check.stdout + check.stderr).strip(),
    )
    frozen = freeze()
    pinned = pins()
    unpinned = [line for line in frozen if freeze_name(line) not in pinned]
    if unpinned:
        report.note(
            "left to the resolver (not in requirements.txt): " + ", ".join(unpinned)
        )
    BASELINE.write_text("\n".join(frozen) + "\n")
    STAMP.write_text(fingerprint)
    say(f"Replica: built in {time.perf_counter() - started:.0f} s")


def restore_baseline(report: Report) -> list[str]:
    """The replica as built: without the ``hello_rnn`` of an earlier run, or rebuilt if that is not enough.

    Returns its ``pip freeze`` (the "before" of the freeze check).
    """
    frozen = freeze()
    if any(freeze_name(line) == "hello-rnn" for line in frozen):
        pip("uninstall", "--yes", "--quiet", "hello_rnn")
        frozen = freeze()
    baseline = BASELINE.read_text().splitlines()
    if frozen != baseline:
        # An earlier install changed Colab's packages (the freeze check failed then): start again.
        say(
            "Replica: differs from requirements.txt (an earlier install changed it), rebuilding"
        )
        STAMP.unlink(missing_ok=True)
        ensure_replica(report)
        frozen = freeze()
    return frozen


def copy_checkout(destination: Path) -> Path:
    """Copy the files of this checkout that git would publish (tracked, plus new unignored ones).

    pip then builds the package from the copy, as it builds it from a clone of the
    repository on Colab; building in the working tree would leave ``build/`` and
    ``*.egg-info`` there.
    """
    listed = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
        capture_output=True,
        text=True,
    )
    if listed.returncode == 0:
        names = [name for name in listed.stdout.split("\0") if name]
    else:  # not a git checkout (a source archive): take everything but the environments
        names = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()]
    skip = (".git/", ".venv/", ".colab-venv/", "node_modules/", "_build/")
    for name in names:
        source = ROOT / name
        if name.startswith(skip) or not source.is_file():
            continue
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return destination


def install_checkout(report: Report, workdir: Path, check_freeze: bool) -> str:
    """``pip install`` this checkout into the replica; check it added ``hello_rnn`` and nothing else.

    The package is built once into a wheel, and installed from it by its URL: the
    setup cell in each chapter then names the same URL, which pip finds installed.

    Returns the requirement the chapters' setup cell is pointed at.
    """
    before = restore_baseline(report)
    source = copy_checkout(workdir / "checkout")
    wheels = workdir / "wheels"
    started = time.perf_counter()
    pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(source))
    (wheel,) = wheels.glob("hello_rnn-*.whl")
    requirement = f"hello_rnn @ {wheel.as_uri()}"
    if check_freeze:
        pip("install", "--quiet", requirement)
    else:  # --skip-freeze-check: keep Colab's versions whatever hello_rnn asks for
        pip("install", "--quiet", "--no-deps", requirement)
        report.note("freeze check skipped: hello_rnn installed with --no-deps")
    after = freeze()
    say(
        f"Replica: pip install of the checkout took {time.perf_counter() - started:.1f} s"
    )
    if check_freeze:
        added = sorted(set(after) - set(before))
        removed = sorted(set(before) - set(after))
        expected = [line for line in added if freeze_name(line) == "hello-rnn"]
        others = [line for line in added if line not in expected]
        lines = [f"+ {line}" for line in others] + [f"- {line}" for line in removed]
        if not expected:
            lines.append(
                "hello_rnn itself is missing from pip freeze after the install"
            )
        report.add(
            "freeze: pip install of this checkout adds hello_rnn and changes none of Colab's packages",
            not others and not removed and len(expected) == 1,
            "pip freeze of the replica, after minus before:\n" + "\n".join(lines),
        )
    return requirement


# --- Code that runs inside the replica's kernel ---
# These functions are sent to the kernel as source (inspect.getsource), called there,
# and deleted again. They may use only the standard library and what the replica has,
# and no annotations beyond builtins: the kernel evaluates them.


def _colab_replica_prelude(
    requirement: str, marker: str, packages: list, extra: list
) -> None:
    """Make the kernel look like Colab's to the chapter, then say what the kernel is.

    ``google.colab`` (with ``output.enable_custom_widget_manager``, a no-op) is
    what the setup cell tests for. ``subprocess.run`` is wrapped until the
    setup cell has run: a ``hello_rnn @ git+...`` argument becomes this
    checkout's wheel (already installed), followed by ``extra`` (``--no-deps``
    when the freeze check is skipped), and every call is recorded.
    """
    import importlib.metadata
    import importlib.util
    import json
    import os
    import re
    import subprocess
    import sys
    import types

    google = sys.modules.get("google") or types.ModuleType("google")
    if not hasattr(google, "__path__"):
        google.__path__ = []
    colab = types.ModuleType("google.colab")
    colab.__path__ = []
    output = types.ModuleType("google.colab.output")
    output.enable_custom_widget_manager = lambda *args, **kwargs: None
    output.disable_custom_widget_manager = lambda *args, **kwargs: None
    colab.output = output
    google.colab = colab
    sys.modules.update(
        {"google": google, "google.colab": colab, "google.colab.output": output}
    )

    real_run = subprocess.run
    calls = []

    def colab_run(args, *rest, **kwargs):
        if isinstance(args, (list, tuple)):
            rewritten = []
            for a in args:
                if re.match(r"^\s*hello_rnn\s*@\s*git\+", str(a)):
                    rewritten += [requirement, *extra]
                else:
                    rewritten.append(a)
            args = rewritten
        calls.append([str(a) for a in args] if isinstance(args, list) else str(args))
        return real_run(args, *rest, **kwargs)

    colab_run.colab_replica = (real_run, calls)
    subprocess.run = colab_run
    versions = {}
    for name in packages:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    spec = importlib.util.find_spec("hello_rnn")
    facts = {
        "prefix": sys.prefix,
        "versions": versions,
        "strict": os.environ.get("HELLO_RNN_STRICT"),
        "mplbackend": os.environ.get("MPLBACKEND"),
        "hello_rnn": spec.origin if spec else None,
    }
    print(marker + json.dumps(facts))


def _colab_replica_after_setup(marker: str) -> None:
    """Put ``subprocess.run`` back, and report the calls the setup cell made."""
    import json
    import subprocess

    real_run, calls = getattr(subprocess.run, "colab_replica", (subprocess.run, []))
    subprocess.run = real_run
    print(marker + json.dumps(calls))


def _colab_replica_exercise(marker: str) -> None:
    """Move every control the chapter made to each end of its range, and see what changes.

    Works on ipywidgets 7 and 8 through public attributes only. A control is a
    widget with a ``value`` the reader can change (it has ``disabled``). What it
    controls is what the widget tree it sits in shows: children hidden by
    ``layout.display = "none"`` or not selected (``selected_index``: ``Stack``,
    ``Tab``) do not count. Links made in the browser (``jslink``, ipywidgets 8)
    have no effect in a kernel, so they are followed here as the browser would.
    Each move must raise nothing and change what is shown; moving the control
    back must show the first view again.
    """
    import hashlib
    import json
    import traceback

    from ipywidgets.widgets import widget as widget_module

    instances = getattr(widget_module, "_instances", None)
    if instances is None:  # ipywidgets 7
        instances = widget_module.Widget.widgets
    everything = list(instances.values())

    def traits(w, *names):
        return all(w.has_trait(name) for name in names)

    links = [w for w in everything if traits(w, "source", "target")]
    parents = {}
    for w in everything:
        if traits(w, "children"):
            for child in w.children:
                parents.setdefault(id(child), w)

    def root(w):
        seen = set()
        while id(w) in parents and id(w) not in seen:
            seen.add(id(w))
            w = parents[id(w)]
        return w

    def digest(value):
        data = value if isinstance(value, bytes) else repr(value).encode()
        return hashlib.sha256(data).hexdigest()[:16]

    def shown(w, control):
        """What ``w`` shows, as a nested tuple; None when hidden; the moved control itself left out."""
        if w is control:
            return ("the control",)
        layout = getattr(w, "layout", None)
        if layout is not None and getattr(layout, "display", None) == "none":
            return None
        name = type(w).__name__
        if traits(w, "children"):
            children = list(w.children)
            if traits(w, "selected_index"):
                index = w.selected_index
                children = (
                    [children[index]]
                    if index is not None and 0 <= index < len(children)
                    else []
                )
            return (
                name,
                tuple(
                    s
                    for s in (shown(child, control) for child in children)
                    if s is not None
                ),
            )
        parts = [name]
        for trait in ("value", "outputs", "description"):
            if traits(w, trait):
                parts.append(digest(getattr(w, trait)))
        return tuple(parts)

    def follow_links(control):
        """Do what the browser does for ``jslink``/``jsdlink``: copy the moved value along."""
        changed, rounds = {id(control)}, 0
        while changed and rounds < 10:
            moved, changed, rounds = changed, set(), rounds + 1
            for link in links:
                (source, source_trait), (target, target_trait) = (
                    link.source,
                    link.target,
                )
                pairs = [(source, source_trait, target, target_trait)]
                if type(link).__name__ != "DirectionalLink":
                    pairs.append((target, target_trait, source, source_trait))
                for a, a_trait, b, b_trait in pairs:
                    if id(a) in moved and getattr(b, b_trait) != getattr(a, a_trait):
                        setattr(b, b_trait, getattr(a, a_trait))
                        changed.add(id(b))

    def moves(w):
        """The (trait, value, label) moves to try: each end of the range, or another option."""
        if traits(w, "index", "options"):
            count = len(w.options)
            labels = [
                str(o[0] if isinstance(o, (tuple, list)) else o) for o in w.options
            ]
            return (
                [("index", i, f"option {labels[i]!r}") for i in sorted({0, count - 1})]
                if count
                else []
            )
        if traits(w, "min", "max"):
            return [
                ("value", w.min, f"min {w.min!r}"),
                ("value", w.max, f"max {w.max!r}"),
            ]
        if isinstance(w.value, bool):
            return [("value", not w.value, repr(not w.value))]
        if isinstance(w.value, str):
            shorter = w.value[: max(1, len(w.value) // 2)]
            return [("value", text, repr(text)) for text in ("", shorter)]
        return []

    controls = [
        w for w in everything if traits(w, "value", "disabled") and not w.disabled
    ]
    results = []
    for w in controls:
        label = (
            f"{type(w).__name__} {w.description!r}"
            if traits(w, "description")
            else type(w).__name__
        )
        top = root(w)
        first = shown(top, w)
        tried = moves(w)
        if top is w:
            results.append(
                {
                    "control": label,
                    "move": "-",
                    "ok": False,
                    "detail": "sits in no box with anything to show",
                }
            )
            continue
        if not tried:
            results.append(
                {
                    "control": label,
                    "move": "-",
                    "ok": False,
                    "detail": "no range or options to move along",
                }
            )
            continue
        for trait, value, move in tried:
            original = getattr(w, trait)
            if original == value:
                continue  # already there: this end is the first view
            try:
                setattr(w, trait, value)
                follow_links(w)
                after = shown(top, w)
                ok = after != first
                detail = "" if ok else "what it shows did not change"
                setattr(w, trait, original)
                follow_links(w)
                if ok and shown(top, w) != first:
                    ok, detail = (
                        False,
                        "moving it back did not show the first view again",
                    )
            except Exception:
                ok, detail = False, traceback.format_exc()
            results.append({"control": label, "move": move, "ok": ok, "detail": detail})
    print(marker + json.dumps(results))


def kernel_call(function: Callable[..., None], *args: object) -> str:
    """Source for a code cell that defines ``function`` in the kernel, calls it and deletes it."""
    source = textwrap.dedent(inspect.getsource(function))
    arguments = ", ".join(repr(arg) for arg in args)
    return f"{source}\n{function.__name__}({arguments})\ndel {function.__name__}\n"


# --- Driving a chapter in the replica's kernel ---


def write_kernel_spec() -> None:
    """The replica's kernel: its own Python, so its own ipykernel, IPython and ipywidgets."""
    folder = JUPYTER_DIR / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [
            str(VENV_PYTHON),
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
        ],
        "display_name": "Colab replica (Python 3, .colab-venv)",
        "language": "python",
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n")


def kernel_environment() -> dict[str, str]:
    """The kernel's environment: the replica's (no ``HELLO_RNN_STRICT``), figures off screen."""
    env = replica_environment()
    env["MPLBACKEND"] = "Agg"
    return env


def marked(cell: Any) -> list[Any]:
    """The JSON values a kernel-side helper printed (``MARKER`` lines) in ``cell``'s outputs."""
    values = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            for line in output.get("text", "").splitlines():
                if line.startswith(MARKER):
                    values.append(json.loads(line[len(MARKER) :]))
    return values


def error_text(cell: Any) -> str:
    """The error a cell raised, as its traceback (colours removed)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            traceback = "\n".join(output.get("traceback", []))
            return (
                ANSI.sub("", traceback)
                or f"{output.get('ename')}: {output.get('evalue')}"
            )
    return ""


def claim_notes(cells: list) -> list[str]:
    """The notes `hello_rnn.notebook.expect` printed where a claim of the text did not hold.

    A learner on Colab must see the chapter's result, never such a note: every claim
    has to hold on any arithmetic.
    """
    found = []
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            found += [
                f"cell {index}: {line}"
                for line in text.splitlines()
                if line.startswith(EXPECT_NOTE)
            ]
    return found


def warnings_in(cell: Any) -> list[str]:
    """Lines on stderr that name a warning: not failures, but a reader on Colab sees them."""
    found = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            for line in ANSI.sub("", output.get("text", "")).splitlines():
                if (
                    re.search(r"\w*Warning\b", line)
                    and "is ignored: it is neither" not in line
                ):
                    found.append(line.strip())
    return found


@contextmanager
def chapter_kernel(notebook: Any, workdir: Path, log: Path) -> Iterator[Any]:
    """A fresh replica kernel for one chapter, in an empty folder (like Colab's ``/content``)."""
    from nbclient import NotebookClient

    client = NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(workdir)}},
    )
    with (
        log.open("w") as stream,
        client.setup_kernel(env=kernel_environment(), stdout=stream, stderr=stream),
    ):
        yield client


def run_chapter(
    path: Path, requirement: str, report: Report, exercise: bool, no_deps: bool = False
) -> None:
    """Run one chapter top to bottom in a fresh replica kernel, then move its controls.

    The replica's own steps (simulating Colab, checking the setup cell, moving the
    controls) run as extra code cells in the same kernel, after the chapter's cells
    in the in-memory notebook, so a chapter's cell indices stay its own.
    """
    import nbformat
    from nbclient.exceptions import CellExecutionError

    chapter = path.stem
    notebook = nbformat.read(path, as_version=4)
    count = len(notebook.cells)
    pinned = pins()
    current = -1  # the cell running now

    def helper(source: str) -> tuple[int, Any]:
        """A code cell for a kernel-side helper, after the chapter's own cells."""
        notebook.cells.append(nbformat.v4.new_code_cell(source))
        return len(notebook.cells) - 1, notebook.cells[-1]

    def execute(client: Any, index: int, **kwargs: Any) -> Any:
        nonlocal current
        current = index
        return client.execute_cell(notebook.cells[index], index, **kwargs)

    started = time.perf_counter()
    ran = False
    with tempfile.TemporaryDirectory(prefix=f"colab-replica-{chapter}-") as folder:
        workdir, log = Path(folder) / "content", Path(folder) / "kernel.log"
        workdir.mkdir()
        try:
            with chapter_kernel(notebook, workdir, log) as client:
                packages, extra = (
                    list(KERNEL_PACKAGES),
                    ["--no-deps"] if no_deps else [],
                )
                prelude = kernel_call(
                    _colab_replica_prelude, requirement, MARKER, packages, extra
                )
                index, cell = helper(prelude)
                execute(client, index, store_history=False)
                check_kernel(chapter, marked(cell), pinned, report)
                for index in range(count):
                    cell = notebook.cells[index]
                    if cell.cell_type != "code":
                        continue
                    execute(client, index)
                    for line in warnings_in(cell):
                        report.note(f"{chapter}, cell {index}: {line}")
                    if index == 0:
                        helper(kernel_call(_colab_replica_after_setup, MARKER))
                        execute(client, len(notebook.cells) - 1, store_history=False)
                        check_setup_cell(
                            chapter, notebook.cells[-1], requirement, report
                        )
                seconds = time.perf_counter() - started
                report.add(
                    f"{chapter}: runs top to bottom ({count} cells, {seconds:.0f} s)",
                    True,
                )
                notes = claim_notes(notebook.cells[:count])
                report.add(
                    f"{chapter}: every claim holds (no note from expect)",
                    not notes,
                    "\n".join(notes),
                )
                ran = True
                if exercise:
                    index, cell = helper(kernel_call(_colab_replica_exercise, MARKER))
                    execute(client, index, store_history=False)
                    check_controls(chapter, marked(cell), report)
        except (
            Exception
        ) as error:  # any failure: say where, and go on with the next chapter
            in_chapter = 0 <= current < count
            where = f"cell {current}" if in_chapter else "a step of the replica"
            if isinstance(error, CellExecutionError) and current >= 0:
                detail = error_text(notebook.cells[current]) or ANSI.sub("", str(error))
            else:
                detail = f"{type(error).__name__}: {ANSI.sub('', str(error))}"
                detail += f"\nkernel log (tail):\n{tail(log)}"
            name = (
                f"{chapter}: its controls can be moved"
                if ran
                else f"{chapter}: runs top to bottom"
            )
            counted = (
                " (cells counted from 0, markdown cells included)" if in_chapter else ""
            )
            report.add(
                f"{name} (failed at {where})", False, f"{where}{counted}:\n{detail}"
            )
            if exercise and not ran:
                report.note(
                    f"{chapter}: controls not moved (the chapter did not run to the end)"
                )


def tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log file, if there is one."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no kernel log)"


def check_kernel(
    chapter: str, facts: list[Any], pinned: dict[str, str], report: Report
) -> None:
    """The kernel is the replica: its Python, Colab's versions, no HELLO_RNN_STRICT, hello_rnn installed."""
    if not facts:
        report.add(
            f"{chapter}: kernel is the replica's", False, "the kernel reported nothing"
        )
        return
    seen = facts[0]
    problems = []
    if Path(seen["prefix"]).resolve() != VENV.resolve():
        problems.append(f"sys.prefix is {seen['prefix']}, not {VENV}")
    for name, version in seen["versions"].items():
        want = pinned.get(normalize(name))
        if want is not None and (
            version is None or version.split("+")[0] != want.split("+")[0]
        ):
            problems.append(f"{name} {version} where requirements.txt pins {want}")
    if seen["strict"] is not None:
        problems.append(f"HELLO_RNN_STRICT={seen['strict']!r} is set in the kernel")
    if seen["mplbackend"] != "Agg":
        problems.append(f"MPLBACKEND is {seen['mplbackend']!r}")
    origin = seen["hello_rnn"] or ""
    if not origin.startswith(str(VENV)):
        problems.append(
            f"hello_rnn imports from {origin or 'nowhere'}, not the replica's site-packages"
        )
    versions = ", ".join(
        f"{name} {version}" for name, version in seen["versions"].items()
    )
    report.add(
        f"{chapter}: kernel is the replica's ({versions})",
        not problems,
        "\n".join(problems),
    )


def check_setup_cell(chapter: str, cell: Any, requirement: str, report: Report) -> None:
    """The setup cell took its Colab branch: one ``pip install`` of hello_rnn from the repository.

    ``cell`` is the helper that put ``subprocess.run`` back; it printed the calls made.
    """
    calls = (marked(cell) or [[]])[0]
    installs = [
        call
        for call in calls
        if isinstance(call, list) and "pip" in call and "install" in call
    ]
    ok = len(installs) == 1 and requirement in installs[0]
    detail = (
        "expected one `pip install hello_rnn @ git+...` (pointed at this checkout); "
        f"subprocess.run calls: {json.dumps(calls)}"
    )
    report.add(
        f"{chapter}: setup cell installs hello_rnn from the repository on Colab",
        ok,
        detail,
    )


def check_controls(chapter: str, results: list[Any], report: Report) -> None:
    """One check per control move the kernel made."""
    if not results:
        report.add(
            f"{chapter}: controls reported",
            False,
            "the kernel-side check printed nothing",
        )
        return
    moves = results[0]
    if not moves:
        report.note(f"{chapter}: no controls to move")
    for move in moves:
        report.add(
            f"{chapter}: {move['control']} -> {move['move']} changes what it shows",
            move["ok"],
            move["detail"],
        )


# --- The command line ---


def main(argv: list[str] | None = None) -> int:
    """Build or reuse the replica, check the install, run the chapters; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--chapters", default="*.ipynb", help="glob of chapters/ to run (default: all)"
    )
    parser.add_argument(
        "--skip-freeze-check",
        action="store_true",
        help="install hello_rnn with --no-deps and compare no pip freeze "
        "(the chapters still run on Colab's versions)",
    )
    parser.add_argument(
        "--no-controls",
        action="store_true",
        help="run the chapters without moving their controls",
    )
    args = parser.parse_args(argv)

    report = Report()
    started = time.perf_counter()
    chapters = sorted(CHAPTERS.glob(args.chapters))
    if not chapters:
        say(f"No chapter matches {args.chapters!r} in {CHAPTERS}")
        return report.summary()
    try:
        ensure_replica(report)
        with tempfile.TemporaryDirectory(prefix="colab-replica-") as folder:
            check_freeze = not args.skip_freeze_check
            requirement = install_checkout(report, Path(folder), check_freeze)
            # After the install: a replica rebuilt there would have lost the spec.
            write_kernel_spec()
            os.environ["JUPYTER_PATH"] = str(JUPYTER_DIR)  # where the driver finds it
            for path in chapters:
                say(f"--- {path.name}")
                run_chapter(
                    path,
                    requirement,
                    report,
                    exercise=not args.no_controls,
                    no_deps=not check_freeze,
                )
    except Exception as error:  # a pip or venv step failed: nothing further can run
        report.add("replica: setting up", False, f"{type(error).__name__}: {error}")
    say(f"Colab replica: {time.perf_counter() - started:.0f} s in all")
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
