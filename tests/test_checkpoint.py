"""Checkpoints: the round trip, atomic saves, and a clear error for every bad file."""

import copy
import errno
import os
import pickle
import random
import zipfile

import pytest
import torch

from hello_rnn import (
    DataHandler,
    HelloRNN,
    InvalidTypeError,
    InvalidValueError,
    Vocabulary,
    checkpoint,
    default_corpus,
    generate,
    train,
    train_on_corpus,
)
from hello_rnn.state import LN2


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_round_trip_writes_the_same_text(tmp_path, trained, hello):
    path = checkpoint.save(tmp_path / "hello.pt", trained, hello, steps=42)
    net, vocabulary, meta = checkpoint.load(path)
    assert isinstance(net, HelloRNN) and isinstance(vocabulary, Vocabulary)
    assert vocabulary.chars == hello.chars
    assert (net.num_chars, net.num_hidden, net.cell_name) == (9, 50, "torch")
    assert meta == {"text_length": 11, "first_char": "H", "steps": 42}
    assert generate(net, vocabulary, length=meta["text_length"] - 1) == "Hello, RNN!"
    for name, tensor in trained.state_dict().items():
        assert torch.equal(net.state_dict()[name], tensor)
    assert not net.training
    assert _files(tmp_path) == ["hello.pt"]  # no temporary files left behind


def test_round_trip_keeps_the_scratch_cell_and_sampling(tmp_path, hello):
    torch.manual_seed(3)
    net = HelloRNN(hello.num_characters, 16, cell="scratch")
    train(net, hello, steps=5, stop_when_memorized=False)
    checkpoint.save(tmp_path / "scratch.pt", net, hello)
    loaded, vocabulary, _ = checkpoint.load(str(tmp_path / "scratch.pt"))
    assert loaded.cell_name == "scratch"
    before = generate(net, hello, length=30, temperature=1.0, seed=7)
    assert generate(loaded, vocabulary, length=30, temperature=1.0, seed=7) == before


def test_round_trip_keeps_dropout_and_a_file_without_it_has_none(tmp_path, hello):
    torch.manual_seed(3)
    net = HelloRNN(hello.num_characters, 16, cell="lstm", dropout=0.3)
    checkpoint.save(tmp_path / "d.pt", net, hello)
    assert checkpoint.load(tmp_path / "d.pt")[0].dropout == 0.3
    older = torch.load(tmp_path / "d.pt", weights_only=True)
    del older["dropout"]  # as hello_rnn wrote it before dropout existed
    torch.save(older, tmp_path / "older.pt")
    assert checkpoint.load(tmp_path / "older.pt")[0].dropout == 0.0


def test_a_bare_vocabulary_records_no_text_length(tmp_path, trained, hello):
    checkpoint.save(tmp_path / "v.pt", trained, Vocabulary(hello.chars))
    assert checkpoint.load(tmp_path / "v.pt")[2] == {}


def test_loaded_network_lands_on_the_cpu_or_map_location(tmp_path, trained, hello):
    checkpoint.save(tmp_path / "h.pt", trained, hello)
    for map_location in (None, "cpu", torch.device("cpu")):
        net, _, _ = checkpoint.load(tmp_path / "h.pt", map_location=map_location)
        assert all(p.device.type == "cpu" for p in net.parameters())


def test_a_device_this_machine_lacks_is_a_value_error(tmp_path, trained, hello):
    checkpoint.save(tmp_path / "h.pt", trained, hello)
    with pytest.raises(
        InvalidValueError, match="cannot put the network on map_location='bogus'"
    ):
        checkpoint.load(tmp_path / "h.pt", map_location="bogus")
    if not torch.cuda.is_available():
        with pytest.raises(InvalidValueError, match="map_location='cuda'"):
            checkpoint.load(tmp_path / "h.pt", map_location="cuda")


