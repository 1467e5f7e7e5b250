"""Speed of hello_rnn, as ratios against bare PyTorch loops measured in the same run.

    python benchmarks/run.py                 # CPU, one thread (what `make bench` runs)
    python benchmarks/run.py --device cuda   # on a GPU machine
    python benchmarks/run.py --json out.json # also write the numbers to a file

Three measurements:

(a) memorizing "Hello, RNN!" (seeds 0-9, H=50, Adam, lr 0.001, clamp 1.0) with
    ``hello_rnn.train`` for both cells, against a bare ``nn.RNN`` + ``nn.Linear`` loop
    written here with no package code: steps to memorize, time per step, ratios.
(b) training throughput in characters per second on ``default_corpus()`` (H=128,
    T=64, B=32, truncated BPTT) for ``train_on_corpus`` with each cell and for a bare
    ``nn.LSTM`` loop, against a bare ``nn.RNN`` loop.
(c) start-up: ``hello-rnn train --text "Hello, RNN!" --quiet`` end to end, against
    ``python -c "import torch"`` (and a one-line script that takes one Adam step).
(d) a 100 MB text file: ``hello-rnn train --file`` against ``train_on_corpus`` called
    directly, each in a process of its own: peak memory and characters a CPU second
    (``big_file.py``, which can also run alone).

The machines this runs on are often shared and noisy: read the ratios, not the
absolute times. On the CPU the script times its own CPU time (one thread), which
other programs disturb far less than the wall clock; every timing is the best
(or the median) of a few interleaved repeats.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F  # noqa: N812 (the usual name)
from big_file import bench_big_file  # benchmarks/big_file.py, beside this script
from big_file import report as report_big_file
from torch import nn

from hello_rnn import (
    DataHandler,
    HelloRNN,
    Vocabulary,
    default_corpus,
    train,
    train_on_corpus,
)
from hello_rnn.defaults import LONG_DEFAULTS, TEXT_DEFAULTS

TEXT = "Hello, RNN!"
SEEDS = range(10)
# The command line's defaults (hello_rnn.defaults), so that what is timed is what a user runs.
SHORT = TEXT_DEFAULTS  # H, lr, clamp and steps of learning a short text
CORPUS = {key: LONG_DEFAULTS[key] for key in ("hidden", "seq_len", "batch_size")}


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def clock(device: torch.device) -> float:
    """Seconds on a clock that suits the device.

    On the CPU (one thread) the process's own CPU time: other programs on a
    shared machine slow the wall clock down far more than they slow this. On a
    GPU the wall clock, after waiting for the GPU to finish.
    """
    sync(device)
    return time.process_time() if device.type == "cpu" else time.perf_counter()


# --- (a) memorizing "Hello, RNN!" -------------------------------------------------------------


def bare_memorize(
    seed: int, device: torch.device, max_steps: int = SHORT["steps"]
) -> int | None:
    """The reference: the same training as hello_rnn.train, written with plain torch."""
    chars = sorted(set(TEXT))
    indices = torch.tensor([chars.index(c) for c in TEXT], device=device)
    x = F.one_hot(indices[:-1], len(chars)).float().unsqueeze(0)  # [1, T, V]
    y = indices[1:]
    torch.manual_seed(
        seed
    )  # the same construction order as HelloRNN: the same initial weights
    rnn = nn.RNN(len(chars), SHORT["hidden"], batch_first=True).to(device)
    readout = nn.Linear(SHORT["hidden"], len(chars)).to(device)
    params = [*rnn.parameters(), *readout.parameters()]
    opt = torch.optim.Adam(params, lr=SHORT["lr"])
    for step in range(1, max_steps + 1):
        opt.zero_grad()
        logits = readout(rnn(x)[0])[0]
        loss = F.cross_entropy(logits, y)
        loss.backward()
        nn.utils.clip_grad_value_(params, SHORT["clamp"])
        opt.step()
        with torch.no_grad():  # memorized: the weights after this step get all right
            if bool((readout(rnn(x)[0])[0].argmax(-1) == y).all()):
                return step
    return None


def package_memorize(seed: int, device: torch.device, cell: str) -> int | None:
    data = DataHandler(TEXT)
    torch.manual_seed(seed)
    net = HelloRNN(data.num_characters, SHORT["hidden"], cell=cell)
    return train(net, data, device=device).memorized_at  # train's own defaults


def timed(run, device: torch.device) -> tuple[object, float]:
    start = clock(device)
    result = run()
    return result, clock(device) - start


def bench_memorize(device: torch.device, repeats: int) -> dict:
    variants = {
        "bare nn.RNN loop": lambda seed: bare_memorize(seed, device),
        "hello_rnn.train, torch cell": lambda seed: package_memorize(
            seed, device, "torch"
        ),
        "hello_rnn.train, scratch cell": lambda seed: package_memorize(
            seed, device, "scratch"
        ),
    }
    for run in variants.values():  # warm up: first calls pay for lazy initialisation
        run(0)
    steps = {name: [] for name in variants}
    seconds = dict.fromkeys(variants, 0.0)
    for seed in SEEDS:
        for (
            name,
            run,
        ) in (
            variants.items()
        ):  # interleaved, so a burst of load hits every variant alike
            best = float("inf")
            for _ in range(repeats):
                memorized_at, elapsed = timed(
                    lambda run=run, seed=seed: run(seed), device
                )
                best = min(best, elapsed)
            steps[name].append(memorized_at)
            seconds[name] += best
    results = {}
    for name in variants:
        done = [s for s in steps[name] if s is not None]
        results[name] = {
            "memorized": f"{len(done)}/{len(steps[name])}",
            "steps": steps[name],
            "median_steps": statistics.median(done) if done else None,
            "seconds": seconds[name],
            "ms_per_step": 1000 * seconds[name] / max(sum(done), 1),
        }
    return results


# --- (b) corpus throughput --------------------------------------------------------------------


def bare_corpus_loop(
    kind: str,
    text: str,
    char_to_index: dict[str, int],
    steps: int,
    device: torch.device,
) -> float:
    """Truncated BPTT with plain torch: B streams, windows of T, hidden state carried and detached.

    Timed like ``train_on_corpus`` is: from the text (encoding it, making the
    optimizer) to the last step, after a separate short warm-up run.
    """
    hidden, seq_len, batch_size = (
        CORPUS["hidden"],
        CORPUS["seq_len"],
        CORPUS["batch_size"],
    )
    vocab_size = len(char_to_index)
    layer = nn.LSTM if kind == "lstm" else nn.RNN

    def run(steps: int) -> float:
        torch.manual_seed(0)
        rnn = layer(vocab_size, hidden, batch_first=True).to(device)
        readout = nn.Linear(hidden, vocab_size).to(device)
        params = [*rnn.parameters(), *readout.parameters()]
        start = clock(device)
        indices = torch.tensor([char_to_index[c] for c in text], device=device)
        per_stream = (len(indices) - 1) // (batch_size * seq_len) * seq_len
        inputs = indices[: batch_size * per_stream].view(batch_size, per_stream)
        targets = indices[1 : batch_size * per_stream + 1].view(batch_size, per_stream)
        opt = torch.optim.Adam(params, lr=LONG_DEFAULTS["lr"])
        state = None
        for k in range(steps):
            window = slice(k * seq_len, (k + 1) * seq_len)
            x = F.one_hot(inputs[:, window], vocab_size).float()
            out, state = rnn(x, state)
            state = (
                tuple(s.detach() for s in state) if kind == "lstm" else state.detach()
            )
            loss = F.cross_entropy(
                readout(out).reshape(-1, vocab_size), targets[:, window].reshape(-1)
            )
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_value_(params, LONG_DEFAULTS["clamp"])
            opt.step()
        loss.item()  # the last loss, on the CPU
        return clock(device) - start

    run(3)  # warm-up
    return run(steps)


def package_corpus(
    cell: str, text: str, vocabulary: Vocabulary, steps: int, device: torch.device
) -> float:
    def fresh_net():
        torch.manual_seed(0)
        return HelloRNN(vocabulary.num_characters, CORPUS["hidden"], cell=cell)

    options = {
        "seq_len": CORPUS["seq_len"],
        "batch_size": CORPUS["batch_size"],
        "lr": LONG_DEFAULTS[
            "lr"
        ],  # as the bare loop: what `hello-rnn train --file` uses
        "validation_fraction": 0.0,
    }
    train_on_corpus(
        fresh_net(), vocabulary, text, steps=3, device=device, **options
    )  # warm-up
    net = fresh_net()
    _, seconds = timed(
        lambda: train_on_corpus(
            net, vocabulary, text, steps=steps, device=device, **options
        ),
        device,
    )
    return seconds


def bench_corpus(device: torch.device, steps: int, repeats: int) -> dict:
    full = default_corpus()
    vocabulary = Vocabulary(
        set(full)
    )  # the whole corpus's characters, as a chapter would use
    chars_per_step = CORPUS["batch_size"] * CORPUS["seq_len"]
    text = full[
        : chars_per_step * steps + 1
    ]  # one pass of `steps` windows, encoded inside every timing
    variants = {
        "bare nn.RNN loop": lambda: bare_corpus_loop(
            "rnn", text, vocabulary.char_to_index, steps, device
        ),
        "train_on_corpus, torch cell": lambda: package_corpus(
            "torch", text, vocabulary, steps, device
        ),
        "train_on_corpus, scratch cell": lambda: package_corpus(
            "scratch", text, vocabulary, steps, device
        ),
        "bare nn.LSTM loop": lambda: bare_corpus_loop(
            "lstm", text, vocabulary.char_to_index, steps, device
        ),
    }
    best = {name: float("inf") for name in variants}
    for _ in range(
        repeats
    ):  # interleaved, so a burst of load on a shared machine hits every variant alike
        for name, run in variants.items():
            best[name] = min(best[name], run())
    return {
        name: {
            "seconds": seconds,
            "steps": steps,
            "chars_per_s": steps * chars_per_step / seconds,
        }
        for name, seconds in best.items()
    } | {"_vocabulary_size": vocabulary.num_characters, "_corpus_chars": len(full)}


# --- (c) start-up -----------------------------------------------------------------------------


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("hello-rnn")
    prefix = [str(script)] if script.exists() else [sys.executable, "-m", "hello_rnn"]
    return [*prefix, "train", "--text", TEXT, "--quiet"]


# The first torch.optim optimizer imports torch._dynamo, which costs about as much as torch itself:
# this is the fair floor for any program that trains.
FIRST_ADAM_STEP = (
    "import torch; rnn = torch.nn.RNN(9, 50); opt = torch.optim.Adam(rnn.parameters()); "
    "rnn(torch.zeros(10, 9))[0].sum().backward(); opt.step()"
)


def bench_startup(repeats: int) -> dict:
    """Wall-clock time of each command (median), and the CPU time it used (median; less noisy)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    commands = {
        "import torch": [sys.executable, "-c", "import torch"],
        "import torch + 1 Adam step": [sys.executable, "-c", FIRST_ADAM_STEP],
        "hello-rnn train --quiet": cli_command(),
    }
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            before = _children_cpu_seconds()
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=env)
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(_children_cpu_seconds() - before)
    return {
        name: {
            "median_wall_s": statistics.median(wall[name]),
            "median_cpu_s": statistics.median(cpu[name]),
        }
        for name in commands
    } | {"_command": " ".join(commands["hello-rnn train --quiet"])}


