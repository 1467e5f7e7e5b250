"""The command line on a long text: --file and --corpus, saving as it goes, Ctrl-C, --resume.

Small texts, tiny networks and a few steps: each run takes a fraction of a second.
"""

import contextlib
import hashlib
import os
import signal
import subprocess
import sys

import pytest
import torch
from test_cli import (
    ENV,
    WITH_CTRL_C,
    _must_not_train,
    _one_error_line,
    _read_to_the_end,
    _read_until,
    _terminal,
    needs_signals,
)

from hello_rnn import _long_run, checkpoint, cli, default_corpus
from hello_rnn._ctrl_c import Stopped, stop_between_steps
from hello_rnn.shakespeare import SHAKESPEARE_SHA256

# A tiny network on a short text: what every run here shares.
SMALL = ["--hidden", "8", "--seq-len", "16", "--batch-size", "4", "--quiet"]


@pytest.fixture
def text_file(tmp_path):
    """3,000 characters of the shipped Shakespeare, in a UTF-8 file."""
    path = tmp_path / "mytext.txt"
    path.write_text(default_corpus(max_chars=3_000), encoding="utf-8")
    return path


def _train(*argv):
    return cli.main(["train", *SMALL, *map(str, argv)])


def test_train_on_a_file_records_where_the_text_came_from(text_file, capsys):
    saved = text_file.with_name("mytext.pt")
    assert _train("--file", text_file, "--steps", 6, "--save", saved) == 0
    summary, where = capsys.readouterr().out.splitlines()
    assert summary.startswith("step 6: train ") and ", validation " in summary
    assert "on a training slice scored alike" in summary
    assert summary.endswith(" characters a second")
    assert where == f"saved to {saved}"

    net, vocabulary, meta, state = checkpoint.load_training(saved)
    assert state.step == state.history.steps == 6
    assert meta["text"] == {
        "file": str(text_file),
        "length": 3_000,
        "sha256": hashlib.sha256(text_file.read_bytes()).hexdigest(),
    }
    assert meta["steps"] == 6 and meta["first_char"] == default_corpus()[0]
    assert meta["settings"] == {
        "cell": "torch",
        "hidden": 8,
        "lr": 0.002,
        "clamp": 1.0,
        "clip_norm": None,
        "steps": 6,
        "seed": 0,
        "seq_len": 16,
        "batch_size": 4,
        "validation": 0.1,
        "eval_every": 1,
        "save_every": 1,
    }
    assert meta["bpc"] == {
        "train": state.history.train_bpc[-1],
        "validation": state.history.validation_bpc[-1],
        "train_slice": state.history.train_slice_bpc[-1],
    }
    assert net.num_hidden == 8 and vocabulary.chars == sorted(
        set(default_corpus(3_000))
    )


def test_the_shipped_corpus_and_clip_norm(tmp_path, capsys):
    saved = tmp_path / "bard.pt"
    argv = ["--corpus", "shakespeare", "--steps", 2, "--validation", 0.01]
    assert _train(*argv, "--clip-norm", 0.5, "--save", saved) == 0
    meta = checkpoint.load(saved)[2]
    assert meta["text"] == {
        "corpus": "shakespeare",
        "length": len(default_corpus()),
        "sha256": SHAKESPEARE_SHA256,
    }
    assert (meta["settings"]["clamp"], meta["settings"]["clip_norm"]) == (None, 0.5)


def test_a_long_text_is_kept_as_one_byte_a_character(text_file):
    text = _long_run._read_long_text({"file": str(text_file)})
    assert text.indices.dtype == torch.uint8 and text.indices.shape == (3_000,)
    assert text.vocabulary.decode(text.indices.long()) == text_file.read_text()
    many = text_file.with_name("many.txt")
    many.write_text("".join(chr(0x4E00 + i) for i in range(300)) * 2)  # 300 characters
    assert _long_run._read_long_text({"file": str(many)}).indices.dtype == torch.int16


