"""The live sampler: the network that ships with ``hello_rnn``, writing in the reader's browser.

Two directives, for pages that want them::

    ```{live-sampler}
    :prefix: "ROMEO.\\n"
    :temperature: 0.8
    :seed: 0
    :length: 300
    ```

    ```{shipped-sample}
    :prefix: "\\n"
    :lines: 6
    ```

``live-sampler`` puts a sampler on the page: a box for the beginning, a temperature slider
(τ from 0.1 to 2), top-k, a seed, Generate and Stop. It runs in the browser, with no kernel
and no server: ``live_sampler_static/live_sampler.js`` is the package's forward pass and
sampling rule in plain JavaScript (read it: the equations are written out once more), and the
weights are the checkpoint shipped in the package (``hello_rnn.shipped``), checked against its
SHA-256 and exported here at build time into ``assets/live_sampler/<network>.js``. Only pages
with the directive load those files (the runtime, its stylesheet, the weights); weights are a
script, not JSON fetched at run time, so the page works from ``file://`` too.

Under the controls, and in their place with JavaScript off, in the PDF and in any other
builder, is a sample the same network wrote with ``hello_rnn.generate`` when the book was built,
and a sentence saying that the web page has a live version.

``shipped-sample`` is that precomputed sample alone: the book's first page opens with it.
Every option is optional; a prefix may be quoted as a JSON string (for a trailing space or a
line break).
"""

from __future__ import annotations

import base64
import functools
import html
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "live_sampler_static"
# Under assets/, as offline_assets.py puts the other libraries: Jupyter Book adds every script
# under _static/ to every page; these go only on the pages that have a sampler.
ASSETS = "assets/live_sampler"
RUNTIME = ("live_sampler.js", "live_sampler.css")
DEFAULT_NETWORK = "shakespeare_short"
# What a reader of the PDF, or of the page with JavaScript off, is told (not pdf_edition.py's
# sentence, which tests/book/test_pdf.py counts once per widget).
SENTENCE = (
    "The web page of this book has a live version of this sampler: it writes in your browser, "
    "from your own beginning, temperature and seed (it needs JavaScript)."
)


@functools.cache
def shipped(name: str) -> tuple[Any, Any, dict]:
    """``hello_rnn.shipped.load_shipped(name)``, once per build: (net, vocabulary, record)."""
    from hello_rnn.shipped import load_shipped

    return load_shipped(name)


def export_network(name: str) -> dict[str, Any]:
    """The shipped network ``name`` as the runtime reads it.

    ``{"name", "sha256", "chars", "hidden", "weights": {W_xh, W_hh, b_h, W_hy, b_y}}``, each
    weight row-major as little-endian float32 in base64: the checkpoint's exact values.
    ``b_h`` is ``nn.RNN``'s two biases summed (``HelloRNN.recurrent_weights``).
    """
    net, vocabulary, record = shipped(name)
    W_xh, W_hh, b_h = net.recurrent_weights()
    weights = {
        "W_xh": W_xh,
        "W_hh": W_hh,
        "b_h": b_h,
        "W_hy": net.readout.weight,
        "b_y": net.readout.bias,
    }
    return {
        "name": name,
        "sha256": record["sha256"],
        "chars": list(vocabulary.chars),
        "hidden": net.num_hidden,
        "weights": {key: _base64(value) for key, value in weights.items()},
    }


def _base64(tensor: Any) -> str:
    array = tensor.detach().cpu().contiguous().numpy().astype("<f4", copy=False)
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def weights_script(spec: dict[str, Any]) -> str:
    """The weights file: it hands ``spec`` to the runtime, loaded before or after it."""
    return (
        f"/* hello_rnn's shipped network {spec['name']!r} (checkpoint SHA-256 {spec['sha256']}),\n"
        "   exported by book/_ext/live_sampler.py when the book was built. */\n"
        "(window.helloRnnNetworks = window.helloRnnNetworks || []).push(\n"
        f"{json.dumps(spec, ensure_ascii=True)}\n);\n"
    )