def _children_cpu_seconds() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return math.nan
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- report -----------------------------------------------------------------------------------


def report(results: dict) -> str:
    lines = []
    memorize = results["memorize"]
    bare = memorize["bare nn.RNN loop"]["ms_per_step"]
    torch_cell = memorize["hello_rnn.train, torch cell"]["ms_per_step"]
    lines.append(
        '(a) memorizing "Hello, RNN!", seeds 0-9 (reference: bare nn.RNN loop)'
    )
    lines.append(
        f"  {'':32} {'memorized':>9} {'median steps':>12} {'ms/step':>8} {'vs bare':>8}"
    )
    for name, r in memorize.items():
        lines.append(
            f"  {name:32} {r['memorized']:>9} {r['median_steps']!s:>12} {r['ms_per_step']:8.2f} "
            f"{r['ms_per_step'] / bare:8.2f}"
        )
    scratch = memorize["hello_rnn.train, scratch cell"]["ms_per_step"]
    lines.append(
        f"  per-step time ratio scratch/torch (package): {scratch / torch_cell:.2f}"
    )
    lines.append(
        f"  per-step time ratio package/bare (torch cell): {torch_cell / bare:.2f}"
    )

    corpus = results["corpus"]
    reference = corpus["bare nn.RNN loop"]["chars_per_s"]
    lines.append("")
    lines.append(
        f"(b) corpus throughput, H={CORPUS['hidden']} T={CORPUS['seq_len']} B={CORPUS['batch_size']}, "
        f"V={corpus['_vocabulary_size']} (reference: bare nn.RNN loop)"
    )
    lines.append(f"  {'':32} {'chars/s':>10} {'vs bare RNN':>11}")
    for name, r in corpus.items():
        if not name.startswith("_"):
            lines.append(
                f"  {name:32} {r['chars_per_s']:10.0f} {r['chars_per_s'] / reference:11.2f}"
            )

    startup = results["startup"]
    reference = startup["import torch"]
    lines.append("")
    lines.append('(c) start-up, median of runs (reference: python -c "import torch")')
    lines.append(f"  {'':32} {'wall s':>8} {'vs ref':>7} {'CPU s':>8} {'vs ref':>7}")
    for name, r in startup.items():
        if not name.startswith("_"):
            lines.append(
                f"  {name:32} {r['median_wall_s']:8.2f} {r['median_wall_s'] / reference['median_wall_s']:7.2f} "
                f"{r['median_cpu_s']:8.2f} {r['median_cpu_s'] / reference['median_cpu_s']:7.2f}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument(
        "--quick", action="store_true", help="fewer steps and repeats (a smoke test)"
    )
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA GPU here")
    if device.type == "cpu":
        torch.set_num_threads(1)  # one thread is fastest on a small shared machine
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else None
    print(
        f"hello_rnn benchmarks: torch {torch.__version__}, Python {platform.python_version()}, "
        f"device {gpu or 'cpu'}, {torch.get_num_threads()} CPU thread(s), {os.cpu_count()} cores"
    )
    corpus_steps = 10 if args.quick else (300 if device.type == "cuda" else 25)
    started = time.perf_counter()
    results = {
        "device": str(device),
        "gpu": gpu,
        "torch": torch.__version__,
        "memorize": bench_memorize(device, repeats=1 if args.quick else 2),
        "corpus": bench_corpus(device, corpus_steps, repeats=1 if args.quick else 3),
        "startup": bench_startup(repeats=1 if args.quick else 3),
        "big_file": bench_big_file(
            megabytes=10 if args.quick else 100, repeats=1 if args.quick else 2
        ),
    }
    results["seconds"] = time.perf_counter() - started
    print(report(results))
    print()
    print(report_big_file(results["big_file"]))
    print(f"\n(total {results['seconds']:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
