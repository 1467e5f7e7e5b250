"""Where to compute: the fastest device this machine has."""

from __future__ import annotations

import torch

__all__ = ["pick_device"]


def pick_device() -> torch.device:
    """CUDA if there is a GPU (Colab's GPU runtime), else Apple's MPS, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
