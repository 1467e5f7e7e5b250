"""Chapter 7's race: the lines, the score, the matched size, the sweep's best rates and its record."""

import functools
import hashlib
import importlib.util
import math
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch

from hello_rnn import HelloRNN, InvalidTypeError, InvalidValueError
from hello_rnn.race import (
    LETTERS,
    RACE_DASHES,
    RACE_HIDDEN,
    RACE_LRS,
    RACE_SEEDS,
    RACE_STEPS,
    best_learning_rates,
    decisive_accuracy,
    line_task,
    load_race,
    matched_hidden,
    race_cells,
    race_run,
    summarize,
    train_lines,
    weight_count,
)

ROOT = Path(__file__).resolve().parent.parent


def test_each_line_is_its_own_sequence_and_the_decisive_target_is_its_letter():
    task = line_task(3, "abc")
    assert task.lines == ["a---a\n", "b---b\n", "c---c\n"]
    B, T, V = task.X.shape
    assert (B, T, V) == (3, 5, 5) and task.y.shape == (3, 5)
    assert torch.equal(task.X.argmax(-1)[:, 1:], task.y[:, :-1])  # y is x shifted
    assert torch.equal(task.y[:, task.decisive], task.letters)
    assert task.vocabulary.decode(task.X[0, task.decisive].argmax().view(1)) == "-"
    with pytest.raises(InvalidValueError, match="letters"):
        line_task(3, "a")
    with pytest.raises(InvalidValueError, match="letters"):
        line_task(3, "a-")
    with pytest.raises(InvalidTypeError, match="letters"):
        line_task(3, ["a", "b"])
    with pytest.raises(InvalidValueError, match="dashes"):
        line_task(0)


class _Fixed(torch.nn.Module):
    """Logits that favour the letter `guess[b]` in line b at every position."""

    def __init__(self, task, guess):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.logits = torch.zeros(task.X.shape)
        self.logits[torch.arange(len(guess)), :, guess] = 1.0
        self.logits[:, :, task.vocabulary.char_to_index["-"]] = 5.0  # never a letter

    def forward(self, x, h=None):
        return self.logits + 0 * self.weight, None


def test_the_score_asks_only_which_letter_and_counts_lines():
    task = line_task(2, "ab")
    a, b = task.letters.tolist()
    # The dash scores highest everywhere, yet only the letters compete.
    assert decisive_accuracy(_Fixed(task, torch.tensor([a, b])), task) == 1.0
    assert decisive_accuracy(_Fixed(task, torch.tensor([a, a])), task) == 0.5


def test_train_lines_stops_when_every_letter_is_right():
    task = line_task(1, "ab")
    torch.manual_seed(0)
    net = HelloRNN(task.vocabulary.num_characters, 8)
    history = train_lines(net, task, steps=300, lr=0.03)
    assert history.solved_at == history.steps < 300
    assert history.decisive_accuracy[-1] == 1.0 == decisive_accuracy(net, task)
    assert all(a < 1.0 for a in history.decisive_accuracy[:-1])
    with pytest.raises(InvalidValueError, match="lr"):
        train_lines(net, task, lr=0)
    with pytest.raises(InvalidTypeError, match="LineTask"):
        train_lines(net, "a-a", lr=0.01)


def test_race_run_repeats_from_its_seed():
    task = line_task(2, "ab")
    runs = [race_run(task, "gru", 4, lr=0.01, seed=3, steps=5) for _ in range(2)]
    assert runs[0][1].loss == runs[1][1].loss


@pytest.mark.parametrize("V", [3, 6, 65])
@pytest.mark.parametrize("H", [8, 32, 128])
def test_matched_hidden_is_the_nearest_plain_rnn(V, H):
    target = weight_count(HelloRNN(V, H, cell="lstm"))
    matched = matched_hidden(target, V)

    def plain(h):
        return weight_count(HelloRNN(V, h, cell="torch"))

    assert abs(plain(matched) - target) <= min(
        abs(plain(matched - 1) - target), abs(plain(matched + 1) - target)
    )
    assert matched_hidden(plain(H), V) == H  # an exact count gives its own size