def write_assets(app: Sphinx) -> None:
    """``builder-inited``: the runtime and every shipped network's weights, into assets/."""
    if app.builder.format != "html":
        return
    from hello_rnn.shipped import SHIPPED_NETWORKS

    out = Path(app.outdir) / ASSETS
    out.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME:
        shutil.copy2(STATIC / name, out / name)
    for name in SHIPPED_NETWORKS:
        script = weights_script(export_network(name))
        (out / f"{name}.js").write_text(script, encoding="utf-8")


def sample(name: str, prefix: str, length: int, temperature: float, seed: int) -> str:
    """What ``hello_rnn.generate`` writes with the shipped network ``name``."""
    from hello_rnn import generate

    net, vocabulary, _ = shipped(name)
    return generate(net, vocabulary, prefix, length, temperature=temperature, seed=seed)


def _text(value: str) -> str:
    """An option's text: a JSON string (``"ROMEO.\\n"``, ``"the "``), or as written.

    MyST reads a directive's options as YAML, so a quoted value arrives already unquoted,
    its ``\\n`` a line break; it is taken as it comes, spaces and line breaks included.
    """
    quoted = value.strip()
    if len(quoted) >= 2 and quoted[0] == quoted[-1] == '"':
        return json.loads(quoted)
    return value


def _temperature(value: str) -> float:
    found = float(value)
    if not 0 <= found <= 2:
        raise ValueError(f"the temperature must be from 0 to 2, got {value!r}")
    return found


def _network(value: str) -> str:
    from hello_rnn.shipped import SHIPPED_NETWORKS

    if value not in SHIPPED_NETWORKS:
        raise ValueError(f"no shipped network {value!r}; there are {SHIPPED_NETWORKS}")
    return value


class live_sampler(nodes.General, nodes.Element):  # noqa: N801  (a docutils node)
    """The sampler: controls on a web page around its fallback (its children), which every
    other builder shows alone."""


class _SampleDirective(SphinxDirective):
    optional_arguments = 1  # the shipped network; DEFAULT_NETWORK without one
    option_spec = {
        "prefix": _text,
        "temperature": _temperature,
        "seed": directives.nonnegative_int,
        "length": directives.positive_int,
    }
    defaults = {"prefix": "\n", "temperature": 0.8, "seed": 0, "length": 300}

    def settings(self) -> dict[str, Any]:
        found = {**self.defaults, **self.options}
        try:
            found["network"] = _network(
                self.arguments[0] if self.arguments else DEFAULT_NETWORK
            )
        except ValueError as error:
            raise self.error(str(error)) from None
        from hello_rnn.shipped import SHIPPED

        self.env.note_dependency(str(SHIPPED / f"{found['network']}.pt"))
        self.env.note_dependency(str(SHIPPED / f"{found['network']}.json"))
        return found

    def written(self, settings: dict[str, Any]) -> str:
        return sample(
            settings["network"],
            settings["prefix"],
            settings["length"],
            settings["temperature"],
            settings["seed"],
        )

    @staticmethod
    def how(settings: dict[str, Any]) -> str:
        return (
            f"beginning {json.dumps(settings['prefix'])}, τ = {settings['temperature']:g}, "
            f"seed {settings['seed']}"
        )


class LiveSampler(_SampleDirective):
    def run(self) -> list[nodes.Node]:
        settings = self.settings()
        serial = self.env.new_serialno("live-sampler")
        sampler_id = f"live-sampler-{self.env.docname.replace('/', '-')}-{serial}"
        node = live_sampler(
            "", sampler_id=sampler_id, **settings, classes=["live-sampler-node"]
        )
        self.set_source_info(node)
        _, vocabulary, record = shipped(settings["network"])
        node["num_chars"] = vocabulary.num_characters
        note = nodes.paragraph("", "", nodes.emphasis(SENTENCE, SENTENCE))
        note["classes"] += ["live-sampler-needs-js"]
        said = (
            f"What the shipped network (chapter 7's short setting, {record['steps']} steps) "
            f"wrote with hello_rnn's generate when the book was built ({self.how(settings)}):"
        )
        text = self.written(settings)
        block = nodes.literal_block(text, text, language="text")
        fallback = nodes.container(
            "",
            note,
            nodes.paragraph(said, said),
            block,
            classes=["live-sampler-fallback"],
        )
        node += fallback
        return [node]


