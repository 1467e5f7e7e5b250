"""Every public function works on every device this machine has; tensors follow the model.

On CI only the CPU exists and the other cases are skipped; on a GPU machine
(Colab, the lent device) the same file checks CUDA against the CPU.
"""

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
    pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")),
    pytest.param("mps", marks=pytest.mark.skipif(not torch.backends.mps.is_available(), reason="no MPS device")),
]


def test_pick_device_prefers_an_accelerator():
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert pick_device().type == expected


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("cell", ["scratch", "torch"])
def test_train_and_generate_on_device_match_the_cpu(device, cell, hello):
    results = {}
    for where in dict.fromkeys(["cpu", device]):
        torch.manual_seed(0)
        net = HelloRNN(hello.num_characters, 50, cell=cell)
        history = train(net, hello, device=where)
        assert next(net.parameters()).device.type == where
        results[where] = (
            history.memorized_at,
            generate(net, hello, "H"),
            generate(net, hello, "He", length=20, temperature=0.8, seed=3),
        )
    assert results[device][1] == "Hello, RNN!"
    # Same seed, same sample on any device: sampling draws on the CPU with its own generator.
    assert results[device][2] == results["cpu"][2]


@pytest.mark.parametrize("device", DEVICES)
def test_checkpoint_saved_on_device_loads_anywhere(device, hello, tmp_path):
    torch.manual_seed(0)
    net = HelloRNN(hello.num_characters, 50).to(device)
    train(net, hello)
    path = checkpoint.save(tmp_path / "hello.pt", net, hello)
    on_cpu, vocabulary, _ = checkpoint.load(path)
    on_device, _, _ = checkpoint.load(path, map_location=device)
    assert next(on_cpu.parameters()).device.type == "cpu"
    assert next(on_device.parameters()).device.type == device
    assert generate(on_cpu, vocabulary, "H", length=10) == generate(on_device, vocabulary, "H", length=10)


@pytest.mark.parametrize("device", DEVICES)
def test_corpus_training_runs_on_device(device):
    text = default_corpus(max_chars=20_000)
    vocabulary = Vocabulary(set(text))
    torch.manual_seed(0)
    net = HelloRNN(vocabulary.num_characters, 32)
    history = train_on_corpus(net, vocabulary, text, seq_len=16, batch_size=8, steps=20, device=device, seed=0)
    assert next(net.parameters()).device.type == device
    assert history.steps == 20
    assert all(torch.isfinite(torch.tensor(history.validation_bpc)))
    assert history.validation_bpc[-1] < history.validation_bpc[0] or history.train_bpc[-1] < history.train_bpc[0]

