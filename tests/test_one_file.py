"""The appendix's one-file script (book/one_file.py) computes what the package computes.

The script is the whole book in about 80 lines of plain PyTorch. These tests hold it to
the package: the same seed and settings give the same loss at every step, to the last
bit, and the same sample; and it imports nothing but torch and the standard library.
"""

import ast
import functools
import importlib.util
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from hello_rnn import HelloRNN, Vocabulary, default_corpus, generate, train_on_corpus
from hello_rnn.settings import GOING_BIGGER_SEED, GOING_BIGGER_SIZES

SCRIPT = Path(__file__).resolve().parent.parent / "book" / "one_file.py"

# The script's settings are chapter 7's short run; the package gets them from the
# package, never from the script, so a script with another setting fails.
SHORT = GOING_BIGGER_SIZES["short"]
# A short run: 5,000 characters make 9 batches a pass of B=16 windows of T=32, so 20
# steps start three passes, each at its own random offset, from a blank memory.
CHARS, STEPS, HIDDEN = 5_000, 20, 32
# Chapter 7 writes its samples so.
PREFIX, SAMPLE_CHARS, TEMPERATURE = "\n", 240, 0.8


def load_script():
    """book/one_file.py as a module (book/ is not a package)."""
    spec = importlib.util.spec_from_file_location("one_file", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script():
    return load_script()


@functools.cache
def train_package(clamp: float = 1.0):
    """The package's trainer on the short run: (history, net, vocabulary)."""
    text = default_corpus(CHARS)
    vocabulary = Vocabulary(set(text))
    torch.manual_seed(GOING_BIGGER_SEED)  # as the script does, right before its weights
    net = HelloRNN(vocabulary.num_characters, HIDDEN)
    history = train_on_corpus(
        net,
        vocabulary,
        text,
        steps=STEPS,
        lr=SHORT["lr"],
        clamp=clamp,
        seed=GOING_BIGGER_SEED,
        seq_len=SHORT["seq_len"],
        batch_size=SHORT["batch_size"],
        # The script holds nothing out: it trains on all of the text, as
        # min-char-rnn does. With 0 the package's split_text keeps the text whole.
        validation_fraction=0,
    )
    return history, net, vocabulary


@pytest.fixture(scope="module")
def package_run():
    return train_package()


def run_script(script, capsys) -> tuple[list[float], str]:
    """The script's losses (bits per character) and what it printed."""
    losses = script.main(
        ["--chars", str(CHARS), "--steps", str(STEPS), "--hidden", str(HIDDEN)]
    )
    return losses, capsys.readouterr().out


def test_the_script_computes_the_package_losses_to_the_last_bit(
    script, package_run, capsys
):
    history, _, _ = package_run
    assert len(history.pass_offsets) == 3  # the run crosses two pass boundaries
    losses, printed = run_script(script, capsys)
    assert len(losses) == STEPS
    # Exactly equal, every step: the same weights from the same seed, the same
    # batches from the same offsets, the same arithmetic. That takes the script's
    # Adam to be fused as the package's is (the loop over tensors rounds
    # differently, about 1e-7 bits apart after 20 steps).
    torch.testing.assert_close(losses, history.train_bpc, rtol=0, atol=0)
    assert f"step {STEPS:5}: {history.train_bpc[-1]:.4f} bits per character" in printed


def test_the_script_writes_the_package_sample(script, package_run, capsys):
    _, net, vocabulary = package_run
    _, printed = run_script(script, capsys)
    sample = generate(
        net,
        vocabulary,
        prefix=PREFIX,
        length=SAMPLE_CHARS,
        temperature=TEMPERATURE,
        seed=GOING_BIGGER_SEED,
    )
    assert printed.endswith(sample + "\n")


def test_the_script_clamps_as_the_package_does(script, capsys, monkeypatch):
    # The clamp of 1.0 does not fire in the short run; one of 0.01 does.
    tight = 0.01
    monkeypatch.setattr(script, "CLAMP", tight)
    losses, _ = run_script(script, capsys)
    history, _, _ = train_package(clamp=tight)
    torch.testing.assert_close(losses, history.train_bpc, rtol=0, atol=0)
    assert losses[1:] != train_package()[0].train_bpc[1:]  # the clamp fired


def test_the_comparison_can_fail(package_run, capsys, monkeypatch):
    """A script with another learning rate no longer matches the package."""
    history, _, _ = package_run
    changed = load_script()
    monkeypatch.setattr(changed, "LR", changed.LR * 1.01)
    losses, _ = run_script(changed, capsys)
    assert losses[0] == history.train_bpc[0]  # the loss before the first update
    assert all(a != b for a, b in zip(losses[1:], history.train_bpc[1:], strict=True))


def test_the_script_trains_as_long_and_as_wide_as_chapter_7_short_run(script):
    # (the short runs above take fewer steps and hidden units, to be quick)
    assert (SHORT["hidden"], SHORT["steps"]) == (script.HIDDEN, script.STEPS)
    # and it clamps as the package does unless told otherwise
    assert inspect.signature(train_on_corpus).parameters["clamp"].default == 1.0
    assert script.CLAMP == 1.0


def test_the_script_imports_only_torch_and_the_standard_library():
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a relative import"
            imported.add(node.module.split(".")[0])
    assert "hello_rnn" not in imported
    assert imported - sys.stdlib_module_names == {"torch"}


def test_the_script_runs_from_the_command_line():
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--steps", "2", "--chars", "5000"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "step     2: " in run.stdout
    assert len(run.stdout.split("bits per character\n")[-1]) > 240  # the sample


def test_the_page_s_line_numbers_point_at_the_lines_they_name():
    """Each row of book/one_file.md's table: the code it quotes is on its lines."""
    page = (SCRIPT.parent / "one_file.md").read_text(encoding="utf-8")
    lines = SCRIPT.read_text(encoding="utf-8").splitlines()
    rows = re.findall(r"^\| (\d+)(?:–(\d+))? \| `([^`]+)` \|", page, re.MULTILINE)
    assert len(rows) > 10
    for first, last, quoted in rows:
        shown = "\n".join(lines[int(first) - 1 : int(last or first)])
        assert quoted in shown, f"lines {first}-{last or first} hold no {quoted!r}"
    assert "```{literalinclude} one_file.py" in page
