"""Chapter 7's race: can a recurrent cell carry a letter across ``D`` dashes?

Each line is a letter, ``D`` dashes, the same letter again and a newline
(``"a-----a\\n"``), and each line is its own sequence: the network reads it from
a blank state. So the only thing that tells which letter closes a line is the
letter that opened it, ``D + 1`` steps earlier; counting how far into a text the
network is cannot help. Every training step takes all lines at once, as one
batch.

The settings below are the race's, shared by chapter 7 and by
``benchmarks/cell_race.py``, which runs the whole grid (cells, learning rates,
seeds, numbers of dashes) and writes ``results/cell_race.json`` next to this
module: it ships with the package, so the chapter finds it on Colab too.
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from ._checks import finite_float, positive_int
from .data import Vocabulary
from .errors import InvalidTypeError, InvalidValueError
from .model import HelloRNN
from .train import train_step

__all__ = [
    "LETTERS",
    "LineHistory",
    "LineTask",
    "RACE_DASHES",
    "RACE_HIDDEN",
    "RACE_LRS",
    "RACE_NETS_DASHES",
    "RACE_SEEDS",
    "RACE_STEPS",
    "best_learning_rates",
    "decisive_accuracy",
    "line_task",
    "load_race",
    "load_race_nets",
    "matched_hidden",
    "race_cells",
    "race_run",
    "summarize",
    "train_lines",
    "weight_count",
]

LETTERS = "abcd"  # the letters a line can start with
RACE_HIDDEN = 32  # H of the gated cells and of the plain RNN
RACE_LRS = (
    0.001,
    0.003,
    0.01,
    0.03,
    0.1,
)  # Adam's learning rates, tried for every cell
RACE_SEEDS = (0, 1, 2)  # initial weights
RACE_STEPS = 1500  # at most this many steps per run
RACE_DASHES = (10, 20, 30, 40)  # the numbers of dashes D the sweep tries
RESULTS = Path(__file__).resolve().parent / "results" / "cell_race.json"
# The digest of the shipped results: every reader sees the bytes the book was made with.
# benchmarks/cell_race.py prints the new one when it writes the file.
RESULTS_SHA256 = "46aba18839f26810a69e1959ba36b3c3efc23c802b038e4a2356dae8a4e65207"
# The networks chapter 7 looks inside, trained once by benchmarks/race_nets.py at
# D = RACE_NETS_DASHES (each entrant at its recorded best learning rate, every seed),
# and the SHA-256 of their list, results/race_nets.json, which holds each file's.
RACE_NETS_DASHES = 30
RACE_NETS = RESULTS.parent / "race_nets"
RACE_NETS_SHA256 = "96eefe7ffb4a8de36a0cb6ed6a59d86b5383fecbdd292f5b511488d76f6be6e8"


@dataclass(frozen=True)
class LineTask:
    """The lines of the race as tensors.

    Attributes:
        dashes: ``D``, the number of dashes between the two letters.
        lines: one line per letter, ``B`` of them, each ``D + 3`` characters.
        vocabulary: the newline, the dash and the letters.
        X: ``[B, T, V]`` one-hot inputs, ``T = D + 2`` (a line but its last character).
        y: ``[B, T]`` targets, the index of each next character.
        letters: ``[B]``, the vocabulary index of each line's letter.
    """

    dashes: int
    lines: list[str]
    vocabulary: Vocabulary
    X: torch.Tensor
    y: torch.Tensor
    letters: torch.Tensor

    @property
    def decisive(self) -> int:
        """The position (from 0) whose input is the last dash: its target is the letter."""
        return self.dashes


def line_task(dashes: int, letters: str = LETTERS) -> LineTask:
    """The race's lines for ``D`` = `dashes`, one per letter of `letters`."""
    dashes = positive_int("dashes", dashes)
    if not isinstance(letters, str):
        raise InvalidTypeError(f"letters must be a str, got {type(letters).__name__}")
    if (
        len(set(letters)) < 2
        or len(set(letters)) != len(letters)
        or set(letters)
        & {
            "-",
            "\n",
        }
    ):
        raise InvalidValueError(
            "letters must be at least two different characters, none of them '-' or "
            f"a newline, got {letters!r}"
        )
    lines = [c + "-" * dashes + c + "\n" for c in letters]
    vocabulary = Vocabulary(set("".join(lines)))
    indices = torch.stack([vocabulary.encode(line) for line in lines])  # [B, D + 3]
    X = vocabulary.one_hot(indices[:, :-1]).float()  # [B, T, V]
    return LineTask(dashes, lines, vocabulary, X, indices[:, 1:], indices[:, 0])


