"""Ctrl-C during a long run: stop between two steps, never in the middle of one.

A step changes the weights and Adam's state one tensor after another. Stopped
halfway, they would belong to no step, and a checkpoint of them to no run. So
while :func:`stop_between_steps` is active, the first Ctrl-C only asks the run
to stop: the training loop's ``on_step`` hook, called between two whole steps,
calls :meth:`StopRequest.check`, which raises :class:`Stopped`. A second Ctrl-C
stops at once, as Python's own Ctrl-C does.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["StopRequest", "Stopped", "stop_between_steps"]


class Stopped(KeyboardInterrupt):
    """Raised between two steps after a Ctrl-C: the last step's state is whole."""


class StopRequest:
    """Whether Ctrl-C was pressed since :func:`stop_between_steps` began."""

    def __init__(self) -> None:
        self.requested = False

    def check(self) -> None:
        """Raise :class:`Stopped` if Ctrl-C was pressed: call it between two steps."""
        if self.requested:
            raise Stopped

    def _on_ctrl_c(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt  # a second Ctrl-C: stop now
        self.requested = True


@contextmanager
def stop_between_steps() -> Iterator[StopRequest]:
    """Turn the first Ctrl-C into a request to stop, for the code inside ``with``.

    Only where Ctrl-C raises KeyboardInterrupt (Python's default) and Python lets
    the handler change (the main thread); elsewhere Ctrl-C is left as it was.
    """
    request = StopRequest()
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield request
        return
    previous = signal.signal(signal.SIGINT, request._on_ctrl_c)
    try:
        yield request
    finally:
        signal.signal(signal.SIGINT, previous)
