"""Hello, RNN! in one file: a character-level RNN reads Shakespeare, then writes some.

Karpathy's min-char-rnn in PyTorch: everything the book's package hello_rnn does to
learn a long text, with nothing but torch. Run: python book/one_file.py [--steps N]
"""

import argparse
import math
from pathlib import Path

import torch
from torch import nn
from torch.nn.functional import cross_entropy, one_hot

TEXT = Path(__file__).parent.parent / "src/hello_rnn/corpora/shakespeare.txt"
HIDDEN = 96  # H, hidden units (chapter 7's short run)
SEQ_LEN = 32  # T, characters per window: how far back each backward pass reaches
BATCH = 16  # B, windows read side by side
LR = 0.01  # Adam's learning rate
CLAMP = 1.0  # clamp every gradient element into [-CLAMP, CLAMP]
STEPS = 800  # optimizer steps, one batch each
SEED = 0  # seeds the weights, where each pass starts, and the sample
PREFIX, SAMPLE_CHARS, TEMPERATURE = "\n", 240, 0.8


def main(argv: list[str] | None = None) -> list[float]:
    """Train, print the loss and a sample; return every step's bits per character."""
    parser = argparse.ArgumentParser(description="Karpathy's min-char-rnn in PyTorch")
    parser.add_argument("text", nargs="?", type=Path, default=TEXT)
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--chars", type=int, help="read only the first CHARS")
    parser.add_argument("--hidden", type=int, default=HIDDEN)
    args = parser.parse_args(argv)
    text = args.text.read_text(encoding="utf-8")[: args.chars]
    chars = sorted(set(text))  # the vocabulary: chars[i] is character number i
    index = {c: i for i, c in enumerate(chars)}
    V, H, T, B = len(chars), args.hidden, SEQ_LEN, BATCH
    data = torch.tensor([index[c] for c in text])  # [L] character numbers

    torch.set_num_threads(1)  # the matrices are small: one CPU thread is fastest
    torch.manual_seed(SEED)
    rnn = nn.RNN(V, H, batch_first=True)  # h_t = tanh(W_xh x_t + W_hh h_t-1 + b_h)
    readout = nn.Linear(H, V)  # z_t = W_hy h_t + b_y: a score for every next char
    params = [*rnn.parameters(), *readout.parameters()]
    optimizer = torch.optim.Adam(params, lr=LR, fused=True)  # fused: torch >= 2.4
    starts = torch.Generator().manual_seed(SEED)  # each pass starts at random
    per_pass = (len(data) - T) // (T * B)  # batches in one pass over the text
    losses = []
    for step in range(args.steps):
        k = step % per_pass  # batch k holds window k of each of the B streams
        if k == 0:  # a new pass: start at random below T, from a blank memory
            start, h = int(torch.randint(T, (), generator=starts)), None
            read = data[start : start + B * per_pass * T + 1]  # what this pass reads
            xs = read[:-1].view(B, per_pass, T)  # B streams, one after another
            ys = read[1:].view(B, per_pass, T)  # the character after each input
        hs, h = rnn(one_hot(xs[:, k], V).float(), h)  # [B, T, V] in, [B, T, H] out
        loss = cross_entropy(readout(hs).flatten(0, 1), ys[:, k].flatten())
        optimizer.zero_grad()
        loss.backward()  # back through this window only: truncated BPTT
        nn.utils.clip_grad_value_(params, CLAMP)
        optimizer.step()
        h = h.detach()  # carry the memory on to the next window, not its gradient
        losses.append(loss.item() / math.log(2))  # nats to bits per character
        if step % 100 == 99 or step in (0, args.steps - 1):
            print(f"step {step + 1:5}: {losses[-1]:.4f} bits per character")

    sample, h, generator = PREFIX, None, torch.Generator().manual_seed(SEED)
    x = torch.tensor([[index[c] for c in PREFIX]])  # [1, P]: read the prefix first
    with torch.no_grad():
        for _ in range(SAMPLE_CHARS):
            hs, h = rnn(one_hot(x, V).float(), h)
            probs = torch.softmax(readout(hs)[0, -1] / TEMPERATURE, dim=-1)  # [V]
            x = torch.multinomial(probs, 1, generator=generator)[None]  # [1, 1]
            sample += chars[int(x)]
    print(sample)
    return losses


if __name__ == "__main__":
    main()