@torch.no_grad()
def decisive_accuracy(net: nn.Module, task: LineTask) -> float:
    """The fraction of lines whose own letter the network ranks first after the dashes.

    Only the letters compete: the score asks whether the network remembers which
    letter opened the line, not whether it also knows that the dashes end there.
    """
    device = next(net.parameters()).device
    logits = net(task.X.to(device))[0][:, task.decisive].cpu()  # [B, V]
    guess = task.letters[logits[:, task.letters].argmax(dim=-1)]  # [B]
    return (guess == task.letters).float().mean().item()


@dataclass
class LineHistory:
    """One run of :func:`train_lines` (lists indexed by step - 1).

    Attributes:
        loss: the mean cross-entropy over every position of every line, before the step.
        decisive_accuracy: :func:`decisive_accuracy` after the step.
        solved_at: the first step after which the network ranked every line's
            own letter first among the letters after the dashes, or None.
    """

    loss: list[float] = field(default_factory=list)
    decisive_accuracy: list[float] = field(default_factory=list)
    solved_at: int | None = None

    @property
    def steps(self) -> int:
        """How many steps were taken."""
        return len(self.loss)


def train_lines(
    net: nn.Module,
    task: LineTask,
    *,
    steps: int = RACE_STEPS,
    lr: float = 0.01,
    clamp: float | None = 1.0,
) -> LineHistory:
    """Train `net` with Adam on all lines at once, each from a blank state.

    Every step is one :func:`~hello_rnn.train.train_step` on the batch ``task.X``
    (clamp as in :func:`~hello_rnn.train.train`). It stops at the first step after
    which :func:`decisive_accuracy` is 1: every line's own letter ranked first.
    """
    steps = positive_int("steps", steps)
    lr = finite_float("lr", lr, positive=True)
    if not isinstance(task, LineTask):
        raise InvalidTypeError(f"task must be a LineTask, got {type(task).__name__}")
    device = next(net.parameters()).device
    X, y = task.X.to(device), task.y.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    history = LineHistory()
    net.train()
    for step in range(1, steps + 1):
        result = train_step(net, optimizer, X, y, clamp=clamp)
        history.loss.append(result.loss)
        history.decisive_accuracy.append(decisive_accuracy(net, task))
        if history.decisive_accuracy[-1] == 1.0:
            history.solved_at = step
            break
    net.eval()
    return history


def weight_count(net: nn.Module) -> int:
    """The number of trainable numbers in `net`."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


def matched_hidden(num_weights: int, num_chars: int) -> int:
    """The ``H`` of a vanilla RNN (``cell="torch"``) with about `num_weights` weights.

    Such a network has ``H V + H H + 2 H`` weights in its cell (two biases, as
    :class:`torch.nn.RNN` keeps them) and ``H V + V`` in its read-out: solve
    ``H^2 + (2V + 2) H + V = num_weights`` and take the nearer whole ``H``.
    """
    num_weights = positive_int("num_weights", num_weights)
    V = positive_int("num_chars", num_chars)

    def total(H: int) -> int:
        return H * H + (2 * V + 2) * H + V

    root = (-(2 * V + 2) + math.sqrt((2 * V + 2) ** 2 + 4 * (num_weights - V))) / 2
    candidates = [H for H in (math.floor(root), math.ceil(root)) if H >= 1] or [1]
    return min(candidates, key=lambda H: abs(total(H) - num_weights))


def race_cells(num_chars: int, hidden: int = RACE_HIDDEN) -> dict[str, tuple[str, int]]:
    """The race's entrants: ``{label: (cell, H)}``.

    The plain RNN, GRU and LSTM at ``H`` = `hidden`, and a plain RNN with as many
    weights as the LSTM (:func:`matched_hidden`).
    """
    lstm = weight_count(HelloRNN(num_chars, hidden, cell="lstm"))
    return {
        "RNN": ("torch", hidden),
        "RNN, matched": ("torch", matched_hidden(lstm, num_chars)),
        "GRU": ("gru", hidden),
        "LSTM": ("lstm", hidden),
    }


def race_run(
    task: LineTask,
    cell: str,
    hidden: int,
    *,
    lr: float,
    seed: int,
    steps: int = RACE_STEPS,
    device: torch.device | str = "cpu",
) -> tuple[HelloRNN, LineHistory]:
    """One run of the race: a network from `seed`'s weights, trained by :func:`train_lines`."""
    torch.manual_seed(seed)
    net = HelloRNN(task.vocabulary.num_characters, hidden, cell=cell).to(device)
    return net, train_lines(net, task, steps=steps, lr=lr)


