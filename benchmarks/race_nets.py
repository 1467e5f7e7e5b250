"""Train the networks chapter 8 looks inside, once, and ship them with the package.

    ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 python benchmarks/race_nets.py

Chapter 8 reads the race's results from ``results/cell_race.json`` (written by
``benchmarks/cell_race.py``) and then looks inside the networks at one length,
``D = RACE_NETS_DASHES``: what they predict, how far their gradient reaches, what
the LSTM's units do. A training run of a thousand steps turns another CPU's last
bits into another network, so the chapter does not train those networks on the
page (it would describe a different network on every machine): it loads these.

For every entrant, at the learning rate its tuning seeds chose for that length in the
record, this trains one network per seed of ``RACE_NETS_SEEDS`` (the first evaluation
seeds; where none of them solved the task, also the first evaluation seed that did),
exactly as the sweep did, for the whole budget, and saves each with
``checkpoint.save`` into ``results/race_nets/``, with what its run recorded. With the
arithmetic pins above (those the record was made with) the runs repeat the record's;
the script checks that they do (the step at which each solved the task and its final
probabilities) and refuses to write otherwise. ``results/race_nets.json`` lists every
file with its SHA-256; put that file's own digest in ``hello_rnn.race.RACE_NETS_SHA256``.
"""

from __future__ import annotations

import hashlib

import torch

from hello_rnn import checkpoint
from hello_rnn._digest import write_record
from hello_rnn.race import (
    RACE_EVAL_SEEDS,
    RACE_NETS,
    RACE_NETS_DASHES,
    RACE_NETS_SEEDS,
    best_learning_rates,
    line_task,
    load_race,
    race_cells,
    race_run,
)


def file_name(label: str, seed: int) -> str:
    """``"LSTM, forget bias 1"``, 3 -> ``"lstm_forget_bias_1_seed3.pt"``."""
    slug = "_".join(label.lower().replace(",", " ").split())
    return f"{slug}_seed{seed}.pt"


def race_nets_seeds(runs: list[dict], label: str, lr: float) -> list[int]:
    """``RACE_NETS_SEEDS``, and, where none of them solved the task, the first
    evaluation seed that did (if one did): the chapter looks inside a network that
    solved it."""
    solved = [
        r["seed"]
        for r in sorted(runs, key=lambda r: r["seed"])
        if (r["dashes"], r["cell"], r["lr"]) == (RACE_NETS_DASHES, label, lr)
        and r["seed"] in RACE_EVAL_SEEDS
        and r["solved_at"] is not None
    ]
    seeds = list(RACE_NETS_SEEDS)
    if solved and not set(solved) & set(seeds):
        seeds.append(solved[0])
    return seeds


def main() -> None:
    torch.set_num_threads(1)  # as the sweep
    record = load_race()
    best = best_learning_rates(record["runs"])
    task = line_task(RACE_NETS_DASHES)
    RACE_NETS.mkdir(exist_ok=True)
    for old in RACE_NETS.glob("*.pt"):
        old.unlink()
    nets = []
    cells = race_cells(task.vocabulary.num_characters)
    for label, (cell, hidden, init) in cells.items():
        lr = best[(RACE_NETS_DASHES, label)]["lr"]
        for seed in race_nets_seeds(record["runs"], label, lr):
            net, history = race_run(task, cell, hidden, init=init, lr=lr, seed=seed)
            (run,) = [
                r
                for r in record["runs"]
                if (r["dashes"], r["cell"], r["lr"], r["seed"])
                == (RACE_NETS_DASHES, label, lr, seed)
            ]
            now = (
                history.solved_at,
                round(history.final_own_given_letters, 4),
                round(history.final_own, 4),
            )
            recorded = (run["solved_at"], run["final_given"], run["final_own"])
            if now != recorded:
                raise SystemExit(
                    f"{label}, seed {seed}: (solved_at, final_given, final_own) = {now}, "
                    f"the record says {recorded}; run with the record's arithmetic pins "
                    "(above)"
                )
            name = file_name(label, seed)
            meta = {
                "cell": label,
                "lr": lr,
                "seed": seed,
                "solved_at": run["solved_at"],
                "final_given": run["final_given"],
                "final_own": run["final_own"],
            }
            path = checkpoint.save(RACE_NETS / name, net, task.vocabulary, **meta)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            nets.append({"file": name, "sha256": digest, **meta})
            print(nets[-1], flush=True)
    manifest = RACE_NETS.with_suffix(".json")
    contents = {"dashes": RACE_NETS_DASHES, "torch": torch.__version__, "nets": nets}
    write_record(manifest, contents, "hello_rnn.race.RACE_NETS_SHA256")


if __name__ == "__main__":
    main()