@pytest.mark.parametrize("cell", ["torch", "scratch", "gru", "lstm"])
def test_sample_writes_with_every_cell_and_tells_what_it_learned(
    cell, text_file, capsys
):
    saved = text_file.with_name(f"{cell}.pt")
    assert (
        _train("--file", text_file, "--cell", cell, "--steps", 2, "--save", saved) == 0
    )
    capsys.readouterr()
    argv = ["sample", "--load", str(saved), "--temperature", "1", "--length", "40"]
    assert cli.main(argv) == 0
    written = capsys.readouterr().out
    assert len(written) == 1 + 40 + 1 and written.startswith(default_corpus()[0])
    assert cli.main(["sample", "--load", str(saved)]) == 0  # after a long text: 1000
    assert len(capsys.readouterr().out) == 1 + cli.LONG_SAMPLE + 1

    assert cli.main(["sample", "--load", str(saved), "--info"]) == 0
    info = capsys.readouterr().out
    digest = hashlib.sha256(text_file.read_bytes()).hexdigest()
    assert f"{cell} cell, 8 hidden units" in info
    assert f"{str(text_file)!r}, 3,000 characters, SHA-256 {digest}" in info
    assert "seq_len=16 batch_size=4" in info and "steps       2 of 2" in info
    state = checkpoint.load_training(saved)[3]
    assert f"final bpc   train {state.history.train_bpc[-1]:.3f}, validation " in info
    assert f", training slice {state.history.train_slice_bpc[-1]:.3f}" in info


def test_info_on_a_short_text_and_on_a_bare_checkpoint(tmp_path, saved, capsys):
    path = tmp_path / "short.pt"
    assert cli.main(["train", "--quiet", "--save", str(path)]) == 0
    capsys.readouterr()
    assert cli.main(["sample", "--load", str(path), "--info"]) == 0
    info = capsys.readouterr().out
    digest = hashlib.sha256(b"Hello, RNN!").hexdigest()
    assert f"text        --text, 11 characters, SHA-256 {digest}" in info
    assert "(memorized at step " in info and "hidden=50" in info
    assert cli.main(["sample", "--load", saved, "--info"]) == 0  # checkpoint.save's
    assert "settings    not recorded" in capsys.readouterr().out


