"""Saving a trained network and loading it back, safely.

A checkpoint holds everything needed to write text again: the weights, the
vocabulary's characters, the hyper-parameters that shape the network, and a
format name and version, so a later ``hello_rnn`` can tell what it is reading.
One written by :func:`save_training` also holds what going on with the run
needs (:class:`~hello_rnn.state.TrainingState`: Adam's state, the step, the
hidden state carried, the history, torch's random generator and the seed of
the passes' offsets), which
:func:`load_training` reads back; :func:`load` reads either kind.

Three promises:

- ``save`` is atomic: it writes a temporary file beside the target and renames
  it into place, so a crash, Ctrl-C or a full disk never leaves half a
  checkpoint, and an older good checkpoint at the same path survives.
- ``load`` uses ``torch.load(..., weights_only=True)``: it reads tensors and
  plain values only and never runs code stored in the file.
- ``load`` refuses a file it cannot use (damaged, too new, weights that hold
  NaN or infinity) with an :class:`~hello_rnn.errors.InvalidValueError` that
  names the file and the problem.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import pickle
import secrets
import struct
from pathlib import Path
from typing import Any

import torch

from .data import DataHandler, Vocabulary, vocabulary_and_text
from .errors import InvalidTypeError, InvalidValueError
from .model import CELLS, HelloRNN
from .state import LN2, History, TrainingState

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "save",
    "save_training",
    "load",
    "load_training",
    "check_save_path",
]

FORMAT_NAME = "hello_rnn.checkpoint"
#: The version of the format. Version 3's training states keep their losses in
#: nats (version 2's, read too, in bits); version 2's hold the seed of the passes'
#: random offsets; version 1's runs read every pass from the start of the text,
#: and cannot be resumed now.
FORMAT_VERSION = 3

PathLike = str | os.PathLike


def check_save_path(path: PathLike) -> Path:
    """Raise a readable error now if a checkpoint could not be written to `path`.

    The command line calls this before training, so a typo in ``--save`` costs
    nothing. It checks the folder exists, is a folder, and accepts a new file.

    Raises:
        FileNotFoundError: the folder does not exist.
        ~hello_rnn.errors.InvalidValueError: `path` is a folder, or its parent
            is not a folder.
        PermissionError: the folder does not let us create files.
    """
    path = _as_path(path)
    folder = path.parent
    if not folder.exists():
        raise FileNotFoundError(
            f"cannot save to {str(path)!r}: the folder {str(folder)!r} "
            "does not exist; create it first"
        )
    if not folder.is_dir():
        raise InvalidValueError(
            f"cannot save to {str(path)!r}: {str(folder)!r} is a file, not a folder"
        )
    if path.is_dir():
        raise InvalidValueError(
            f"cannot save to {str(path)!r}: it is a folder; "
            f"give a file name such as {str(path / 'hello.pt')!r}"
        )
    # The honest test of "can I write here?" is to try: permissions, read-only
    # file systems and the like all show up here, and for root too.
    probe = folder / f".{path.name}.{secrets.token_hex(4)}.probe"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        raise PermissionError(
            f"cannot save to {str(path)!r}: the folder {str(folder)!r} "
            f"is not writable ({error.strerror}); choose another folder"
        ) from None
    probe.unlink()
    return path


def save(
    path: PathLike, net: HelloRNN, vocabulary: Vocabulary | DataHandler, **meta: Any
) -> Path:
    """Write `net` and `vocabulary` to `path`, atomically.

    Args:
        path: the file to write (conventionally ``*.pt``); its folder must exist.
        net: the network to save (any device; the file holds CPU tensors).
        vocabulary: the characters it was trained on: a
            :class:`~hello_rnn.data.Vocabulary`, or the
            :class:`~hello_rnn.data.DataHandler` it learned, whose text's length
            (``text_length``) and first character (``first_char``) are recorded
            too, so ``hello-rnn sample`` can write as much as it learned.
        **meta: extra plain values to keep (numbers, strings, bools, None, and
            lists/dicts of them), for instance ``steps=37``.

    Returns:
        The path written, as a :class:`~pathlib.Path`.

    Raises:
        ~hello_rnn.errors.InvalidTypeError: an argument of the wrong type.
        ~hello_rnn.errors.InvalidValueError: the network and vocabulary differ,
            or `path` cannot be a file.
        OSError: the file could not be written (an older file at `path` is kept).
    """
    contents = _contents(net, vocabulary, meta)
    path = check_save_path(path)
    _write_atomically(path, contents)
    return path


def save_training(
    path: PathLike,
    net: HelloRNN,
    vocabulary: Vocabulary,
    state: TrainingState,
    **meta: Any,
) -> Path:
    """:func:`save`, and with it the state of the run, to go on with it later.

    Write one from ``train_on_corpus(..., on_step=...)``; read it back with
    :func:`load_training` and pass its state as ``train_on_corpus(...,
    resume=state)``. Only tensors and plain values are stored, so
    :func:`load` (``weights_only=True``) reads the file too.

    Args:
        path: the file to write; its folder must exist.
        net: the network to save.
        vocabulary: the characters it was trained on.
        state: where the run stands, a :class:`~hello_rnn.state.TrainingState`.
        **meta: extra plain values to keep, as for :func:`save`.

    Returns:
        The path written, as a :class:`~pathlib.Path`.
    """
    if not isinstance(state, TrainingState):
        raise InvalidTypeError(
            f"state must be a TrainingState, got {type(state).__name__}"
        )
    contents = _contents(net, vocabulary, meta)
    contents["training"] = {
        "step": state.step,
        "optimizer": _on_cpu(state.optimizer),
        "hidden": _on_cpu(state.hidden),  # None, [B, H], or an LSTM's pair
        "history": dataclasses.asdict(state.history),
        "rng": state.rng.cpu(),  # uint8
        "offset_seed": state.offset_seed,
    }
    path = check_save_path(path)
    _write_atomically(path, contents)
    return path


def _contents(
    net: HelloRNN, vocabulary: Vocabulary | DataHandler, meta: dict[str, Any]
) -> dict[str, Any]:
    """What :func:`save` writes: the network, its characters and `meta`, checked."""
    if not isinstance(net, HelloRNN):
        raise InvalidTypeError(f"net must be a HelloRNN, got {type(net).__name__}")
    vocabulary, text = vocabulary_and_text(vocabulary)
    net.check_vocabulary(vocabulary)
    if text is not None:
        meta = {"text_length": len(text), "first_char": text[0], **meta}
    for key, value in meta.items():
        _check_plain(key, value)
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "chars": list(vocabulary.chars),
        "num_chars": net.num_chars,
        "num_hidden": net.num_hidden,
        "cell": net.cell_name,
        "dropout": net.dropout,
        "state_dict": _on_cpu(net.state_dict()),
        "meta": dict(meta),
    }


def load(
    path: PathLike, map_location: torch.device | str | None = None
) -> tuple[HelloRNN, Vocabulary, dict]:
    """Read a checkpoint written by :func:`save` (or :func:`save_training`).

    Args:
        path: the checkpoint file.
        map_location: the device to put the network on; the CPU by default.

    Returns:
        The triple ``(net, vocabulary, meta)``, that is the network in eval mode,
        its :class:`~hello_rnn.data.Vocabulary`, and the extra values saved with it.

    Raises:
        FileNotFoundError: there is no file at `path`.
        OSError: the file could not be read (for instance PermissionError).
        ~hello_rnn.errors.InvalidValueError: the file is not a hello_rnn
            checkpoint (or is truncated), a newer hello_rnn wrote it, its
            weights hold NaN or infinity, or `map_location` is not a device here.
    """
    name, contents = _read(path)
    return _network(name, contents, map_location)


def load_training(
    path: PathLike, map_location: torch.device | str | None = None
) -> tuple[HelloRNN, Vocabulary, dict, TrainingState]:
    """Read a checkpoint written by :func:`save_training`, to go on with its run.

    Returns:
        The tuple ``(net, vocabulary, meta, state)``, that is what :func:`load`
        returns and the :class:`~hello_rnn.state.TrainingState` to pass to
        ``train_on_corpus(net, vocabulary, text, resume=state)`` (its tensors
        on the CPU; the run moves them where the network is).

    Raises:
        ~hello_rnn.errors.InvalidValueError: as for :func:`load`, and when the
            file holds no training state (:func:`save` wrote it).
    """
    name, contents = _read(path)
    net, vocabulary, meta = _network(name, contents, map_location)
    training = contents.get("training")
    if training is None:
        raise InvalidValueError(
            f"{name} holds a network but no training state to go on from: "
            "it was saved without one (train --text, or checkpoint.save)"
        )
    if contents["version"] < 2:
        raise InvalidValueError(
            f"{name} holds a run of an older hello_rnn (checkpoint format "
            f"{contents['version']}), whose passes over the text all started at its "
            "first character; this one starts each pass at a random offset, so it "
            "cannot go on with that run exactly. Its network still loads "
            "(checkpoint.load, hello-rnn sample); start a new run to train on"
        )
    try:
        hidden = training["hidden"]
        state = TrainingState(
            step=int(training["step"]),
            optimizer=dict(training["optimizer"]),
            hidden=tuple(hidden) if isinstance(hidden, list | tuple) else hidden,
            history=_history(training["history"], contents["version"]),
            rng=training["rng"],
            offset_seed=int(training["offset_seed"]),
        )
        if not isinstance(state.rng, torch.Tensor) or state.rng.dtype != torch.uint8:
            raise TypeError("its random generator state is not a uint8 tensor")
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidValueError(
            f"{name} is not a complete hello_rnn checkpoint: its training state "
            f"is damaged ({error})"
        ) from None
    return net, vocabulary, meta, state


def _history(saved: dict, version: int) -> History:
    """The history a training state holds; a version-2 file kept its losses in bits."""
    if version < 3:
        saved = dict(saved)
        for bits, nats in (
            ("train_bpc", "loss"),
            ("validation_bpc", "validation_loss"),
            ("train_slice_bpc", "train_slice_loss"),
        ):
            saved[nats] = [value * LN2 for value in saved.pop(bits)]
    return History(**saved)


# What torch.load raises for bytes that are not a whole torch file, found by trying
# (torch 2.13): empty, truncated, random, bit-flipped, another program's zip; and
# pickle.UnpicklingError, caught on its own. Anything else (an OSError from the disk,
# MemoryError, a bug's ZeroDivisionError or NameError) is not about the file's bytes,
# and keeps its own traceback.
_NOT_A_TORCH_FILE = (
    EOFError,  # empty, or cut short inside the pickle
    RuntimeError,  # torch's zip reader: cut short, not a torch zip, sizes that differ
    ValueError,  # UnicodeDecodeError and bad literals in a damaged pickle
    struct.error,  # an old-format (not zip) file cut short in a header
    # A damaged pickle: its opcodes pop an empty stack, name a missing memo entry
    # or storage, or build a tensor from the wrong pieces.
    IndexError,
    KeyError,
    TypeError,
    AttributeError,
    AssertionError,
)


def _read(path: PathLike) -> tuple[str, dict]:
    """The dictionary stored in the checkpoint at `path`, format checked, and its name."""
    path = _as_path(path)
    name = repr(str(path))
    if not path.exists():
        raise FileNotFoundError(
            f"no checkpoint at {name}: check the path, or train one with --save"
        )
    if path.is_dir():
        raise InvalidValueError(f"{name} is a folder, not a hello_rnn checkpoint file")
    with open(path, "rb") as file:  # a file we may not read raises its OSError here
        try:
            contents = torch.load(file, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError:  # weights_only=True refused it
            raise InvalidValueError(
                f"{name} is not a hello_rnn checkpoint: it is not a torch file of "
                "tensors and plain values only, the one kind hello_rnn loads "
                "(it never runs Python objects stored in a file)"
            ) from None
        except (OSError, *_NOT_A_TORCH_FILE) as error:  # truncated, damaged, not ours
            # In a truncated file torch's zip reader seeks to before the file's start
            # (EINVAL); any other OSError is a read that failed, not a damaged file.
            if isinstance(error, OSError) and error.errno != errno.EINVAL:
                raise
            raise InvalidValueError(
                f"{name} is not a hello_rnn checkpoint: it is truncated, damaged "
                "or some other kind of file"
            ) from None
    _check_format(name, contents)
    return name, contents


def _network(
    name: str, contents: dict, map_location: torch.device | str | None
) -> tuple[HelloRNN, Vocabulary, dict]:
    """The network, vocabulary and meta of a checkpoint's `contents`, checked."""
    try:
        vocabulary = Vocabulary(contents["chars"])
        cell = contents["cell"]
        if cell not in CELLS:
            raise InvalidValueError(f"unknown cell {cell!r}")
        net = HelloRNN(
            contents["num_chars"],
            contents["num_hidden"],
            cell=cell,
            dropout=contents.get("dropout", 0.0),  # (none before it was saved)
        )
        net.load_state_dict(contents["state_dict"])
        meta = dict(contents.get("meta", {}))
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        raise InvalidValueError(
            f"{name} is not a complete hello_rnn checkpoint: {error}"
        ) from None
    if vocabulary.num_characters != net.num_chars:
        raise InvalidValueError(
            f"{name} is not a consistent hello_rnn checkpoint: "
            "vocabulary and network differ"
        )
    _check_finite(name, net)
    try:
        net.to(map_location if map_location is not None else "cpu")
    except (AssertionError, RuntimeError) as error:
        # (torch says "not compiled with CUDA" with an assert)
        raise InvalidValueError(
            f"cannot put the network on map_location={map_location!r}: {error}"
        ) from None
    net.eval()
    return net, vocabulary, meta


