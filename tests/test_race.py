"""Chapter 8's race: the lines, the score, the matched size, the sweep's best rates and its record."""

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
from hello_rnn.explosion import wilson_interval
from hello_rnn.race import (
    INITS,
    LETTERS,
    RACE_DASHES,
    RACE_EVAL_SEEDS,
    RACE_HIDDEN,
    RACE_HOLD,
    RACE_LRS,
    RACE_NETS_SEEDS,
    RACE_STEPS,
    RACE_TUNING_SEEDS,
    LineHistory,
    best_learning_rates,
    decisive_accuracy,
    evaluation,
    letter_probabilities,
    line_task,
    load_race,
    matched_hidden,
    race_cells,
    race_net,
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


def test_letter_probabilities_share_out_the_letters_and_all_characters():
    task = line_task(2, "ab")
    a, b = task.letters.tolist()
    given, own = letter_probabilities(_Fixed(task, torch.tensor([a, a])), task)
    e = math.e
    # line a: logits 1 (a), 0 (b) among the letters; line b: its own letter b has 0
    assert torch.allclose(given, torch.tensor([e / (e + 1), 1 / (e + 1)]))
    total = e + 1 + math.exp(5) + 1  # a, b, the dash at 5 and the newline at 0
    assert torch.allclose(own, torch.tensor([e / total, 1 / total]))


def _first_stretch(own_min, hold):
    for i in range(len(own_min) - hold + 1):
        if all(p > 0.5 for p in own_min[i : i + hold]):
            return i + 1
    return None


def test_train_lines_trains_the_whole_budget_and_solves_at_a_held_stretch():
    task = line_task(1, "ab")
    torch.manual_seed(0)
    net = HelloRNN(task.vocabulary.num_characters, 8)
    history = train_lines(net, task, steps=300, lr=0.03, hold=20)
    assert history.steps == 300 == len(history.own_min)  # no early stop
    assert history.solved_at is not None and history.hold == 20
    assert history.solved_at == _first_stretch(history.own_min, 20)
    # the first step the letter was remembered may come before a stretch that holds
    assert history.solved_at + 20 - 1 <= 300
    given, own = letter_probabilities(net, task)
    assert history.final_own_given_letters == given.min().item()
    assert history.final_own == own.min().item()
    assert 0 < history.remembered_share <= 1
    with pytest.raises(InvalidValueError, match="lr"):
        train_lines(net, task, lr=0)
    with pytest.raises(InvalidValueError, match="hold"):
        train_lines(net, task, lr=0.01, hold=0)
    with pytest.raises(InvalidTypeError, match="LineTask"):
        train_lines(net, "a-a", lr=0.01)


def test_a_brief_solve_is_not_a_solve(monkeypatch):
    """Over 1/2 for fewer than `hold` steps in a row, then lost: not solved; the first
    stretch that holds is, from its first step."""
    import hello_rnn.race as race

    scripted = iter([0.6] * 4 + [0.3] + [0.6] * 5 + [0.2] * 2)  # steps 1-12
    monkeypatch.setattr(
        race,
        "letter_probabilities",
        lambda net, task: (torch.full((2,), next(scripted)), torch.full((2,), 0.1)),
    )
    task = line_task(1, "ab")
    torch.manual_seed(0)
    history = train_lines(
        HelloRNN(task.vocabulary.num_characters, 4), task, steps=12, hold=5
    )
    assert history.solved_at == 6  # steps 6-10; steps 1-4 were too short a stretch
    assert history.final_own_given_letters == pytest.approx(0.2)
    assert history.final_own == pytest.approx(0.1)
    assert history.remembered_share == pytest.approx(5 / 7)
    assert LineHistory().remembered_share is None


def test_race_net_opens_the_forget_gate_or_makes_w_hh_orthogonal():
    torch.manual_seed(0)
    lstm = race_net(6, "lstm", 8, "forget bias 1")
    f = slice(8, 16)
    assert torch.all(lstm.cell.bias_ih_l0[f] == 1) and torch.all(
        lstm.cell.bias_hh_l0[f] == 0
    )
    assert torch.all(
        lstm.cell.bias_ih_l0[:8] != 1
    )  # the other gates as PyTorch made them
    torch.manual_seed(0)
    W = race_net(6, "torch", 8, "orthogonal").cell.weight_hh_l0
    assert torch.allclose(W @ W.T, torch.eye(8), atol=1e-5)
    torch.manual_seed(0)
    plain = race_net(6, "torch", 8)
    torch.manual_seed(0)
    assert torch.equal(plain.cell.weight_hh_l0, HelloRNN(6, 8).cell.weight_hh_l0)
    with pytest.raises(InvalidValueError, match="init"):
        race_net(6, "torch", 8, "identity")
    with pytest.raises(InvalidValueError, match="LSTM"):
        race_net(6, "gru", 8, "forget bias 1")
    with pytest.raises(InvalidValueError, match="orthogonal"):
        race_net(6, "lstm", 8, "orthogonal")


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
    assert list(cells) == [
        "RNN",
        "RNN, matched",
        "RNN, orthogonal",
        "GRU",
        "LSTM",
        "LSTM, forget bias 1",
    ]
    assert cells["RNN"] == ("torch", RACE_HIDDEN, "default")
    assert cells["RNN, orthogonal"] == ("torch", RACE_HIDDEN, "orthogonal")
    assert cells["LSTM, forget bias 1"] == ("lstm", RACE_HIDDEN, "forget bias 1")
    assert {init for _, _, init in cells.values()} == set(INITS)
    lstm = weight_count(HelloRNN(6, RACE_HIDDEN, cell="lstm"))
    matched = weight_count(HelloRNN(6, cells["RNN, matched"][1], cell="torch"))
    assert abs(matched - lstm) / lstm < 0.02


def _run(cell, lr, seed, solved_at, given=0.9, own=0.5, dashes=5):
    return {
        "dashes": dashes,
        "cell": cell,
        "lr": lr,
        "seed": seed,
        "solved_at": solved_at,
        "final_given": given,
        "final_own": own,
    }


def test_best_learning_rate_is_most_seeds_then_fewest_steps_then_smaller_lr():
    runs = [
        _run("A", 0.1, 0, 10),
        _run("A", 0.1, 1, None),
        _run("A", 0.01, 0, 300),
        _run("A", 0.01, 1, 100),
        _run("A", 0.03, 0, 150),
        _run("A", 0.03, 1, 250),
        _run("B", 0.1, 0, None),
        _run("B", 0.01, 0, None),
    ]
    assert summarize(runs)[(5, "A", 0.1)] == {
        "lr": 0.1,
        "solved": 1,
        "seeds": 2,
        "median_steps": 10.0,
    }
    best = best_learning_rates(runs, seeds=(0, 1))
    assert best[(5, "A")] == {"lr": 0.01, "solved": 2, "seeds": 2, "median_steps": 200}
    assert best[(5, "B")] == {"lr": 0.01, "solved": 0, "seeds": 1, "median_steps": None}
    # only the tuning seeds choose: seed 1 alone prefers the fastest of its solves
    assert best_learning_rates(runs, seeds=(1,))[(5, "A")]["lr"] == 0.01
    assert best_learning_rates(runs, seeds=(0,))[(5, "A")]["lr"] == 0.1


def test_evaluation_counts_only_the_other_seeds_at_the_chosen_rate():
    runs = [
        _run("A", 0.1, 0, 10),  # tuning: 0.1 solves, 0.01 does not
        _run("A", 0.01, 0, None),
        _run("A", 0.1, 5, 40, given=0.8, own=0.7),
        _run("A", 0.1, 6, None, given=0.3, own=0.1),
        _run("A", 0.1, 7, 60, given=0.9, own=0.6),
        _run("A", 0.01, 5, 1, given=1.0, own=1.0),  # another rate: not counted
    ]
    (entry,) = evaluation(runs, tuning=(0,), seeds=(5, 6, 7)).values()
    assert entry == {
        "lr": 0.1,
        "solved": 2,
        "seeds": 3,
        "interval": wilson_interval(2, 3),
        "median_steps": 50.0,
        "final_given": 0.8,
        "final_own": 0.6,
    }


def test_load_race_names_the_script_when_the_file_is_missing(tmp_path):
    with pytest.raises(InvalidValueError, match="cell_race.py"):
        load_race(tmp_path / "nothing.json")


def test_the_shipped_record_is_the_whole_grid_of_the_current_settings():
    record = load_race()
    settings = record["settings"]
    assert settings["letters"] == LETTERS and settings["hidden"] == RACE_HIDDEN
    assert settings["dashes"] == list(RACE_DASHES) and settings["lrs"] == list(RACE_LRS)
    assert settings["tuning_seeds"] == list(RACE_TUNING_SEEDS)
    assert settings["evaluation_seeds"] == list(RACE_EVAL_SEEDS)
    assert not set(RACE_TUNING_SEEDS) & set(RACE_EVAL_SEEDS)
    assert settings["steps"] == RACE_STEPS and settings["hold"] == RACE_HOLD
    cells = race_cells(line_task(1).vocabulary.num_characters)
    assert settings["cells"] == {k: list(v) for k, v in cells.items()}
    runs = record["runs"]
    chosen = best_learning_rates(runs)
    grid = {
        (d, c, lr, s)
        for d in RACE_DASHES
        for c in cells
        for lr in RACE_LRS
        for s in RACE_TUNING_SEEDS
    } | {
        (d, c, chosen[(d, c)]["lr"], s)
        for d in RACE_DASHES
        for c in cells
        for s in RACE_EVAL_SEEDS
    }
    assert {(r["dashes"], r["cell"], r["lr"], r["seed"]) for r in runs} == grid
    assert len(runs) == len(grid)
    for run in runs:
        solved = run["solved_at"]
        assert solved is None or 1 <= solved <= RACE_STEPS - RACE_HOLD + 1
        assert 0 <= run["final_own"] <= run["final_given"] <= 1
        assert math.isfinite(run["final_loss"])
    assert set(record["arithmetic"].values()) <= {"avx2", "AVX2"}


def test_the_benchmark_script_writes_a_record_the_chapter_reads(
    tmp_path, monkeypatch, capsys
):
    """benchmarks/cell_race.py runs for real, on a grid of short runs per entrant."""
    spec = importlib.util.spec_from_file_location(
        "cell_race", ROOT / "benchmarks" / "cell_race.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    steps, record_path = 20, tmp_path / "cell_race.json"
    monkeypatch.setattr(script, "RACE_DASHES", (2,))
    monkeypatch.setattr(script, "RACE_LRS", (0.01, 0.03))
    monkeypatch.setattr(script, "RACE_TUNING_SEEDS", (0,))
    monkeypatch.setattr(script, "RACE_EVAL_SEEDS", (1, 2))
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
        "lrs": [0.01, 0.03],
        "tuning_seeds": [0],
        "evaluation_seeds": [1, 2],
        "steps": steps,
        "hold": RACE_HOLD,
    }
    runs = record["runs"]
    assert len(runs) == len(cells) * (2 + 2)  # two rates tuned, two seeds evaluated
    chosen = best_learning_rates(runs, seeds=(0,))
    for run in runs:
        if run["seed"] != 0:
            assert run["lr"] == chosen[(2, run["cell"])]["lr"]
    shipped_fields = set(load_race()["runs"][0])
    for run in runs:
        assert set(run) == shipped_fields
        assert run["solved_at"] is None  # 20 steps cannot hold for RACE_HOLD
        assert math.isfinite(run["final_loss"])
    result = evaluation(runs, tuning=(0,), seeds=(1, 2))
    assert set(result) == {(2, label) for label in cells}
    assert all(entry["seeds"] == 2 for entry in result.values())
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
    """Chapter 8 looks inside these: each entrant at its chosen lr, the first evaluation seeds."""
    from hello_rnn.race import RACE_NETS_DASHES, load_race_nets

    record = load_race()
    best = best_learning_rates(record["runs"])
    nets = load_race_nets()
    task = line_task(RACE_NETS_DASHES)
    assert set(nets) == set(race_cells(task.vocabulary.num_characters))
    assert set(RACE_NETS_SEEDS) <= set(RACE_EVAL_SEEDS)
    for label, by_seed in nets.items():
        extra = sorted(set(by_seed) - set(RACE_NETS_SEEDS))
        assert sorted(by_seed)[: len(RACE_NETS_SEEDS)] == list(RACE_NETS_SEEDS)
        if extra:  # the first evaluation seed that solved it, where the first did not
            assert len(extra) == 1 and by_seed[extra[0]][1]["solved_at"] is not None
            assert not any(by_seed[s][1]["solved_at"] for s in RACE_NETS_SEEDS)
        for seed, (net, meta) in by_seed.items():
            lr = best[(RACE_NETS_DASHES, label)]["lr"]
            (run,) = [
                r
                for r in record["runs"]
                if (r["dashes"], r["cell"], r["lr"], r["seed"])
                == (RACE_NETS_DASHES, label, lr, seed)
            ]
            assert (meta["lr"], meta["solved_at"]) == (lr, run["solved_at"])
            given, own = letter_probabilities(net, task)
            assert round(given.min().item(), 4) == run["final_given"], (label, seed)
            assert round(own.min().item(), 4) == run["final_own"], (label, seed)


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
