"""The live sampler's network: the shipped checkpoint, its export, and its JavaScript twin.

The checkpoint ships with its SHA-256 (``hello_rnn.shipped``) and is re-scored here. The book's
extension (``book/_ext/live_sampler.py``) exports its weights; the runtime
(``book/_ext/live_sampler_static/live_sampler.js``), run here in Node.js, must compute what torch
computes: the next character's probabilities within 1e-4, the same characters from the same
uniform draws (the inverse-CDF rule, written out below as the reference, not in the package),
and greedy decoding exactly as ``hello_rnn.generate(..., temperature=0)``.
``tests/book/test_live_sampler_browser.py`` checks the same in Chromium, on the built page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from hello_rnn import (
    bits_per_character,
    checkpoint,
    default_corpus,
    generate,
    next_char_probabilities,
    split_text,
)
from hello_rnn.errors import InvalidValueError
from hello_rnn.settings import GOING_BIGGER_SIZES, GOING_BIGGER_VALIDATION
from hello_rnn.shipped import SHIPPED, load_shipped, shipped_record

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import live_sampler  # noqa: E402
import pdf_edition  # noqa: E402

RUNTIME = ROOT / "book" / "_ext" / "live_sampler_static" / "live_sampler.js"
NAME = "shakespeare_short"
PREFIXES = ["\n", "ROMEO.\n", "First Citizen:\nWe are", "the king "]
LENGTH = 200


@pytest.fixture(scope="module")
def shipped():
    return load_shipped(NAME)


def test_the_checkpoint_is_the_one_its_record_names():
    record = shipped_record(NAME)
    path = SHIPPED / record["file"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == record["sha256"]
    net, vocabulary, meta = checkpoint.load(path)
    sizes = GOING_BIGGER_SIZES["short"]
    assert net.num_hidden == sizes["hidden"] == record["sizes"]["hidden"]
    assert net.cell_name == "torch"
    assert meta["steps"] == record["steps"] == sizes["steps"]


def test_shipped_files_are_small():
    total = sum(path.stat().st_size for path in SHIPPED.iterdir())
    assert total < 1_000_000


def test_the_shipped_network_scores_what_its_record_says(shipped):
    """Re-scored on chapter 7's held-out text: the validation loss it shipped with."""
    net, vocabulary, record = shipped
    text = default_corpus(max_chars=GOING_BIGGER_SIZES["short"]["text_chars"])
    validation = split_text(text, GOING_BIGGER_VALIDATION).validation
    bpc = bits_per_character(
        net, vocabulary, validation, seq_len=GOING_BIGGER_SIZES["short"]["seq_len"]
    )
    np.testing.assert_allclose(bpc, record["validation_bpc"], rtol=0, atol=1e-3)


def test_a_changed_checkpoint_is_refused(tmp_path, monkeypatch):
    import hello_rnn.shipped as module

    for path in SHIPPED.iterdir():
        shutil.copy2(path, tmp_path / path.name)
    damaged = tmp_path / f"{NAME}.pt"
    damaged.write_bytes(damaged.read_bytes() + b"\0")
    monkeypatch.setattr(module, "SHIPPED", tmp_path)
    with pytest.raises(InvalidValueError, match="SHA-256"):
        module.load_shipped(NAME)
    with pytest.raises(InvalidValueError, match="no shipped network"):
        module.shipped_record("nothing")


def _floats(encoded: str) -> torch.Tensor:
    return torch.from_numpy(
        np.frombuffer(base64.b64decode(encoded), dtype="<f4").copy()
    )


def test_the_export_holds_the_checkpoints_exact_weights(shipped):
    net, vocabulary, record = shipped
    spec = live_sampler.export_network(NAME)
    assert spec["chars"] == vocabulary.chars
    assert spec["sha256"] == record["sha256"]
    rnn = net.cell
    expected = {
        "W_xh": rnn.weight_ih_l0,
        "W_hh": rnn.weight_hh_l0,
        "b_h": rnn.bias_ih_l0 + rnn.bias_hh_l0,  # nn.RNN's two biases, summed
        "W_hy": net.readout.weight,
        "b_y": net.readout.bias,
    }
    for key, tensor in expected.items():
        assert torch.equal(_floats(spec["weights"][key]), tensor.detach().flatten()), (
            key
        )
    script = live_sampler.weights_script(spec)
    assert "window.helloRnnNetworks" in script and "://" not in script


def test_the_pdf_sentence_is_not_the_widgets_sentence():
    """tests/book/test_pdf.py counts pdf_edition's sentence once per widget."""
    assert live_sampler.SENTENCE != pdf_edition.SENTENCE