def test_race_cells_match_the_lstm():
    cells = race_cells(6)
    assert list(cells) == ["RNN", "RNN, matched", "GRU", "LSTM"]
    assert cells["RNN"] == ("torch", RACE_HIDDEN) == (cells["RNN"][0], cells["GRU"][1])
    lstm = weight_count(HelloRNN(6, RACE_HIDDEN, cell="lstm"))
    matched = weight_count(HelloRNN(6, cells["RNN, matched"][1], cell="torch"))
    assert abs(matched - lstm) / lstm < 0.02


def test_best_learning_rate_is_most_seeds_then_fewest_steps_then_smaller_lr():
    runs = [
        {"dashes": 5, "cell": "A", "lr": 0.1, "seed": 0, "solved_at": 10},
        {"dashes": 5, "cell": "A", "lr": 0.1, "seed": 1, "solved_at": None},
        {"dashes": 5, "cell": "A", "lr": 0.01, "seed": 0, "solved_at": 300},
        {"dashes": 5, "cell": "A", "lr": 0.01, "seed": 1, "solved_at": 100},
        {"dashes": 5, "cell": "A", "lr": 0.03, "seed": 0, "solved_at": 150},
        {"dashes": 5, "cell": "A", "lr": 0.03, "seed": 1, "solved_at": 250},
        {"dashes": 5, "cell": "B", "lr": 0.1, "seed": 0, "solved_at": None},
        {"dashes": 5, "cell": "B", "lr": 0.01, "seed": 0, "solved_at": None},
    ]
    assert summarize(runs)[(5, "A", 0.1)] == {
        "lr": 0.1,
        "solved": 1,
        "seeds": 2,
        "median_steps": 10.0,
    }
    best = best_learning_rates(runs)
    assert best[(5, "A")] == {"lr": 0.01, "solved": 2, "seeds": 2, "median_steps": 200}
    assert best[(5, "B")] == {"lr": 0.01, "solved": 0, "seeds": 1, "median_steps": None}


def test_load_race_names_the_script_when_the_file_is_missing(tmp_path):
    with pytest.raises(InvalidValueError, match="cell_race.py"):
        load_race(tmp_path / "nothing.json")


def test_the_shipped_record_is_the_whole_grid_of_the_current_settings():
    record = load_race()
    settings = record["settings"]
    assert settings["letters"] == LETTERS and settings["hidden"] == RACE_HIDDEN
    assert settings["dashes"] == list(RACE_DASHES)
    assert settings["lrs"] == list(RACE_LRS) and settings["seeds"] == list(RACE_SEEDS)
    assert settings["steps"] == RACE_STEPS
    cells = race_cells(line_task(1).vocabulary.num_characters)
    assert settings["cells"] == {k: list(v) for k, v in cells.items()}
    grid = {
        (d, c, lr, s)
        for d in RACE_DASHES
        for c in cells
        for lr in RACE_LRS
        for s in RACE_SEEDS
    }
    runs = record["runs"]
    assert {(r["dashes"], r["cell"], r["lr"], r["seed"]) for r in runs} == grid
    assert len(runs) == len(grid)
    for run in runs:
        solved = run["solved_at"]
        assert solved is None or 1 <= solved <= RACE_STEPS
        assert math.isfinite(run["final_loss"])


