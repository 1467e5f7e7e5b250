"""The tolerant comparison of stored outputs (tests/nbval_tolerance.py), alone and in nbval."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbval_tolerance import (
    DEFAULT,
    Tolerance,
    notebooks_agree,
    outputs_agree,
    texts_agree,
    values_agree,
)
from tiny_notebooks import one_cell_notebook

HERE = Path(__file__).resolve().parent


# --- numbers and words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "new"),
    [
        ("bpc 2.6707 on validation", "bpc 2.6706 on validation"),  # the last digit
        ("norm 9.4418", "norm 9.4417"),
        ("0.22 and 0.24", "0.21 and 0.25"),  # a last digit of a short print
        ("loss 2.75e+01", "loss 2.76e+01"),
        ("[0.1234, -0.5678]", "[0.1235, -0.5677]"),
        ("tiny 3e-09", "tiny 5e-09"),  # below float32's resolution: noise
        ("−0.9 in a table", "−0.9001 in a table"),  # a Unicode minus
    ],
)
def test_a_last_digit_change_passes(stored, new):
    assert texts_agree(stored, new)


@pytest.mark.parametrize(
    ("stored", "new"),
    [
        ("bpc 2.6707 on validation", "bpc 2.6974 on validation"),  # 1 % more
        ("norm 9.4418", "norm 9.3474"),  # 1 % less
        ("memorized after 25 steps", "memorized after 24 steps"),  # a count is exact
        ("1,113,215 characters", "1,113,216 characters"),
        ("gradient 1.9e-05", "gradient 6.8e-08"),  # vanishing is not noise
        ("torch 2.13.0", "torch 2.13.1"),  # a version is words
        ("sha e3ed1c03", "sha e3ed1c04"),
    ],
)
def test_a_real_change_of_a_number_fails(stored, new):
    assert not texts_agree(stored, new)


@pytest.mark.parametrize(
    ("stored", "new"),
    [
        ("the RNN memorizes", "the GRU memorizes"),
        ("loss 0.5", "loss 0.5 "),
        ("loss 0.5", "loss 0.5, 0.6"),  # a number more
        ("0.5", "-0.5"),
    ],
)
def test_changed_words_fail(stored, new):
    assert not texts_agree(stored, new)


def test_a_declared_tolerance_widens_and_never_narrows():
    assert not texts_agree("solved at step 713", "solved at step 660")
    wide = DEFAULT.widened({"rtol": 0.5})
    assert texts_agree("solved at step 713", "solved at step 660", wide)
    assert not texts_agree("solved at step 713", "solved at step 60", wide)
    narrow = DEFAULT.widened({"rtol": 0.0, "atol": 0.0})
    assert narrow == DEFAULT
    with pytest.raises(ValueError, match="rtol and atol"):
        DEFAULT.widened({"rtoll": 1})


def test_values_agree_through_json():
    stored = {"a": [1, 2.5, "x 0.1234"], "b": {"c": True}}
    assert values_agree(stored, {"a": [1, 2.5001, "x 0.1235"], "b": {"c": True}})
    assert not values_agree(stored, {"a": [1, 2.6, "x 0.1234"], "b": {"c": True}})
    assert not values_agree(stored, {"a": [1, 2.5, "y 0.1234"], "b": {"c": True}})
    assert not values_agree(stored, {"a": [1, 2.5, "x 0.1234"], "b": {"c": False}})
    assert not values_agree(stored, {"a": [1, 2.5], "b": {"c": True}})


# --- outputs ----------------------------------------------------------------------------


def _stream(text: str) -> dict:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _glued(name: str, text: str, declared: dict | None = None) -> dict:
    metadata = {
        "scrapbook": {"name": name, "mime_prefix": "application/papermill.record/"}
    }
    if declared:
        metadata["hello_rnn"] = {"tolerance": declared}
    return nbformat.v4.new_output(
        "display_data",
        data={"application/papermill.record/text/plain": text},
        metadata=metadata,
    )


def _figure(png: str, alt: str) -> dict:
    prefix = "application/papermill.record/"
    return nbformat.v4.new_output(
        "display_data",
        data={
            prefix + "image/png": png,
            prefix + "text/plain": "<Figure size 640x480>",
        },
        metadata={"image/png": {"alt": alt}, "scrapbook": {"name": "fig"}},
    )


def test_outputs_agree_within_tolerance_and_not_beyond():
    stored = [_stream("loss 0.0769\n"), _glued("bpc", "2.6707")]
    assert outputs_agree(stored, [_stream("loss 0.0770\n"), _glued("bpc", "2.6706")])
    assert not outputs_agree(
        stored, [_stream("loss 0.0800\n"), _glued("bpc", "2.6706")]
    )
    assert not outputs_agree(stored, [_stream("loss 0.0769\n")])


def test_a_glued_value_declares_its_own_tolerance():
    stored = [_glued("steps", "713", {"rtol": 0.5})]
    assert outputs_agree(stored, [_glued("steps", "932", {"rtol": 0.5})])
    assert not outputs_agree(stored, [_glued("steps", "2000", {"rtol": 0.5})])
    # the declaration itself is compared: code that changed it must be re-run
    assert not outputs_agree(stored, [_glued("steps", "713")])
    assert not outputs_agree(stored, [_glued("steps", "713", {"rtol": 0.6})])


def test_a_cell_declares_a_tolerance_for_what_it_prints():
    stored, new = [_stream("solved at 713\n")], [_stream("solved at 932\n")]
    assert not outputs_agree(stored, new)
    assert outputs_agree(stored, new, cell_tolerance={"rtol": 0.5})


def test_figures_are_compared_by_their_description_not_their_bytes():
    stored = [
        _figure("iVBORw0KGgoAAAA", "Loss falls from 2.1972 to 0.0193 over 25 steps.")
    ]
    same = [
        _figure("iVBORw0KGgoBBBB", "Loss falls from 2.1973 to 0.0193 over 25 steps.")
    ]
    edited = [
        _figure("iVBORw0KGgoAAAA", "Loss falls from 2.1972 to 0.0193 over 30 steps.")
    ]
    assert outputs_agree(stored, same)
    assert not outputs_agree(stored, edited)


def test_sanitized_text_is_cleaned_before_numbers_are_compared():
    def clean(text: str) -> str:
        return text.replace("1,234 chars/s", "N chars/s").replace(
            "9,999 chars/s", "N chars/s"
        )

    stored = [_stream("1,234 chars/s, loss 0.5000\n")]
    assert outputs_agree(stored, [_stream("9,999 chars/s, loss 0.5001\n")], clean=clean)
    assert not outputs_agree(
        stored, [_stream("9,999 chars/s, loss 0.6\n")], clean=clean
    )


def _notebook(outputs: list, widgets: dict | None = None, tags: list | None = None):
    cell = nbformat.v4.new_code_cell("run()", execution_count=1)
    cell.outputs = outputs
    if tags:
        cell.metadata["tags"] = tags
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# A"), cell]
    )
    if widgets is not None:
        notebook.metadata["widgets"] = widgets
    return notebook


def _image_state(png: str, tooltip: str) -> dict:
    return {
        "application/vnd.jupyter.widget-state+json": {
            "state": {
                "m1": {
                    "model_name": "ImageModel",
                    "state": {"value": png, "tooltip": tooltip, "width": "400"},
                },
                "m2": {"model_name": "IntSliderModel", "state": {"value": 3}},
            }
        }
    }


def test_notebooks_agree_cell_by_cell_and_in_their_widget_state():
    stored = _notebook(
        [_stream("0.1234\n")], _image_state("AAAA", "Loss 0.1234 at step 3.")
    )
    new = _notebook(
        [_stream("0.1235\n")], _image_state("BBBB", "Loss 0.1235 at step 3.")
    )
    assert notebooks_agree(stored, new)
    wrong_frame = _notebook(
        [_stream("0.1235\n")], _image_state("AAAA", "Loss 0.2 at step 3.")
    )
    assert not notebooks_agree(stored, wrong_frame)
    wrong_text = _notebook(
        [_stream("0.2\n")], _image_state("AAAA", "Loss 0.1234 at step 3.")
    )
    assert not notebooks_agree(stored, wrong_text)
    new_code = _notebook(
        [_stream("0.1234\n")], _image_state("AAAA", "Loss 0.1234 at step 3.")
    )
    new_code.cells[1].source = "run(2)"
    assert not notebooks_agree(stored, new_code)


def test_notebooks_agree_skips_the_cells_it_is_told_to():
    stored = _notebook([_stream("12 it/s\n")], tags=["nbval-ignore-output"])
    new = _notebook([_stream("99 it/s\n")], tags=["nbval-ignore-output"])
    assert not notebooks_agree(stored, new)

    def ignored(cell) -> bool:
        return "nbval-ignore-output" in cell.get("metadata", {}).get("tags", [])

    assert notebooks_agree(stored, new, ignored=ignored)


# --- in nbval, end to end ---------------------------------------------------------------


def _chapter(path: Path, code: str, stored: str, metadata: dict | None = None) -> Path:
    return one_cell_notebook(path, code, stored, metadata)


def _nbval(path: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-p", "nbval_tolerance", "--nbval"]
    command += ["--nbval-current-env", str(path), "-q", "-p", "no:cacheprovider"]
    env = {"PYTHONPATH": str(HERE), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        command, capture_output=True, text=True, cwd=path.parent, env=env, check=False
    )


@pytest.mark.parametrize(
    ("stored", "passes"),
    [
        ("loss 0.33333\n", True),  # what the code prints, to the last digit
        ("loss 0.33334\n", True),  # another machine's last digit
        ("loss 0.33667\n", False),  # 1 % off
        ("Loss 0.33333\n", False),  # a changed word
        ("loss 0.33333 (best)\n", False),  # a hand-edited output
    ],
)
def test_nbval_with_the_plugin(tmp_path, stored, passes):
    path = _chapter(tmp_path / "chapter.ipynb", "print(f'loss {1/3:.5f}')", stored)
    result = _nbval(path)
    assert (result.returncode == 0) is passes, result.stdout + result.stderr


def test_nbval_with_the_plugin_honours_a_cells_tolerance(tmp_path):
    code = "print('solved at step', 932)"
    tolerant = _chapter(
        tmp_path / "a.ipynb", code, "solved at step 713\n", {"tolerance": {"rtol": 0.5}}
    )
    strict = _chapter(tmp_path / "b.ipynb", code, "solved at step 713\n")
    assert _nbval(tolerant).returncode == 0
    failed = _nbval(strict)
    assert failed.returncode == 1
    assert "713" in failed.stdout and "932" in failed.stdout


def test_the_default_tolerance_is_the_documented_one():
    readme = (HERE.parent / "README.md").read_text(encoding="utf-8")
    assert Tolerance(rtol=1e-3, atol=1e-6) == DEFAULT
    assert "rtol=1e-3" in readme and "atol=1e-6" in readme


FIGURE_CELL = """
import matplotlib.pyplot as plt
from hello_rnn.alt_text import with_alt
from hello_rnn.notebook import glue
fig, ax = plt.subplots()
ax.plot([2.1972, 0.0193])
glue("fig_loss", with_alt(fig, "Loss falls from 2.1972 to 0.0193 over 25 steps."))
"""


@pytest.mark.parametrize(
    ("alt", "passes"),
    [
        ("Loss falls from 2.1972 to 0.0193 over 25 steps.", True),
        ("Loss falls from 2.1972 to 0.0193 over 30 steps.", False),  # an edited count
        (
            "Loss falls from 2.1972 to 0.0200 over 25 steps.",
            False,
        ),  # a number, 3.6 % off
        ("Loss rises from 2.1972 to 0.0193 over 25 steps.", False),  # an edited word
    ],
)
def test_nbval_compares_a_glued_figure_by_its_description(
    tmp_path, monkeypatch, alt, passes
):
    """Executed once here, its stored description edited: nbval with the plugin sees it."""
    from nbclient import NotebookClient

    monkeypatch.delenv(
        "MPLBACKEND", raising=False
    )  # the kernel's inline backend: a PNG

    cell = nbformat.v4.new_code_cell(FIGURE_CELL)
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    NotebookClient(notebook, kernel_name="python3").execute()
    (output,) = [o for o in cell.outputs if o.get("output_type") == "display_data"]
    assert output["metadata"]["image/png"]["alt"].startswith("Loss falls")
    output["metadata"]["image/png"]["alt"] = alt
    # another machine draws other PNG bytes: never compared
    png = "application/papermill.record/image/png"
    output["data"][png] = output["data"][png][:-8] + "AAAAAAA="
    path = tmp_path / "figure.ipynb"
    nbformat.write(notebook, path)
    result = _nbval(path)
    assert (result.returncode == 0) is passes, result.stdout + result.stderr


def test_digits_inside_a_word_are_part_of_the_word():
    # An HTML id or a colour is a word: it must match exactly, and never parse as a number.
    stored = '<p id="neuron-2e4234d13f" style="background:#5e9ed6">0.76</p>'
    assert texts_agree(stored, stored.replace("0.76", "0.7601"))
    assert not texts_agree(stored, stored.replace("2e4234d13f", "2e4235d13f"))
    assert not texts_agree(stored, stored.replace("#5e9ed6", "#5e9ed7"))
    assert not texts_agree("the 12th step", "the 13th step")


def test_a_number_beyond_a_float_is_compared_without_an_error():
    assert texts_agree("1e999", "1e999")
    assert not texts_agree("1e999", "2")
