"""What every figure of the book must have, checked the same way for every chapter."""

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def assert_labelled(fig: Figure, *, every_y_axis: bool = True) -> None:
    """An x label on some panel, a y label on every panel (or some); then close it."""
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert axes and any(ax.get_xlabel() for ax in axes)
    assert (all if every_y_axis else any)(ax.get_ylabel() for ax in axes)
    plt.close(fig)
