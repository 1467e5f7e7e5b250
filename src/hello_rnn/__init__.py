"""hello_rnn: the smallest character-level RNN, written to be read.

Everything the chapters of *Hello, RNN!* teach lives here once. ``plots`` and
``widgets`` are imported on their own (``from hello_rnn import plots``), so
``import hello_rnn`` costs little more than ``import torch``.
"""

from . import checkpoint
from .batching import batches, batches_per_pass, split_text, windows
from .corpus import bits_per_character, default_corpus, train_on_corpus
from .data import DataHandler, Vocabulary
from .device import pick_device
from .errors import HelloRNNError, InvalidTypeError, InvalidValueError
from .model import HelloRNN, RNNCell, detach_hidden
from .sample import generate, iter_generate, next_char_probabilities
from .state import CorpusHistory, History, TrainingState
from .train import (
    StepResult,
    TrainingDivergedError,
    clamp_gradients_,
    gradient_norm,
    seed_everything,
    train,
    train_step,
)

__all__ = [
    "CorpusHistory",
    "DataHandler",
    "History",
    "HelloRNN",
    "HelloRNNError",
    "InvalidTypeError",
    "InvalidValueError",
    "RNNCell",
    "StepResult",
    "TrainingDivergedError",
    "TrainingState",
    "Vocabulary",
    "batches",
    "batches_per_pass",
    "bits_per_character",
    "checkpoint",
    "clamp_gradients_",
    "default_corpus",
    "detach_hidden",
    "generate",
    "gradient_norm",
    "iter_generate",
    "next_char_probabilities",
    "pick_device",
    "seed_everything",
    "split_text",
    "train",
    "train_on_corpus",
    "train_step",
    "windows",
]
