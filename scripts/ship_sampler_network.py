"""Train the network the book's live sampler runs, once, and ship it with the package.

    python scripts/ship_sampler_network.py

Until a long run is shipped, the live sampler (chapters 6 and 7, and the book's
first page) runs chapter 7's short-setting network: this trains it as chapter 7
does (``GOING_BIGGER_SIZES["short"]``, seed ``GOING_BIGGER_SEED``, one CPU
thread, ``train_on_corpus`` on the first ``text_chars`` characters of the plays),
saves it with ``checkpoint.save`` to
``src/hello_rnn/results/sampler/shakespeare_short.pt`` and writes its SHA-256,
with how it was made, into ``shakespeare_short.json`` beside it. The book's
extension (``book/_ext/live_sampler.py``) exports its weights at build time;
``tests/test_live_sampler.py`` re-scores what shipped.

Another CPU's last bits make another network after 800 steps: run this only on
purpose, and commit the two files together.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import platform

import torch

from hello_rnn import HelloRNN, Vocabulary, checkpoint, default_corpus, train_on_corpus
from hello_rnn.settings import (
    GOING_BIGGER_SEED,
    GOING_BIGGER_SIZES,
    GOING_BIGGER_VALIDATION,
    training_arguments,
)
from hello_rnn.shipped import SHIPPED

NAME = "shakespeare_short"
SETTING = "short"


def main() -> None:
    torch.set_num_threads(1)  # as chapter 7 trains it
    sizes = GOING_BIGGER_SIZES[SETTING]
    text = default_corpus(max_chars=sizes["text_chars"])
    vocabulary = Vocabulary(set(text))
    torch.manual_seed(GOING_BIGGER_SEED)
    net = HelloRNN(vocabulary.num_characters, sizes["hidden"])
    history = train_on_corpus(
        net,
        vocabulary,
        text,
        **training_arguments(SETTING),
        validation_fraction=GOING_BIGGER_VALIDATION,
        seed=GOING_BIGGER_SEED,
        device="cpu",
    )
    validation_bpc = round(history.validation_bpc[-1], 4)
    SHIPPED.mkdir(parents=True, exist_ok=True)
    path = checkpoint.save(
        SHIPPED / f"{NAME}.pt",
        net,
        vocabulary,
        setting=SETTING,
        steps=history.steps,
        validation_bpc=validation_bpc,
    )
    record = {
        "file": path.name,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "what": "chapter 7's short-setting network, trained by "
        "scripts/ship_sampler_network.py",
        "setting": SETTING,
        "sizes": sizes,
        "seed": GOING_BIGGER_SEED,
        "validation_fraction": GOING_BIGGER_VALIDATION,
        "steps": history.steps,
        "validation_bpc": validation_bpc,
        "torch": torch.__version__,
        "machine": platform.machine(),
        "date": datetime.date.today().isoformat(),
    }
    (SHIPPED / f"{NAME}.json").write_text(
        json.dumps(record, indent=1) + "\n", encoding="utf-8"
    )
    size = path.stat().st_size
    print(
        f"{path}: {size:,} bytes, validation {validation_bpc} bpc after "
        f"{history.steps} steps; SHA-256 {record['sha256']}"
    )


if __name__ == "__main__":
    main()
