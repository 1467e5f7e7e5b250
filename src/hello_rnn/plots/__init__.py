"""Figures for the chapters: plain functions that return a matplotlib Figure.

One module per chapter (``encoding``, ``rnn_cell``, ``training``, ``gradients`` for
chapters 4 and 5, ``sampling``, ``long_texts``, ``gated_cells``); every figure is here, at
``hello_rnn.plots.<name>``, and each carries its alt text (:mod:`hello_rnn.alt_text`).

Not imported by ``hello_rnn`` itself: ``from hello_rnn import plots``. Importing
it leaves matplotlib's backend alone: inline in a notebook, a window for
``plt.show()`` in a script, whatever ``MPLBACKEND`` asks for.
"""

from __future__ import annotations

from ._common import show_char
from .encoding import one_hot_matrix
from .gated_cells import (
    decisive_predictions,
    gradient_reach,
    lstm_cell_diagram,
    race_by_dashes,
    unit_traces,
)
from .gradients import (
    clamp_vs_clip,
    exploding_runs,
    gradient_norm_vs_length,
    largest_gradient_element,
    loss_wall,
    matrix_stretch,
    wall_runs,
)
from .long_texts import (
    batch_layout,
    corpus_learning_curves,
    fair_learning_curves,
    long_run_curves,
    truncated_bptt,
)
from .rnn_cell import next_char_confidences, unrolled_rnn
from .sampling import (
    entropy_vs_temperature,
    sampling_tradeoff,
    temperature_distributions,
)
from .training import (
    hidden_state_heatmap,
    hidden_value_histogram,
    memorization_study,
    training_curves,
    training_snapshot,
)

__all__ = [
    "show_char",
    "one_hot_matrix",
    "unrolled_rnn",
    "next_char_confidences",
    "training_curves",
    "hidden_state_heatmap",
    "hidden_value_histogram",
    "memorization_study",
    "training_snapshot",
    "gradient_norm_vs_length",
    "loss_wall",
    "lstm_cell_diagram",
    "exploding_runs",
    "clamp_vs_clip",
    "largest_gradient_element",
    "matrix_stretch",
    "wall_runs",
    "temperature_distributions",
    "entropy_vs_temperature",
    "sampling_tradeoff",
    "batch_layout",
    "truncated_bptt",
    "corpus_learning_curves",
    "gradient_reach",
    "decisive_predictions",
    "unit_traces",
    "race_by_dashes",
    "fair_learning_curves",
    "long_run_curves",
]
