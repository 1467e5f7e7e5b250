"""A long run from the command line: ``hello-rnn train --file`` (or ``--corpus``).

It reads the text once and keeps it as one byte a character, trains with
:func:`~hello_rnn.corpus.train_on_corpus`, and never loses the run: it saves as
it goes, Ctrl-C saves the last whole step, and ``--resume`` goes on from a
checkpoint exactly as the run would have gone on.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import Any

import torch

from . import checkpoint
from ._cli_common import (
    INTERRUPTED,
    UsageError,
    file_errors,
    say,
    settings_of,
)
from ._ctrl_c import Stopped, StopRequest, stop_between_steps
from .batching import batches_per_pass, pass_length
from .corpus import default_corpus, default_eval_every, train_on_corpus
from .data import Vocabulary
from .defaults import LONG_DEFAULTS
from .device import pick_device
from .model import HelloRNN
from .shakespeare import SHAKESPEARE_SHA256
from .state import LN2, TrainingState
from .textfile import read_text_file
from .train import seed_everything

__all__ = ["train_long", "describe_source"]

FIXED_WHEN_RESUMED = ("cell", "hidden", "seq_len", "batch_size", "validation")


@dataclass
class _LongText:
    """A long text as a run needs it: its indices, its characters, where it came from."""

    indices: torch.Tensor  # [L], in vocabulary.index_dtype: a byte a character
    vocabulary: Vocabulary
    first_char: str
    about: dict[str, Any]  # "file" or "corpus", "length", "sha256": for checkpoints


def _read_long_text(about: dict[str, Any]) -> _LongText:
    """Read the text that `about` names (``{"file": path}`` or ``{"corpus": name}``).

    The file is read once and its text encoded; only the indices are kept.
    """
    if "corpus" in about:
        text, digest = default_corpus(), SHAKESPEARE_SHA256
    else:
        with file_errors(about["file"], "cannot read"):
            text, digest = read_text_file(about["file"])
    vocabulary = Vocabulary(set(text))
    indices = vocabulary.encode(text, vocabulary.index_dtype)
    about = {**about, "length": len(text), "sha256": digest}
    return _LongText(indices, vocabulary, text[0], about)


@dataclass
class _Resumed:
    """A saved run to go on with: ``checkpoint.load_training``'s four results."""

    net: HelloRNN
    vocabulary: Vocabulary
    meta: dict[str, Any]
    state: TrainingState


def train_long(args: argparse.Namespace) -> int:
    """Learn a long text (--file, --corpus), saving as it goes; or go on (--resume)."""
    run = _LongRun.from_args(args)  # every mistake in the input is found here
    return run.train(progress=not args.quiet and sys.stderr.isatty())