def test_the_benchmark_script_writes_a_record_the_chapter_reads(
    tmp_path, monkeypatch, capsys
):
    """benchmarks/cell_race.py runs for real, on a grid of one short run per entrant."""
    spec = importlib.util.spec_from_file_location(
        "cell_race", ROOT / "benchmarks" / "cell_race.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    steps, record_path = 20, tmp_path / "cell_race.json"
    monkeypatch.setattr(script, "RACE_DASHES", (2,))
    monkeypatch.setattr(script, "RACE_LRS", (0.03,))
    monkeypatch.setattr(script, "RACE_SEEDS", (0,))
    monkeypatch.setattr(script, "RACE_STEPS", steps)
    monkeypatch.setattr(script, "race_run", functools.partial(race_run, steps=steps))
    monkeypatch.setattr(script, "RESULTS", record_path)
    # Threads, not processes: a new process would import the script afresh, unpatched.
    monkeypatch.setattr(script, "ProcessPoolExecutor", ThreadPoolExecutor)
    monkeypatch.setattr(sys, "argv", ["cell_race.py"])
    script.main()

    record = load_race(record_path)
    cells = race_cells(line_task(1).vocabulary.num_characters)
    assert record["settings"] == {
        "letters": LETTERS,
        "dashes": [2],
        "hidden": RACE_HIDDEN,
        "cells": {label: list(entry) for label, entry in cells.items()},
        "lrs": [0.03],
        "seeds": [0],
        "steps": steps,
    }
    runs = record["runs"]
    assert [run["cell"] for run in runs] == list(cells)
    shipped_fields = set(load_race()["runs"][0])
    for run in runs:
        assert set(run) == shipped_fields
        assert run["solved_at"] is None or 1 <= run["solved_at"] <= steps
        assert math.isfinite(run["final_loss"])
    assert set(best_learning_rates(runs)) == {(2, label) for label in cells}
    digest = hashlib.sha256(record_path.read_bytes()).hexdigest()
    assert digest in capsys.readouterr().out  # to put in RESULTS_SHA256


def test_a_changed_shipped_record_is_refused(tmp_path, monkeypatch):
    """Every reader sees the bytes the book was made with: another file under the shipped name is caught."""
    from hello_rnn import race

    changed = tmp_path / "cell_race.json"
    changed.write_bytes(race.RESULTS.read_bytes().replace(b'"runs"', b'"runs" ', 1))
    monkeypatch.setattr(race, "RESULTS", changed)
    with pytest.raises(InvalidValueError, match="SHA-256"):
        race.load_race()
    elsewhere = tmp_path / "my_race.json"
    elsewhere.write_bytes(changed.read_bytes())
    assert race.load_race(elsewhere)["runs"]  # a file named on purpose is read as it is


def test_the_shipped_networks_are_the_recorded_runs():
    """Chapter 7 looks inside these: each entrant at its best lr, every seed, as recorded."""
    from hello_rnn.race import RACE_NETS_DASHES, load_race_nets

    record = load_race()
    best = best_learning_rates(record["runs"])
    nets = load_race_nets()
    task = line_task(RACE_NETS_DASHES)
    for label, by_seed in nets.items():
        assert sorted(by_seed) == list(RACE_SEEDS)
        for seed, (net, meta) in by_seed.items():
            lr = best[(RACE_NETS_DASHES, label)]["lr"]
            (run,) = [
                r
                for r in record["runs"]
                if (r["dashes"], r["cell"], r["lr"], r["seed"])
                == (RACE_NETS_DASHES, label, lr, seed)
            ]
            assert (meta["lr"], meta["solved_at"]) == (lr, run["solved_at"])
            solved = decisive_accuracy(net, task) == 1.0
            assert solved == (run["solved_at"] is not None), (label, seed)


def test_a_damaged_shipped_network_is_refused(monkeypatch, tmp_path):
    import shutil

    import hello_rnn.race as race

    copy = tmp_path / "race_nets"
    shutil.copytree(race.RACE_NETS, copy)
    shutil.copy(race.RACE_NETS.with_suffix(".json"), copy.with_suffix(".json"))
    victim = sorted(copy.glob("*.pt"))[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte changed
    victim.write_bytes(bytes(data))
    monkeypatch.setattr(race, "RACE_NETS", copy)
    with pytest.raises(InvalidValueError, match="not the file hello_rnn was made with"):
        race.load_race_nets()
