"""Train chapter 7's long networks once, on the whole corpus, and ship them with the package.

    python benchmarks/long_runs.py rnn      # the plain (vanilla) RNN
    python benchmarks/long_runs.py lstm     # the LSTM
    python benchmarks/long_runs.py lstm_no_dropout       # its control (and rnn_no_dropout)
    python benchmarks/long_runs.py lstm_short_schedule   # a follow-up: a shorter schedule

Each run trains ``HelloRNN`` with the settings of ``hello_rnn.settings.LONG_RUNS``
on the whole shipped corpus, on one CPU thread, with chapter 7's split (a tenth
held out, spread through the plays), seed ``GOING_BIGGER_SEED``. Every
``eval_every`` steps it scores the held-out text and a training slice as long,
writes a sample (``LONG_RUNS_SAMPLE``), saves a checkpoint along the way and
keeps the network that scored best on the held-out text (early stopping, in
hindsight). A run that is stopped goes on with ``--resume``.

At the end the best network is re-scored, saved with ``checkpoint.save`` into
``src/hello_rnn/results/long/<name>.pt``, and its record written beside it
(``<name>.json``: the learning curve, the samples, the final scores, steps,
wall time, machine, torch and commit, and the checkpoint's SHA-256). Put the
record's own SHA-256, which this prints, into ``hello_rnn.shipped.LONG_RUN_RECORDS``.
A control or a follow-up (``LONG_RUN_RECORD_ONLY``) ships its record alone.
CI never runs this: ``tests/test_long_runs.py`` re-scores what shipped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import subprocess
import time
from pathlib import Path

import torch

from hello_rnn import HelloRNN, Vocabulary, checkpoint, default_corpus, train_on_corpus
from hello_rnn._digest import write_record
from hello_rnn.batching import split_text
from hello_rnn.corpus import bits_per_character, cosine_rate
from hello_rnn.sample import generate
from hello_rnn.settings import (
    GOING_BIGGER_SEED,
    GOING_BIGGER_VALIDATION,
    LONG_RUN_RECORD_ONLY,
    LONG_RUNS,
    LONG_RUNS_SAMPLE,
)
from hello_rnn.shakespeare import SHAKESPEARE_SHA256
from hello_rnn.shipped import LONG

#: Where the checkpoints along the way go (not shipped; ignored by git).
WORK = Path(__file__).resolve().parent / "long_runs_work"
NETWORK_SETTINGS = ("cell", "hidden", "dropout")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(LONG_RUNS))
    parser.add_argument(
        "--resume", action="store_true", help="go on from the last save"
    )
    parser.add_argument(
        "--ship",
        action="store_true",
        help="only ship the best network of a finished run",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    settings = LONG_RUNS[args.name]
    work = WORK / args.name
    work.mkdir(parents=True, exist_ok=True)

    text = default_corpus()
    vocabulary = Vocabulary(set(text))
    split = split_text(text, GOING_BIGGER_VALIDATION)
    if args.ship:
        record = _finished_record(args.name, work)
        _ship(args.name, work / "best.pt", record, split, text)
        return
    training = {k: v for k, v in settings.items() if k not in NETWORK_SETTINGS}
    record = _start_record(args.name, settings, len(text))
    resume = None
    if args.resume:
        net, _, meta, resume = checkpoint.load_training(work / "last.pt")
        net.train()
        record = meta["record"]
    else:
        torch.manual_seed(GOING_BIGGER_SEED)
        net = HelloRNN(
            vocabulary.num_characters,
            settings["hidden"],
            cell=settings["cell"],
            dropout=settings["dropout"],
        )
    started = time.perf_counter() - record["wall_seconds"]
    last_eval = [resume.step if resume else 0]

    def on_eval(step, net, history) -> None:
        taken = history.train_bpc[last_eval[0] :]
        last_eval[0] = step
        validation = history.validation_bpc[-1]
        record["curve"].append(
            {
                "step": step,
                "train_bpc": sum(taken) / len(taken),
                "validation_bpc": validation,
                "train_slice_bpc": history.train_slice_bpc[-1],
                "lr": cosine_rate(
                    step - 1, settings["steps"], settings["lr"], settings["lr_final"]
                ),
                "wall_seconds": round(time.perf_counter() - started, 1),
                "sample": generate(net, vocabulary, **LONG_RUNS_SAMPLE),
            }
        )
        best = record["best"]["validation_bpc"]
        if best is None or validation < best:
            record["best"] = {"step": step, "validation_bpc": validation}
            checkpoint.save(work / "best.pt", net, vocabulary, step=step)
        print(
            f"{args.name} step {step}: train {record['curve'][-1]['train_bpc']:.4f}, "
            f"validation {validation:.4f} bpc, {record['curve'][-1]['wall_seconds']:.0f} s",
            flush=True,
        )

    def on_step(net, state) -> None:
        if state.step % settings["eval_every"] == 0:
            record["wall_seconds"] = round(time.perf_counter() - started, 1)
            checkpoint.save_training(
                work / "last.pt", net, vocabulary, state, record=record
            )
            checkpoint.save(work / f"step_{state.step:06d}.pt", net, vocabulary)

    train_on_corpus(
        net,
        vocabulary,
        text,
        **training,
        validation_fraction=GOING_BIGGER_VALIDATION,
        seed=GOING_BIGGER_SEED,
        device="cpu",
        on_eval=on_eval,
        on_step=on_step,
        resume=resume,
    )
    record["wall_seconds"] = round(time.perf_counter() - started, 1)
    _ship(args.name, work / "best.pt", record, split, text)


def _what(name: str) -> str:
    return f"chapter 7's long {name} run, trained by benchmarks/long_runs.py"


def _finished_record(name: str, work: Path) -> dict:
    """The record of a finished run: as shipped, else as its last save kept it."""
    shipped = LONG / f"{name}.json"
    if shipped.is_file():
        record = json.loads(shipped.read_text(encoding="utf-8"))
        for key in ("final", "file", "sha256", "bytes"):
            record.pop(key, None)
        return {**record, "what": _what(name)}
    _, _, meta, _ = checkpoint.load_training(work / "last.pt")
    return meta["record"]


def _start_record(name: str, settings: dict, length: int) -> dict:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "what": _what(name),
        "settings": settings,
        "seed": GOING_BIGGER_SEED,
        "validation_fraction": GOING_BIGGER_VALIDATION,
        "text_length": length,
        "sample_settings": LONG_RUNS_SAMPLE,
        "torch": str(torch.__version__),
        "threads": torch.get_num_threads(),
        "machine": f"{platform.machine()}, {_cpu_model()}",
        "commit": commit,
        "curve": [],
        "best": {"step": 0, "validation_bpc": None},
        "wall_seconds": 0.0,
    }


def _ship(name: str, best: Path, record: dict, split, text: str) -> None:
    """Re-score the best network, ship it and write its record.

    The checkpoint keeps what ``hello-rnn sample --info`` shows, as the command
    line's own long runs do: the text, the settings, the steps and the scores.
    """
    net, vocabulary, _ = checkpoint.load(best)
    settings = record["settings"]
    step = record["best"]["step"]
    scores = {
        "validation_bpc": bits_per_character(
            net, vocabulary, split.validation, seq_len=settings["seq_len"]
        ),
        "train_slice_bpc": bits_per_character(
            net, vocabulary, split.train_slice, seq_len=settings["seq_len"]
        ),
    }
    trained = next(point for point in record["curve"] if point["step"] == step)
    LONG.mkdir(parents=True, exist_ok=True)
    if name in LONG_RUN_RECORD_ONLY:  # a control or a follow-up: its record counts
        record = {**record, "final": {**scores, "step": step}, "file": None}
        write_record(LONG / f"{name}.json", record, f'LONG_RUN_RECORDS["{name}"]')
        print(f"{name}: best at step {step}: {scores}")
        return
    path = checkpoint.save(
        LONG / f"{name}.pt",
        net,
        vocabulary,
        first_char=text[0],
        text={
            "corpus": "shakespeare",
            "length": len(text),
            "sha256": SHAKESPEARE_SHA256,
        },
        settings={
            **settings,
            "validation": GOING_BIGGER_VALIDATION,
            "seed": record["seed"],
        },
        steps=step,
        bpc={
            "train": trained["train_bpc"],
            "validation": scores["validation_bpc"],
            "train_slice": scores["train_slice_bpc"],
        },
    )
    record = {
        **record,
        "final": {**scores, "step": step},
        "file": path.name,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "bytes": path.stat().st_size,
    }
    write_record(LONG / f"{name}.json", record, f'LONG_RUN_RECORDS["{name}"]')
    print(f"{name}: best at step {record['best']['step']}: {scores}")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
