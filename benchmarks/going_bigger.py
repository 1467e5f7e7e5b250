"""Measure chapter 7's runs ("Going bigger"): characters per second, and the validation loss they reach.

    python benchmarks/going_bigger.py --device cpu --setting short
    python benchmarks/going_bigger.py --device cuda --setting long
    python benchmarks/going_bigger.py --device cpu --setting long --steps 20   # part of a run: its speed

The sizes, the seed and the validation share are the ones chapter 7 imports from
``hello_rnn.settings``, so what is measured is always the chapter's run: the same text, the
same network from the same seed, the same ``train_on_corpus`` call. The chapter also writes
samples and saves checkpoints while it trains; it leaves their time out of its speed, and
this script does not do them at all. The wall-clock time counts training and the
validation scores; on a GPU ``train_on_corpus`` waits for the GPU before it returns. A partial run
(``--steps``) is a speed test: it trains on the whole text with no validation, and records no loss.
A complete run records the validation loss and the loss on a slice of the training text scored the
same way, and which split of the text it held out (``hello_rnn.batching.VALIDATION_SPLIT``): a record
of another split, or of another text, goes back to "not yet measured" when the file is next written,
and the tests refuse a validation loss of another split than the package's.

The results go to benchmarks/results/going_bigger.json (the chapter shows them as a table): one
record per (device, setting), replacing an older record of the same pair. Rows that nobody has
measured yet stay in the file as "not yet measured", with the command that measures them.
Nothing here is a test: no time is asserted anywhere.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
from pathlib import Path

import torch

from hello_rnn import HelloRNN, Vocabulary, default_corpus, train_on_corpus
from hello_rnn.batching import VALIDATION_SPLIT
from hello_rnn.settings import (
    GOING_BIGGER_SEED,
    GOING_BIGGER_SIZES,
    GOING_BIGGER_VALIDATION,
    training_arguments,
)
from hello_rnn.shakespeare import SHAKESPEARE_SHA256

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "going_bigger.json"
# The rows the chapter's table always shows, measured or not.
ROWS = [("cpu", "short"), ("cpu", "long"), ("cuda", "short"), ("cuda", "long")]


def measure(setting: str, device: torch.device, steps: int | None = None) -> dict:
    """Run the chapter's training for `setting` on `device` and return what was measured."""
    sizes = GOING_BIGGER_SIZES[setting]
    steps = sizes["steps"] if steps is None else steps
    complete = steps == sizes["steps"]
    text = default_corpus(max_chars=sizes["text_chars"])
    vocabulary = Vocabulary(set(text))
    torch.manual_seed(GOING_BIGGER_SEED)
    net = HelloRNN(vocabulary.num_characters, sizes["hidden"]).to(device)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    wall, cpu = time.perf_counter(), time.process_time()
    history = train_on_corpus(
        net,
        vocabulary,
        text,
        **{**training_arguments(setting), "steps": steps},
        # Part of a run is a speed test: no validation, whose one pass would weigh far more than in the whole run.
        validation_fraction=GOING_BIGGER_VALIDATION if complete else 0.0,
        seed=GOING_BIGGER_SEED,
        device=device,
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "device": device.type,
        "setting": setting,
        "status": "measured",
        "sizes": sizes,
        "corpus_sha256": SHAKESPEARE_SHA256,
        "steps_run": steps,
        "complete": complete,
        "chars_per_s": steps * history.chars_per_step / wall,
        "seconds": wall,
        "cpu_seconds": cpu,
        "validation_bpc": history.validation_bpc[-1] if complete else None,
        "train_slice_bpc": history.train_slice_bpc[-1] if complete else None,
        "validation_split": VALIDATION_SPLIT if complete else None,
        "device_name": _device_name(device),
        "torch_threads": torch.get_num_threads() if device.type == "cpu" else None,
        "cpu_cores": os.cpu_count(),
        "load_average_at_start": load,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
    }


def placeholder(device: str, setting: str, sizes: dict) -> dict:
    return {
        "device": device,
        "setting": setting,
        "status": "not yet measured",
        "sizes": sizes,
        "steps_run": sizes["steps"],
        "how": f"python benchmarks/going_bigger.py --device {device} --setting {setting}",
    }


def record(result: dict, path: Path = RESULTS) -> None:
    """Put `result` into the results file, in the place of an older record of the same device and setting."""
    runs = json.loads(path.read_text())["runs"] if path.exists() else []
    by_row = {(r["device"], r["setting"]): r for r in runs if describes_the_chapter(r)}
    by_row[(result["device"], result["setting"])] = result
    for device, setting in ROWS:
        by_row.setdefault(
            (device, setting),
            placeholder(device, setting, GOING_BIGGER_SIZES[setting]),
        )
    order = {row: i for i, row in enumerate(ROWS)}
    runs = sorted(
        by_row.values(),
        key=lambda r: order.get((r["device"], r["setting"]), len(order)),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    note = "Written by benchmarks/going_bigger.py; chapter 7 shows it as a table. Do not edit the numbers by hand."
    path.write_text(json.dumps({"note": note, "runs": runs}, indent=2) + "\n")


def describes_the_chapter(run: dict) -> bool:
    """False for a row of other sizes, a measurement of another text, or a validation loss of another split."""
    if run["sizes"] != GOING_BIGGER_SIZES.get(run["setting"]):
        return False  # the settings changed since: measured again, or not yet
    if run["status"] != "measured":
        return True
    same_text = run.get("corpus_sha256") == SHAKESPEARE_SHA256
    same_split = (
        not run.get("complete", True) or run.get("validation_split") == VALIDATION_SPLIT
    )
    return same_text and same_split


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    try:  # Linux: the processor's marketing name
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--setting", choices=("short", "long"), default="short")
    parser.add_argument(
        "--steps",
        type=int,
        help="run only this many steps (to measure the speed of a long run)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="CPU threads (default 1, as in the chapter)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help=f"the results file (default {RESULTS})",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the result, do not write it"
    )
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA GPU here")
    if args.steps is not None and args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    torch.set_num_threads(args.threads)
    result = measure(args.setting, device, args.steps)
    print(json.dumps(result, indent=2))
    if not args.dry_run:
        record(result, args.results)
        print(f"written to {args.results}")


if __name__ == "__main__":
    main()
