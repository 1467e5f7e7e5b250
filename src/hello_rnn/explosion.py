"""Chapter 5's explosion study: does a safety net help a run whose gradient explodes?

A network prone to explosion (``W_hh`` scaled up at initialisation, plain SGD with a
large learning rate, a text of 64 characters) is trained from many seeds in each
of several settings, the same seeds in each: no safety net, the norm clipped, a
clamp on every element, and the control, a lower learning rate with the budget of
steps scaled up so that ``lr * steps`` stays the same. Whether one run hits a wall
is chaos: another CPU's last bits send a run elsewhere. So the study counts runs
over many seeds, and its counts are what the chapter claims.

``benchmarks/explosion.py`` runs the study and writes ``results/explosion.json``
next to this module; it ships with the package, checked against
``EXPLOSION_SHA256``, and chapter 5 reads it on every machine.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

import torch

from ._digest import verified_bytes
from .data import DataHandler
from .errors import InvalidValueError
from .model import HelloRNN
from .train import History, train

__all__ = [
    "EXPLOSION_SEEDS",
    "EXPLOSION_TEXT",
    "Setting",
    "exploding_net",
    "explosion_settings",
    "final_accuracy",
    "load_explosion",
    "run_setting",
    "wilson_interval",
]

EXPLOSION_TEXT = "Hello, RNN! Hello, world! Hello, gradients! Goodbye, explosions!"
EXPLOSION_HIDDEN = 50
EXPLOSION_SCALE = 3.0  # W_hh is multiplied by this at initialisation
EXPLOSION_LR = 0.5  # plain SGD's learning rate, large on purpose
EXPLOSION_STEPS = 250  # the budget at that learning rate
EXPLOSION_CLAMP = 0.05  # a clamp set to bite: far below a typical element
EXPLOSION_SEEDS = tuple(range(64))
CLIP_TIMES_TYPICAL = 5  # the clip: five times the median norm of the unprotected runs
CALM_FACTORS = (2, 4)  # the control's learning rate is EXPLOSION_LR divided by these
RESULTS = Path(__file__).resolve().parent / "results" / "explosion.json"
MADE_BY = "benchmarks/explosion.py"
EXPLOSION_SHA256 = "979c71ae0d9d4afa29ed522be93d23de096d936297736e5dc7fb186c7098cc42"


@dataclass(frozen=True)
class Setting:
    """One way to train: SGD's learning rate, the budget, and the safety net if any."""

    name: str
    lr: float
    steps: int
    clamp: float | None = None
    clip_norm: float | None = None


def exploding_net(seed: int, data: DataHandler) -> HelloRNN:
    """A fresh network for `data` with ``W_hh`` scaled up (the same for a seed)."""
    torch.manual_seed(seed)
    net = HelloRNN(data.num_characters, EXPLOSION_HIDDEN)
    with torch.no_grad():
        net.recurrent_weights()[1].mul_(EXPLOSION_SCALE)  # W_hh, in place
    return net


def explosion_settings(clip: float) -> list[Setting]:
    """The study's settings, given the clip (which the unprotected runs decide)."""
    settings = [
        Setting("no safety net", EXPLOSION_LR, EXPLOSION_STEPS),
        Setting("clip", EXPLOSION_LR, EXPLOSION_STEPS, clip_norm=clip),
        Setting("clamp", EXPLOSION_LR, EXPLOSION_STEPS, clamp=EXPLOSION_CLAMP),
    ]
    for factor in CALM_FACTORS:
        lr, steps = EXPLOSION_LR / factor, EXPLOSION_STEPS * factor
        settings.append(Setting(f"lr / {factor}", lr, steps))
    return settings


def final_accuracy(net: HelloRNN, data: DataHandler) -> float:
    """The share of next characters the trained `net` gets right, after its last step."""
    with torch.no_grad():
        logits, _ = net(data.X)  # [T, V]
    return (logits.argmax(dim=-1) == data.y).float().mean().item()


def run_setting(setting: Setting, seed: int, data: DataHandler) -> tuple[dict, History]:
    """Train one network in `setting` from `seed`; what the record keeps of it, and its History."""
    net = exploding_net(seed, data)
    history = train(
        net,
        data,
        steps=setting.steps,
        lr=setting.lr,
        optimizer="sgd",
        clamp=setting.clamp,
        clip_norm=setting.clip_norm,
        stop_when_memorized=False,
    )
    fired = [
        after < before * (1 - 1e-6)
        for before, after in zip(history.grad_norm, history.clipped_grad_norm)
    ]
    run = {
        "setting": setting.name,
        "seed": seed,
        "memorized": final_accuracy(net, data) == 1.0,
        "final_loss": round(history.loss[-1], 6),
        "largest_norm": round(max(history.grad_norm), 6),
        # the longest step SGD took through weight space: lr times the norm it used
        "largest_step": round(setting.lr * max(history.clipped_grad_norm), 6),
        "median_norm": round(statistics.median(history.grad_norm), 6),
        "fired": round(sum(fired) / history.steps, 6),
        # the share of the gradient's elements a clamp changed: on an average step, the most
        "clamped_mean": round(statistics.mean(history.clamped_fraction), 6),
        "clamped_max": round(max(history.clamped_fraction), 6),
    }
    return run, history


def wilson_interval(
    successes: int, trials: int, z: float = 1.96
) -> tuple[float, float]:
    """The Wilson score interval for a share ``successes / trials`` (95 % for z = 1.96).

    Unlike ``p ± z * sqrt(p (1 - p) / n)`` it stays inside [0, 1] and is not empty
    at 0 or n successes: what small counts of runs need.
    """
    if trials <= 0 or not 0 <= successes <= trials:
        raise InvalidValueError(f"{successes} of {trials} is not a count of trials")
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z
        * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
        / (1 + z * z / trials)
    )
    return max(0.0, centre - half), min(1.0, centre + half)


def load_explosion(path: str | Path | None = None) -> dict:
    """The study's record, as ``benchmarks/explosion.py`` wrote it (by default, the shipped one).

    ``{"settings": [...], "clip": c, "runs": [{"setting", "seed", "memorized", ...}],
    "shown": {...}}``. The shipped file is checked against ``EXPLOSION_SHA256``.
    """
    if path is None:
        return json.loads(verified_bytes(RESULTS, EXPLOSION_SHA256, MADE_BY))
    path = Path(path)
    if not path.is_file():
        raise InvalidValueError(f"no explosion study at {path}; run: python {MADE_BY}")
    return json.loads(path.read_bytes())