def test_saving_again_replaces_the_file(tmp_path, hello):
    path = tmp_path / "h.pt"
    first, second = HelloRNN(9, 4), HelloRNN(9, 6)
    checkpoint.save(path, first, hello)
    checkpoint.save(path, second, hello)
    assert checkpoint.load(path)[0].num_hidden == 6
    assert _files(tmp_path) == ["h.pt"]


def test_a_failed_save_leaves_the_old_checkpoint_intact(
    tmp_path, monkeypatch, trained, hello
):
    path = tmp_path / "hello.pt"
    checkpoint.save(path, trained, hello)
    good = path.read_bytes()

    def full_disk(obj, file, *args, **kwargs):
        file.write(b"half a checkpoint")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", full_disk)
    with pytest.raises(OSError, match="No space left"):
        checkpoint.save(path, HelloRNN(9, 3), hello)
    assert path.read_bytes() == good
    assert _files(tmp_path) == ["hello.pt"]  # the temporary file is gone too
    monkeypatch.undo()
    assert generate(checkpoint.load(path)[0], hello) == "Hello, RNN!"


def test_ctrl_c_while_saving_leaves_the_old_checkpoint_intact(
    tmp_path, monkeypatch, trained, hello
):
    path = checkpoint.save(tmp_path / "hello.pt", trained, hello)
    good = path.read_bytes()

    def interrupted(obj, file, *args, **kwargs):
        file.write(b"half a checkpoint")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save(path, HelloRNN(9, 3), hello)
    assert path.read_bytes() == good
    assert _files(tmp_path) == ["hello.pt"]


