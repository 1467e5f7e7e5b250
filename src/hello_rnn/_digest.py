"""Files that ship with the package, read only when they are the bytes it was made with."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import InvalidValueError


def verified_bytes(path: Path, expected: str, made_by: str) -> bytes:
    """The bytes of `path` if their SHA-256 is `expected`; else a clear error.

    Args:
        path: a file that ships with the package (a record, a trained network).
        expected: its SHA-256, as hex.
        made_by: the script that writes it, for the message when it is missing.

    Raises:
        ~hello_rnn.errors.InvalidValueError: the file is missing, or changed.
    """
    if not path.is_file():
        raise InvalidValueError(f"no {path.name} at {path}; run: python {made_by}")
    data = path.read_bytes()
    if (found := hashlib.sha256(data).hexdigest()) != expected:
        raise InvalidValueError(
            f"{path} is not the file hello_rnn was made with: its SHA-256 is {found}, "
            f"expected {expected}. Reinstall hello_rnn (or restore it with git); after "
            f"a new run of {made_by}, put the digest it prints where {path.name}'s is kept"
        )
    return data


def write_record(
    path: Path, contents: dict, kept_in: str, indent: int | None = 1
) -> str:
    """Write a study's record as JSON, and say which digest to keep where.

    Args:
        path: the record's file (its folder is made if missing).
        contents: plain values (``json`` can write them).
        kept_in: the constant that holds the record's SHA-256, for the message.
        indent: as :func:`json.dumps` (None: one line).

    Returns:
        The record's SHA-256, as hex.
    """
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(contents, indent=indent) + "\n")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f"wrote {path}; put its SHA-256 in {kept_in}: {digest}")
    return digest
