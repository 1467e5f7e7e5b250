"""What the command line's modules share: exit statuses, errors as one line, settings."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import HelloRNNError

PROG = "hello-rnn"
USAGE_ERROR = 2
INTERRUPTED = 130  # 128 + SIGINT: what a shell reports after Ctrl-C
BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader went away (hello-rnn sample | head)


# The settings of a run, and their defaults (hello_rnn.defaults): options left
# out take these; a resumed run takes its own.
class UsageError(HelloRNNError):
    """A mistake in the command line or its values: one line, exit status 2."""


def settings_of(
    args: argparse.Namespace, defaults: dict[str, Any], saved: dict[str, Any]
) -> dict[str, Any]:
    """A run's settings: those given, else the `saved` run's, else the `defaults`."""
    given = {key: value for key, value in vars(args).items() if key in defaults}
    settings = {**defaults, **saved, **given}
    if "clip_norm" in given:  # one or the other
        settings["clamp"] = None
    if "clamp" in given:
        settings["clip_norm"] = None
    return settings


@contextmanager
def file_errors(path: str, action: str) -> Iterator[None]:
    """An OSError on `path`, a file the user named, is theirs to fix: one line.

    Our own checks name the file already ("no checkpoint at ..."); a message
    from the system ("No space left on device") gets `action` and `path`.
    """
    try:
        yield
    except OSError as error:
        if error.errno is None:
            raise UsageError(str(error)) from error
        raise UsageError(f"{action} {path!r}: {error.strerror}") from error


def say(message: str) -> None:
    """``hello-rnn: message`` on stderr, as one line whatever `message` held."""
    print(f"{PROG}: {' '.join(message.split())}", file=sys.stderr)
