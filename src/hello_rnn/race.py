"""Chapter 8's race: can a recurrent cell carry a letter across ``D`` dashes?

Each line is a letter, ``D`` dashes, the same letter again and a newline
(``"a-----a\\n"``), and each line is its own sequence: the network reads it from
a blank state. So the only thing that tells which letter closes a line is the
letter that opened it, ``D + 1`` steps earlier; counting how far into a text the
network is cannot help. Every training step takes all lines at once, as one
batch.

**Remembering the letter.** After every step the network is scored at the
decisive position (the last dash's output), among the letters only: for each
line, the probability of its own letter given that the next character is one of
the letters, ``P(own letter | letters)``. A network *remembers the letter* at a
step when that probability is over 1/2 in every line: its own letter beats the
other three together, not only each of them. A run has **solved** the task when
the network remembers the letter for ``RACE_HOLD`` consecutive steps;
``solved_at`` is the first step of the first such stretch. Every run trains for
the whole budget of ``RACE_STEPS`` steps, with no early stop, and records where
it ended: the smallest ``P(own letter | letters)`` over the lines and the
smallest ``P(own letter)`` itself (among all characters, dash and newline
included), which says whether greedy decoding would write the letter.

**Choosing a learning rate fairly.** Every entrant is trained at every learning
rate of ``RACE_LRS`` from the tuning seeds ``RACE_TUNING_SEEDS``; the learning
rate that solves the most of them (then the fewest median steps, then the
smaller rate) is each entrant's at each ``D`` (:func:`best_learning_rates`), and
the entrant is then reported on the evaluation seeds ``RACE_EVAL_SEEDS``, which
played no part in the choice (:func:`evaluation`), each count with a Wilson 95 %
interval.

The settings below are the race's, shared by chapter 8 and by
``benchmarks/cell_race.py``, which runs the whole grid (entrants, learning rates,
seeds, numbers of dashes) and writes ``results/cell_race.json`` next to this
module: it ships with the package, so the chapter finds it on Colab too.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from ._checks import finite_float, positive_int
from ._digest import verified_bytes
from .data import Vocabulary
from .errors import InvalidTypeError, InvalidValueError
from .explosion import wilson_interval
from .model import HelloRNN
from .state import History
from .train import Batch, StepResult, log_step, run_steps

__all__ = [
    "INITS",
    "LETTERS",
    "LineHistory",
    "LineTask",
    "RACE_DASHES",
    "RACE_EVAL_SEEDS",
    "RACE_HIDDEN",
    "RACE_HOLD",
    "RACE_LRS",
    "RACE_NETS_DASHES",
    "RACE_NETS_SEEDS",
    "RACE_STEPS",
    "RACE_TUNING_SEEDS",
    "best_learning_rates",
    "decisive_accuracy",
    "evaluation",
    "letter_probabilities",
    "line_task",
    "load_race",
    "load_race_nets",
    "matched_hidden",
    "race_cells",
    "race_net",
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
)  # Adam's learning rates, tried for every entrant
RACE_TUNING_SEEDS = (0, 1, 2)  # the seeds that choose each entrant's learning rate
RACE_EVAL_SEEDS = tuple(range(3, 23))  # the seeds reported, at the chosen rate
RACE_STEPS = 1500  # every run trains this many steps
RACE_HOLD = 50  # solved: the letter remembered for this many consecutive steps
RACE_DASHES = (10, 20, 30, 40)  # the numbers of dashes D the sweep tries
INITS = ("default", "forget bias 1", "orthogonal")  # see race_net
RESULTS = Path(__file__).resolve().parent / "results" / "cell_race.json"
# The digest of the shipped results: every reader sees the bytes the book was made with.
# benchmarks/cell_race.py prints the new one when it writes the file.
RESULTS_SHA256 = "da15c6f11fc3fd218f3e7978e1c0185e7be1169abe834c1a51fa913db1a6037d"
# The networks chapter 8 looks inside, trained once by benchmarks/race_nets.py at
# D = RACE_NETS_DASHES (each entrant at its chosen learning rate, the first evaluation
# seeds, and where none of those solved the task the first evaluation seed that did),
# and the SHA-256 of their list, results/race_nets.json, which holds each file's.
RACE_NETS_DASHES = 30
RACE_NETS_SEEDS = RACE_EVAL_SEEDS[:5]
RACE_NETS = RESULTS.parent / "race_nets"
RACE_NETS_SHA256 = "1a730ce9bde07031014ddedb2ce7dea80d49e847b8b144943625b61b915ae80b"


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
        """The position, counted from 0, whose input is the last dash; its target is the letter."""
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


@torch.no_grad()
def letter_probabilities(
    net: nn.Module, task: LineTask
) -> tuple[torch.Tensor, torch.Tensor]:
    """What the network gives each line's own letter at the decisive position.

    Returns:
        ``(given_letters, own)``, two ``[B]`` tensors on the CPU: the probability of
        the line's own letter given that the next character is a letter (a softmax
        over the letters' logits alone), and its probability among all ``V``
        characters (what greedy decoding sees).
    """
    device = next(net.parameters()).device
    z = net(task.X.to(device))[0][:, task.decisive].cpu()  # [B, V]
    lines = torch.arange(len(task.letters))
    given = torch.softmax(z[:, task.letters], dim=-1)[lines, lines]  # [B]
    own = torch.softmax(z, dim=-1)[lines, task.letters]  # [B]
    return given, own


@dataclass
class LineHistory(History):
    """One run of :func:`train_lines`: a :class:`~hello_rnn.state.History`, and the race's own.

    Attributes:
        loss: the mean cross-entropy over every position of every line, before the step.
        grad_norm, clipped_grad_norm, clamped_fraction: as every run records them.
        own_min: after the step, the smallest over the lines of
            ``P(own letter | letters)`` at the decisive position
            (:func:`letter_probabilities`). Over 1/2: the network remembers the letter.
        hold: how many consecutive steps count as solving.
        solved_at: the first step of the first stretch of `hold` consecutive steps
            (all within the run) at which ``own_min > 1/2``, or None.
        final_own: after the last step, the smallest over the lines of
            ``P(own letter)`` among all characters.
    """

    own_min: list[float] = field(default_factory=list)
    hold: int = RACE_HOLD
    solved_at: int | None = None
    final_own: float | None = None

    @property
    def final_own_given_letters(self) -> float | None:
        """``own_min`` after the last step (None before any step)."""
        return self.own_min[-1] if self.own_min else None

    @property
    def remembered_share(self) -> float | None:
        """The share of steps from ``solved_at`` to the end at which ``own_min > 1/2``."""
        if self.solved_at is None:
            return None
        after = self.own_min[self.solved_at - 1 :]
        return sum(p > 0.5 for p in after) / len(after)


def train_lines(
    net: nn.Module,
    task: LineTask,
    *,
    steps: int = RACE_STEPS,
    lr: float = 0.01,
    clamp: float | None = 1.0,
    hold: int = RACE_HOLD,
) -> LineHistory:
    """Train `net` with Adam on all lines at once, each from a blank state, for `steps` steps.

    Every step is one :func:`~hello_rnn.train.train_step` on the batch ``task.X``
    (clamp as in :func:`~hello_rnn.train.train`), followed by
    :func:`letter_probabilities`. There is no early stop: the run takes all `steps`
    steps, and ``solved_at`` is the first step of the first `hold` consecutive
    steps at which every line's ``P(own letter | letters)`` is over 1/2.
    """
    steps = positive_int("steps", steps)
    hold = positive_int("hold", hold)
    lr = finite_float("lr", lr, positive=True)
    if not isinstance(task, LineTask):
        raise InvalidTypeError(f"task must be a LineTask, got {type(task).__name__}")
    device = next(net.parameters()).device
    X, y = task.X.to(device), task.y.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    history = LineHistory(hold=hold)
    held = 0  # consecutive steps remembered so far
    own = torch.zeros(0)
    was_training = net.training
    net.train()

    def record(step: int, result: StepResult) -> bool:
        nonlocal held, own
        log_step(history, result)
        given, own = letter_probabilities(net, task)
        history.own_min.append(given.min().item())
        held = held + 1 if history.own_min[-1] > 0.5 else 0
        if held == hold and history.solved_at is None:
            history.solved_at = step - hold + 1
        return False  # no early stop: every run takes all its steps

    every_line = (Batch(X, y) for _ in range(steps))  # all lines, from blank states
    run_steps(net, optimizer, every_line, record, clamp=clamp, history=history)
    history.final_own = own.min().item()
    net.train(was_training)
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


def race_cells(
    num_chars: int, hidden: int = RACE_HIDDEN
) -> dict[str, tuple[str, int, str]]:
    """The race's entrants: ``{label: (cell, H, init)}``, ``init`` one of ``INITS``.

    The plain RNN, GRU and LSTM at ``H`` = `hidden` with PyTorch's initial weights;
    a plain RNN with as many weights as the LSTM (:func:`matched_hidden`); the
    LSTM with its forget gates' bias at 1 (Jozefowicz et al. 2015); and the plain
    RNN with an orthogonal ``W_hh`` (Saxe et al. 2014, in the spirit of Le et al.
    2015's identity). See :func:`race_net`.
    """
    lstm = weight_count(HelloRNN(num_chars, hidden, cell="lstm"))
    return {
        "RNN": ("torch", hidden, "default"),
        "RNN, matched": ("torch", matched_hidden(lstm, num_chars), "default"),
        "RNN, orthogonal": ("torch", hidden, "orthogonal"),
        "GRU": ("gru", hidden, "default"),
        "LSTM": ("lstm", hidden, "default"),
        "LSTM, forget bias 1": ("lstm", hidden, "forget bias 1"),
    }


def race_net(num_chars: int, cell: str, hidden: int, init: str = "default") -> HelloRNN:
    """A :class:`~hello_rnn.model.HelloRNN` with an entrant's initial weights (from the current seed).

    ``init`` is one of ``INITS``:

    - ``"default"``: PyTorch's initialisation, every weight uniform in
      ``[-1/sqrt(H), 1/sqrt(H)]``;
    - ``"forget bias 1"`` (an LSTM): then the forget gate's total bias set to 1,
      ``bias_ih_l0[H:2H] = 1`` and ``bias_hh_l0[H:2H] = 0``, so that its gates
      start near ``sigmoid(1) = 0.73`` rather than 1/2;
    - ``"orthogonal"`` (a plain RNN): then ``W_hh`` replaced by a random orthogonal
      ``[H, H]`` matrix (:func:`torch.nn.init.orthogonal_`), all of whose singular
      values are 1.
    """
    if init not in INITS:
        raise InvalidValueError(f"init must be one of {INITS}, got {init!r}")
    net = HelloRNN(num_chars, hidden, cell=cell)
    if init == "forget bias 1":
        if cell != "lstm":
            raise InvalidValueError(f"a forget bias needs an LSTM, got cell={cell!r}")
        with torch.no_grad():
            net.cell.bias_ih_l0[hidden : 2 * hidden] = 1.0  # block f: rows H..2H
            net.cell.bias_hh_l0[hidden : 2 * hidden] = 0.0
    elif init == "orthogonal":
        if cell != "torch":
            raise InvalidValueError(
                f"an orthogonal W_hh needs cell='torch', got {cell!r}"
            )
        nn.init.orthogonal_(net.cell.weight_hh_l0)
    return net


def race_run(
    task: LineTask,
    cell: str,
    hidden: int,
    *,
    lr: float,
    seed: int,
    init: str = "default",
    steps: int = RACE_STEPS,
    device: torch.device | str = "cpu",
) -> tuple[HelloRNN, LineHistory]:
    """One run of the race: :func:`race_net` from `seed`, trained by :func:`train_lines`."""
    torch.manual_seed(seed)
    net = race_net(task.vocabulary.num_characters, cell, hidden, init).to(device)
    return net, train_lines(net, task, steps=steps, lr=lr)


def load_race(path: str | Path | None = None) -> dict:
    """The sweep's results, as ``benchmarks/cell_race.py`` wrote them (by default, the shipped ones).

    ``{"settings": {...}, "runs": [{"dashes", "cell", "lr", "seed", "solved_at",
    "final_given", "final_own", ...}, ...]}``: the tuning seeds at every learning
    rate, the evaluation seeds at the rate the tuning seeds chose.
    The shipped file is checked against ``RESULTS_SHA256``, as the shipped text is.
    """
    if path is None:
        return json.loads(
            verified_bytes(RESULTS, RESULTS_SHA256, "benchmarks/cell_race.py")
        )
    path = Path(path)
    if not path.is_file():
        raise InvalidValueError(
            f"no race results at {path}; run: python benchmarks/cell_race.py"
        )
    data = path.read_bytes()
    return json.loads(data.decode("utf-8"))


def summarize(
    runs: list[dict], seeds: tuple[int, ...] | None = None
) -> dict[tuple[int, str, float], dict]:
    """What a sweep's `runs` (those of `seeds`, or all) found for each setting (``D``, entrant, lr).

    Returns:
        ``{(D, entrant, lr): {"lr", "solved", "seeds", "median_steps"}}``: how many
        of the seeds solved the task, and the median ``solved_at`` of those that
        did (None when none did).
    """
    by_setting: dict[tuple[int, str, float], list[int | None]] = {}
    for run in runs:
        if seeds is None or run["seed"] in seeds:
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


def best_learning_rates(
    runs: list[dict], seeds: tuple[int, ...] = RACE_TUNING_SEEDS
) -> dict[tuple[int, str], dict]:
    """Each (``D``, entrant)'s learning rate, chosen on the tuning `seeds` alone.

    Best is the most of those seeds solved; among those, the fewest steps (the
    median of the solved runs' ``solved_at``); among those, the smaller rate.

    Returns:
        ``{(D, entrant): {"lr", "solved", "seeds", "median_steps"}}``, as
        :func:`summarize` counts the tuning seeds.
    """
    best: dict[tuple[int, str], dict] = {}
    for (dashes, cell, _), entry in summarize(runs, seeds).items():
        old = best.get((dashes, cell))
        if old is None or _rank(entry) < _rank(old):
            best[(dashes, cell)] = entry
    return best


def evaluation(
    runs: list[dict],
    tuning: tuple[int, ...] = RACE_TUNING_SEEDS,
    seeds: tuple[int, ...] = RACE_EVAL_SEEDS,
) -> dict[tuple[int, str], dict]:
    """Each (``D``, entrant) at its chosen learning rate, on the evaluation `seeds`.

    The learning rate is :func:`best_learning_rates` on the `tuning` seeds; the
    runs of the `seeds` at that rate are counted here.

    Returns:
        For each ``(D, entrant)``, a dict with ``lr``, ``solved`` (the seeds that
        solved the task), ``seeds``, ``interval`` (a Wilson 95 % interval
        ``(low, high)`` for the share that would), ``median_steps`` (the median
        ``solved_at`` of those that did), and ``final_given`` and ``final_own`` (the
        medians over the seeds of the final smallest ``P(own letter | letters)`` and
        of ``P(own letter)``).
    """
    chosen = best_learning_rates(runs, tuning)
    picked: dict[tuple[int, str], list[dict]] = {}
    for run in runs:
        key = (run["dashes"], run["cell"])
        if run["seed"] in seeds and key in chosen and run["lr"] == chosen[key]["lr"]:
            picked.setdefault(key, []).append(run)
    result = {}
    for key, chosen_runs in sorted(picked.items()):
        done = sorted(r["solved_at"] for r in chosen_runs if r["solved_at"] is not None)
        n = len(chosen_runs)
        result[key] = {
            "lr": chosen[key]["lr"],
            "solved": len(done),
            "seeds": n,
            "interval": wilson_interval(len(done), n),
            "median_steps": _median(done),
            "final_given": statistics.median(r["final_given"] for r in chosen_runs),
            "final_own": statistics.median(r["final_own"] for r in chosen_runs),
        }
    return result


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _rank(entry: dict) -> tuple:
    steps = entry["median_steps"]
    return (-entry["solved"], math.inf if steps is None else steps, entry["lr"])


def load_race_nets() -> dict[str, dict[int, tuple[HelloRNN, dict]]]:
    """The shipped networks of ``benchmarks/race_nets.py``: ``{entrant: {seed: (net, meta)}}``.

    Each is a :class:`~hello_rnn.model.HelloRNN` on the CPU, in eval mode, as it stood after its
    ``RACE_STEPS`` steps; ``meta`` holds its ``cell`` (the entrant's name), ``lr``,
    ``seed``, ``solved_at``, ``final_given`` and ``final_own``, as the record has them. Every file is checked against
    the SHA-256 in ``race_nets.json``, and that list against ``RACE_NETS_SHA256``.
    """
    from . import checkpoint

    manifest = RACE_NETS.with_suffix(".json")
    listed = verified_bytes(manifest, RACE_NETS_SHA256, "benchmarks/race_nets.py")
    nets: dict[str, dict[int, tuple[HelloRNN, dict]]] = {}
    for entry in json.loads(listed)["nets"]:
        path = RACE_NETS / entry["file"]
        verified_bytes(path, entry["sha256"], "benchmarks/race_nets.py")
        net, _, meta = checkpoint.load(path)
        nets.setdefault(meta["cell"], {})[meta["seed"]] = (net, meta)
    return nets
