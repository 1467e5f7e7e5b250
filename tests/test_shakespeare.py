"""The shipped Shakespeare text: intact, plays only, the same on every Python."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from interpreters import find_python

from hello_rnn import shakespeare
from hello_rnn.shakespeare import (
    PLAYS,
    SHAKESPEARE_FILE,
    SHAKESPEARE_SHA256,
    CorpusChecksumError,
    play_spans,
    shakespeare_path,
    shakespeare_text,
)

ROOT = Path(__file__).resolve().parent.parent
MODULE = ROOT / "src" / "hello_rnn" / "shakespeare.py"

# Run in a fresh interpreter: load shakespeare.py by path (not through the hello_rnn
# package, whose __init__ imports torch) and report what it read.
PROBE = """
import hashlib, importlib.util, json, sys
spec = importlib.util.spec_from_file_location("shakespeare_alone", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
text = module.shakespeare_text()
print(json.dumps({
    "version": list(sys.version_info[:2]),
    "length": len(text),
    "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    "torch_or_package_imported": sorted(
        name for name in sys.modules if name == "torch" or name.startswith("hello_rnn")
    ),
}))
"""


@pytest.fixture
def fresh_cache():
    """shakespeare_text() caches its result: each test starts and ends uncached."""
    shakespeare_text.cache_clear()
    yield
    shakespeare_text.cache_clear()


def test_text_loads_and_is_about_a_megabyte():
    text = shakespeare_text()
    assert 1_000_000 < len(text) < 1_250_000
    assert shakespeare_text() is text  # cached: read and checked once


def test_digest_matches_the_constant_and_the_file():
    data = shakespeare_path().read_bytes()
    assert hashlib.sha256(data).hexdigest() == SHAKESPEARE_SHA256
    assert hashlib.sha256(shakespeare_text().encode("utf-8")).hexdigest() == (
        SHAKESPEARE_SHA256
    )
    assert shakespeare_path() == MODULE.parent / SHAKESPEARE_FILE


def test_only_the_plays_text_no_gutenberg_boilerplate():
    text = shakespeare_text()
    assert text.startswith("ACT I.\n\nSCENE I. Rome. A street.\n")
    assert text.endswith("And we'll strive to please you every day.\n\n[Exit.]\n")
    for banned in ("gutenberg", "*** start", "*** end", "***", "ebook", "small print"):
        assert banned not in text.lower(), banned
    for front_matter in ("by William Shakespeare", "PERSONS REPRESENTED", "DRAMATIS"):
        assert front_matter not in text, front_matter


def test_plain_lines_and_line_endings():
    text = shakespeare_text()
    assert "\r" not in text and "\t" not in text
    assert "\n\n\n" not in text  # at most one blank line in a row
    assert not re.search(r"[ ]+\n", text)  # no trailing spaces
    assert not re.search(r"^@+$", text, re.M)  # no transcriber markup


def test_speaker_names_on_their_own_lines():
    text = shakespeare_text()
    speakers = re.findall(r"(?<=\n\n)([A-Z][A-Z .']+\.)\n(?=\S)", text)
    assert len(speakers) > 7_000
    for name in ("FIRST CITIZEN.", "MACBETH.", "OTHELLO.", "PROSPERO.", "VIOLA."):
        assert name in speakers, name


def test_a_corrupted_copy_is_refused(tmp_path, monkeypatch, fresh_cache):
    damaged = tmp_path / "shakespeare.txt"
    data = bytearray(shakespeare_path().read_bytes())
    data[1000] ^= 1
    damaged.write_bytes(bytes(data))
    monkeypatch.setattr(shakespeare, "shakespeare_path", lambda: damaged)
    with pytest.raises(CorpusChecksumError) as caught:
        shakespeare_text()
    message = str(caught.value)
    assert str(damaged) in message
    assert SHAKESPEARE_SHA256 in message
    assert hashlib.sha256(bytes(data)).hexdigest() in message
    assert "reinstall hello_rnn" in message
    assert isinstance(caught.value, ValueError)


def test_a_wrong_expected_digest_is_refused(monkeypatch, fresh_cache):
    monkeypatch.setattr(shakespeare, "SHAKESPEARE_SHA256", "0" * 64)
    with pytest.raises(CorpusChecksumError, match="expected 0{64}"):
        shakespeare_text()


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_same_text_on_every_python(version):
    python = find_python(version)
    if python is None:
        pytest.skip(f"no working python{version} on this machine")
    run = subprocess.run(
        [python, "-I", "-c", PROBE, str(MODULE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["version"] == list(map(int, version.split(".")))
    assert report["torch_or_package_imported"] == []
    text = shakespeare_text()
    assert report["length"] == len(text)
    assert report["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert report["sha256"] == SHAKESPEARE_SHA256


def test_the_plays_tile_the_text():
    """play_spans: each play starts with its first act, blank lines between them."""
    text = shakespeare_text()
    spans = play_spans()
    assert [title for title, _, _ in spans] == [title for title, _ in PLAYS]
    for (_, _, end), (_, start, _) in zip(spans, spans[1:]):
        assert text[end:start] == "\n\n"
    for title, start, end in spans:
        assert text[start:end].upper().startswith("ACT "), title
        assert text[end - 1] != "\n", title  # the join's blank line is not the play's
    assert spans[0][1] == 0 and text[spans[-1][2] :] == "\n"
