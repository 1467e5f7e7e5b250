"""The command line: ``hello-rnn train`` and ``hello-rnn sample``.

Examples::

    hello-rnn train --text "Hello, RNN!" --save hello.pt
    hello-rnn sample --load hello.pt --prefix H --temperature 0.8 --length 40 --seed 1

A mistake in the input is reported as one line on stderr that names the
problem and the fix, with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence

import torch

from . import checkpoint
from .data import DataHandler
from .model import HelloRNN
from .sample import generate
from .train import TrainingDivergedError, train

__all__ = ["main", "build_parser"]

PROG = "hello-rnn"
USAGE_ERROR = 2


class UsageError(Exception):
    """A mistake in the command line or its values: shown as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line ("hello-rnn: error: ...") instead of usage + message."""

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


# Bounds that keep every value inside what float32 training and the memory of a laptop can take.
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
            f"expected a number more than 0 and at most 1e6, or 'none' to turn clamping off, got {text!r}"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with both subcommands."""
    parser = _Parser(
        prog=PROG,
        description="Train the smallest character-level RNN, and let it write.",
        epilog=(
            "examples:\n"
            '  hello-rnn train --text "Hello, RNN!" --save hello.pt\n'
            "  hello-rnn sample --load hello.pt --prefix H --temperature 0.8 --length 40 --seed 1"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(
        dest="command", metavar="{train,sample}", parser_class=_Parser
    )
    commands.required = True

    train = commands.add_parser(
        "train", help="learn a text by heart", description="Learn a text by heart."
    )
    train.add_argument(
        "--text", default="Hello, RNN!", help="the text to learn (default: %(default)r)"
    )
    train.add_argument(
        "--hidden",
        type=_hidden,
        default=50,
        help="hidden units H, at most 4096 (default: %(default)s)",
    )
    train.add_argument(
        "--lr",
        type=_lr,
        default=0.001,
        help="Adam's learning rate, at most 1 (default: %(default)s)",
    )
    train.add_argument(
        "--clamp",
        type=_clamp,
        default=1.0,
        help="clamp gradients into [-c, c]; 'none' turns it off (default: 1.0)",
    )
    train.add_argument(
        "--steps",
        type=_steps,
        default=1000,
        help="most steps to take (default: %(default)s)",
    )
    train.add_argument(
        "--seed", type=_seed, default=0, help="random seed (default: %(default)s)"
    )
    train.add_argument(
        "--cell",
        choices=("torch", "scratch"),
        default="torch",
        help="which RNN cell (default: torch)",
    )
    train.add_argument(
        "--save",
        metavar="PATH",
        help="write the trained network to this checkpoint file",
    )
    train.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (none is drawn when stderr is not a terminal either)",
    )

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
        help="0 picks the likeliest character (default); above 0 samples, more freely the higher",
    )
    sample.add_argument(
        "--length",
        type=_length,
        help="characters to add (default: as many as the training text had)",
    )
    sample.add_argument(
        "--seed", type=_seed, default=0, help="sampling seed (default: %(default)s)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0, or 2 for a usage error)."""
    try:
        args = build_parser().parse_args(argv)
        if args.command == "train":
            return _train(args)
        return _sample(args)
    except SystemExit as exit_:  # --help prints and exits 0
        return exit_.code if isinstance(exit_.code, int) else 0
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if not _is_usage_error(error):
            raise
        message = " ".join(str(error).split())  # one line, whatever the exception held
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return USAGE_ERROR


def _is_usage_error(error: Exception) -> bool:
    return isinstance(
        error, UsageError | ValueError | TypeError | OSError | TrainingDivergedError
    )


def _train(args: argparse.Namespace) -> int:
    if args.save is not None:
        checkpoint.check_save_path(args.save)  # before training: a typo costs nothing
    data = DataHandler(args.text)
    torch.manual_seed(args.seed)
    net = HelloRNN(data.num_characters, args.hidden, cell=args.cell)
    show_progress = not args.quiet and sys.stderr.isatty()
    history = train(
        net,
        data,
        steps=args.steps,
        lr=args.lr,
        clamp=args.clamp,
        progress=show_progress,
    )
    if history.memorized_at is not None:
        print(f"memorized at step {history.memorized_at}")
    else:
        print(
            f"not memorized after {history.steps} steps (loss {history.loss[-1]:.4f}, "
            f"accuracy {history.accuracy[-1]:.4f}): try more --steps or a larger --lr"
        )
    print(generate(net, data, prefix=args.text[0]))
    if args.save is not None:
        path = checkpoint.save(
            args.save, net, data, steps=history.steps, memorized_at=history.memorized_at
        )
        print(f"saved to {path}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    net, vocabulary, meta = checkpoint.load(args.load)
    prefix = (
        args.prefix
        if args.prefix is not None
        else meta.get("first_char", vocabulary.chars[0])
    )
    length = args.length
    if length is None:
        text_length = meta.get("text_length")
        if not isinstance(text_length, int):
            raise UsageError(
                f"{args.load!r} does not record its text's length: pass --length"
            )
        length = max(text_length - len(prefix), 0)
    print(
        generate(
            net,
            vocabulary,
            prefix=prefix,
            length=length,
            temperature=args.temperature,
            seed=args.seed,
        )
    )
    return 0