def test_a_failed_rename_leaves_no_file(tmp_path, monkeypatch, trained, hello):
    def broken_replace(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(PermissionError):
        checkpoint.save(tmp_path / "new.pt", trained, hello)
    assert _files(tmp_path) == []


def test_a_missing_file_is_named(tmp_path):
    missing = tmp_path / "nope.pt"
    with pytest.raises(FileNotFoundError, match="no checkpoint at .*nope.pt"):
        checkpoint.load(missing)


def test_a_truncated_checkpoint_is_not_a_checkpoint(tmp_path, trained, hello):
    path = checkpoint.save(tmp_path / "h.pt", trained, hello)
    data = path.read_bytes()
    for cut in (0, 10, len(data) // 2, len(data) - 10):
        path.write_bytes(data[:cut])
        with pytest.raises(InvalidValueError, match="is not a hello_rnn checkpoint"):
            checkpoint.load(path)


def test_other_files_are_not_checkpoints(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("Hello, RNN!\n")
    torch.save(
        {"weight": torch.zeros(3)}, tmp_path / "other.pt"
    )  # a torch file, but not ours
    torch.save([1, 2, 3], tmp_path / "list.pt")
    (tmp_path / "noise.bin").write_bytes(random.Random(0).randbytes(4096))
    with zipfile.ZipFile(tmp_path / "photos.zip", "w") as archive:
        archive.writestr("photo.txt", "not a tensor")
    for name in ("notes.txt", "other.pt", "list.pt", "noise.bin", "photos.zip"):
        with pytest.raises(InvalidValueError, match="is not a hello_rnn checkpoint"):
            checkpoint.load(tmp_path / name)
    with pytest.raises(InvalidValueError, match="is a folder"):
        checkpoint.load(tmp_path)


@pytest.mark.parametrize(
    "failure",
    [
        ZeroDivisionError("division by zero"),  # a bug in the code that reads
        OSError(errno.EIO, "Input/output error"),  # the disk, not the file's bytes
    ],
)
def test_a_bug_or_a_failed_read_keeps_its_traceback(
    tmp_path, monkeypatch, trained, hello, failure
):
    """Only a file's bytes make "not a hello_rnn checkpoint"."""
    path = checkpoint.save(tmp_path / "h.pt", trained, hello)

    def failing_load(*args, **kwargs):
        raise failure

    monkeypatch.setattr(torch, "load", failing_load)
    with pytest.raises(type(failure)) as caught:
        checkpoint.load(path)
    assert caught.value is failure
    assert caught.traceback[-1].name == "failing_load"
    assert "_read" in [entry.name for entry in caught.traceback]


class _Sneaky:
    """Unpickling this would create a file: code a checkpoint must never run."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_loading_never_runs_code_from_the_file(tmp_path):
    marker = tmp_path / "ran.txt"
    with open(tmp_path / "evil.pt", "wb") as file:
        pickle.dump(
            {"format": checkpoint.FORMAT_NAME, "payload": _Sneaky(marker)},
            file,
            protocol=2,
        )
    torch.save(
        {"format": checkpoint.FORMAT_NAME, "payload": _Sneaky(marker)},
        tmp_path / "evil2.pt",
    )
    marker.unlink(
        missing_ok=True
    )  # torch.save itself does not run __reduce__'s result, but be sure
    for name in ("evil.pt", "evil2.pt"):
        with pytest.raises(InvalidValueError, match="is not a hello_rnn checkpoint"):
            checkpoint.load(tmp_path / name)
    assert not marker.exists()


def _rewrite(path, **changes):
    raw = torch.load(path, weights_only=True)
    raw.update(changes)
    torch.save(raw, path)


def test_a_newer_format_asks_for_an_upgrade(tmp_path, trained, hello):
    path = checkpoint.save(tmp_path / "h.pt", trained, hello)
    newer = checkpoint.FORMAT_VERSION + 1
    _rewrite(path, version=newer)
    expected = (
        f"version {newer}.*up to version {checkpoint.FORMAT_VERSION}.*upgrade hello_rnn"
    )
    with pytest.raises(InvalidValueError, match=expected):
        checkpoint.load(path)


@pytest.mark.parametrize(
    "changes",
    [
        {"version": 0},
        {"version": "1"},
        {"cell": "lstm"},
        {"num_hidden": 7},
        {"chars": ["a", "a"]},
        {"state_dict": {}},
    ],
)
def test_inconsistent_contents_are_reported(tmp_path, trained, hello, changes):
    path = checkpoint.save(tmp_path / "h.pt", trained, hello)
    _rewrite(path, **changes)
    with pytest.raises(InvalidValueError, match="hello_rnn checkpoint"):
        checkpoint.load(path)


def test_saving_into_a_missing_folder_names_the_folder(tmp_path, trained, hello):
    with pytest.raises(
        FileNotFoundError, match="the folder .*missing.* does not exist"
    ):
        checkpoint.save(tmp_path / "missing" / "h.pt", trained, hello)
    assert _files(tmp_path) == []


def test_saving_onto_a_folder_or_under_a_file_is_refused(tmp_path, trained, hello):
    with pytest.raises(InvalidValueError, match="it is a folder"):
        checkpoint.save(tmp_path, trained, hello)
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(InvalidValueError, match="is a file, not a folder"):
        checkpoint.save(tmp_path / "file.txt" / "h.pt", trained, hello)


def test_saving_into_an_unwritable_folder_is_a_permission_error(
    unwritable_folder, trained, hello
):
    with pytest.raises(PermissionError, match="is not writable"):
        checkpoint.save(unwritable_folder / "hello-rnn-test.pt", trained, hello)
    assert not (unwritable_folder / "hello-rnn-test.pt").exists()


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (
            (HelloRNN(5, 4), DataHandler("Hello, RNN!")),
            InvalidValueError,
            "vocabulary has 9 characters but the network",
        ),
        (
            ("not a net", DataHandler("Hello, RNN!")),
            InvalidTypeError,
            "net must be a HelloRNN",
        ),
        (
            (HelloRNN(9, 4), "Hello, RNN!"),
            InvalidTypeError,
            "vocabulary must be a Vocabulary",
        ),
    ],
)
def test_bad_save_arguments(tmp_path, args, error, match):
    with pytest.raises(error, match=match):
        checkpoint.save(tmp_path / "h.pt", *args)
    assert _files(tmp_path) == []


def test_meta_must_be_plain_values(tmp_path, trained, hello):
    checkpoint.save(
        tmp_path / "ok.pt",
        trained,
        hello,
        note="hi",
        losses=[1.5, 0.5],
        extra={"a": None, "b": True},
    )
    assert checkpoint.load(tmp_path / "ok.pt")[2]["extra"] == {"a": None, "b": True}
    with pytest.raises(InvalidTypeError, match="meta 'when' must hold only"):
        checkpoint.save(tmp_path / "bad.pt", trained, hello, when=object())
    with pytest.raises(InvalidTypeError, match="path must be a str or a path"):
        checkpoint.save(3, trained, hello)


def test_meta_refuses_a_subclass_that_would_not_load_back(tmp_path, trained, hello):
    # torch.__version__ is a str, but torch.load(weights_only=True) refuses its class:
    # saved as it is, the file could never be read again.
    assert isinstance(torch.__version__, str)
    with pytest.raises(
        InvalidTypeError, match=r"TorchVersion \(a kind of str: pass str"
    ):
        checkpoint.save(tmp_path / "v.pt", trained, hello, torch=torch.__version__)
    assert _files(tmp_path) == []
    checkpoint.save(tmp_path / "v.pt", trained, hello, torch=str(torch.__version__))
    assert checkpoint.load(tmp_path / "v.pt")[2]["torch"] == str(torch.__version__)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_gpu_network_saves_cpu_tensors_and_loads_anywhere(tmp_path, trained, hello):
    on_gpu = trained.with_cell("torch").cuda()
    path = checkpoint.save(tmp_path / "gpu.pt", on_gpu, hello)
    net, vocabulary, _ = checkpoint.load(path)
    assert all(p.device.type == "cpu" for p in net.parameters())
    net, vocabulary, _ = checkpoint.load(path, map_location="cuda")
    assert all(p.is_cuda for p in net.parameters())
    assert generate(net, vocabulary, length=10) == "Hello, RNN!"


@pytest.mark.parametrize(
    ("weight", "values", "found"),
    [
        ("readout.weight", [float("nan")], "NaN"),
        ("cell.weight_hh_l0", [float("inf")], "infinity"),
        ("readout.bias", [float("-inf"), float("nan")], "NaN and infinity"),
    ],
)
def test_weights_that_are_not_finite_are_refused(
    tmp_path, trained, hello, weight, values, found
):
    path = checkpoint.save(tmp_path / "h.pt", trained, hello)
    raw = torch.load(path, weights_only=True)
    for i, value in enumerate(values):
        raw["state_dict"][weight].view(-1)[i] = value
    torch.save(raw, path)
    with pytest.raises(InvalidValueError) as error:
        checkpoint.load(path)
    message = str(error.value)
    assert repr(str(path)) in message
    assert f"its weight {weight!r} holds {found};" in message


# --- A run's state, to go on with it ---


def _a_run_state(cell="torch", steps=3):
    """A small network trained `steps` steps on a corpus, and the state it stopped in."""
    text = default_corpus(max_chars=2_000)
    vocabulary = Vocabulary(set(text))
    torch.manual_seed(0)
    net = HelloRNN(vocabulary.num_characters, 8, cell=cell)
    states = []
    train_on_corpus(
        net,
        vocabulary,
        text,
        steps=steps,
        seq_len=16,
        batch_size=4,
        on_step=lambda net, state: states.append(copy.deepcopy(state)),
    )
    return net, vocabulary, states[-1]


@pytest.mark.parametrize("cell", ["torch", "lstm"])
def test_a_training_state_round_trip(tmp_path, cell):
    net, vocabulary, state = _a_run_state(cell)
    path = checkpoint.save_training(tmp_path / "run.pt", net, vocabulary, state, a=1)
    loaded, chars, meta, back = checkpoint.load_training(path)
    assert chars.chars == vocabulary.chars and meta == {"a": 1}
    assert back.step == 3 and back.history == state.history
    assert back.offset_seed == state.offset_seed
    assert torch.equal(back.rng, state.rng) and back.rng.dtype == torch.uint8
    hidden = state.hidden if cell == "lstm" else (state.hidden,)
    got = back.hidden if cell == "lstm" else (back.hidden,)
    assert isinstance(back.hidden, tuple) == (cell == "lstm")
    assert all(torch.equal(a, b) for a, b in zip(got, hidden, strict=True))
    moments = [m for s in back.optimizer["state"].values() for m in s.values()]
    saved = [m for s in state.optimizer["state"].values() for m in s.values()]
    assert all(torch.equal(a, b) for a, b in zip(moments, saved, strict=True))
    assert back.optimizer["param_groups"] == state.optimizer["param_groups"]
    for name, tensor in net.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor)
    # Tensors and plain values only; and load() reads it as any checkpoint.
    assert torch.load(path, weights_only=True)["training"]["step"] == 3
    assert checkpoint.load(path)[2] == {"a": 1}
    assert _files(tmp_path) == ["run.pt"]


def test_a_checkpoint_without_a_training_state_cannot_be_resumed(
    tmp_path, trained, hello
):
    path = checkpoint.save(tmp_path / "h.pt", trained, hello)
    with pytest.raises(InvalidValueError, match="no training state to go on from"):
        checkpoint.load_training(path)


@pytest.mark.parametrize(
    "damage",
    [
        lambda training: training.pop("optimizer"),
        lambda training: training.update(history={"losses": []}),
        lambda training: training.update(rng=[1, 2, 3]),
    ],
    ids=["no optimizer", "bad history", "bad rng"],
)
def test_a_damaged_training_state_is_reported(tmp_path, damage):
    net, vocabulary, state = _a_run_state()
    path = checkpoint.save_training(tmp_path / "run.pt", net, vocabulary, state)
    raw = torch.load(path, weights_only=True)
    damage(raw["training"])
    torch.save(raw, path)
    with pytest.raises(InvalidValueError, match="its training state is damaged"):
        checkpoint.load_training(path)


def test_a_run_saved_with_its_losses_in_bits_goes_on_with_them_in_nats(tmp_path):
    """Format 2 kept a run's losses in bits per character; they are read back in nats."""
    net, vocabulary, state = _a_run_state()
    path = checkpoint.save_training(tmp_path / "run.pt", net, vocabulary, state)
    raw = torch.load(path, weights_only=True)
    history = raw["training"]["history"]
    for nats, bits in (
        ("loss", "train_bpc"),
        ("validation_loss", "validation_bpc"),
        ("train_slice_loss", "train_slice_bpc"),
    ):
        history[bits] = [value / LN2 for value in history.pop(nats)]
    _rewrite(path, version=2, training=raw["training"])
    *_, older = checkpoint.load_training(path)
    assert older.history.loss == pytest.approx(state.history.loss, rel=1e-12)
    assert older.history.validation_bpc == pytest.approx(state.history.validation_bpc)
    assert older.step == state.step


def test_a_run_saved_by_an_older_hello_rnn_loads_its_network_but_is_not_resumed(
    tmp_path,
):
    """Format 1 read every pass from the text's start: going on with it would not be that run."""
    net, vocabulary, state = _a_run_state()
    path = checkpoint.save_training(tmp_path / "run.pt", net, vocabulary, state, a=1)
    raw = torch.load(path, weights_only=True)
    del raw["training"]["offset_seed"]
    _rewrite(path, version=1, training=raw["training"])
    with pytest.raises(
        InvalidValueError,
        match=r"older hello_rnn \(checkpoint format 1\).*random offset.*start a new run",
    ):
        checkpoint.load_training(path)
    loaded, _, meta = checkpoint.load(path)  # the network itself is still good
    assert meta == {"a": 1}
    for name, tensor in net.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor)


def test_save_training_wants_a_training_state(tmp_path, trained, hello):
    with pytest.raises(InvalidTypeError, match="state must be a TrainingState"):
        checkpoint.save_training(tmp_path / "h.pt", trained, hello, {"step": 3})
    assert _files(tmp_path) == []
