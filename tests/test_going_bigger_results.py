"""The recorded measurements that chapter 7 shows: of the chapter's own settings, and never made up."""

import importlib.util
import json
import math
from pathlib import Path

import pytest
import torch

from hello_rnn import CorpusHistory, default_corpus
from hello_rnn.batching import VALIDATION_SPLIT
from hello_rnn.settings import (
    GOING_BIGGER_SEED,
    GOING_BIGGER_SIZES,
    GOING_BIGGER_VALIDATION,
)
from hello_rnn.shakespeare import SHAKESPEARE_SHA256
from hello_rnn.state import LN2

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "going_bigger.json"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location(
        "going_bigger", ROOT / "benchmarks" / "going_bigger.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_settings_are_two_runs_of_train_on_corpus():
    assert set(GOING_BIGGER_SIZES) == {"short", "long"}
    keys = {
        "text_chars",
        "hidden",
        "seq_len",
        "batch_size",
        "steps",
        "lr",
        "eval_every",
    }
    assert all(set(sizes) == keys for sizes in GOING_BIGGER_SIZES.values())
    assert isinstance(GOING_BIGGER_SEED, int) and 0 < GOING_BIGGER_VALIDATION < 1


def test_the_script_trains_with_the_settings(script, monkeypatch):
    calls = []

    def fake_training(net, vocabulary, text, **options):
        calls.append((net, text, options))
        return CorpusHistory(
            loss=[LN2],
            validation_loss=[LN2],
            train_slice_loss=[0.9 * LN2],
            chars_per_step=1,
        )

    monkeypatch.setattr(script, "train_on_corpus", fake_training)
    sizes = GOING_BIGGER_SIZES["short"]
    result = script.measure("short", torch.device("cpu"))
    [(net, text, options)] = calls
    assert text == default_corpus(max_chars=sizes["text_chars"])
    assert net.num_hidden == sizes["hidden"]
    assert options == {
        "seq_len": sizes["seq_len"],
        "batch_size": sizes["batch_size"],
        "steps": sizes["steps"],
        "lr": sizes["lr"],
        "eval_every": sizes["eval_every"],
        "validation_fraction": GOING_BIGGER_VALIDATION,
        "seed": GOING_BIGGER_SEED,
        "device": torch.device("cpu"),
    }
    assert result["sizes"] == sizes and result["complete"]
    assert result["validation_split"] == VALIDATION_SPLIT
    assert (result["validation_bpc"], result["train_slice_bpc"]) == (1.0, 0.9)


def test_every_row_is_of_the_chapters_sizes_and_measured_or_marked_not_yet(script):
    runs = json.loads(RESULTS.read_text())["runs"]
    assert {(r["device"], r["setting"]) for r in runs} >= set(script.ROWS)
    for run in runs:
        assert run["sizes"] == GOING_BIGGER_SIZES[run["setting"]], (
            f"{run['device']}/{run['setting']}: rerun the script"
        )
        if run["status"] == "measured":
            assert math.isfinite(run["chars_per_s"]) and run["chars_per_s"] > 0
            assert run["torch"] and run["date"] and run["device_name"]
            assert run["corpus_sha256"] == SHAKESPEARE_SHA256, (
                "measured on another text"
            )
            if run["complete"]:
                assert run["steps_run"] == run["sizes"]["steps"] and math.isfinite(
                    run["validation_bpc"]
                )
                assert run["validation_split"] == VALIDATION_SPLIT, (
                    f"{run['device']}/{run['setting']}: its validation loss is of "
                    "another split of the text; rerun the script"
                )
            else:  # a speed test: no loss, of any split
                assert run["validation_bpc"] is None
        else:
            assert run["status"] == "not yet measured"
            assert (
                "chars_per_s" not in run and "validation_bpc" not in run
            )  # no numbers without a measurement
            assert run["how"].startswith("python benchmarks/going_bigger.py")


def _measured(setting: str, **fields) -> dict:
    """A record of the CPU run of `setting`, with `fields` added."""
    sizes = GOING_BIGGER_SIZES[setting]
    return {
        "device": "cpu",
        "setting": setting,
        "status": "measured",
        "sizes": sizes,
        **fields,
    }


def test_record_replaces_the_same_row_and_keeps_the_placeholders(script, tmp_path):
    path = tmp_path / "results.json"
    first = _measured("short", chars_per_s=1.0)
    script.record(first, path)
    script.record({**first, "chars_per_s": 2.0}, path)
    runs = json.loads(path.read_text())["runs"]
    assert [(r["device"], r["setting"]) for r in runs] == script.ROWS
    assert runs[0]["chars_per_s"] == 2.0
    assert all(r["status"] == "not yet measured" for r in runs[1:])


def test_record_drops_a_measurement_of_another_text(script, tmp_path):
    path = tmp_path / "results.json"
    script.record(_measured("long", corpus_sha256="0" * 64, chars_per_s=1.0), path)
    script.record(_measured("short"), path)
    runs = {
        (r["device"], r["setting"]): r for r in json.loads(path.read_text())["runs"]
    }
    assert runs["cpu", "long"]["status"] == "not yet measured"


def test_record_drops_a_validation_loss_of_another_split(script, tmp_path):
    path = tmp_path / "results.json"
    old = {"corpus_sha256": SHAKESPEARE_SHA256, "chars_per_s": 1.0}
    script.record(
        _measured("short", complete=True, validation_split="the last tenth", **old),
        path,
    )
    script.record(_measured("long", complete=False, **old), path)
    runs = {
        (r["device"], r["setting"]): r for r in json.loads(path.read_text())["runs"]
    }
    assert runs["cpu", "short"]["status"] == "not yet measured"
    assert runs["cpu", "long"]["status"] == "measured"  # a speed test holds no loss


def test_record_drops_a_row_of_other_sizes_measured_or_not(script, tmp_path):
    path = tmp_path / "results.json"
    other = {**GOING_BIGGER_SIZES["short"], "text_chars": 250_000}
    script.record(_measured("long", chars_per_s=1.0), path)
    runs = json.loads(path.read_text())["runs"]
    for run in runs:
        if run["setting"] == "short":
            run["sizes"] = other  # as the file was before the sizes changed
    path.write_text(json.dumps({"runs": runs}))
    script.record(_measured("long", chars_per_s=2.0), path)
    runs = json.loads(path.read_text())["runs"]
    assert all(r["sizes"] == GOING_BIGGER_SIZES[r["setting"]] for r in runs)


def test_the_recorded_short_run_is_the_one_chapter_7_shows():
    """Same seed, sizes, text and software: the recorded loss is the chapter's, to the digit."""
    runs = json.loads(RESULTS.read_text())["runs"]
    recorded = next(r for r in runs if (r["device"], r["setting"]) == ("cpu", "short"))
    if recorded["status"] != "measured":
        pytest.skip("the CPU short setting is not measured on this text yet")
    chapter = json.loads((ROOT / "chapters" / "07_going_bigger.ipynb").read_text())
    glued = {
        output["metadata"]["scrapbook"]["name"]: output["data"]
        for cell in chapter["cells"]
        for output in cell.get("outputs", [])
        if "scrapbook" in output.get("metadata", {})
    }
    for key, name in (
        ("validation_bpc", "final_validation"),
        ("train_slice_bpc", "final_slice"),
    ):
        shown = float(glued[name]["application/papermill.record/text/plain"])
        assert round(recorded[key], 4) == shown
