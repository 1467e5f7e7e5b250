"""The recorded measurements that chapter 6 shows: of the chapter's own settings, and never made up."""

import importlib.util
import json
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "going_bigger.json"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("going_bigger", ROOT / "benchmarks" / "going_bigger.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_reads_the_chapters_settings(script):
    settings = script.chapter_settings()
    assert set(settings["sizes"]) == {"short", "long"}
    assert isinstance(settings["seed"], int) and 0 < settings["validation"] < 1


def test_every_row_is_of_the_chapters_sizes_and_measured_or_marked_not_yet(script):
    sizes = script.chapter_settings()["sizes"]
    runs = json.loads(RESULTS.read_text())["runs"]
    assert {(r["device"], r["setting"]) for r in runs} >= set(script.ROWS)
    for run in runs:
        assert run["sizes"] == sizes[run["setting"]], f"{run['device']}/{run['setting']}: rerun the script"
        if run["status"] == "measured":
            assert math.isfinite(run["chars_per_s"]) and run["chars_per_s"] > 0
            assert run["torch"] and run["date"] and run["device_name"]
            if run["complete"]:
                assert run["steps_run"] == run["sizes"]["steps"] and math.isfinite(run["validation_bpc"])
        else:
            assert run["status"] == "not yet measured"
            assert "chars_per_s" not in run and "validation_bpc" not in run  # no numbers without a measurement
            assert run["how"].startswith("python benchmarks/going_bigger.py")


def test_record_replaces_the_same_row_and_keeps_the_placeholders(script, tmp_path):
    path = tmp_path / "results.json"
    sizes = script.chapter_settings()["sizes"]
    first = {"device": "cpu", "setting": "short", "status": "measured", "sizes": sizes["short"], "chars_per_s": 1.0}
    script.record(first, path)
    script.record({**first, "chars_per_s": 2.0}, path)
    runs = json.loads(path.read_text())["runs"]
    assert [(r["device"], r["setting"]) for r in runs] == script.ROWS
    assert runs[0]["chars_per_s"] == 2.0
    assert all(r["status"] == "not yet measured" for r in runs[1:])
