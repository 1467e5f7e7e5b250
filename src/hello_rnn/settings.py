"""The sizes of the book's long runs, in code so that every reader of them agrees.

Chapter 7 (*Going bigger*) trains with these, and ``benchmarks/going_bigger.py``
measures the very same runs.
"""

from __future__ import annotations

__all__ = [
    "GOING_BIGGER_SEED",
    "GOING_BIGGER_SIZES",
    "GOING_BIGGER_VALIDATION",
    "LONG_RUNS",
    "LONG_RUNS_SAMPLE",
    "LONG_RUN_CONTROLS",
    "LONG_RUN_FOLLOW_UPS",
    "LONG_RUN_RECORD_ONLY",
    "training_arguments",
]

#: The sizes of chapter 7's two runs, ``"short"`` for a CPU and ``"long"`` for a
#: GPU. ``text_chars`` is how much of ``default_corpus()`` to read (None for all
#: of it), ``hidden`` the network's ``num_hidden``, and the rest are arguments
#: of ``train_on_corpus``.
GOING_BIGGER_SIZES: dict[str, dict[str, int | float | None]] = {
    "short": {
        "text_chars": None,
        "hidden": 96,
        "seq_len": 32,
        "batch_size": 16,
        "steps": 800,
        "lr": 0.01,
        "eval_every": 50,
    },
    "long": {
        "text_chars": None,
        "hidden": 512,
        "seq_len": 128,
        "batch_size": 128,
        "steps": 2000,
        "lr": 0.002,
        "eval_every": 100,
    },
}
#: Seeds every random choice of chapter 7.
GOING_BIGGER_SEED = 0
#: The share of the text chapter 7 holds out to validate on, spread through the
#: text by :func:`hello_rnn.batching.split_text`.
GOING_BIGGER_VALIDATION = 0.1


def training_arguments(setting: str) -> dict[str, int | float | None]:
    """The keyword arguments of ``train_on_corpus`` that a setting of chapter 7 fixes.

    ``seq_len``, ``batch_size``, ``steps``, ``lr`` and ``eval_every`` of
    ``GOING_BIGGER_SIZES[setting]``: every size but the text's and the network's.
    """
    sizes = GOING_BIGGER_SIZES[setting]
    return {
        key: sizes[key]
        for key in ("seq_len", "batch_size", "steps", "lr", "eval_every")
    }


#: The long runs of ``benchmarks/long_runs.py``, whose networks ship with the
#: package (``hello_rnn.shipped``): the whole corpus, one CPU thread each, a
#: budget of at most 90 minutes. ``hidden``, ``cell`` and ``dropout`` make the
#: network; the rest are arguments of ``train_on_corpus``. The step counts were
#: fixed before the runs from a timing of each cell here (about 7 steps a second
#: for the LSTM, 12 for the plain RNN), so that each fits the budget; the rate
#: falls along a cosine to ``lr_final`` by the last of them. (A first LSTM run
#: with dropout 0.3 was stopped after 6,000 steps: its validation loss was at
#: its best, 1.977 bpc, at step 4,000 and rising, its training loss falling.)
LONG_RUNS: dict[str, dict[str, int | float | str | None]] = {
    "rnn": {
        "cell": "torch",
        "hidden": 512,
        "dropout": 0.2,
        "seq_len": 100,
        "batch_size": 32,
        "steps": 36_000,
        "lr": 0.002,
        "lr_final": 0.0001,
        "clamp": None,
        "clip_norm": 5.0,
        "eval_every": 1_000,
    },
    "lstm": {
        "cell": "lstm",
        "hidden": 512,
        "dropout": 0.5,
        "seq_len": 100,
        "batch_size": 32,
        "steps": 20_000,
        "lr": 0.002,
        "lr_final": 0.0001,
        "clamp": None,
        "clip_norm": 5.0,
        "eval_every": 1_000,
    },
}
#: Each long run's control, the same run without dropout (same network, rate,
#: schedule, steps and seed), to measure what dropout did. Its record ships, its
#: network does not.
LONG_RUN_CONTROLS: dict[str, str] = {"lstm": "lstm_no_dropout", "rnn": "rnn_no_dropout"}
for _run, _control in LONG_RUN_CONTROLS.items():
    LONG_RUNS[_control] = {**LONG_RUNS[_run], "dropout": 0.0}
#: Follow-ups, each a long run again with some settings changed, to test what
#: chapter 7 says might have done better: ``{name: (run, changed settings)}``.
#: Their records ship, their networks do not. The LSTM was at its best at step
#: 5,000 of 20,000 (scored every 1,000), its rate still near its start, and then
#: learned its text by heart while the rate fell. Its follow-up is the same run
#: with the rate falling to its end by step 6,000 (the first scoring after the
#: best, fixed before the run), scored every 500 steps.
LONG_RUN_FOLLOW_UPS: dict[str, tuple[str, dict[str, int]]] = {
    "lstm_short_schedule": ("lstm", {"steps": 6_000, "eval_every": 500}),
}
for _name, (_run, _changed) in LONG_RUN_FOLLOW_UPS.items():
    LONG_RUNS[_name] = {**LONG_RUNS[_run], **_changed}
#: The runs whose record ships without their network.
LONG_RUN_RECORD_ONLY: tuple[str, ...] = (
    *LONG_RUN_CONTROLS.values(),
    *LONG_RUN_FOLLOW_UPS,
)
#: The prefix, length, temperature and seed of ``generate`` for the samples
#: the long runs write while they train.
LONG_RUNS_SAMPLE: dict[str, str | int | float] = {
    "prefix": "\n",
    "length": 400,
    "temperature": 0.8,
    "seed": 0,
}
