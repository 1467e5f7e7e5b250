"""Other Python interpreters on this machine, for the checks that run under each."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Colab's Python is 3.13; the package asks for 3.11 or later.
VERSIONS = ["3.11", "3.12", "3.13"]


def find_python(version: str) -> str | None:
    """An interpreter for `version` ("3.12") that runs: on PATH or under pyenv."""
    if sys.version_info[:2] == tuple(map(int, version.split("."))):
        return sys.executable
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(
        glob.glob(str(pyenv / "versions" / f"{version}.*" / "bin" / f"python{version}"))
    )
    for candidate in filter(None, candidates):
        try:
            found = subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except OSError:
            continue
        if found.returncode == 0 and found.stdout.strip() == version:
            return candidate
    return None
