"""Run chapter 7's race over its whole grid and record which runs learned the task.

    python benchmarks/cell_race.py            # the whole grid: about 9 minutes of one CPU core
    python benchmarks/cell_race.py --jobs 2   # two processes at once

The grid is the one in ``hello_rnn.race``, which chapter 7 imports too: every number of
dashes ``D`` in ``RACE_DASHES``, every entrant of ``race_cells`` (the plain RNN, the same
with as many weights as the LSTM, the GRU and the LSTM), every learning rate in
``RACE_LRS`` and every seed in ``RACE_SEEDS``, each for at most ``RACE_STEPS`` steps of
``race_run``. The chapter shows the results, and looks inside networks of these runs
that ``benchmarks/race_nets.py`` trains again and ships. A run of a thousand steps
turns another arithmetic's last bits into other solve steps, so run both scripts with
the same arithmetic pins, with which the shipped record was made:

    ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 python benchmarks/cell_race.py

The results go to src/hello_rnn/results/cell_race.json, which ships with the package (the
chapter reads it on Colab too). Nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import time
from concurrent.futures import ProcessPoolExecutor

import torch

from hello_rnn.race import (
    LETTERS,
    RACE_DASHES,
    RACE_HIDDEN,
    RACE_LRS,
    RACE_SEEDS,
    RACE_STEPS,
    RESULTS,
    line_task,
    race_cells,
    race_run,
)


def one_run(job: tuple[int, str, str, int, float, int]) -> dict:
    """Train one entrant and say whether (and when) it solved the task."""
    torch.set_num_threads(1)  # as the chapter: networks this small run fastest so
    dashes, label, cell, hidden, lr, seed = job
    start = time.process_time()
    _, history = race_run(line_task(dashes), cell, hidden, lr=lr, seed=seed)
    return {
        "dashes": dashes,
        "cell": label,
        "hidden": hidden,
        "lr": lr,
        "seed": seed,
        "solved_at": history.solved_at,
        "final_loss": round(history.loss[-1], 4),
        "cpu_seconds": round(time.process_time() - start, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=1, help="processes at once")
    args = parser.parse_args()
    num_chars = line_task(1).vocabulary.num_characters
    cells = race_cells(num_chars)
    jobs = [
        (dashes, label, cell, hidden, lr, seed)
        for dashes in RACE_DASHES
        for label, (cell, hidden) in cells.items()
        for lr in RACE_LRS
        for seed in RACE_SEEDS
    ]
    with ProcessPoolExecutor(args.jobs) as pool:
        runs = []
        for run in pool.map(one_run, jobs):
            runs.append(run)
            print(run, flush=True)
    record = {
        "settings": {
            "letters": LETTERS,
            "dashes": list(RACE_DASHES),
            "hidden": RACE_HIDDEN,
            "cells": {label: list(entry) for label, entry in cells.items()},
            "lrs": list(RACE_LRS),
            "seeds": list(RACE_SEEDS),
            "steps": RACE_STEPS,
        },
        "measured": datetime.date.today().isoformat(),
        "torch": torch.__version__,
        "runs": runs,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=1) + "\n")
    digest = hashlib.sha256(RESULTS.read_bytes()).hexdigest()
    print(
        f"wrote {RESULTS}; put its SHA-256 in hello_rnn.race.RESULTS_SHA256: {digest}"
    )


if __name__ == "__main__":
    main()
