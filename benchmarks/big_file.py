"""A 100 MB text through ``hello-rnn train --file``: its peak memory, and its speed.

    python benchmarks/big_file.py                    # 100 MB, 20 steps, 3 repeats
    python benchmarks/big_file.py --megabytes 10 --repeats 1   # a quick look

The file is the shipped Shakespeare, repeated to the size asked for. Two programs
train on it with the same settings, each in a process of its own, taking turns:

- ``hello-rnn train --file BIG --steps 20 ...``, as a reader would run it;
- the reference: a few lines that read the file and call ``train_on_corpus``
  directly, as the chapters do.

For each: the peak resident memory (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``
of a process that does nothing but start it) and characters trained per second of
the process's CPU time, from start to exit (start-up, reading and encoding the
text, the steps, the score on the held-out text). The CPU time, not the wall clock:
the machines this runs on are shared. The best of the repeats counts. What matters
is the ratio of the command line's speed to the reference's (the goal: 0.95 or
more) and its memory (the goal: under 2 GB). Nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hello_rnn import default_corpus

MEGABYTE = 1 << 20
# The settings both programs use: the command line's defaults, and a small
# held-out share scored once (a tenth of 100 MB would take minutes to score).
STEPS, SEQ_LEN, BATCH_SIZE, HIDDEN = 20, 64, 32, 128
VALIDATION = 0.001

# Starts a command, waits for it, and prints what it used. The rusage of the
# children of this process is that one command's.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
kilobytes = usage.ru_maxrss * (1 if sys.platform != "darwin" else 1 / 1024)
print(json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "peak_mb": kilobytes / 1024}))
"""

# The reference: train_on_corpus called directly on the text of the file.
DIRECT = f"""
import sys
from pathlib import Path
from hello_rnn import HelloRNN, Vocabulary, seed_everything, train_on_corpus
text = Path(sys.argv[1]).read_text(encoding="utf-8")
vocabulary = Vocabulary(set(text))
seed_everything(0)
net = HelloRNN(vocabulary.num_characters, {HIDDEN})
train_on_corpus(net, vocabulary, text, steps={STEPS}, lr=0.002, seq_len={SEQ_LEN},
                batch_size={BATCH_SIZE}, validation_fraction={VALIDATION},
                eval_every={STEPS}, device="cpu")
"""


def write_big_file(path: Path, megabytes: int) -> int:
    """Write the shipped corpus to `path`, repeated up to `megabytes`; return its characters."""
    corpus = default_corpus()
    copies = megabytes * MEGABYTE // len(corpus.encode("utf-8")) + 1
    text = corpus * copies
    path.write_text(text, encoding="utf-8")
    return len(text)


def commands(path: Path) -> dict[str, list[str]]:
    script = Path(sys.executable).with_name("hello-rnn")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "hello_rnn"]
    return {
        "train_on_corpus (reference)": [sys.executable, "-c", DIRECT, str(path)],
        "hello-rnn train --file": [
            *cli,
            "train",
            "--file",
            str(path),
            "--steps",
            str(STEPS),
            "--seq-len",
            str(SEQ_LEN),
            "--batch-size",
            str(BATCH_SIZE),
            "--hidden",
            str(HIDDEN),
            "--validation",
            str(VALIDATION),
            "--eval-every",
            str(STEPS),
            "--device",
            "cpu",
            "--quiet",
        ],
    }


def measure(command: list[str]) -> dict:
    """Peak memory and times of `command`, run in a process of its own."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(done.stdout)


def bench_big_file(megabytes: int = 100, repeats: int = 3) -> dict:
    """Write the big file, run both programs `repeats` times in turn, keep the best."""
    folder = Path(tempfile.mkdtemp(prefix="hello-rnn-big-"))
    try:
        path = folder / "big.txt"
        characters = write_big_file(path, megabytes)
        size = path.stat().st_size / MEGABYTE
        runs = commands(path)
        best: dict[str, dict] = {}
        for _ in range(repeats):  # in turn, so a burst of load hits both alike
            for name, command in runs.items():
                result = measure(command)
                if name not in best or result["cpu_s"] < best[name]["cpu_s"]:
                    best[name] = result
    finally:
        shutil.rmtree(folder)
    trained = STEPS * SEQ_LEN * BATCH_SIZE
    for result in best.values():
        result["chars_per_cpu_s"] = trained / result["cpu_s"]
    return {
        "megabytes": size,
        "characters": characters,
        "settings": {
            "steps": STEPS,
            "seq_len": SEQ_LEN,
            "batch_size": BATCH_SIZE,
            "hidden": HIDDEN,
            "validation": VALIDATION,
        },
        "runs": best,
    }


def report(results: dict) -> str:
    reference = results["runs"]["train_on_corpus (reference)"]
    lines = [
        f"(d) a big text file: {results['characters']:,} characters, "
        f"{STEPS} steps of H={HIDDEN} T={SEQ_LEN} B={BATCH_SIZE} "
        "(reference: train_on_corpus called directly)",
        f"  {'':30} {'peak MB':>8} {'CPU s':>7} {'wall s':>7} {'chars/CPU s':>12} "
        f"{'vs ref':>7}",
    ]
    for name, run in results["runs"].items():
        lines.append(
            f"  {name:30} {run['peak_mb']:8.0f} {run['cpu_s']:7.2f} {run['wall_s']:7.2f}"
            f" {run['chars_per_cpu_s']:12,.0f}"
            f" {run['chars_per_cpu_s'] / reference['chars_per_cpu_s']:7.2f}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", metavar="PATH", help="also write the numbers here")
    args = parser.parse_args()
    results = bench_big_file(args.megabytes, args.repeats)
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
