"""The command line: train, save, sample; one clear line and status 2 for bad input.

A bug keeps its traceback; Ctrl-C stops with status 130 and keeps what was written.
"""

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from hello_rnn import TrainingDivergedError, checkpoint, cli
from hello_rnn.model import HelloRNN
from hello_rnn.sample import iter_generate

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}

# A background job starts with Ctrl-C ignored, and its children inherit that.
# This runs `python -m hello_rnn` with Python's own Ctrl-C handling restored.
WITH_CTRL_C = (
    "import runpy, signal; "
    "signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('hello_rnn', run_name='__main__', alter_sys=True)"
)

needs_signals = pytest.mark.skipif(
    sys.platform == "win32", reason="sends SIGINT and reads a terminal (POSIX)"
)


def _run(*args, cwd=None):
    """``python -m hello_rnn ARGS`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "hello_rnn", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        timeout=120,
    )


def _one_error_line(err: str) -> str:
    assert err.count("\n") == 1 and err.endswith("\n"), f"not one line: {err!r}"
    lines = err.splitlines()
    assert lines[0].startswith("hello-rnn: error: ")
    assert "Traceback" not in err
    return lines[0]


def test_train_save_and_sample_in_fresh_processes(tmp_path):
    trained = _run(
        "train", "--text", "Hello, RNN!", "--quiet", "--save", "hello.pt", cwd=tmp_path
    )
    assert trained.returncode == 0, trained.stderr
    memorized, written, saved = trained.stdout.splitlines()
    assert memorized.startswith("memorized at step ")
    assert int(memorized.split()[-1]) > 0
    assert (written, saved) == ("Hello, RNN!", "saved to hello.pt")
    assert trained.stderr == ""
    # The console script, where pip installed one.
    script = Path(sys.executable).with_name("hello-rnn")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hello_rnn"]
    sampled = subprocess.run(
        [*command, "sample", "--load", "hello.pt"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert sampled.returncode == 0, sampled.stderr
    assert sampled.stdout == "Hello, RNN!\n"


def test_importing_the_package_and_running_the_cli_loads_no_plotting_or_widgets():
    code = (
        "import sys, hello_rnn, hello_rnn.cli\n"
        "assert hello_rnn.cli.main(['train', '--quiet', '--steps', '3']) == 0\n"
        "heavy = ('matplotlib', 'ipywidgets', 'IPython')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
        # and a real process's exit status
        "raise SystemExit(hello_rnn.cli.main(['train', '--steps', '0']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.stdout.splitlines()[-1] == "[]", result.stderr
    assert result.returncode == 2
    assert "argument --steps" in _one_error_line(result.stderr)


def test_main_trains_saves_and_samples(tmp_path, capsys):
    path = tmp_path / "h.pt"
    argv = ["train", "--quiet", "--cell", "scratch", "--seed", "3", "--save", str(path)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("memorized at step ")
    assert out[1:] == ["Hello, RNN!", f"saved to {path}"]
    net, _, meta = checkpoint.load(path)
    assert net.cell_name == "scratch"
    assert meta["memorized_at"] == int(out[0].split()[-1])

    argv = ["sample", "--load", str(path), "--prefix", "Hello", "--length", "3"]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == "Hello, R\n"
    argv = ["sample", "--load", str(path), "--temperature", "2", "--length", "30"]
    assert cli.main([*argv, "--seed", "5"]) == 0
    first = capsys.readouterr().out
    assert cli.main([*argv, "--seed", "5"]) == 0
    assert capsys.readouterr().out == first and len(first) == 32


def test_train_reports_when_the_text_was_not_memorized(capsys):
    assert cli.main(["train", "--quiet", "--steps", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("not memorized after 2 steps") and "--steps" in out[0]
    assert len(out) == 2  # and what it writes so far


def test_help_exits_cleanly(capsys):
    assert cli.main(["--help"]) == 0
    assert "train" in capsys.readouterr().out
    assert cli.main(["sample", "--help"]) == 0
    assert "--temperature" in capsys.readouterr().out


@pytest.fixture
def saved(tmp_path, trained, hello):
    return str(checkpoint.save(tmp_path / "hello.pt", trained, hello))


BAD_INPUTS = [
    ([], "required"),
    (["fly"], "invalid choice: 'fly'"),
    (["train", "--stepz", "3"], "unrecognized arguments: --stepz"),
    (
        ["train", "--steps", "0"],
        "argument --steps: expected a whole number of 1 or more, got '0'",
    ),
    (["train", "--steps", "ten"], "argument --steps"),
    (["train", "--steps", "2.5"], "argument --steps"),
    (["train", "--hidden", "-3"], "argument --hidden"),
    (
        ["train", "--hidden", "100000"],
        "argument --hidden: expected a whole number from 1 to 4096",
    ),
    (
        ["train", "--lr", "0"],
        "argument --lr: expected a finite number more than 0 and at most 1",
    ),
    (["train", "--lr", "nan"], "argument --lr"),
    (["train", "--lr", "inf"], "argument --lr"),
    (["train", "--lr", "1e38"], "argument --lr"),
    (
        ["train", "--clamp", "0"],
        "argument --clamp: expected a number more than 0 and at most 1e6, or 'none'",
    ),
    (["train", "--clamp", "-1"], "argument --clamp"),
    (["train", "--seed", "-1"], "argument --seed"),
    (["train", "--seed", "99999999999999999999"], "argument --seed"),
    (["train", "--cell", "rnn"], "argument --cell: invalid choice: 'rnn'"),
    (["train", "--text", "H"], "argument --text: expected at least 2 characters"),
    (["train", "--text", ""], "argument --text: expected at least 2 characters"),
    (["sample"], "the following arguments are required: --load"),
    (
        ["sample", "--load", "SAVED", "--prefix", "Hi"],
        "--prefix: character 'i' is not in the vocabulary ' !,HNRelo'",
    ),
    (
        ["sample", "--load", "SAVED", "--prefix", ""],
        "prefix must be a non-empty string",
    ),
    (["sample", "--load", "SAVED", "--temperature", "-1"], "argument --temperature"),
    (["sample", "--load", "SAVED", "--length", "-1"], "argument --length"),
    (["sample", "--load", "FOLDER/missing.pt"], "no checkpoint at"),
    (["sample", "--load", "FOLDER"], "is a folder"),
    (["sample", "--load", "FOLDER/notes.txt"], "is not a hello_rnn checkpoint"),
]


@pytest.mark.parametrize(
    ("argv", "message"),
    BAD_INPUTS,
    ids=[" ".join(a) or "nothing" for a, _ in BAD_INPUTS],
)
def test_every_bad_input_is_one_line_and_status_2(
    argv, message, saved, tmp_path, capsys, monkeypatch
):
    (tmp_path / "notes.txt").write_text("not a checkpoint")
    argv = [a.replace("SAVED", saved).replace("FOLDER", str(tmp_path)) for a in argv]
    # Errors are found before any training.
    monkeypatch.setattr(cli, "train", _must_not_train)
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert message in _one_error_line(captured.err)
    assert captured.out == ""


def _must_not_train(*args, **kwargs):
    raise AssertionError("trained although the input was bad")


def test_a_save_path_in_a_missing_folder_is_reported_before_training(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(cli, "train", _must_not_train)
    assert cli.main(["train", "--save", str(tmp_path / "nowhere" / "h.pt")]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "the folder" in line and "nowhere" in line and "does not exist" in line


def test_a_save_path_in_an_unwritable_folder_is_reported_before_training(
    unwritable_folder, capsys, monkeypatch
):
    monkeypatch.setattr(cli, "train", _must_not_train)
    path = unwritable_folder / "hello-rnn-test.pt"
    assert cli.main(["train", "--save", str(path)]) == 2
    assert "is not writable" in _one_error_line(capsys.readouterr().err)


def test_an_unreadable_checkpoint_is_one_line(saved, capsys, monkeypatch):
    def no_permission(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    # (chmod 000 would not stop root, who runs some of these tests)
    monkeypatch.setattr(checkpoint, "open", no_permission, raising=False)
    assert cli.main(["sample", "--load", saved]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line.endswith(f"cannot read {saved!r}: Permission denied")


def test_a_save_that_fails_after_training_is_one_line(tmp_path, capsys, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", full_disk)
    path = str(tmp_path / "h.pt")
    assert cli.main(["train", "--quiet", "--save", path]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line.endswith(f"cannot save to {path!r}: No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_a_diverged_training_is_one_line(capsys, monkeypatch):
    def diverge(net, data, **kwargs):
        message = "the loss became nan at step 3: the weights blew up. Try a smaller lr"
        raise TrainingDivergedError(message, None)

    monkeypatch.setattr(cli, "train", diverge)
    assert cli.main(["train", "--quiet"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "the loss became nan at step 3" in line


def test_a_checkpoint_without_a_text_length_needs_length(
    tmp_path, trained, hello, capsys
):
    from hello_rnn import Vocabulary

    bare = checkpoint.save(tmp_path / "bare.pt", trained, Vocabulary(hello.chars))
    assert cli.main(["sample", "--load", str(bare)]) == 2
    assert "pass --length" in _one_error_line(capsys.readouterr().err)
    argv = ["sample", "--load", str(bare), "--prefix", "H", "--length", "10"]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == "Hello, RNN!\n"


# --- A bug is not bad input: it keeps its traceback ---


@pytest.mark.parametrize(
    "bug",
    [
        ValueError("a bug deep inside"),
        TypeError("a bug deep inside"),
        FileNotFoundError(2, "No such file or directory", "some/internal/file"),
    ],
    ids=type,
)
@pytest.mark.parametrize("command", ["train", "sample"])
def test_an_error_inside_the_network_is_not_called_bad_input(
    bug, command, saved, monkeypatch, capsys
):
    def broken_forward(self, x, h0=None):
        raise bug

    monkeypatch.setattr(HelloRNN, "forward", broken_forward)
    argv = ["train", "--quiet"] if command == "train" else ["sample", "--load", saved]
    with pytest.raises(type(bug), match=str(bug.args[-1])):
        cli.main(argv)
    assert capsys.readouterr().err == ""


def test_a_bug_during_training_shows_its_traceback_and_exit_status_1():
    code = (
        "from hello_rnn import cli, model\n"
        "def broken_forward(self, x, h0=None):\n"
        "    raise ValueError('a bug deep inside')\n"
        "model.HelloRNN.forward = broken_forward\n"
        "raise SystemExit(cli.main(['train', '--quiet', '--steps', '3']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "in broken_forward" in result.stderr
    assert result.stderr.rstrip().endswith("ValueError: a bug deep inside")
    assert "hello-rnn: error" not in result.stderr


# --- A checkpoint whose weights are not finite ---


@pytest.mark.parametrize(
    ("bad", "word"), [(float("nan"), "NaN"), (float("inf"), "infinity")]
)
@pytest.mark.parametrize(
    "sampling", [[], ["--temperature", "1.0"]], ids=["greedy", "T=1"]
)
def test_a_checkpoint_with_non_finite_weights_is_one_line(
    bad, word, sampling, saved, capsys
):
    raw = torch.load(saved, weights_only=True)
    raw["state_dict"]["readout.weight"][2, 3] = bad
    torch.save(raw, saved)
    assert cli.main(["sample", "--load", saved, *sampling]) == 2
    captured = capsys.readouterr()
    line = _one_error_line(captured.err)
    assert repr(saved) in line and f"'readout.weight' holds {word}" in line
    assert captured.out == ""


# --- Writing as the text is chosen ---


class _Recorder:
    """A stand-in for stdout that notes what was written at every flush."""

    def __init__(self, chosen):
        self.text = ""
        self.flushes = []  # (characters chosen so far, text written so far)
        self.chosen = chosen

    def write(self, text):
        self.text += text

    def flush(self):
        self.flushes.append((len(self.chosen), self.text))


def test_sample_writes_each_chunk_as_soon_as_it_is_chosen(saved, monkeypatch):
    chosen = []

    def counting(*args, **kwargs):
        for char in iter_generate(*args, **kwargs):
            chosen.append(char)
            yield char

    out = _Recorder(chosen)
    monkeypatch.setattr(cli.sys, "stdout", out)
    monkeypatch.setattr(cli, "iter_generate", counting)
    length = 5 * cli.CHUNK
    assert cli.main(["sample", "--load", saved, "--length", str(length)]) == 0
    assert len(chosen) == 1 + length and out.text == "".join(chosen) + "\n"
    # Each flush writes what was chosen so far, a chunk at a time, not all at the end.
    assert len(out.flushes) >= 5
    for count, written in out.flushes[:-1]:
        assert written == "".join(chosen[:count]) and count % cli.CHUNK == 0


def test_a_newline_is_written_at_once():
    out = _Recorder([])
    cli._write_as_they_come(iter("ab\ncd"), out)
    assert [written for _, written in out.flushes] == ["ab\n", "ab\ncd\n"]


# --- Ctrl-C ---


def test_ctrl_c_while_sampling_keeps_what_was_written(saved, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        yield from "Hello"
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "iter_generate", interrupted)
    assert cli.main(["sample", "--load", saved, "--length", "100"]) == 130
    assert capsys.readouterr() == ("Hello\n", "hello-rnn: interrupted\n")


def test_ctrl_c_while_training_saves_nothing(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "train", interrupted)
    assert cli.main(["train", "--save", str(tmp_path / "h.pt")]) == 130
    out, err = capsys.readouterr()
    assert (out, err) == (
        "",
        "hello-rnn: interrupted: training stopped and nothing was saved\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_saving_keeps_the_old_checkpoint(saved, monkeypatch, capsys):
    before = Path(saved).read_bytes()

    def interrupted(obj, file, *args, **kwargs):
        file.write(b"half a checkpoint")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", interrupted)
    assert cli.main(["train", "--quiet", "--steps", "3", "--save", saved]) == 130
    assert capsys.readouterr().err == "hello-rnn: interrupted\n"
    assert Path(saved).read_bytes() == before
    assert [p.name for p in Path(saved).parent.iterdir()] == ["hello.pt"]


def _read_until(fd, wanted: bytes, timeout: float = 120.0) -> bytes:
    """Read from `fd` until `wanted` shows up; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    got = b""
    while wanted not in got:
        left = deadline - time.monotonic()
        assert left > 0, f"no {wanted!r} after {timeout} s, got {got[-300:]!r}"
        if select.select([fd], [], [], left)[0]:
            chunk = os.read(fd, 4096)
            assert chunk, f"output ended before {wanted!r}: {got[-300:]!r}"
            got += chunk
    return got