class ShippedSample(_SampleDirective):
    option_spec = {**_SampleDirective.option_spec, "lines": directives.positive_int}

    def run(self) -> list[nodes.Node]:
        settings = self.settings()
        text = self.written(settings)
        if "lines" in self.options:
            lines = [line for line in text.split("\n") if line.strip()]
            text = "\n".join(lines[: self.options["lines"]])
        block = nodes.literal_block(text, text, language="text")
        return [nodes.container("", block, classes=["shipped-sample"])]


# --- Writing the sampler -----------------------------------------------------------------------


def _row(sampler_id: str, key: str, label: str, control: str) -> str:
    return (
        f'<div class="live-sampler-row"><label for="{sampler_id}-{key}">{label}</label>'
        f"{control}</div>\n"
    )


def visit_live_sampler_html(self: Any, node: live_sampler) -> None:
    sid = html.escape(node["sampler_id"])
    t = node["temperature"] if node["temperature"] > 0 else 0.1
    esc = html.escape
    rows = [
        _row(
            sid,
            "prefix",
            "Beginning",
            f'<textarea id="{sid}-prefix" class="live-sampler-prefix" rows="2" '
            f'spellcheck="false">{esc(node["prefix"])}</textarea>',
        ),
        _row(
            sid,
            "temperature",
            "Temperature τ",
            f'<input id="{sid}-temperature" class="live-sampler-temperature" type="range" '
            f'min="0.1" max="2" step="0.05" value="{t:g}">'
            f'<output class="live-sampler-temperature-value" for="{sid}-temperature">'
            f"{t:.2f}</output>",
        ),
        _row(
            sid,
            "top-k",
            "Top-k (0 keeps every character)",
            f'<input id="{sid}-top-k" class="live-sampler-top-k" type="number" min="0" '
            f'max="{node["num_chars"]}" step="1" value="0">',
        ),
        _row(
            sid,
            "seed",
            "Seed",
            f'<input id="{sid}-seed" class="live-sampler-seed" type="number" min="0" '
            f'max="4294967295" step="1" value="{node["seed"]}">',
        ),
        _row(
            sid,
            "length",
            "Characters to write",
            f'<input id="{sid}-length" class="live-sampler-length" type="number" min="1" '
            f'max="5000" step="1" value="{node["length"]}">',
        ),
    ]
    self.body.append(
        f'<div class="live-sampler" id="{sid}" data-network="{esc(node["network"])}">\n'
        f'<form class="live-sampler-controls" hidden><fieldset>'
        f"<legend>Live sampler, in your browser</legend>\n"
        + "".join(rows)
        + '<div class="live-sampler-buttons">'
        '<button type="submit" class="live-sampler-generate">Generate</button>'
        '<button type="button" class="live-sampler-stop" disabled>Stop</button>'
        "</div></fieldset></form>\n"
        '<p class="live-sampler-problem" hidden></p>\n'
        '<pre class="live-sampler-text" hidden></pre>\n'
        '<div class="live-sampler-status live-sampler-sr-only" role="status" '
        'aria-live="polite" aria-atomic="true"></div>\n'
    )


def depart_live_sampler_html(self: Any, node: live_sampler) -> None:
    self.body.append("</div>\n")


def _pass(self: Any, node: nodes.Node) -> None:
    pass


def add_page_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """``html-page-context``: the runtime and the weights, on the pages with a sampler only."""
    if doctree is None:
        return
    names = sorted({node["network"] for node in doctree.findall(live_sampler)})
    if not names:
        return
    # Paths relative to _static/, as Sphinx takes them (offline_assets.py tidies them).
    app.add_css_file(f"../{ASSETS}/live_sampler.css", priority=900)
    for name in names:
        app.add_js_file(f"../{ASSETS}/{name}.js", defer="defer")
    app.add_js_file(f"../{ASSETS}/live_sampler.js", defer="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(
        live_sampler,
        html=(visit_live_sampler_html, depart_live_sampler_html),
        latex=(_pass, _pass),
        text=(_pass, _pass),
        man=(_pass, _pass),
        texinfo=(_pass, _pass),
    )
    app.add_directive("live-sampler", LiveSampler)
    app.add_directive("shipped-sample", ShippedSample)
    app.connect("builder-inited", write_assets)
    app.connect("html-page-context", add_page_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
