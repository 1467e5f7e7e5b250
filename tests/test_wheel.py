"""The wheel a user installs holds the package, its data and its licence.

pyproject.toml's package-data patterns are a promise; the wheel is where it is kept or
broken. So the wheel is built here, once per session, from a copy of the source tree in
a temporary folder (the checkout gains no build/ or *.egg-info), and opened as the zip
it is. The build is offline (--no-build-isolation, with this venv's setuptools) when
that setuptools can read pyproject.toml's ``license = "MIT"`` (PEP 639, setuptools 77);
an older one (3.11's venv ships 65) has pip fetch the build's requirements instead.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from hello_rnn.race import RESULTS_SHA256
from hello_rnn.shakespeare import SHAKESPEARE_FILE, SHAKESPEARE_SHA256

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "hello_rnn"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
DIST_INFO = f"hello_rnn-{VERSION}.dist-info"


def _reads_pep_639() -> bool:
    """Whether this venv's setuptools accepts ``license = "MIT"`` (version 77 on)."""
    try:
        major = importlib.metadata.version("setuptools").split(".")[0]
    except importlib.metadata.PackageNotFoundError:
        return False
    return int(major) >= 77


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The wheel ``pip wheel`` builds from a copy of the checkout, open for reading."""
    source = tmp_path_factory.mktemp("source")
    for item in ROOT.iterdir():  # pyproject.toml, README.md, LICENSE, ...
        if item.is_file():
            shutil.copy2(item, source / item.name)
    shutil.copytree(
        ROOT / "src",
        source / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    out = tmp_path_factory.mktemp("wheel")
    offline = ["--no-build-isolation", "--no-index"] if _reads_pep_639() else []
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", *offline]
    command += ["--disable-pip-version-check", "-q", "-w", str(out), str(source)]
    built = subprocess.run(command, capture_output=True, text=True)
    assert built.returncode == 0, f"{' '.join(command)}\n{built.stdout}{built.stderr}"
    (path,) = out.glob("hello_rnn-*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


def _package_files() -> list[str]:
    """Every file of src/hello_rnn, as the wheel names it (no caches, no dotfiles)."""
    return sorted(
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and not path.name.startswith(".")
    )


def test_the_wheel_holds_every_file_of_the_package(wheel):
    """Modules, the text, its README and the recorded results: nothing left behind."""
    names = set(wheel.namelist())
    missing = [name for name in _package_files() if name not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert "hello_rnn/plots/__init__.py" in names  # the subpackage too


def test_the_wheel_holds_only_the_package_and_its_metadata(wheel):
    strays = [
        name
        for name in wheel.namelist()
        if not name.startswith(("hello_rnn/", f"{DIST_INFO}/")) or "__pycache__" in name
    ]
    assert not strays


def test_the_shipped_text_is_the_one_the_book_was_made_with(wheel):
    data = wheel.read(f"hello_rnn/{SHAKESPEARE_FILE}")
    assert hashlib.sha256(data).hexdigest() == SHAKESPEARE_SHA256
    assert "hello_rnn/corpora/README.md" in wheel.namelist()


def test_the_shipped_results_are_the_recorded_ones(wheel):
    results = sorted(p.name for p in (PACKAGE / "results").glob("*.json"))
    assert "cell_race.json" in results
    for name in results:
        assert f"hello_rnn/results/{name}" in wheel.namelist()
    data = wheel.read("hello_rnn/results/cell_race.json")
    assert hashlib.sha256(data).hexdigest() == RESULTS_SHA256


def test_the_wheel_gives_its_version_licence_and_command(wheel):
    metadata = wheel.read(f"{DIST_INFO}/METADATA").decode("utf-8")
    headers = metadata.split("\n\n", 1)[0].splitlines()
    assert f"Version: {VERSION}" in headers
    assert "License-Expression: MIT" in headers
    licence = wheel.read(f"{DIST_INFO}/licenses/LICENSE")
    assert licence == (ROOT / "LICENSE").read_bytes()
    assert b"MIT License" in licence
    entry_points = wheel.read(f"{DIST_INFO}/entry_points.txt").decode("utf-8")
    assert "hello-rnn = hello_rnn.cli:main" in entry_points


def test_the_citation_names_this_version_licence_and_repository():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert citation["title"] == "Hello, RNN!"
    assert citation["version"] == VERSION
    assert citation["license"] == PYPROJECT["project"]["license"] == "MIT"
    assert citation["repository-code"] == config["repository"]["url"]
