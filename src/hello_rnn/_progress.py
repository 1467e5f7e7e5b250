"""The progress bar both training loops show: tqdm's, or one that shows nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tqdm import tqdm


def progress_bar(total: int, enabled: bool) -> tqdm:
    """A bar counting `total` steps; disabled, it keeps its methods and shows nothing.

    Use it as a context manager, so that it closes however the loop ends.
    """
    from tqdm.auto import tqdm  # here, so that ``import hello_rnn`` stays cheap

    return tqdm(total=total, disable=not enabled, unit="step", leave=False)
