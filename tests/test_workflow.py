"""The weekly job of .github/workflows/book.yml that runs every chapter in Colab's own image."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from hello_rnn.notebook import expect

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = yaml.safe_load((ROOT / ".github/workflows/book.yml").read_text("utf-8"))
JOB = WORKFLOW["jobs"]["colab"]
SCRIPT = "\n".join(step.get("run", "") for step in JOB["steps"])


def test_the_colab_job_runs_weekly_and_on_demand_only():
    triggers = WORKFLOW.get("on", WORKFLOW.get(True))  # YAML 1.1 reads `on` as True
    assert {"schedule", "workflow_dispatch"} <= set(triggers)
    events = set(re.findall(r"github\.event_name == '(\w+)'", JOB["if"]))
    assert events == {"schedule", "workflow_dispatch"}
    assert "!=" not in JOB["if"] and "&&" not in JOB["if"]


def test_the_colab_job_runs_in_colabs_runtime_image():
    image = JOB["container"]["image"]
    assert image.split(":")[0] == "us-docker.pkg.dev/colab-images/public/runtime"


def test_the_colab_job_runs_every_chapter_not_strictly():
    assert sorted((ROOT / "chapters").glob("*.ipynb")), "no chapters"
    assert re.search(r"for \w+ in chapters/\*\.ipynb", SCRIPT)
    assert "--execute" in SCRIPT
    environments = [JOB.get("env", {})] + [step.get("env", {}) for step in JOB["steps"]]
    assert not any("HELLO_RNN_STRICT" in env for env in environments)
    assert "HELLO_RNN_STRICT" not in SCRIPT


def test_the_colab_job_installs_what_the_setup_cell_names_and_fails_on_its_note(
    capsys, monkeypatch
):
    setup = "".join(
        json.loads((ROOT / "chapters/01_encoding_the_data.ipynb").read_text("utf-8"))[
            "cells"
        ][0]["source"]
    )
    (repository,) = re.findall(r'REPOSITORY = "([^"]+)"', setup)
    assert f'pip install --quiet "hello_rnn @ git+{repository}"' in SCRIPT
    assert f"insteadOf {repository}\n" in SCRIPT  # that URL is the checkout
    assert "pip freeze --all > freeze-before.txt" in SCRIPT
    # The text the job looks for is what `expect` prints when a claim does not hold.
    monkeypatch.delenv("HELLO_RNN_STRICT", raising=False)
    expect(False, "a claim")
    (note,) = re.findall(r'NOTE = "([^"]+)"', SCRIPT)
    assert capsys.readouterr().out.startswith(note)
