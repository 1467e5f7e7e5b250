"""The command line: ``hello-rnn train`` and ``hello-rnn sample``.

Examples::

    hello-rnn train --text "Hello, RNN!" --save hello.pt
    hello-rnn sample --load hello.pt --prefix H --temperature 0.8
    hello-rnn train --file mytext.txt --cell lstm --hidden 256 --save mytext.pt
    hello-rnn sample --load mytext.pt --temperature 0.8 --length 500

``--text`` learns a short text by heart (:func:`~hello_rnn.train.train`);
``--file`` and ``--corpus`` learn a long one, as char-rnn does
(:func:`~hello_rnn.corpus.train_on_corpus`), saving the run as they go: Ctrl-C
saves the last whole step, and ``--resume`` goes on from a checkpoint exactly
as the run would have.

Exit status 0 when done; 2 for a mistake in the input, reported as one line
on stderr that names the problem and the fix; 130 after Ctrl-C. Any other
error is a bug in hello_rnn and keeps its traceback. :func:`main` returns the
status (it never calls ``sys.exit``), so a notebook can call it too.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import sys
from collections.abc import Iterable, Sequence
from typing import TextIO

import torch

from . import checkpoint
from ._cli_common import (
    BROKEN_PIPE,
    INTERRUPTED,
    PROG,
    USAGE_ERROR,
    UsageError,
    file_errors,
    say,
    settings_of,
)
from ._long_run import describe_source, train_long
from .data import DataHandler, Vocabulary
from .defaults import LONG_DEFAULTS, TEXT_DEFAULTS
from .errors import HelloRNNError
from .model import CELLS, HelloRNN
from .sample import generate, iter_generate
from .train import TrainingDivergedError, seed_everything, train

__all__ = ["main", "build_parser"]

CHUNK = 64  # `sample` writes and flushes at most this many characters at a time
LONG_SAMPLE = 1000  # `sample` writes this many characters after a long run


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line ("hello-rnn: error: ..."), not usage."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see: {self.prog} --help)")


def _whole_number(text: str, *, minimum: int, maximum: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum or (maximum is not None and value > maximum):
        bound = (
            f"of {minimum} or more"
            if maximum is None
            else f"from {minimum} to {maximum}"
        )
        raise argparse.ArgumentTypeError(
            f"expected a whole number {bound}, got {text!r}"
        )
    return value


def _number(
    text: str, *, minimum: float, inclusive: bool, maximum: float = math.inf
) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    above = value >= minimum if inclusive else value > minimum
    # (nan fails every comparison)
    if not (above and value <= maximum and math.isfinite(value)):
        bound = f"{minimum:g} or more" if inclusive else f"more than {minimum:g}"
        if maximum != math.inf:
            bound += f" and at most {maximum:g}"
        raise argparse.ArgumentTypeError(
            f"expected a finite number {bound}, got {text!r}"
        )
    return value


# Bounds that keep every value inside what float32 training and a laptop can take.
def _steps(text: str) -> int:
    return _whole_number(text, minimum=1)


def _hidden(text: str) -> int:
    return _whole_number(text, minimum=1, maximum=4096)


def _seed(text: str) -> int:
    return _whole_number(text, minimum=0, maximum=2**32 - 1)


def _length(text: str) -> int:
    return _whole_number(text, minimum=0)


def _lr(text: str) -> float:
    return _number(text, minimum=0.0, inclusive=False, maximum=1.0)


def _temperature(text: str) -> float:
    return _number(text, minimum=0.0, inclusive=True)


def _clamp(text: str) -> float | None:
    if text.strip().lower() in ("none", "off"):
        return None
    try:
        return _number(text, minimum=0.0, inclusive=False, maximum=1e6)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            "expected a number more than 0 and at most 1e6, "
            f"or 'none' to turn clamping off, got {text!r}"
        ) from None


def _positive(text: str) -> int:
    return _whole_number(text, minimum=1)


def _fraction(text: str) -> float:
    value = _number(text, minimum=0.0, inclusive=True, maximum=1.0)
    if value == 1.0:
        raise argparse.ArgumentTypeError(
            f"expected a fraction from 0 to less than 1, got {text!r}"
        )
    return value


def _clip_norm(text: str) -> float:
    return _number(text, minimum=0.0, inclusive=False, maximum=1e6)


def _device(text: str) -> torch.device:
    """A device this machine has: a typo or a missing GPU is caught before training."""
    try:
        device = torch.device(text)
    except RuntimeError:
        raise argparse.ArgumentTypeError(
            f"expected a device such as cpu, cuda or cuda:1, got {text!r}"
        ) from None
    count = {
        "cpu": 1,
        "cuda": torch.cuda.device_count() if torch.cuda.is_available() else 0,
        "mps": 1 if torch.backends.mps.is_available() else 0,
    }.get(device.type, 0)
    if count == 0 or (device.index or 0) >= count:
        raise argparse.ArgumentTypeError(
            f"this machine has no {text!r} device for torch; "
            "leave --device out to use the fastest one it has"
        )
    return device


def _text(text: str) -> str:
    if len(text) < 2:
        raise argparse.ArgumentTypeError(
            "expected at least 2 characters (an input and the target after it), "
            f"got {text!r}"
        )
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with both subcommands."""
    parser = _Parser(
        prog=PROG,
        description="Train the smallest character-level RNN, and let it write.",
        epilog=(
            "examples:\n"
            '  hello-rnn train --text "Hello, RNN!" --save hello.pt\n'
            "  hello-rnn sample --load hello.pt --prefix H --temperature 0.8\n"
            "  hello-rnn train --file mytext.txt --cell lstm --hidden 256 "
            "--save mytext.pt\n"
            "  hello-rnn sample --load mytext.pt --temperature 0.8 --length 500"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(
        dest="command", metavar="{train,sample}", parser_class=_Parser
    )
    commands.required = True
    _add_train_parser(commands)
    _add_sample_parser(commands)
    return parser


# Options of `train` left out are left out of the namespace: a run's settings
# are then those given, else a resumed run's, else the defaults.
LEFT_OUT = argparse.SUPPRESS


def _add_train_parser(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser(
        "train",
        help="learn a text: a short one by heart, or a long one",
        description="Learn a short text by heart (--text), or a long one "
        "(--file, --corpus) as char-rnn does.",
    )
    _add_what_to_learn(train)
    _add_network_options(train)
    _add_training_options(train)
    _add_long_text_options(train)
    _add_saving_options(train)


def _add_what_to_learn(train: argparse.ArgumentParser) -> None:
    """What to learn: a short text, a file or the shipped corpus."""
    what = train.add_argument_group("what to learn").add_mutually_exclusive_group()
    what.add_argument(
        "--text",
        type=_text,
        default=LEFT_OUT,
        help="a short text to learn by heart, 2 characters or more "
        "(the default: 'Hello, RNN!')",
    )
    what.add_argument(
        "--file", metavar="PATH", help="a long text to learn: a UTF-8 text file"
    )
    what.add_argument(
        "--corpus",
        choices=("shakespeare",),
        help="a long text that ships with hello_rnn: nine plays of Shakespeare",
    )


def _add_network_options(train: argparse.ArgumentParser) -> None:
    """The network's cell and size."""
    net = train.add_argument_group("the network")
    net.add_argument(
        "--cell",
        choices=CELLS,
        default=LEFT_OUT,
        help=f"the RNN cell (default: {TEXT_DEFAULTS['cell']})",
    )
    net.add_argument(
        "--hidden",
        type=_hidden,
        default=LEFT_OUT,
        help="hidden units H, at most 4096 "
        f"(default: {TEXT_DEFAULTS['hidden']} with --text, else {LONG_DEFAULTS['hidden']})",
    )


def _add_training_options(train: argparse.ArgumentParser) -> None:
    """How to train: steps, rate, a safety net, the seed."""
    how = train.add_argument_group("training")
    how.add_argument(
        "--steps",
        type=_steps,
        default=LEFT_OUT,
        help=f"most steps (default: {TEXT_DEFAULTS['steps']})",
    )
    how.add_argument(
        "--lr",
        type=_lr,
        default=LEFT_OUT,
        help="Adam's learning rate, at most 1 "
        f"(default: {TEXT_DEFAULTS['lr']} with --text, else {LONG_DEFAULTS['lr']})",
    )
    limit = how.add_mutually_exclusive_group()
    limit.add_argument(
        "--clamp",
        type=_clamp,
        default=LEFT_OUT,
        help="clamp gradients into [-c, c]; 'none' turns it off "
        f"(default: {TEXT_DEFAULTS['clamp']})",
    )
    limit.add_argument(
        "--clip-norm",
        type=_clip_norm,
        default=LEFT_OUT,
        help="instead, rescale the gradient to norm at most this",
    )
    how.add_argument(
        "--seed",
        type=_seed,
        default=LEFT_OUT,
        help=f"random seed (default: {TEXT_DEFAULTS['seed']})",
    )
    how.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (none is drawn when stderr is not a terminal either)",
    )


def _add_long_text_options(train: argparse.ArgumentParser) -> None:
    """What only a long text needs: windows, batches, validation, device."""
    long = train.add_argument_group("a long text (--file, --corpus)")
    long.add_argument(
        "--seq-len",
        type=_positive,
        default=LEFT_OUT,
        help="characters per window: how far back each step learns "
        f"(default: {LONG_DEFAULTS['seq_len']})",
    )
    long.add_argument(
        "--batch-size",
        type=_positive,
        default=LEFT_OUT,
        help="windows read side by side in a step "
        f"(default: {LONG_DEFAULTS['batch_size']})",
    )
    long.add_argument(
        "--validation",
        type=_fraction,
        default=LEFT_OUT,
        help="the share of the text held out to score on, 0 for none "
        f"(default: {LONG_DEFAULTS['validation']})",
    )
    long.add_argument(
        "--eval-every",
        type=_positive,
        default=LEFT_OUT,
        metavar="N",
        help="score the held-out text every N steps (default: ten times a run)",
    )
    long.add_argument(
        "--device",
        type=_device,
        default=LEFT_OUT,
        help="where to train: cpu, cuda, cuda:1, mps (default: the GPU if any)",
    )


def _add_saving_options(train: argparse.ArgumentParser) -> None:
    """Saving a run, and going on with it."""
    saving = train.add_argument_group("saving, and going on")
    saving.add_argument(
        "--save",
        metavar="PATH",
        help="write the trained network to this checkpoint file "
        "(a long run: as it goes, and when Ctrl-C stops it)",
    )
    saving.add_argument(
        "--save-every",
        type=_positive,
        default=LEFT_OUT,
        metavar="N",
        help="a long run saves every N steps too (default: at every scoring)",
    )
    saving.add_argument(
        "--resume",
        metavar="PATH",
        help="go on with the long run saved there, exactly as it would have gone "
        "on (its text and settings unless given; saves back to it unless --save)",
    )


def _add_sample_parser(commands: argparse._SubParsersAction) -> None:
    sample = commands.add_parser(
        "sample", help="write text with a trained network", description="Write text."
    )
    sample.add_argument(
        "--load",
        metavar="PATH",
        required=True,
        help="a checkpoint written by 'train --save'",
    )
    sample.add_argument(
        "--prefix",
        help="text to start from (default: the first character of the training text)",
    )
    sample.add_argument(
        "--temperature",
        type=_temperature,
        default=0.0,
        help="0 picks the likeliest character (default); "
        "above 0 samples, more freely the higher",
    )
    sample.add_argument(
        "--length",
        type=_length,
        help="characters to add (default: as many as a --text had; "
        f"{LONG_SAMPLE} after a long text)",
    )
    sample.add_argument(
        "--seed", type=_seed, default=0, help="sampling seed (default: %(default)s)"
    )
    sample.add_argument(
        "--info",
        action="store_true",
        help="instead, say what the checkpoint learned: its text (length and "
        "SHA-256), settings, steps and final bpc",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status: 0, 2 (bad input), 130 (Ctrl-C)."""
    try:
        args = build_parser().parse_args(argv)
        if args.command == "sample":
            return _sample(args)
        if args.file or args.corpus or args.resume:
            return train_long(args)
        return _train(args)
    except SystemExit as exit_:  # --help prints and exits 0
        return exit_.code if isinstance(exit_.code, int) else 0
    except KeyboardInterrupt:
        say("interrupted")
        return INTERRUPTED
    except (HelloRNNError, TrainingDivergedError) as error:
        say(f"error: {error}")
        return USAGE_ERROR
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE


def _train(args: argparse.Namespace) -> int:
    """Learn a short text by heart (--text), and write it back."""
    long_only = ("seq_len", "batch_size", "validation", "eval_every", "save_every")
    for key in (*long_only, "device"):
        if key in vars(args):
            raise UsageError(
                f"--{key.replace('_', '-')} is for a long text (--file or --corpus), "
                "not --text"
            )
    settings = settings_of(args, TEXT_DEFAULTS, {})
    text = vars(args).get("text", "Hello, RNN!")
    if args.save is not None:
        # Before training, so that a typo in the path costs nothing.
        with file_errors(args.save, "cannot save to"):
            checkpoint.check_save_path(args.save)
    data = DataHandler(text)
    seed_everything(settings["seed"])
    net = HelloRNN(data.num_characters, settings["hidden"], cell=settings["cell"])
    try:
        history = train(
            net,
            data,
            steps=settings["steps"],
            lr=settings["lr"],
            clamp=settings["clamp"],
            clip_norm=settings["clip_norm"],
            progress=not args.quiet and sys.stderr.isatty(),
        )
    except KeyboardInterrupt:
        say("interrupted: training stopped and nothing was saved")
        return INTERRUPTED
    if history.memorized_at is not None:
        print(f"memorized at step {history.memorized_at}")
    else:
        print(
            f"not memorized after {history.steps} steps "
            f"(loss {history.loss[-1]:.4f}, accuracy {history.accuracy[-1]:.4f}): "
            "try more --steps or a larger --lr"
        )
    print(generate(net, data, prefix=text[0]))
    if args.save is not None:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        about = {"length": len(text), "sha256": digest}
        # Atomic: an error or Ctrl-C leaves the old file, never half a new one.
        with file_errors(args.save, "cannot save to"):
            path = checkpoint.save(
                args.save,
                net,
                data,
                steps=history.steps,
                memorized_at=history.memorized_at,
                text=about,
                settings=settings,
            )
        print(f"saved to {path}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    with file_errors(args.load, "cannot read"):
        net, vocabulary, meta = checkpoint.load(args.load)
    if args.info:
        print(_describe(args.load, net, vocabulary, meta))
        return 0
    prefix = args.prefix
    if prefix is None:
        prefix = meta.get("first_char", vocabulary.chars[0])
    missing = sorted(set(prefix) - set(vocabulary.chars), key=prefix.index)
    if missing:
        which = (
            f"character {missing[0]!r} is"
            if len(missing) == 1
            else f"characters {', '.join(map(repr, missing))} are"
        )
        raise UsageError(
            f"--prefix: {which} not in the vocabulary "
            f"{''.join(vocabulary.chars)!r} of {args.load!r}; "
            "use only characters the model was trained on"
        )
    length = args.length
    if length is None:
        text_length = meta.get("text_length")
        if isinstance(text_length, int):
            length = max(text_length - len(prefix), 0)
        elif "sha256" in meta.get("text", {}):  # a long run's
            length = LONG_SAMPLE
        else:
            raise UsageError(
                f"{args.load!r} does not record its text's length: pass --length"
            )
    characters = iter_generate(
        net,
        vocabulary,
        prefix=prefix,
        length=length,
        temperature=args.temperature,
        seed=args.seed,
    )
    _write_as_they_come(characters, sys.stdout)
    return 0


def _describe(path: str, net: HelloRNN, vocabulary: Vocabulary, meta: dict) -> str:
    """What a checkpoint learned, and how: ``sample --info``."""
    about = meta.get("text", {})
    if "file" in about or "corpus" in about:
        source = describe_source(about)
    else:
        source = "--text" if "text_length" in meta else "not recorded"
    text = source
    if "length" in about or "text_length" in meta:
        text += f", {about.get('length', meta.get('text_length')):,} characters"
    if "sha256" in about:
        text += f", SHA-256 {about['sha256']}"
    settings = meta.get("settings", {})
    steps = f"{meta['steps']}" if "steps" in meta else "not recorded"
    if "steps" in settings:
        steps += f" of {settings['steps']}"
    if meta.get("memorized_at") is not None:
        steps += f" (memorized at step {meta['memorized_at']})"
    lines = [
        f"checkpoint  {path}",
        f"network     {net.cell_name} cell, {net.num_hidden} hidden units, "
        f"{vocabulary.num_characters} characters"
        + (f", dropout {net.dropout:g}" if net.dropout else ""),
        f"text        {text}",
        "settings    "
        + (" ".join(f"{k}={v}" for k, v in settings.items()) or "not recorded"),
        f"steps       {steps}",
    ]
    bpc = meta.get("bpc")
    if bpc:
        scores = f"train {bpc['train']:.3f}"
        if bpc.get("validation") is not None:
            scores += f", validation {bpc['validation']:.3f}"
        if bpc.get("train_slice") is not None:
            scores += f", training slice {bpc['train_slice']:.3f}"
        lines.append(f"final bpc   {scores}")
    return "\n".join(lines)


def _write_as_they_come(characters: Iterable[str], out: TextIO) -> None:
    """Write `characters` and a final newline, flushing every line or CHUNK.

    A long text then shows at once, and after Ctrl-C every character already
    chosen stays on the screen, its line ended.
    """
    piece: list[str] = []
    try:
        for char in characters:
            piece.append(char)
            if char == "\n" or len(piece) == CHUNK:
                out.write("".join(piece))
                out.flush()
                piece.clear()
        piece.append("\n")
    except KeyboardInterrupt:
        piece.append("\n")
        raise
    finally:  # (after a bad argument, before any character, this writes nothing)
        out.write("".join(piece))
        out.flush()


def _silence_stdout() -> None:
    """Send what is left for stdout to devnull, so Python's exit flush stays quiet.

    (The recipe of Python's documentation for SIGPIPE, on the `signal` page.)
    """
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (a test capturing output)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
