"""Train the networks chapter 7 looks inside, once, and ship them with the package.

    ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 python benchmarks/race_nets.py

Chapter 7 reads the race's results from ``results/cell_race.json`` (written by
``benchmarks/cell_race.py``) and then looks inside the networks at one length,
``D = RACE_NETS_DASHES``: what they predict, how far their gradient reaches, what
the LSTM's units do. A training run of a thousand steps turns another CPU's last
bits into another network, so the chapter does not train those networks on the
page (it would describe a different network on every machine): it loads these.

For every entrant, at its best learning rate for that length in the record, this
trains one network per seed, exactly as the sweep did, and saves each with
``checkpoint.save`` into ``results/race_nets/``, with the step at which it solved
the task. With the arithmetic pins above (those the record was made with) the
steps repeat the record's; the script checks that they do and refuses to write
otherwise. ``results/race_nets.json`` lists every file with its SHA-256; put that
file's own digest in ``hello_rnn.race.RACE_NETS_SHA256``.
"""

from __future__ import annotations

import hashlib
import json

import torch

from hello_rnn import checkpoint
from hello_rnn.race import (
    RACE_NETS,
    RACE_NETS_DASHES,
    RACE_SEEDS,
    best_learning_rates,
    line_task,
    load_race,
    race_cells,
    race_run,
)


def main() -> None:
    torch.set_num_threads(1)  # as the sweep
    record = load_race()
    best = best_learning_rates(record["runs"])
    task = line_task(RACE_NETS_DASHES)
    RACE_NETS.mkdir(exist_ok=True)
    nets = []
    for label, (cell, hidden) in race_cells(task.vocabulary.num_characters).items():
        lr = best[(RACE_NETS_DASHES, label)]["lr"]
        for seed in RACE_SEEDS:
            net, history = race_run(task, cell, hidden, lr=lr, seed=seed)
            (recorded,) = [
                r["solved_at"]
                for r in record["runs"]
                if (r["dashes"], r["cell"], r["lr"], r["seed"])
                == (RACE_NETS_DASHES, label, lr, seed)
            ]
            if history.solved_at != recorded:
                raise SystemExit(
                    f"{label}, seed {seed}: solved at {history.solved_at}, the record "
                    f"says {recorded}; run with the record's arithmetic pins (above)"
                )
            name = f"{cell}_{hidden}_seed{seed}.pt"
            meta = {"cell": label, "lr": lr, "seed": seed, "solved_at": recorded}
            path = checkpoint.save(RACE_NETS / name, net, task.vocabulary, **meta)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            nets.append({"file": name, "sha256": digest, **meta})
            print(nets[-1], flush=True)
    manifest = RACE_NETS.with_suffix(".json")
    contents = {"dashes": RACE_NETS_DASHES, "torch": torch.__version__, "nets": nets}
    manifest.write_text(json.dumps(contents, indent=1) + "\n")
    digest = hashlib.sha256(manifest.read_bytes()).hexdigest()
    print(
        f"wrote {manifest}; put its SHA-256 in hello_rnn.race.RACE_NETS_SHA256: {digest}"
    )


if __name__ == "__main__":
    main()
