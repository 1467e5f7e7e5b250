"""Run chapter 5's explosion study and record every run.

    python benchmarks/explosion.py            # about 10 minutes of one CPU core
    python benchmarks/explosion.py --jobs 2   # two processes at once

The settings are ``hello_rnn.explosion``'s, which chapter 5 imports too: every seed
of ``EXPLOSION_SEEDS`` without a safety net, with the norm clipped at five times the
median norm of those unprotected runs, with every element clamped, and with a
lower learning rate on a budget scaled up to match. Each run is a chaotic
trajectory (another CPU's last bits send it elsewhere), so the chapter claims only
what the counts over the seeds show, and reads them from this record:
src/hello_rnn/results/explosion.json, which ships with the package. The record
also keeps the loss and gradient norm of every step of one seed's runs, for the
chapter's figure. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import torch

from hello_rnn import DataHandler
from hello_rnn._digest import write_record
from hello_rnn.explosion import (
    CLIP_TIMES_TYPICAL,
    EXPLOSION_SEEDS,
    EXPLOSION_TEXT,
    RESULTS,
    Setting,
    explosion_settings,
    run_setting,
)


def one_run(job: tuple[Setting, int]) -> tuple[dict, dict]:
    """One run, and its curves (loss and gradient norm at every step, when it memorized)."""
    torch.set_num_threads(1)  # a network this small runs fastest on one thread
    setting, seed = job
    start = time.process_time()
    run, history = run_setting(setting, seed, DataHandler(EXPLOSION_TEXT))
    run["cpu_seconds"] = round(time.process_time() - start, 2)
    curves = {
        "loss": [round(v, 5) for v in history.loss],
        "grad_norm": [round(v, 5) for v in history.grad_norm],
        "memorized_at": history.memorized_at,
    }
    return run, curves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=1, help="processes at once")
    args = parser.parse_args()
    free_setting = explosion_settings(clip=1.0)[0]  # the clip does not matter here
    runs, curves = [], {}
    with ProcessPoolExecutor(args.jobs) as pool:
        jobs = [(free_setting, seed) for seed in EXPLOSION_SEEDS]
        for run, curve in pool.map(one_run, jobs):
            runs.append(run)
            curves[(run["setting"], run["seed"])] = curve
            print(run, flush=True)
        typical = statistics.median(
            n
            for run in runs
            for n in curves[(run["setting"], run["seed"])]["grad_norm"]
        )
        clip = round(CLIP_TIMES_TYPICAL * typical, 1)
        settings = explosion_settings(clip)
        jobs = [(s, seed) for s in settings[1:] for seed in EXPLOSION_SEEDS]
        for run, curve in pool.map(one_run, jobs):
            runs.append(run)
            curves[(run["setting"], run["seed"])] = curve
            print(run, flush=True)
    memorized = {(r["setting"], r["seed"]): r["memorized"] for r in runs}
    # The seed the chapter draws: the first whose unprotected run fails and whose
    # clipped run memorizes; if none does, the first seed.
    shown = next(
        (
            seed
            for seed in EXPLOSION_SEEDS
            if not memorized[("no safety net", seed)] and memorized[("clip", seed)]
        ),
        EXPLOSION_SEEDS[0],
    )
    record = {
        "settings": [vars(s) for s in settings],
        "seeds": list(EXPLOSION_SEEDS),
        "typical_norm": round(typical, 6),
        "clip": clip,
        "measured": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()} {platform.processor() or platform.system()}",
        "torch": torch.__version__,
        "runs": runs,
        "shown": {
            "seed": shown,
            "curves": {s.name: curves[(s.name, shown)] for s in settings},
        },
    }
    write_record(RESULTS, record, "hello_rnn.explosion.EXPLOSION_SHA256", indent=None)


if __name__ == "__main__":
    main()
