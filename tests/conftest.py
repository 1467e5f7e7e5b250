"""Shared fixtures: the text, and a network that has learned it (trained once)."""

import os
import sys
from pathlib import Path

import pytest
import torch

from hello_rnn import DataHandler, HelloRNN, train

# Tests draw on no screen. pytest reads this file before any test module, so
# matplotlib, imported by those, is not loaded yet. (hello_rnn.plots leaves the
# backend alone: a script's plt.show() must still open a window.)
os.environ.setdefault("MPLBACKEND", "Agg")

# One thread: on a small shared machine, threads fighting over two cores are slower.
torch.set_num_threads(1)

TEXT = "Hello, RNN!"


@pytest.fixture(scope="session")
def hello() -> DataHandler:
    return DataHandler(TEXT)


@pytest.fixture(scope="session")
def trained(hello):
    """A HelloRNN(9, 50) that writes "Hello, RNN!" from "H". Do not train it further."""
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50)
    history = train(net, hello)
    assert history.memorized_at is not None
    return net


@pytest.fixture
def unwritable_folder(tmp_path):
    """A folder in which creating a file fails.

    Read-only for a normal user; /proc for root on Linux.
    """
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if not os.access(folder, os.W_OK):
        yield folder
    elif sys.platform.startswith("linux") and Path("/proc").is_dir():
        yield Path("/proc")  # root may write anywhere, but not new files into /proc
    else:
        pytest.skip("no folder this user cannot write to")
    folder.chmod(0o755)


@pytest.fixture
def progress_bars(monkeypatch) -> list:
    """Every tqdm bar the package opens during the test, in order."""
    import tqdm.auto

    bars = []

    class Bar(tqdm.auto.tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            bars.append(self)

    monkeypatch.setattr(tqdm.auto, "tqdm", Bar)
    return bars