class _LongRun:
    """A long run of the command line: its text, network, settings and checkpoint.

    It saves as it goes (every ``save_every`` steps and at the end); Ctrl-C
    stops it between two steps and saves the last (:mod:`hello_rnn._ctrl_c`).
    """

    def __init__(
        self,
        text: _LongText,
        net: HelloRNN,
        settings: dict[str, Any],
        device: torch.device,
        save_to: str | None,
        start: TrainingState | None,
        saved_at: int,
    ) -> None:
        self.text, self.net, self.settings = text, net, settings
        self.device, self.save_to, self.start = device, save_to, start
        self.last: TrainingState | None = None  # the state after the latest step
        self.saved_at = saved_at  # the step the file at save_to holds; 0 for none
        self.ctrl_c = StopRequest()

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> _LongRun:
        """Read the text (and the run to resume) and check every option."""
        if "text" in vars(args):  # with --resume (argparse refuses --file --text)
            raise UsageError(
                "--resume goes on with a --file or --corpus run, not --text"
            )
        resumed = None
        if args.resume is not None:
            with file_errors(args.resume, "cannot read"):
                resumed = _Resumed(*checkpoint.load_training(args.resume))
        saved = {}
        if resumed is not None:  # its settings, and its network's
            saved = {
                **resumed.meta.get("settings", {}),
                "cell": resumed.net.cell_name,
                "hidden": resumed.net.num_hidden,
            }
            _check_unchanged(args, saved, resumed.state.step)
        settings = settings_of(args, LONG_DEFAULTS, saved)
        steps = settings["steps"]
        settings["eval_every"] = settings["eval_every"] or default_eval_every(steps)
        settings["save_every"] = settings["save_every"] or settings["eval_every"]
        save_to = args.save or args.resume
        if save_to is not None:  # before reading a long text
            with file_errors(save_to, "cannot save to"):
                checkpoint.check_save_path(save_to)
        if args.file is not None or args.corpus is not None:
            source = {"file": args.file} if args.file else {"corpus": args.corpus}
        else:  # --resume alone: the text the run learned
            source = {
                key: value
                for key, value in resumed.meta.get("text", {}).items()
                if key in ("file", "corpus")
            }
            if not source:
                raise UsageError(
                    f"--resume: {args.resume!r} does not say which text it learned: "
                    "give it with --file or --corpus"
                )
        text = _read_long_text(source)
        _check_fits(text.about["length"], settings)
        device = vars(args).get("device") or pick_device()
        if resumed is None:
            seed_everything(settings["seed"])
            size = text.vocabulary.num_characters
            net = HelloRNN(size, settings["hidden"], cell=settings["cell"])
            return cls(text, net, settings, device, save_to, start=None, saved_at=0)
        _check_same_text(args.resume, text, resumed)
        print(f"going on with {args.resume} from step {resumed.state.step}")
        # The file at --resume holds that step; a new --save holds nothing yet.
        saved_at = resumed.state.step if args.save is None else 0
        return cls(
            text, resumed.net, settings, device, save_to, resumed.state, saved_at
        )

    def train(self, progress: bool) -> int:
        """Train to the last step, or until Ctrl-C; return the exit status."""
        settings = self.settings
        started = time.perf_counter()
        with stop_between_steps() as self.ctrl_c:
            try:
                history = train_on_corpus(
                    self.net,
                    self.text.vocabulary,
                    self.text.indices,
                    steps=settings["steps"],
                    lr=settings["lr"],
                    clamp=settings["clamp"],
                    clip_norm=settings["clip_norm"],
                    device=self.device,
                    progress=progress,
                    seq_len=settings["seq_len"],
                    batch_size=settings["batch_size"],
                    validation_fraction=settings["validation"],
                    eval_every=settings["eval_every"],
                    on_step=self.on_step,
                    resume=self.start,
                )
            except Stopped:  # between two steps: the last one is whole
                return self._stopped()
            except KeyboardInterrupt:  # a second Ctrl-C, in the middle of a step
                return self._stopped_at_once()
        seconds = time.perf_counter() - started
        taken = history.steps - (self.start.step if self.start else 0)
        scores = f"train {history.loss[-1] / LN2:.3f} bpc (running)"
        if history.validation_bpc:  # and the training slice, scored as it is
            scores += (
                f", validation {history.validation_bpc[-1]:.3f} bpc against "
                f"{history.train_slice_bpc[-1]:.3f} on a training slice scored alike"
            )
        rate = taken * history.chars_per_step / seconds
        print(f"step {history.steps}: {scores}; {rate:,.0f} characters a second")
        if self.save_to is not None:
            if self.saved_at != history.steps:
                self.save(self.last)
            print(f"saved to {self.save_to}")
        return 0

    def on_step(self, net: HelloRNN, state: TrainingState) -> None:
        """After every step: stop if Ctrl-C was pressed; save every save_every steps."""
        self.last = state
        self.ctrl_c.check()
        if self.save_to is not None and state.step % self.settings["save_every"] == 0:
            self.save(state)

    def save(self, state: TrainingState) -> None:
        """Write the run as `state` has it, and where it came from, atomically."""
        history = state.history
        meta = {
            "first_char": self.text.first_char,
            "text": self.text.about,
            "settings": self.settings,
            "steps": state.step,
            "bpc": {
                "train": history.loss[-1] / LN2,
                "validation": (history.validation_bpc or [None])[-1],
                "train_slice": (history.train_slice_bpc or [None])[-1],
            },
        }
        with file_errors(self.save_to, "cannot save to"):
            checkpoint.save_training(
                self.save_to, self.net, self.text.vocabulary, state, **meta
            )
        self.saved_at = state.step

    def _stopped(self) -> int:
        """After Ctrl-C, between two steps: save the last one, and say where."""
        stopped = f"interrupted after step {self.last.step}"
        if self.save_to is None:
            say(f"{stopped}: nothing saved (no --save)")
        else:
            self.save(self.last)
            resume = f"hello-rnn train --resume {self.save_to}"
            say(f"{stopped}: saved to {self.save_to}; go on with: {resume}")
        return INTERRUPTED

    def _stopped_at_once(self) -> int:
        """After a second Ctrl-C: the step it cut short is not whole, so not saved."""
        kept = f"{self.save_to} holds step {self.saved_at}" if self.saved_at else ""
        say(
            "interrupted in the middle of a step, which is not saved: "
            + (kept or "nothing saved")
        )
        return INTERRUPTED