def _check_format(name: str, checkpoint: object) -> None:
    """Raise unless `checkpoint` has our format tag and a version we can read."""
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT_NAME:
        raise InvalidValueError(
            f"{name} is not a hello_rnn checkpoint: "
            f"it has no {FORMAT_NAME!r} format tag"
        )
    version = checkpoint.get("version")
    if not isinstance(version, int) or version < 1:
        raise InvalidValueError(
            f"{name} is not a hello_rnn checkpoint: its format version is {version!r}"
        )
    if version > FORMAT_VERSION:
        raise InvalidValueError(
            f"{name} has checkpoint format version {version}, but this hello_rnn "
            f"reads up to version {FORMAT_VERSION}: upgrade hello_rnn to load it"
        )


def _check_finite(name: str, net: HelloRNN) -> None:
    """Raise if a weight holds NaN or infinity: such a network writes only garbage."""
    for weight, tensor in net.state_dict().items():
        kinds = [
            kind
            for kind, test in (("NaN", torch.isnan), ("infinity", torch.isinf))
            if test(tensor).any()
        ]
        if kinds:
            raise InvalidValueError(
                f"{name} cannot be used: its weight {weight!r} holds "
                f"{' and '.join(kinds)}; the training that wrote it diverged, "
                "so train again (a smaller learning rate helps)"
            )


