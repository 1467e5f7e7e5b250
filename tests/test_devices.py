"""Every public function works on every device this machine has.

Tensors follow the model. On CI only the CPU exists and the other cases are
skipped; on a GPU machine (Colab, the lent device) the same file checks CUDA
against the CPU.
"""

import copy

import pytest
import torch

from hello_rnn import (
    HelloRNN,
    Vocabulary,
    checkpoint,
    default_corpus,
    generate,
    pick_device,
    train,
    train_on_corpus,
)

DEVICES = [
    "cpu",
    pytest.param(
        "cuda",
        marks=pytest.mark.skipif(
            not torch.cuda.is_available(), reason="no CUDA device"
        ),
    ),
    pytest.param(
        "mps",
        marks=pytest.mark.skipif(
            not torch.backends.mps.is_available(), reason="no MPS device"
        ),
    ),
]


def test_pick_device_prefers_an_accelerator():
    expected = (
        "cuda"
        if torch.cuda.is_available()
        else "mps"
        if torch.backends.mps.is_available()
        else "cpu"
    )
    assert pick_device().type == expected


@pytest.fixture(autouse=True)
def full_float32(monkeypatch):
    """No TensorFloat-32 in cuDNN (Ampere and newer GPUs).

    The comparisons here are to float32 rounding.
    """
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("cell", ["scratch", "torch"])
def test_train_and_generate_on_device(device, cell, hello):
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50, cell=cell)
    history = train(net, hello, device=device)
    assert next(net.parameters()).device.type == device
    assert (
        history.memorized_at is not None and generate(net, hello, "H") == "Hello, RNN!"
    )
    # The same weights and seed write the same sample on any device: sampling
    # draws on the CPU.
    on_cpu = copy.deepcopy(net).cpu()
    sample = generate(net, hello, "He", length=20, temperature=0.8, seed=3)
    assert sample == generate(on_cpu, hello, "He", length=20, temperature=0.8, seed=3)


@pytest.mark.parametrize("device", DEVICES)
def test_both_cells_compute_the_same_function_on_device(device, hello):
    torch.manual_seed(0)
    scratch = HelloRNN(hello.num_characters, 50, cell="scratch").to(device)
    fused = scratch.with_cell("torch")
    x = hello.X.to(device)
    with torch.no_grad():
        on_device = fused(x)[0]
        torch.testing.assert_close(on_device, scratch(x)[0], atol=1e-5, rtol=1e-5)
        on_cpu = scratch.cpu()(hello.X)[0]
    torch.testing.assert_close(on_device.cpu(), on_cpu, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("device", DEVICES[1:])
def test_checkpoint_crosses_between_the_cpu_and_an_accelerator(device, hello, tmp_path):
    """Saved on the accelerator, it loads on the CPU; saved on the CPU, it loads
    onto the accelerator (map_location). CPU to CPU: test_checkpoint.py's round trips.
    """
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50).to(device)
    assert train(net, hello).memorized_at is not None
    from_device = checkpoint.save(tmp_path / "device.pt", net, hello)
    from_cpu = checkpoint.save(tmp_path / "cpu.pt", copy.deepcopy(net).cpu(), hello)
    on_cpu, vocabulary, _ = checkpoint.load(from_device)
    on_device, _, _ = checkpoint.load(from_cpu, map_location=device)
    assert {p.device.type for p in on_cpu.parameters()} == {"cpu"}
    assert {p.device.type for p in on_device.parameters()} == {device}
    for name, weight in net.state_dict().items():
        assert torch.equal(on_cpu.state_dict()[name], weight.cpu())
        assert torch.equal(on_device.state_dict()[name], weight)
    assert generate(on_cpu, vocabulary, "H", length=10) == "Hello, RNN!"
    assert generate(on_device, vocabulary, "H", length=10) == "Hello, RNN!"


@pytest.mark.parametrize("device", DEVICES)
def test_corpus_training_runs_on_device(device):
    text = default_corpus(max_chars=20_000)
    vocabulary = Vocabulary(set(text))
    torch.manual_seed(0)
    net = HelloRNN(vocabulary.num_characters, 32)
    history = train_on_corpus(
        net, vocabulary, text, seq_len=16, batch_size=8, steps=20, device=device, seed=0
    )
    assert next(net.parameters()).device.type == device
    assert history.steps == 20
    assert all(torch.isfinite(torch.tensor(history.validation_bpc)))
    assert (
        history.validation_bpc[-1] < history.validation_bpc[0]
        or history.train_bpc[-1] < history.train_bpc[0]
    )
