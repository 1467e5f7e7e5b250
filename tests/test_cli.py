"""The command line: train, save, sample; and one clear line with exit status 2 for every bad input."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from hello_rnn import TrainingDivergedError, checkpoint, cli


def _run(*args, cwd=None):
    """``python -m hello_rnn ARGS`` in a fresh interpreter."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "hello_rnn", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def _one_error_line(err: str) -> str:
    assert err.count("\n") == 1 and err.endswith("\n"), f"expected one line on stderr, got {err!r}"
    lines = err.splitlines()
    assert lines[0].startswith("hello-rnn: error: ")
    assert "Traceback" not in err
    return lines[0]


def test_train_save_and_sample_in_fresh_processes(tmp_path):
    trained = _run("train", "--text", "Hello, RNN!", "--quiet", "--save", "hello.pt", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    memorized, written, saved = trained.stdout.splitlines()
    assert memorized.startswith("memorized at step ") and int(memorized.split()[-1]) > 0
    assert (written, saved) == ("Hello, RNN!", "saved to hello.pt")
    assert trained.stderr == ""
    script = Path(sys.executable).with_name("hello-rnn")  # the console script, where pip installed one
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hello_rnn"]
    sampled = subprocess.run(
        [*command, "sample", "--load", "hello.pt"], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert sampled.returncode == 0, sampled.stderr
    assert sampled.stdout == "Hello, RNN!\n"


def test_importing_the_package_and_running_the_cli_loads_no_plotting_or_widgets():
    code = (
        "import sys, hello_rnn, hello_rnn.cli\n"
        "assert hello_rnn.cli.main(['train', '--quiet', '--steps', '3']) == 0\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets', 'IPython'))\n"
        "print(heavy)\n"
        "raise SystemExit(hello_rnn.cli.main(['train', '--steps', '0']))\n"  # and a real process's exit status
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines()[-1] == "[]", result.stderr
    assert result.returncode == 2
    assert "argument --steps" in _one_error_line(result.stderr)


def test_main_trains_saves_and_samples(tmp_path, capsys):
    path = tmp_path / "h.pt"
    assert cli.main(["train", "--quiet", "--cell", "scratch", "--seed", "3", "--save", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("memorized at step ") and out[1:] == ["Hello, RNN!", f"saved to {path}"]
    net, _, meta = checkpoint.load(path)
    assert net.cell_name == "scratch" and meta["memorized_at"] == int(out[0].split()[-1])

    assert cli.main(["sample", "--load", str(path), "--prefix", "Hello", "--length", "3"]) == 0
    assert capsys.readouterr().out == "Hello, R\n"
    args = ["sample", "--load", str(path), "--temperature", "2", "--length", "30", "--seed", "5"]
    assert cli.main(args) == 0
    first = capsys.readouterr().out
    assert cli.main(args) == 0
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
    (["train", "--steps", "0"], "argument --steps: expected a whole number of 1 or more, got '0'"),
    (["train", "--steps", "ten"], "argument --steps"),
    (["train", "--steps", "2.5"], "argument --steps"),
    (["train", "--hidden", "-3"], "argument --hidden"),
    (["train", "--hidden", "100000"], "argument --hidden: expected a whole number from 1 to 4096"),
    (["train", "--lr", "0"], "argument --lr: expected a finite number more than 0 and at most 1"),
    (["train", "--lr", "nan"], "argument --lr"),
    (["train", "--lr", "inf"], "argument --lr"),
    (["train", "--lr", "1e38"], "argument --lr"),
    (["train", "--clamp", "0"], "argument --clamp: expected a number more than 0 and at most 1e6, or 'none'"),
    (["train", "--clamp", "-1"], "argument --clamp"),
    (["train", "--seed", "-1"], "argument --seed"),
    (["train", "--seed", "99999999999999999999"], "argument --seed"),
    (["train", "--cell", "lstm"], "argument --cell: invalid choice: 'lstm'"),
    (["train", "--text", "H"], "text must have at least 2 characters"),
    (["train", "--text", ""], "text must have at least 2 characters"),
    (["sample"], "the following arguments are required: --load"),
    (["sample", "--load", "SAVED", "--prefix", "Hi"], "character 'i' is not in the vocabulary ' !,HNRelo'"),
    (["sample", "--load", "SAVED", "--prefix", ""], "prefix must be a non-empty string"),
    (["sample", "--load", "SAVED", "--temperature", "-1"], "argument --temperature"),
    (["sample", "--load", "SAVED", "--length", "-1"], "argument --length"),
    (["sample", "--load", "FOLDER/missing.pt"], "no checkpoint at"),
    (["sample", "--load", "FOLDER"], "is a folder"),
    (["sample", "--load", "FOLDER/notes.txt"], "is not a hello_rnn checkpoint"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_INPUTS, ids=[" ".join(a) or "nothing" for a, _ in BAD_INPUTS])
def test_every_bad_input_is_one_line_and_status_2(argv, message, saved, tmp_path, capsys, monkeypatch):
    (tmp_path / "notes.txt").write_text("not a checkpoint")
    argv = [a.replace("SAVED", saved).replace("FOLDER", str(tmp_path)) for a in argv]
    monkeypatch.setattr(cli, "train", _must_not_train)  # errors are found before any training
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert message in _one_error_line(captured.err)
    assert captured.out == ""


def _must_not_train(*args, **kwargs):
    raise AssertionError("trained although the input was bad")


def test_a_save_path_in_a_missing_folder_is_reported_before_training(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "train", _must_not_train)
    assert cli.main(["train", "--save", str(tmp_path / "nowhere" / "h.pt")]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "the folder" in line and "nowhere" in line and "does not exist" in line


def test_a_save_path_in_an_unwritable_folder_is_reported_before_training(unwritable_folder, capsys, monkeypatch):
    monkeypatch.setattr(cli, "train", _must_not_train)
    assert cli.main(["train", "--save", str(unwritable_folder / "hello-rnn-test.pt")]) == 2
    assert "is not writable" in _one_error_line(capsys.readouterr().err)


def test_a_save_that_fails_after_training_is_one_line(tmp_path, capsys, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", full_disk)
    assert cli.main(["train", "--quiet", "--save", str(tmp_path / "h.pt")]) == 2
    assert "No space left on device" in _one_error_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_a_diverged_training_is_one_line(capsys, monkeypatch):
    def diverge(net, data, **kwargs):
        raise TrainingDivergedError("the loss became nan at step 3: the weights blew up. Try a smaller lr", None)

    monkeypatch.setattr(cli, "train", diverge)
    assert cli.main(["train", "--quiet"]) == 2
    assert "the loss became nan at step 3" in _one_error_line(capsys.readouterr().err)


def test_a_checkpoint_without_a_text_length_needs_length(tmp_path, trained, hello, capsys):
    from hello_rnn import Vocabulary

    path = str(checkpoint.save(tmp_path / "bare.pt", trained, Vocabulary(hello.chars)))
    assert cli.main(["sample", "--load", path]) == 2
    assert "pass --length" in _one_error_line(capsys.readouterr().err)
    assert cli.main(["sample", "--load", path, "--prefix", "H", "--length", "10"]) == 0
    assert capsys.readouterr().out == "Hello, RNN!\n"


def test_programming_errors_are_not_hidden(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("a bug, not a bad input")

    monkeypatch.setattr(cli, "train", broken)
    with pytest.raises(KeyError):
        cli.main(["train", "--quiet"])
