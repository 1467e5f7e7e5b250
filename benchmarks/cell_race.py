"""Run chapter 8's race over its whole grid and record how every run ended.

    python benchmarks/cell_race.py --jobs 2   # two processes at once

The grid is the one in ``hello_rnn.race``, which chapter 8 imports too. For every number
of dashes ``D`` in ``RACE_DASHES`` and every entrant of ``race_cells`` (the plain RNN, the
same with as many weights as the LSTM, the plain RNN with an orthogonal ``W_hh``, the GRU,
the LSTM and the LSTM with forget bias 1), it runs in two rounds:

1. **tuning**: every learning rate in ``RACE_LRS`` from every seed in
   ``RACE_TUNING_SEEDS``;
2. **evaluation**: the learning rate the tuning seeds chose (``best_learning_rates``)
   from every seed in ``RACE_EVAL_SEEDS``, which played no part in choosing it.

Every run trains for all ``RACE_STEPS`` steps of ``race_run`` and records when it solved
the task (the letter remembered, ``P(own letter | letters) > 1/2`` in every line, for
``RACE_HOLD`` consecutive steps) and where it ended. The chapter shows the results, and
looks inside networks of these runs that ``benchmarks/race_nets.py`` trains again and
ships. A run of a thousand steps turns another arithmetic's last bits into other solve
steps, so run both scripts with the same arithmetic pins, with which the shipped record
was made:

    ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 \\
        python benchmarks/cell_race.py --jobs 2

The results go to src/hello_rnn/results/cell_race.json, which ships with the package (the
chapter reads it on Colab too). Nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime
import os
import time
from concurrent.futures import ProcessPoolExecutor

import torch

from hello_rnn._digest import write_record
from hello_rnn.race import (
    LETTERS,
    RACE_DASHES,
    RACE_EVAL_SEEDS,
    RACE_HIDDEN,
    RACE_HOLD,
    RACE_LRS,
    RACE_STEPS,
    RACE_TUNING_SEEDS,
    RESULTS,
    best_learning_rates,
    line_task,
    race_cells,
    race_run,
)

PINS = ("ATEN_CPU_CAPABILITY", "MKL_CBWR", "ONEDNN_MAX_CPU_ISA")


def one_run(job: tuple[int, str, str, int, str, float, int]) -> dict:
    """Train one entrant for the whole budget and say when it solved the task."""
    torch.set_num_threads(1)  # as the chapter: networks this small run fastest so
    dashes, label, cell, hidden, init, lr, seed = job
    start = time.process_time()
    _, history = race_run(line_task(dashes), cell, hidden, init=init, lr=lr, seed=seed)
    share = history.remembered_share  # of the steps from solved_at on
    return {
        "dashes": dashes,
        "cell": label,
        "hidden": hidden,
        "lr": lr,
        "seed": seed,
        "solved_at": history.solved_at,
        "final_given": round(history.final_own_given_letters, 4),
        "final_own": round(history.final_own, 4),
        "final_loss": round(history.loss[-1], 4),
        "remembered_share": None if share is None else round(share, 3),
        "cpu_seconds": round(time.process_time() - start, 2),
    }


def run_all(pool: ProcessPoolExecutor, jobs: list[tuple]) -> list[dict]:
    runs = []
    for run in pool.map(one_run, jobs):
        runs.append(run)
        print(run, flush=True)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=1, help="processes at once")
    args = parser.parse_args()
    num_chars = line_task(1).vocabulary.num_characters
    cells = race_cells(num_chars)
    started = time.monotonic()
    with ProcessPoolExecutor(args.jobs) as pool:
        tuning = run_all(
            pool,
            [
                (dashes, label, *entrant, lr, seed)
                for dashes in RACE_DASHES
                for label, entrant in cells.items()
                for lr in RACE_LRS
                for seed in RACE_TUNING_SEEDS
            ],
        )
        chosen = best_learning_rates(tuning, RACE_TUNING_SEEDS)
        evaluated = run_all(
            pool,
            [
                (dashes, label, *entrant, chosen[(dashes, label)]["lr"], seed)
                for dashes in RACE_DASHES
                for label, entrant in cells.items()
                for seed in RACE_EVAL_SEEDS
            ],
        )
    record = {
        "settings": {
            "letters": LETTERS,
            "dashes": list(RACE_DASHES),
            "hidden": RACE_HIDDEN,
            "cells": {label: list(entry) for label, entry in cells.items()},
            "lrs": list(RACE_LRS),
            "tuning_seeds": list(RACE_TUNING_SEEDS),
            "evaluation_seeds": list(RACE_EVAL_SEEDS),
            "steps": RACE_STEPS,
            "hold": RACE_HOLD,
        },
        "measured": datetime.date.today().isoformat(),
        "torch": torch.__version__,
        "arithmetic": {name: os.environ.get(name) for name in PINS},
        "jobs": args.jobs,
        "wall_seconds": round(time.monotonic() - started),
        "runs": tuning + evaluated,
    }
    write_record(RESULTS, record, "hello_rnn.race.RESULTS_SHA256")


if __name__ == "__main__":
    main()