def _check_unchanged(
    args: argparse.Namespace, saved: dict[str, Any], steps_taken: int
) -> None:
    """Refuse a --cell, --hidden, ... other than the resumed run's, or too few --steps."""
    for key in FIXED_WHEN_RESUMED:
        given = vars(args).get(key, saved.get(key))
        if key in saved and given != saved[key]:
            flag = f"--{key.replace('_', '-')}"
            raise UsageError(
                f"--resume: {args.resume!r} was trained with {flag} {saved[key]}, "
                f"not {given}; leave {flag} out to go on with it"
            )
    if (
        vars(args).get("steps", saved.get("steps", LONG_DEFAULTS["steps"]))
        <= steps_taken
    ):
        raise UsageError(
            f"--resume: {args.resume!r} has taken {steps_taken} steps already; "
            f"ask for more with --steps (for instance --steps {2 * steps_taken})"
        )


def _check_same_text(path: str, text: _LongText, resumed: _Resumed) -> None:
    """Refuse to go on with a run on another text than it learned."""
    learned, given = resumed.vocabulary.chars, text.vocabulary.chars
    if learned != given:
        raise UsageError(
            f"--resume: {path!r} learned {len(learned)} characters, "
            f"{describe_source(text.about)} has {len(given)} and not the same "
            f"({_differences(learned, given)}): resume on the text it learned"
        )
    before = resumed.meta.get("text", {}).get("sha256")
    if before != text.about["sha256"]:
        raise UsageError(
            f"--resume: {path!r} learned another text than {describe_source(text.about)} "
            f"(SHA-256 {str(before)[:12]}..., not {text.about['sha256'][:12]}...): "
            "resume on the text it learned"
        )


def _check_fits(length: int, settings: dict[str, Any]) -> None:
    """Say which option to change if the text is too short for the run's sizes."""
    seq_len, batch_size = settings["seq_len"], settings["batch_size"]
    held_out = round(length * settings["validation"])
    kept = length - held_out
    sizes = f"--seq-len {seq_len}"
    if kept <= seq_len:
        raise UsageError(
            f"the text has {length} characters, {kept} to train on: too short for "
            f"one window of {sizes} + 1; use a longer text or a smaller --seq-len"
        )
    # (a pass starts at an offset below --seq-len: it needs seq_len - 1 more)
    if batches_per_pass(pass_length(kept, seq_len), seq_len, batch_size) == 0:
        raise UsageError(
            f"the text has {length} characters, {kept} to train on: too short for "
            f"--batch-size {batch_size} windows of {sizes} "
            f"(needs {batch_size * seq_len + seq_len}); use a smaller --batch-size or "
            "--seq-len"
        )
    if 0 < held_out <= seq_len:
        raise UsageError(
            f"the held-out text (--validation {settings['validation']:g}) has "
            f"{held_out} characters: too short for one window of {sizes} + 1; "
            "use a larger --validation, or --validation 0"
        )


def describe_source(about: dict[str, Any]) -> str:
    """Where a long text came from, as the command line names it."""
    return repr(about["file"]) if "file" in about else f"--corpus {about['corpus']}"


def _differences(learned: list[str], given: list[str]) -> str:
    """Which characters one list has and the other lacks, in a few words."""
    parts = []
    for label, chars in (
        ("only it", sorted(set(learned) - set(given))),
        ("only the text", sorted(set(given) - set(learned))),
    ):
        if chars:
            parts.append(f"{label}: {''.join(chars[:10])!r}")
    return "; ".join(parts)