def load_race(path: str | Path | None = None) -> dict:
    """The sweep's results, as ``benchmarks/cell_race.py`` wrote them (by default, the shipped ones).

    ``{"settings": {...}, "runs": [{"dashes", "cell", "lr", "seed", "solved_at"}, ...]}``.
    The shipped file is checked against ``RESULTS_SHA256``, as the shipped text is.
    """
    path = RESULTS if path is None else Path(path)
    if not path.is_file():
        raise InvalidValueError(
            f"no race results at {path}; run: python benchmarks/cell_race.py"
        )
    data = path.read_bytes()
    if (
        path == RESULTS
        and (found := hashlib.sha256(data).hexdigest()) != RESULTS_SHA256
    ):
        raise InvalidValueError(
            f"{path} is not the file hello_rnn was made with: its SHA-256 is {found}, "
            f"expected {RESULTS_SHA256}. Reinstall hello_rnn (or restore the file with git); "
            "after a new run of benchmarks/cell_race.py, put its digest in RESULTS_SHA256"
        )
    return json.loads(data.decode("utf-8"))


def summarize(runs: list[dict]) -> dict[tuple[int, str, float], dict]:
    """What a sweep's `runs` found for each setting (``D``, cell, learning rate).

    Returns:
        ``{(D, cell, lr): {"lr", "solved", "seeds", "median_steps"}}``: how many of
        the seeds solved the task, and the median ``solved_at`` of those that did
        (None when none did).
    """
    by_setting: dict[tuple[int, str, float], list[int | None]] = {}
    for run in runs:
        key = (run["dashes"], run["cell"], run["lr"])
        by_setting.setdefault(key, []).append(run["solved_at"])
    summary = {}
    for (dashes, cell, lr), solved_at in sorted(by_setting.items()):
        done = sorted(s for s in solved_at if s is not None)
        summary[(dashes, cell, lr)] = {
            "lr": lr,
            "solved": len(done),
            "seeds": len(solved_at),
            "median_steps": _median(done),
        }
    return summary


def best_learning_rates(runs: list[dict]) -> dict[tuple[int, str], dict]:
    """Each (``D``, cell)'s best learning rate in a sweep's `runs`.

    Best is the most seeds solved; among those, the fewest steps (the median of
    the solved runs' ``solved_at``); among those, the smaller learning rate.

    Returns:
        ``{(D, cell): {"lr", "solved", "seeds", "median_steps"}}``, as :func:`summarize`.
    """
    best: dict[tuple[int, str], dict] = {}
    for (dashes, cell, _), entry in summarize(runs).items():
        old = best.get((dashes, cell))
        if old is None or _rank(entry) < _rank(old):
            best[(dashes, cell)] = entry
    return best


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _rank(entry: dict) -> tuple:
    steps = entry["median_steps"]
    return (-entry["solved"], math.inf if steps is None else steps, entry["lr"])


def load_race_nets() -> dict[str, dict[int, tuple[HelloRNN, dict]]]:
    """The shipped networks of ``benchmarks/race_nets.py``: ``{entrant: {seed: (net, meta)}}``.

    Each is a :class:`HelloRNN` on the CPU, in eval mode, as it stood when it solved
    the task (or after ``RACE_STEPS`` steps); ``meta`` holds its ``cell`` (the
    entrant's name), ``lr``, ``seed`` and ``solved_at``. Every file is checked against
    the SHA-256 in ``race_nets.json``, and that list against ``RACE_NETS_SHA256``.
    """
    from . import checkpoint

    manifest = RACE_NETS.with_suffix(".json")
    listed = _verified(manifest, RACE_NETS_SHA256)
    nets: dict[str, dict[int, tuple[HelloRNN, dict]]] = {}
    for entry in json.loads(listed)["nets"]:
        path = RACE_NETS / entry["file"]
        _verified(path, entry["sha256"])
        net, _, meta = checkpoint.load(path)
        nets.setdefault(meta["cell"], {})[meta["seed"]] = (net, meta)
    return nets


def _verified(path: Path, expected: str) -> bytes:
    """The bytes of `path`, if its SHA-256 is `expected`."""
    if not path.is_file():
        raise InvalidValueError(
            f"no {path.name} at {path}; run benchmarks/race_nets.py"
        )
    data = path.read_bytes()
    if (found := hashlib.sha256(data).hexdigest()) != expected:
        raise InvalidValueError(
            f"{path} is not the file hello_rnn was made with: its SHA-256 is {found}, "
            f"expected {expected}. Reinstall hello_rnn (or restore it with git)"
        )
    return data