def _read_to_the_end(fd) -> bytes:
    got = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # a terminal whose other end closed (Linux: EIO)
            return got
        if not chunk:
            return got
        got += chunk


def _terminal() -> tuple[int, int]:
    """A pseudo-terminal of 24 x 80 (tqdm draws nothing 0 columns wide): (ours, theirs)."""
    import fcntl
    import pty
    import struct
    import termios

    terminal, terminal_end = pty.openpty()
    fcntl.ioctl(terminal_end, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    return terminal, terminal_end


def _start(*args, **kwargs) -> subprocess.Popen:
    """``python -m hello_rnn ARGS`` as a process of its own, that Ctrl-C reaches."""
    command = [sys.executable, "-c", WITH_CTRL_C, *args]
    return subprocess.Popen(command, env=ENV, **kwargs)


@needs_signals
def test_sigint_stops_a_long_sample_and_keeps_the_text(saved):
    process = _start(
        "sample",
        "--load",
        saved,
        "--length",
        "10000000",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        first = _read_until(process.stdout.fileno(), b"Hello, RNN!")
        process.send_signal(signal.SIGINT)
        rest, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err.decode()
    assert err.decode() == "hello-rnn: interrupted\n"
    written = (first + rest).decode()
    assert written.startswith("Hello, RNN!") and written.endswith("\n")


@needs_signals
def test_sigint_during_training_leaves_no_file_and_no_traceback(tmp_path):
    # stderr is a terminal, so that the progress bar shows when training runs.
    terminal, terminal_end = _terminal()
    process = _start(
        "train",
        "--steps",
        "100000000",
        "--lr",
        "1e-9",
        "--save",
        str(tmp_path / "h.pt"),
        stdout=subprocess.PIPE,
        stderr=terminal_end,
    )
    os.close(terminal_end)
    try:
        shown = _read_until(terminal, b"/100000000")  # the bar: "12/100000000"
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
        shown += _read_to_the_end(terminal)
    finally:
        process.kill()
        os.close(terminal)
    assert process.returncode == 130, shown.decode()
    assert b"Traceback" not in shown
    assert b"hello-rnn: interrupted: training stopped and nothing was saved" in shown
    assert out == b""
    assert list(tmp_path.iterdir()) == []  # no checkpoint, no temporary file


@needs_signals
def test_a_reader_that_stops_early_ends_sampling_quietly(saved):
    process = _start(
        "sample",
        "--load",
        saved,
        "--length",
        "10000000",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _read_until(process.stdout.fileno(), b"Hello")
        process.stdout.close()  # like `hello-rnn sample ... | head -c 5`
        err = process.stderr.read()
        process.wait(timeout=60)
    finally:
        process.kill()
    assert err == b""
    assert process.returncode == 141  # 128 + SIGPIPE, as a shell reports it