# --- The runtime, in Node.js, against torch ------------------------------------------------


def run_runtime(calls: list[dict]) -> list:
    """Load the runtime and the exported weights in Node.js; run each call of its API."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("no Node.js (make book needs it; the browser test checks the same)")
    spec = live_sampler.export_network(NAME)
    program = (
        "globalThis.atob = (s) => Buffer.from(s, 'base64').toString('binary');\n"
        f"globalThis.helloRnnNetworks = [{json.dumps(spec)}];\n"
        f"require({json.dumps(str(RUNTIME))});\n"
        "const api = globalThis.helloRnnLiveSampler;\n"
        f"const calls = {json.dumps(calls)};\n"
        "console.log(JSON.stringify(calls.map(c => api[c.fn](...c.args))));\n"
    )
    done = subprocess.run(
        [node, "-"], input=program, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def torch_probabilities(net, vocabulary, prefix: str, temperature=1.0) -> torch.Tensor:
    with torch.no_grad():
        logits, _ = net(vocabulary.one_hot(vocabulary.encode(prefix)))
    return next_char_probabilities(logits[-1], temperature)


def inverse_cdf_reference(net, vocabulary, prefix, draws, temperature=1.0, top_k=0):
    """The rule the runtime samples by, in torch: the first character whose cumulative
    probability exceeds the draw ``u``, after softmax(z / τ) and top-k (0: all)."""
    written = prefix
    with torch.no_grad():
        logits, h = net(vocabulary.one_hot(vocabulary.encode(prefix)))
        for u in draws:
            probs = next_char_probabilities(logits[-1], temperature).double()
            if 0 < top_k < len(probs):
                order = sorted(range(len(probs)), key=lambda k: (-probs[k].item(), k))
                keep = torch.zeros_like(probs, dtype=torch.bool)
                keep[order[:top_k]] = True
                probs = torch.where(keep, probs, 0.0)
                probs = probs / probs.sum()
            cumulative = probs.cumsum(0)
            index = (
                int((cumulative > u).nonzero()[0])
                if u < cumulative[-1]
                else int(probs.nonzero()[-1])
            )
            written += vocabulary.index_to_char[index]
            logits, h = net(vocabulary.one_hot(torch.tensor([index])), h)
    return written


def test_the_runtime_computes_torchs_probabilities(shipped):
    net, vocabulary, _ = shipped
    calls = [
        {"fn": "nextProbabilities", "args": [NAME, prefix, t]}
        for prefix in PREFIXES
        for t in (1.0, 0.5)
    ]
    found = run_runtime(calls)
    for call, theirs in zip(calls, found):
        ours = torch_probabilities(net, vocabulary, call["args"][1], call["args"][2])
        np.testing.assert_allclose(theirs, ours.numpy(), rtol=0, atol=1e-4)


def test_the_runtime_writes_the_same_characters_from_the_same_draws(shipped):
    net, vocabulary, _ = shipped
    rng = random.Random(2024)
    cases = [(prefix, [rng.random() for _ in range(LENGTH)]) for prefix in PREFIXES]
    calls = [
        {
            "fn": "generate",
            "args": [
                NAME,
                {"prefix": p, "length": LENGTH, "temperature": 1, "draws": d},
            ],
        }
        for p, d in cases
    ]
    calls.append(
        {
            "fn": "generate",
            "args": [
                NAME,
                {
                    "prefix": "\n",
                    "length": LENGTH,
                    "temperature": 0.7,
                    "topK": 5,
                    "draws": cases[0][1],
                },
            ],
        }
    )
    found = run_runtime(calls)
    for (prefix, draws), theirs in zip(cases, found):
        assert theirs == inverse_cdf_reference(net, vocabulary, prefix, draws)
    assert found[-1] == inverse_cdf_reference(
        net, vocabulary, "\n", cases[0][1], temperature=0.7, top_k=5
    )


def test_greedy_decoding_writes_what_generate_writes(shipped):
    net, vocabulary, _ = shipped
    calls = [
        {
            "fn": "generate",
            "args": [NAME, {"prefix": prefix, "length": LENGTH, "temperature": 0}],
        }
        for prefix in PREFIXES
    ]
    for prefix, theirs in zip(PREFIXES, run_runtime(calls)):
        assert theirs == generate(net, vocabulary, prefix, LENGTH, temperature=0)


def test_the_same_seed_writes_the_same_text_and_another_seed_another():
    options = {"prefix": "\n", "length": LENGTH, "temperature": 1}
    calls = [
        {"fn": "generate", "args": [NAME, {**options, "seed": seed}]}
        for seed in (0, 0, 1)
    ]
    first, again, other = run_runtime(calls)
    assert first == again != other