def _write_atomically(path: Path, obj: dict) -> None:
    """torch.save to a temporary file beside `path`, fsync it, rename it over `path`.

    An exception at any point, Ctrl-C too, removes the temporary file and
    leaves `path` as it was.
    """
    temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    # os.open with 0o666 lets the umask decide the permissions, as for any new file.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            torch.save(obj, file)
            file.flush()
            os.fsync(file.fileno())
        # Atomic on POSIX and Windows: readers see the old file or the new, never half.
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable, where the system allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _on_cpu(value: Any) -> Any:
    """`value` with every tensor in it (in dicts, lists, tuples) detached, on the CPU."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {key: _on_cpu(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_on_cpu(item) for item in value)
    return value


def _as_path(path: object) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise InvalidTypeError(
            f"path must be a str or a path, got {type(path).__name__}"
        )
    if str(path) == "":
        raise InvalidValueError(
            "path must not be empty: give a file name such as 'hello.pt'"
        )
    return Path(path)


def _check_plain(key: str, value: object) -> None:
    """Only values ``torch.load(weights_only=True)`` reads back: numbers, strings...

    The types themselves, not their subclasses: ``torch.__version__`` is a
    ``str`` that such a load refuses, so the file could not be read back.
    """
    if value is None or type(value) in (bool, int, float, str):
        return
    if type(value) in (list, tuple):
        for item in value:
            _check_plain(key, item)
        return
    if type(value) is dict:
        for name, item in value.items():
            if type(name) not in (str, int):
                raise InvalidTypeError(
                    f"meta {key!r} has a key {name!r} that is not a str or int"
                )
            _check_plain(key, item)
        return
    plain = next(
        (
            kind
            for kind in (bool, int, float, str, list, tuple, dict)
            if isinstance(value, kind)
        ),
        None,
    )
    hint = (
        f" (a kind of {plain.__name__}: pass {plain.__name__}(value))" if plain else ""
    )
    raise InvalidTypeError(
        f"meta {key!r} must hold only numbers, strings, bools, None, lists and dicts, "
        f"got {type(value).__name__}{hint}"
    )
