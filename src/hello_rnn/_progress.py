"""The progress bar both training loops show: tqdm's, or one that shows nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tqdm import tqdm


def progress_bar(total: int, enabled: bool, initial: int = 0) -> tqdm:
    """A bar counting up to `total` steps from `initial`; disabled, it shows nothing.

    A disabled bar keeps its methods, so the loops call them either way. Use it
    as a context manager, so that it closes however the loop ends.
    """
    from tqdm.auto import tqdm  # here, so that ``import hello_rnn`` stays cheap

    return tqdm(
        total=total, initial=initial, disable=not enabled, unit="step", leave=False
    )
