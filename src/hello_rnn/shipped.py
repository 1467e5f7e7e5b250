"""The trained network that ships with the package, for the book's live sampler.

``scripts/ship_sampler_network.py`` trains chapter 7's short setting once
(:data:`~hello_rnn.settings.GOING_BIGGER_SIZES` ``["short"]``, seed
:data:`~hello_rnn.settings.GOING_BIGGER_SEED`), saves it with
:func:`hello_rnn.checkpoint.save` into ``results/sampler/`` and writes its SHA-256
into a record beside it. The book's Sphinx extension (``book/_ext/live_sampler.py``)
reads it from here, checked, and exports its weights for the sampler that runs
in the reader's browser; the first page of the book quotes what it writes.
"""

from __future__ import annotations

import json
from pathlib import Path

from ._digest import verified_bytes
from .errors import InvalidValueError
from .model import HelloRNN

__all__ = [
    "LONG",
    "LONG_RUN_RECORDS",
    "SHIPPED",
    "SHIPPED_NETWORKS",
    "load_long_run",
    "load_shipped",
    "long_run_record",
    "shipped_record",
]

#: The folder of the shipped networks (``<name>.pt`` and its record ``<name>.json``).
SHIPPED = Path(__file__).resolve().parent / "results" / "sampler"
#: The folder of chapter 7's long runs (``benchmarks/long_runs.py``), each a
#: ``<name>.pt`` and its record ``<name>.json``.
LONG = Path(__file__).resolve().parent / "results" / "long"
#: The long runs that ship, and the SHA-256 of each one's record
#: (``<name>.json``), which holds its network's SHA-256 in turn.
LONG_RUN_RECORDS: dict[str, str] = {
    "rnn": "23f520e8c2a29fa858a958e1533e6a7ea3aef23deb35bb9afb725a33374a79ca",
    "lstm": "5732278fb403a48812e49c1f1f7be3111425a31ef61345feb256aa76c5ac7da1",
    "lstm_no_dropout": "15955e4e96cfb95325579582f9ce64efd2a33c946de69c9839826cb205cf2537",
    "lstm_short_schedule": "784eaba8c3995f0283244584b6981635ccb506507a58e5e95be2e5d7971baaa4",
    "rnn_no_dropout": "dd86b2c4d7b02be54f0ff09253417411af8ca231fa0b3eed968eb30272e63748",
}
#: The names of the networks that ship.
SHIPPED_NETWORKS: tuple[str, ...] = ("shakespeare_short",)


def shipped_record(name: str = "shakespeare_short") -> dict:
    """The record of the shipped network `name`: ``{"file", "sha256", ...}``.

    Besides the checkpoint's file name and SHA-256 it says how the network was
    trained (``setting``, ``sizes``, ``seed``, ``steps``, ``validation_bpc``,
    ``torch``), as ``scripts/ship_sampler_network.py`` wrote it.
    """
    if name not in SHIPPED_NETWORKS:
        raise InvalidValueError(
            f"no shipped network {name!r}; the package ships {SHIPPED_NETWORKS}"
        )
    path = SHIPPED / f"{name}.json"
    if not path.is_file():
        raise InvalidValueError(
            f"no record at {path}; run: python scripts/ship_sampler_network.py"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def load_shipped(name: str = "shakespeare_short"):
    """The shipped network `name`, its vocabulary and its record, checked.

    Returns:
        ``(net, vocabulary, record)``: a :class:`~hello_rnn.model.HelloRNN` on
        the CPU in eval mode, its :class:`~hello_rnn.data.Vocabulary`, and
        :func:`shipped_record` merged with what the checkpoint kept.

    Raises:
        ~hello_rnn.errors.InvalidValueError: the checkpoint is missing, or its
            SHA-256 is not the one in its record.
    """
    from . import checkpoint

    record = shipped_record(name)
    path = SHIPPED / record["file"]
    verified_bytes(path, record["sha256"], "scripts/ship_sampler_network.py")
    net, vocabulary, meta = checkpoint.load(path)
    if not isinstance(net, HelloRNN) or net.cell_name not in ("torch", "scratch"):
        raise InvalidValueError(f"{path}: the live sampler needs a plain RNN cell")
    net.eval()
    return net, vocabulary, {**meta, **record}


def long_run_record(name: str) -> dict:
    """The record of chapter 7's long run `name` (``"rnn"`` or ``"lstm"``), checked.

    What ``benchmarks/long_runs.py`` wrote: the settings, the learning curve
    (``curve``: step, training and validation bpc, rate, wall time and a sample
    at every scoring), the best step and its scores (``final``), wall time,
    machine, torch and commit, and the network's file and SHA-256.
    """
    if name not in LONG_RUN_RECORDS:
        raise InvalidValueError(
            f"no long run {name!r}; the package ships {tuple(LONG_RUN_RECORDS)}"
        )
    data = verified_bytes(
        LONG / f"{name}.json", LONG_RUN_RECORDS[name], "benchmarks/long_runs.py"
    )
    return json.loads(data)


def load_long_run(name: str):
    """The network of the long run `name`, its vocabulary and its record, checked.

    Returns:
        ``(net, vocabulary, record)``: a :class:`~hello_rnn.model.HelloRNN` on
        the CPU in eval mode, its :class:`~hello_rnn.data.Vocabulary`, and
        :func:`long_run_record`.
    """
    from . import checkpoint

    record = long_run_record(name)
    if record["file"] is None:
        raise InvalidValueError(
            f"{name!r} is a control or a follow-up: its record ships, its network does not"
        )
    path = LONG / record["file"]
    verified_bytes(path, record["sha256"], "benchmarks/long_runs.py")
    net, vocabulary, _ = checkpoint.load(path)
    return net, vocabulary, record
