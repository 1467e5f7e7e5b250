"""The command line: ``hello-rnn train`` and ``hello-rnn sample``.

Examples::

    hello-rnn train --text "Hello, RNN!" --save hello.pt
    hello-rnn sample --load hello.pt --prefix H --temperature 0.8

Exit status 0 when done; 2 for a mistake in the input, reported as one line
on stderr that names the problem and the fix; 130 after Ctrl-C. Any other
error is a bug in hello_rnn and keeps its traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from . import checkpoint
from .data import DataHandler
from .errors import HelloRNNError
from .model import HelloRNN
from .sample import generate, iter_generate
from .train import TrainingDivergedError, seed_everything, train

__all__ = ["main", "build_parser"]

PROG = "hello-rnn"
USAGE_ERROR = 2
INTERRUPTED = 130  # 128 + SIGINT: what a shell reports after Ctrl-C
BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader went away (hello-rnn sample | head)
CHUNK = 64  # `sample` writes and flushes at most this many characters at a time


class UsageError(HelloRNNError):
    """A mistake in the command line or its values: one line, exit status 2."""


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
            "  hello-rnn sample --load hello.pt --prefix H --temperature 0.8"
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
        "--text",
        type=_text,
        default="Hello, RNN!",
        help="the text to learn, 2 characters or more (default: %(default)r)",
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
        help="0 picks the likeliest character (default); "
        "above 0 samples, more freely the higher",
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
    """Run the command line; return the exit status: 0, 2 (bad input), 130 (Ctrl-C)."""
    try:
        args = build_parser().parse_args(argv)
        return _train(args) if args.command == "train" else _sample(args)
    except SystemExit as exit_:  # --help prints and exits 0
        return exit_.code if isinstance(exit_.code, int) else 0
    except KeyboardInterrupt:
        _say("interrupted")
        return INTERRUPTED
    except (HelloRNNError, TrainingDivergedError) as error:
        _say(f"error: {error}")
        return USAGE_ERROR
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE


def _train(args: argparse.Namespace) -> int:
    if args.save is not None:
        # Before training, so that a typo in the path costs nothing.
        with _file_errors(args.save, "cannot save to"):
            checkpoint.check_save_path(args.save)
    data = DataHandler(args.text)
    seed_everything(args.seed)
    net = HelloRNN(data.num_characters, args.hidden, cell=args.cell)
    try:
        history = train(
            net,
            data,
            steps=args.steps,
            lr=args.lr,
            clamp=args.clamp,
            progress=not args.quiet and sys.stderr.isatty(),
        )
    except KeyboardInterrupt:
        _say("interrupted: training stopped and nothing was saved")
        return INTERRUPTED
    if history.memorized_at is not None:
        print(f"memorized at step {history.memorized_at}")
    else:
        print(
            f"not memorized after {history.steps} steps "
            f"(loss {history.loss[-1]:.4f}, accuracy {history.accuracy[-1]:.4f}): "
            "try more --steps or a larger --lr"
        )
    print(generate(net, data, prefix=args.text[0]))
    if args.save is not None:
        # Atomic: an error or Ctrl-C leaves the old file, never half a new one.
        with _file_errors(args.save, "cannot save to"):
            path = checkpoint.save(
                args.save,
                net,
                data,
                steps=history.steps,
                memorized_at=history.memorized_at,
            )
        print(f"saved to {path}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    with _file_errors(args.load, "cannot read"):
        net, vocabulary, meta = checkpoint.load(args.load)
    prefix = args.prefix
    if prefix is None:
        prefix = meta.get("first_char", vocabulary.chars[0])
    for char in prefix:
        if char not in vocabulary.char_to_index:
            raise UsageError(
                f"--prefix: character {char!r} is not in the vocabulary "
                f"{''.join(vocabulary.chars)!r} of {args.load!r}; "
                "use only characters the model was trained on"
            )
    length = args.length
    if length is None:
        text_length = meta.get("text_length")
        if not isinstance(text_length, int):
            raise UsageError(
                f"{args.load!r} does not record its text's length: pass --length"
            )
        length = max(text_length - len(prefix), 0)
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


@contextmanager
def _file_errors(path: str, action: str) -> Iterator[None]:
    """An OSError on `path`, a file the user named, is theirs to fix: one line.

    Our own checks name the file already ("no checkpoint at ..."); a message
    from the system ("No space left on device") gets `action` and `path`.
    """
    try:
        yield
    except OSError as error:
        if error.errno is None:
            raise UsageError(str(error)) from error
        raise UsageError(f"{action} {path!r}: {error.strerror}") from error


def _say(message: str) -> None:
    """``hello-rnn: message`` on stderr, as one line whatever `message` held."""
    print(f"{PROG}: {' '.join(message.split())}", file=sys.stderr)


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
