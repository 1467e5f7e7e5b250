"""The API page (book/api.md) documents every public module of the package."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "hello_rnn"


def public_modules() -> set[str]:
    """``hello_rnn.<name>`` for each module and subpackage whose name has no leading ``_``."""
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    modules |= {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    return {f"hello_rnn.{name}" for name in modules if not name.startswith("_")}


def test_every_public_module_is_on_the_api_page():
    page = (ROOT / "book" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. automodule:: (\S+)$", page, re.MULTILINE))
    assert "hello_rnn.model" in documented  # the pattern reads the page
    missing = public_modules() - documented
    assert not missing, f"book/api.md has no automodule for {sorted(missing)}"
