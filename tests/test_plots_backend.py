"""Importing hello_rnn.plots leaves matplotlib's backend as the user chose it."""

import os
import subprocess
import sys

import pytest

pytest.importorskip("matplotlib")


@pytest.mark.parametrize("backend", ["pdf", "svg"])
def test_importing_plots_keeps_the_chosen_backend(backend):
    # A backend other than Agg that needs no screen: what a script's plt.show()
    # would use is chosen the same way (MPLBACKEND, matplotlibrc, or the default).
    code = (
        "import matplotlib\nimport hello_rnn.plots\nprint(matplotlib.get_backend())\n"
    )
    env = {**os.environ, "MPLBACKEND": backend}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == backend
