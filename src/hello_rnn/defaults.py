"""The defaults of a run, each written once: the trainers' own, and the command line's few.

A default of :func:`~hello_rnn.train.train` or :func:`~hello_rnn.corpus.train_on_corpus`
is read here from the function's signature, so the function stays the one place it is
written. The command line adds a few choices of its own (it always seeds, the size of
the network, a larger rate for a long text). ``hello-rnn train`` and its ``--help``,
and ``benchmarks/run.py``, read them from here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .corpus import train_on_corpus
from .model import HelloRNN
from .train import train

__all__ = ["LONG_DEFAULTS", "TEXT_DEFAULTS", "defaults_of"]


def defaults_of(function: Callable[..., Any], *names: str) -> dict[str, Any]:
    """``{name: default}`` for the named parameters of `function`, from its signature."""
    parameters = inspect.signature(function).parameters
    return {name: parameters[name].default for name in names}


#: Learning a short text by heart (``hello-rnn train --text``).
TEXT_DEFAULTS: dict[str, Any] = {
    **defaults_of(HelloRNN, "cell"),
    "hidden": 50,  # the seed's HelloRNN(num_chars=..., num_hidden=50)
    **defaults_of(train, "lr", "clamp", "clip_norm", "steps"),
    "seed": 0,  # the command line always seeds, so that a run repeats
}
#: Learning a long text (``--file``, ``--corpus``); ``eval_every`` None is ten
#: times a run (:func:`~hello_rnn.corpus.default_eval_every`), ``save_every``
#: None at every scoring.
LONG_DEFAULTS: dict[str, Any] = {
    **TEXT_DEFAULTS,
    **defaults_of(train_on_corpus, "clamp", "clip_norm", "steps"),
    "hidden": 128,  # a long text has more to learn
    "lr": 0.002,  # steps averaged over 32 windows are steadier: larger ones pay off
    **defaults_of(train_on_corpus, "seq_len", "batch_size"),
    "validation": defaults_of(train_on_corpus, "validation_fraction")[
        "validation_fraction"
    ],
    **defaults_of(train_on_corpus, "eval_every"),
    "save_every": None,
}
