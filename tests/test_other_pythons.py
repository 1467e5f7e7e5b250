"""What can be checked on Colab's Python (3.13) with the interpreters this machine has.

The machines that test the book have PyTorch only for Python 3.11, so the chapters
run on 3.11 (make colab-replica says so). Without torch, each other Python still
compiles every file of the package and of the tools, with warnings as errors: an
escape sequence or a syntax that a newer Python deprecates or refuses fails here,
not on a learner's Colab. The shipped text is read under each of them in
tests/test_shakespeare.py; the stored outputs' tolerant comparison (pure Python)
runs its own tests under each below.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from interpreters import VERSIONS, find_python

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    *sorted((ROOT / "src" / "hello_rnn").rglob("*.py")),
    *sorted((ROOT / "scripts").glob("*.py")),
    *sorted((ROOT / "benchmarks").glob("*.py")),
    ROOT / "colab" / "replica.py",
    ROOT / "tests" / "nbval_tolerance.py",
]
COMPILE = """
import sys, warnings
warnings.simplefilter("error")
failed = []
for path in sys.argv[1:]:
    try:
        compile(open(path, encoding="utf-8").read(), path, "exec")
    except (SyntaxError, Warning) as error:
        failed.append(f"{path}: {error!r}")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def _run_under(version: str, code: str, *args: str) -> subprocess.CompletedProcess:
    """``python{version} -I -c code args``, or a skip where this machine has no such Python."""
    python = find_python(version)
    if python is None:
        pytest.skip(f"no working python{version} on this machine")
    return subprocess.run(
        [python, "-I", "-c", code, *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_every_source_compiles_without_a_warning(version):
    run = _run_under(version, COMPILE, *map(str, SOURCES))
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(SOURCES) > 30


TOLERANCE_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from nbval_tolerance import texts_agree
assert texts_agree("bpc 2.6707", "bpc 2.6706")
assert not texts_agree("bpc 2.6707", "bpc 2.6974")
assert not texts_agree("after 25 steps", "after 24 steps")
print("ok")
"""


@pytest.mark.parametrize("version", VERSIONS)
def test_the_tolerant_comparison_runs_on_every_python(version):
    run = _run_under(version, TOLERANCE_PROBE, str(ROOT / "tests"))
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr
