"""Reading your own text from a file: once, as UTF-8, with a clear error for every bad file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .errors import InvalidTypeError, InvalidValueError

__all__ = ["read_text_file"]


def read_text_file(path: str | os.PathLike) -> tuple[str, str]:
    """The text in the file at `path`, and the SHA-256 of its bytes.

    The bytes are read once, hashed (``sha256sum`` prints the same digest, so a
    checkpoint can say which text it learned) and decoded as UTF-8; only the
    text is kept.

    Raises:
        FileNotFoundError: there is no file at `path`.
        OSError: the file could not be read (for instance PermissionError).
        ~hello_rnn.errors.InvalidValueError: `path` is a folder, the file is
            empty, or it is not UTF-8 (the message gives the first bad byte's
            offset).
    """
    if not isinstance(path, str | os.PathLike):
        raise InvalidTypeError(
            f"path must be a str or a path, got {type(path).__name__}"
        )
    path = Path(path)
    name = repr(str(path))
    if not path.exists():
        raise FileNotFoundError(f"no file at {name}: check the path")
    if path.is_dir():
        raise InvalidValueError(f"{name} is a folder: give a text file")
    data = path.read_bytes()
    if not data:
        raise InvalidValueError(f"{name} is empty: give a file with a text to learn")
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidValueError(
            f"{name} is not UTF-8 text: {error.reason} at byte offset "
            f"{error.start} (0x{data[error.start]:02x}); save the file as UTF-8 "
            "(for instance: iconv -f latin1 -t utf-8 old.txt > new.txt)"
        ) from None
    return text, digest