def test_every_character_the_prefix_lacks_is_named(saved, capsys):
    assert cli.main(["sample", "--load", saved, "--prefix", "Hi there"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "--prefix: characters 'i', 't', 'h', 'r' are not in the vocabulary" in line


# --- Going on: exactly the run that was not interrupted ---


def test_a_longer_run_goes_on_as_one_run_to_the_last_bit(text_file, capsys):
    schedule = ["--file", text_file, "--eval-every", 3, "--save-every", 2]
    whole, part = text_file.with_name("whole.pt"), text_file.with_name("part.pt")
    assert _train(*schedule, "--steps", 11, "--save", whole) == 0
    assert _train(*schedule, "--steps", 5, "--save", part) == 0
    capsys.readouterr()
    # Its text, settings and checkpoint are the run's own: none need be given.
    assert cli.main(["train", "--quiet", "--resume", str(part), "--steps", "11"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"going on with {part} from step 5"
    assert out[-1] == f"saved to {part}"

    net, _, _, state = checkpoint.load_training(whole)
    again, _, meta, state_again = checkpoint.load_training(part)
    assert state_again.step == 11 and meta["steps"] == 11
    assert state_again.history.train_bpc == state.history.train_bpc
    for name, tensor in net.state_dict().items():
        assert torch.equal(again.state_dict()[name], tensor), name
    # The first run ended at step 5, so it scored the held-out text there too.
    assert state_again.history.validation_steps == [3, 5, 6, 9, 11]
    scores = dict(
        zip(state_again.history.validation_steps, state_again.history.validation_bpc)
    )
    assert [scores[s] for s in (3, 6, 9, 11)] == state.history.validation_bpc


def test_an_interrupted_run_goes_on_as_if_never_stopped(text_file, monkeypatch, capsys):
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("Ctrl-C is not Python's default here")
    schedule = ["--file", text_file, "--steps", 11, "--eval-every", 3]
    whole, part = text_file.with_name("whole.pt"), text_file.with_name("part.pt")
    assert _train(*schedule, "--save", whole) == 0
    with monkeypatch.context() as patch:
        stopping = _interrupted_at(5, "during a step")
        patch.setattr(_long_run, "train_on_corpus", stopping)
        assert _train(*schedule, "--save", part) == 130
    assert checkpoint.load_training(part)[3].step == 5
    assert cli.main(["train", "--quiet", "--resume", str(part)]) == 0
    capsys.readouterr()

    net, _, meta, state = checkpoint.load_training(whole)
    again, _, meta_again, state_again = checkpoint.load_training(part)
    assert state_again.history == state.history  # every step's bpc, and the scores
    for name, tensor in net.state_dict().items():
        assert torch.equal(again.state_dict()[name], tensor), name
    assert meta_again == meta
    assert torch.equal(state_again.rng, state.rng)


def test_resume_saves_to_save_when_given(text_file, tmp_path, capsys):
    first, second = tmp_path / "first.pt", tmp_path / "second.pt"
    assert _train("--file", text_file, "--steps", 2, "--save", first) == 0
    before = first.read_bytes()
    argv = ["--resume", first, "--steps", 3, "--save", second, "--lr", 0.01]
    capsys.readouterr()
    assert _train(*argv) == 0
    assert (
        capsys.readouterr().out.splitlines()[0] == f"going on with {first} from step 2"
    )
    assert first.read_bytes() == before
    meta = checkpoint.load(second)[2]
    assert meta["steps"] == 3 and meta["settings"]["lr"] == 0.01  # a new rate


# --- Bad input: one line, status 2, and no step taken ---


def _bad_files(folder):
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes(
        "Hello, RNN! Caf\u00e9 au lait".encode("latin-1")
    )
    (folder / "short.txt").write_text("Hello, RNN!")
    (folder / "folder").mkdir()
    other = default_corpus(max_chars=3_000).replace("e", "\u00e9")
    (folder / "other.txt").write_text(other)  # a character more (and one less)
    (folder / "changed.txt").write_text(default_corpus(max_chars=3_000)[::-1])


BAD_LONG_INPUTS = [
    (["--file", "FOLDER/missing.txt"], "no file at '"),
    (["--file", "FOLDER/folder"], "folder' is a folder: give a text file"),
    (["--file", "FOLDER/empty.txt"], "empty.txt' is empty"),
    (
        ["--file", "FOLDER/latin1.txt"],
        "latin1.txt' is not UTF-8 text: invalid continuation byte at byte offset 15 "
        "(0xe9); save the file as UTF-8",
    ),
    (
        ["--file", "FOLDER/short.txt"],
        "the text has 11 characters, 10 to train on: too short for one window of "
        "--seq-len 16 + 1",
    ),
    (
        ["--file", "TEXT", "--batch-size", "200"],
        "too short for --batch-size 200 windows of --seq-len 16 (needs 3216)",
    ),
    (
        ["--file", "TEXT", "--seq-len", "1000"],
        "too short for --batch-size 4 windows of --seq-len 1000",
    ),
    (
        ["--file", "TEXT", "--validation", "0.001"],
        "the held-out text (--validation 0.001) has 3 characters",
    ),
    (["--file", "TEXT", "--validation", "1"], "argument --validation"),
    (["--file", "TEXT", "--device", "tpu"], "argument --device: expected a device"),
    (["--file", "TEXT", "--device", "cuda:99"], "this machine has no 'cuda:99' device"),
    (["--file", "TEXT", "--text", "Hi"], "not allowed with argument --file"),
    (["--file", "TEXT", "--clamp", "1", "--clip-norm", "1"], "not allowed with"),
    (
        ["--seq-len", "8"],
        "--seq-len is for a long text (--file or --corpus), not --text",
    ),
    (["--text", "Hi", "--resume", "RUN"], "--resume goes on with a --file or --corpus"),
    (["--resume", "FOLDER/nothing.pt"], "no checkpoint at"),
    (["--resume", "HELLO"], "no training state to go on from"),
    (["--resume", "RUN", "--cell", "gru"], "trained with --cell torch, not gru"),
    (["--resume", "RUN", "--hidden", "9"], "trained with --hidden 8, not 9"),
    (["--resume", "RUN", "--seq-len", "8"], "trained with --seq-len 16, not 8"),
    (["--resume", "RUN", "--steps", "2"], "has taken 2 steps already"),
    (
        ["--resume", "RUN", "--steps", "9", "--file", "FOLDER/other.txt"],
        "learned 58 characters, 'FOLDER/other.txt' has 58 and not the same "
        "(only it: 'e'; only the text: '\u00e9'): resume on the text it learned",
    ),
    (
        ["--resume", "RUN", "--steps", "9", "--file", "FOLDER/changed.txt"],
        "learned another text than 'FOLDER/changed.txt' (SHA-256 ",
    ),
]


@pytest.mark.parametrize(
    ("argv", "message"), BAD_LONG_INPUTS, ids=[" ".join(a) for a, _ in BAD_LONG_INPUTS]
)
def test_every_bad_long_input_is_one_line_and_status_2(
    argv, message, text_file, saved, capsys, monkeypatch
):
    folder = text_file.parent
    _bad_files(folder)
    run = folder / "run.pt"
    assert _train("--file", text_file, "--steps", 2, "--save", run) == 0
    capsys.readouterr()
    names = {"FOLDER": str(folder), "TEXT": str(text_file), "RUN": str(run)}
    names["HELLO"] = saved
    for name, value in names.items():
        argv = [a.replace(name, value) for a in argv]
        message = message.replace(name, value)
    monkeypatch.setattr(_long_run, "train_on_corpus", _must_not_train)
    monkeypatch.setattr(cli, "train", _must_not_train)
    assert _train(*argv) == 2
    captured = capsys.readouterr()
    assert message in _one_error_line(captured.err)
    assert captured.out == ""


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_a_gpu_where_there_is_none(text_file, capsys):
    assert _train("--file", text_file, "--device", "cuda") == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "argument --device: this machine has no 'cuda' device" in line


@pytest.fixture
def saved(tmp_path, trained, hello):
    return str(checkpoint.save(tmp_path / "hello.pt", trained, hello))


# --- Ctrl-C ---


def test_the_first_ctrl_c_asks_and_the_second_stops():
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("Ctrl-C is not Python's default here")
    with stop_between_steps() as ctrl_c:
        ctrl_c.check()  # no Ctrl-C yet: go on
        signal.raise_signal(signal.SIGINT)  # (its handler runs before this returns)
        assert ctrl_c.requested
        with pytest.raises(Stopped):
            ctrl_c.check()
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def _interrupted_at(step, how):
    """A train_on_corpus that is stopped at `step`: `how` says where Ctrl-C came."""
    real = _long_run.train_on_corpus

    def train_on_corpus(*args, on_step, **kwargs):
        def stop(net, state):
            if state.step == step and how == "during a step":
                signal.raise_signal(signal.SIGINT)
            on_step(net, state)  # the command line's: stops here after a Ctrl-C
            if state.step == step and how == "twice":
                raise KeyboardInterrupt  # a second Ctrl-C, in the next step

        return real(*args, on_step=stop, **kwargs)

    return train_on_corpus


@pytest.mark.parametrize("save", [True, False])
def test_ctrl_c_between_steps_saves_the_last_one(text_file, save, monkeypatch, capsys):
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("Ctrl-C is not Python's default here")
    monkeypatch.setattr(
        _long_run, "train_on_corpus", _interrupted_at(3, "during a step")
    )
    path = text_file.with_name("run.pt")
    saving = ["--save", path, "--save-every", 100] if save else []
    assert _train("--file", text_file, "--steps", 10, *saving) == 130
    out, err = capsys.readouterr()
    if save:
        assert err == (
            f"hello-rnn: interrupted after step 3: saved to {path}; "
            f"go on with: hello-rnn train --resume {path}\n"
        )
        assert checkpoint.load_training(path)[3].step == 3
    else:
        assert err == "hello-rnn: interrupted after step 3: nothing saved (no --save)\n"
        assert not path.exists()
    assert out == ""


def test_a_second_ctrl_c_keeps_the_last_save(text_file, monkeypatch, capsys):
    monkeypatch.setattr(_long_run, "train_on_corpus", _interrupted_at(5, "twice"))
    path = text_file.with_name("run.pt")
    saving = ["--save", path, "--save-every", 2]
    assert _train("--file", text_file, "--steps", 10, *saving) == 130
    assert capsys.readouterr().err == (
        "hello-rnn: interrupted in the middle of a step, which is not saved: "
        f"{path} holds step 4\n"
    )
    assert checkpoint.load_training(path)[3].step == 4


@needs_signals
def test_sigint_during_a_file_run_saves_the_last_whole_step(text_file):
    # stderr is a terminal, so that the progress bar shows (and is seen to go).
    terminal, terminal_end = _terminal()
    path = text_file.with_name("run.pt")
    process = subprocess.Popen(
        [sys.executable, "-c", WITH_CTRL_C, "train", "--file", str(text_file)]
        + ["--hidden", "8", "--seq-len", "16", "--batch-size", "4"]
        + ["--steps", "100000000", "--eval-every", "1000", "--save", str(path)]
        + ["--save-every", "5"],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=terminal_end,
    )
    os.close(terminal_end)
    try:
        shown = _read_until(terminal, b"/100000000")  # the bar: "12/100000000"
        while not path.exists():  # a first save, every 5 steps
            shown += _read_until(terminal, b"/100000000")
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
        shown += _read_to_the_end(terminal)
    finally:
        process.kill()
        os.close(terminal)
    assert process.returncode == 130, shown.decode()
    assert b"Traceback" not in shown
    message = shown.decode().split("hello-rnn: ")[-1]
    assert message.startswith("interrupted after step ")
    step = int(message.split()[3].rstrip(":"))
    assert f"saved to {path}; go on with: hello-rnn train --resume {path}" in message
    assert out == b""
    _, _, meta, state = checkpoint.load_training(path)
    assert state.step == state.history.steps == meta["steps"] == step >= 5
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(
        ["mytext.txt", "run.pt"]
    )  # no temporary file


# --- For chapter 7: the command line, as a reader calls it from a notebook ---


def test_the_chapter_calls_main_and_gets_exit_statuses(tmp_path, capsys):
    """The cell chapter 7 runs, as it runs it (a few seconds on a CPU)."""
    with contextlib.chdir(tmp_path):  # the chapter's folder: files named plainly
        status = cli.main(
            ["train", "--corpus", "shakespeare", "--device", "cpu"]
            + ["--hidden", "128", "--seq-len", "64", "--batch-size", "16"]
            + ["--steps", "100", "--lr", "0.01", "--validation", "0.01"]
            + ["--eval-every", "50", "--save", "bard.pt"]
        )
        assert status == 0
        trained, saved = capsys.readouterr().out.splitlines()
        argv = ["sample", "--load", "bard.pt", "--prefix", "ROMEO.\n"]
        assert cli.main([*argv, "--temperature", "0.7", "--length", "200"]) == 0
        written = capsys.readouterr().out
        assert cli.main(["sample", "--load", "bard.pt", "--info"]) == 0
        info = capsys.readouterr().out
    assert trained.startswith("step 100: train ") and saved == "saved to bard.pt"
    assert written.startswith("ROMEO.\n") and len(written) == 7 + 200 + 1
    assert info.startswith("checkpoint  bard.pt\nnetwork     torch cell, 128 hidden")
    bpc = float(trained.split()[3])
    assert bpc < 3.6  # it learned something: a uniform guess is log2(78) = 6.3 bits
