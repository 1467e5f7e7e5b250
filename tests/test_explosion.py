"""Chapter 5's explosion study: its record ships intact, and it measured this code."""

from __future__ import annotations

import json
import math

import pytest

from hello_rnn import DataHandler
from hello_rnn.errors import InvalidValueError
from hello_rnn.explosion import (
    EXPLOSION_SEEDS,
    EXPLOSION_TEXT,
    RESULTS,
    explosion_settings,
    load_explosion,
    run_setting,
    wilson_interval,
)


def test_the_shipped_record_is_checked_against_its_digest(tmp_path):
    record = load_explosion()
    names = [s["name"] for s in record["settings"]]
    assert names == [s.name for s in explosion_settings(record["clip"])]
    assert len(record["runs"]) == len(names) * len(EXPLOSION_SEEDS)
    changed = tmp_path / "explosion.json"
    changed.write_bytes(
        RESULTS.read_bytes().replace(b'"memorized": true', b'"memorized": false', 1)
    )
    assert load_explosion(changed) != record  # another path: read, not checked
    with pytest.raises(InvalidValueError, match="no explosion study"):
        load_explosion(tmp_path / "missing.json")


def test_a_damaged_shipped_record_is_refused(monkeypatch, tmp_path):
    import hello_rnn.explosion as explosion

    damaged = tmp_path / "explosion.json"
    damaged.write_bytes(RESULTS.read_bytes() + b" ")
    monkeypatch.setattr(explosion, "RESULTS", damaged)
    with pytest.raises(InvalidValueError, match="not the file hello_rnn was made with"):
        explosion.load_explosion()


def test_the_record_measured_this_code():
    """The shown seed's unprotected run, trained now, starts as the record's did.

    Only the first steps: later, a jump at a wall can turn another CPU's last bits
    into another trajectory (which is why the chapter counts seeds).
    """
    record = load_explosion()
    seed = record["shown"]["seed"]
    setting = explosion_settings(record["clip"])[0]
    setting = type(setting)(setting.name, setting.lr, steps=10)
    run, history = run_setting(setting, seed, DataHandler(EXPLOSION_TEXT))
    stored = record["shown"]["curves"][setting.name]
    for now, then in zip(history.loss, stored["loss"][:10], strict=True):
        assert math.isclose(now, then, rel_tol=1e-3)
    assert set(run) == set(record["runs"][0]) - {"cpu_seconds"}
    json.dumps(run)  # plain values, as the record keeps them


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    # values from the Wilson score formula, as in Brown, Cai & DasGupta (2001)
    [
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (8, 64, 0.0648, 0.2278),
        (5, 10, 0.2366, 0.7634),
    ],
)
def test_wilson_interval(successes, trials, low, high):
    assert wilson_interval(successes, trials) == pytest.approx((low, high), abs=1e-4)


@pytest.mark.parametrize(("successes", "trials"), [(3, 0), (-1, 5), (6, 5)])
def test_wilson_interval_refuses_what_is_not_a_count(successes, trials):
    with pytest.raises(InvalidValueError, match="not a count"):
        wilson_interval(successes, trials)
