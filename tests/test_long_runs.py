"""Chapter 7's long runs, shipped with the package: re-scored here, never re-trained.

``benchmarks/long_runs.py`` trained each once (about an hour on one CPU thread) and wrote
its record; ``hello_rnn.shipped`` keeps each record's SHA-256, and the record its
network's. The networks are scored again on the held-out text and must land on the
recorded scores, within the tolerance of another CPU's last bits.
"""

from __future__ import annotations

import pytest
import torch

from hello_rnn import bits_per_character, cli, default_corpus, split_text
from hello_rnn.settings import (
    GOING_BIGGER_SEED,
    GOING_BIGGER_VALIDATION,
    LONG_RUN_CONTROLS,
    LONG_RUN_FOLLOW_UPS,
    LONG_RUN_RECORD_ONLY,
    LONG_RUNS,
    LONG_RUNS_SAMPLE,
)
from hello_rnn.shakespeare import SHAKESPEARE_SHA256
from hello_rnn.shipped import LONG, LONG_RUN_RECORDS, load_long_run, long_run_record

SHIPPED_NETWORKS = ("rnn", "lstm")  # the controls and follow-ups ship none
BUDGET_SECONDS = 90 * 60  # the budget for each run on this project's CPUs
SHIPPED_BYTES = 10_000_000


@pytest.fixture(scope="module")
def split():
    return split_text(default_corpus(), GOING_BIGGER_VALIDATION)


def test_every_long_run_and_its_control_has_a_checked_record():
    assert set(LONG_RUN_RECORDS) == set(LONG_RUNS)
    assert set(LONG_RUN_RECORD_ONLY) == set(LONG_RUNS) - set(SHIPPED_NETWORKS)
    assert set(LONG_RUN_CONTROLS.values()) | set(LONG_RUN_FOLLOW_UPS) == set(
        LONG_RUN_RECORD_ONLY
    )


def test_a_control_or_follow_up_changes_only_what_it_says():
    """Read from the shipped records, not from settings.py (which builds them so): each
    control or follow-up was trained as its run was, but for the settings it names."""
    changes = {
        control: (run, {"dropout": 0.0}) for run, control in LONG_RUN_CONTROLS.items()
    }
    for name, (run, changed) in {**changes, **LONG_RUN_FOLLOW_UPS}.items():
        record, of_run = long_run_record(name), long_run_record(run)
        assert record["settings"] == {**of_run["settings"], **changed}
        assert record["settings"] != of_run["settings"]
        for key in ("seed", "validation_fraction", "text_length", "sample_settings"):
            assert record[key] == of_run[key], (name, key)


@pytest.mark.parametrize("name", SHIPPED_NETWORKS)
def test_a_shipped_network_scores_what_its_record_says(name, split):
    torch.set_num_threads(1)
    net, vocabulary, record = load_long_run(name)
    settings = record["settings"]
    assert (net.cell_name, net.num_hidden, net.dropout) == (
        settings["cell"],
        settings["hidden"],
        settings["dropout"],
    )
    assert not net.training
    for text, key in (
        (split.validation, "validation_bpc"),
        (split.train_slice, "train_slice_bpc"),
    ):
        scored = bits_per_character(net, vocabulary, text, seq_len=settings["seq_len"])
        assert scored == pytest.approx(record["final"][key], rel=1e-3)


@pytest.mark.parametrize("name", sorted(LONG_RUNS))
def test_a_record_is_of_its_settings_within_the_budget(name):
    record = long_run_record(name)
    settings = LONG_RUNS[name]
    assert record["settings"] == settings
    assert record["seed"] == GOING_BIGGER_SEED
    assert record["validation_fraction"] == GOING_BIGGER_VALIDATION
    assert record["text_length"] == len(default_corpus())
    every, steps = settings["eval_every"], settings["steps"]
    assert [point["step"] for point in record["curve"]] == list(
        range(every, steps + 1, every)
    )
    assert record["wall_seconds"] <= BUDGET_SECONDS
    assert record["curve"][-1]["wall_seconds"] <= record["wall_seconds"]
    best = min(record["curve"], key=lambda point: point["validation_bpc"])
    assert record["best"] == {
        "step": best["step"],
        "validation_bpc": best["validation_bpc"],
    }
    assert record["final"]["step"] == best["step"]
    # The network kept is the one that scored best: re-scored, the same number.
    assert record["final"]["validation_bpc"] == pytest.approx(
        best["validation_bpc"], rel=1e-6
    )
    assert record["torch"] and record["machine"] and len(record["commit"]) == 40
    length = len(LONG_RUNS_SAMPLE["prefix"]) + LONG_RUNS_SAMPLE["length"]
    assert all(len(point["sample"]) == length for point in record["curve"])


def test_the_shipped_networks_fit_in_ten_megabytes_and_the_others_ship_none():
    sizes = [
        (LONG / long_run_record(name)["file"]).stat().st_size
        for name in SHIPPED_NETWORKS
    ]
    assert sum(sizes) <= SHIPPED_BYTES
    for name in LONG_RUN_RECORD_ONLY:
        assert long_run_record(name)["file"] is None
        assert not (LONG / f"{name}.pt").exists()


@pytest.mark.parametrize("name", sorted(LONG_RUN_RECORD_ONLY))
def test_a_control_or_follow_up_has_no_network_to_load(name):
    with pytest.raises(ValueError, match="its network does not"):
        load_long_run(name)


@pytest.mark.parametrize("name", SHIPPED_NETWORKS)
def test_sample_info_describes_a_shipped_network(name, capsys):
    record = long_run_record(name)
    path = LONG / record["file"]
    assert cli.main(["sample", "--load", str(path), "--info"]) == 0
    info = capsys.readouterr().out
    settings = record["settings"]
    assert f"{settings['cell']} cell, {settings['hidden']} hidden units" in info
    assert f"dropout {settings['dropout']:g}" in info
    assert f"SHA-256 {SHAKESPEARE_SHA256}" in info
    assert f"steps       {record['final']['step']} of {settings['steps']}" in info
    assert f"validation {record['final']['validation_bpc']:.3f}" in info


def test_an_unknown_long_run_is_a_clear_error():
    with pytest.raises(ValueError, match="no long run 'gpt'"):
        long_run_record("gpt")
