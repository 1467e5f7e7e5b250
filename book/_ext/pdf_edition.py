"""The PDF edition of the book (``make pdf``), and its place beside the HTML one.

The chapters' controls (ipywidgets) live on a web page; on paper there is nothing to move. For the
LaTeX builder only, this extension replaces each widget output by what the control shows before anyone
touches it (the selected frame of every ``Stack`` in it, as the notebook's stored widget state has
it: ``Image`` frames as figures, ``HTML`` frames as text) and a sentence saying that the interactive
version is on the web page. Without it, myst-nb would print the widget's ``text/plain`` repr
(``VBox(children=(HBox(...``) in the PDF.

It works on the doctree as it is read (``doctree-read``), before Sphinx collects the images, so the
frames' PNG files are copied into the LaTeX build like any other figure. The HTML build never sees
these changes: the PDF is built in its own tree (``_pdf/``, with its own ``.doctrees``), since
doctrees read for LaTeX must not be reused for HTML.

Also for LaTeX: Sphinx gathers all citations in a bibliography at the very end of the book, which left
the References chapter empty; the bibliography goes back into that chapter. And the toc's back matter,
unnumbered on the web, becomes the PDF's appendices.

For the HTML builder, it copies the built PDF (``pdf_edition_source``) into the site as
``pdf_edition_name``, which ``book/intro.md`` links to; ``make test`` builds the PDF first. Without a
built PDF the site is built all the same (the link checker then reports the missing file).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex.nodes import thebibliography
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# What a reader of the PDF is told under each control's frame (tests/book/test_pdf.py counts it).
SENTENCE = "The interactive version is on the web page."
_MODEL_ID = re.compile(r'"model_id"\s*:\s*"([^"]+)"')
_CONTAINERS = {"VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel"}
_PAGED = {"StackModel", "TabModel", "AccordionModel"}  # show children[selected_index]
_TEXT = {"HTMLModel", "HTMLMathModel", "LabelModel"}
_VOID = {
    "br",
    "hr",
    "img",
    "wbr",
    "input",
    "source",
    "area",
    "col",
    "meta",
    "link",
}  # no end tag
# Controls: drawn as nothing, named in the sentence ("slider “position t”").
_CONTROL_KIND = {
    "IntSliderModel": "slider",
    "FloatSliderModel": "slider",
    "SelectionSliderModel": "slider",
    "IntRangeSliderModel": "slider",
    "FloatRangeSliderModel": "slider",
    "FloatLogSliderModel": "slider",
    "ToggleButtonsModel": "buttons",
    "DropdownModel": "menu",
    "RadioButtonsModel": "buttons",
    "TextModel": "text box",
    "BoundedIntTextModel": "box",
    "IntTextModel": "box",
    "FloatTextModel": "box",
    "BoundedFloatTextModel": "box",
    "CheckboxModel": "checkbox",
    "ToggleButtonModel": "button",
    "PlayModel": "player",
    "ButtonModel": "button",
}


# --- Widget state -> docutils nodes -------------------------------------------------------------------


class _HtmlToNodes(HTMLParser):
    """The little HTML the frames use: paragraphs with bold, and preformatted text (``<pre>``, or a
    ``white-space: pre`` style). Adjacent preformatted blocks become one literal block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[nodes.Element] = []
        self._paragraph: nodes.paragraph | None = None
        self._pre: list[str] | None = None
        self._pre_tags: list[
            str
        ] = []  # the tags open in the preformatted block, its own first
        self._bold = 0
        self._last_was_pre = False

    def _flush_paragraph(self) -> None:
        if self._paragraph is not None and self._paragraph.astext().strip():
            self.blocks.append(self._paragraph)
            self._last_was_pre = False
        self._paragraph = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        style = (dict(attrs).get("style") or "").replace(" ", "")
        if self._pre is not None:
            if tag == "br":
                self._pre.append("\n")
            elif tag not in _VOID:
                self._pre_tags.append(tag)
            return
        if tag == "pre" or "white-space:pre" in style:
            self._flush_paragraph()
            self._pre, self._pre_tags = [], ["<pre>"]
        elif tag in {"p", "div", "br", "li", "tr"}:
            self._flush_paragraph()
        elif tag in {"b", "strong"}:
            self._bold += 1

    def handle_endtag(self, tag: str) -> None:
        if self._pre is not None:
            if tag in _VOID:
                return
            self._pre_tags.pop()
            if not self._pre_tags:
                text = "".join(self._pre).rstrip()
                if self._last_was_pre and self.blocks:
                    previous = self.blocks.pop()
                    text = previous.astext() + "\n" + text
                block = nodes.literal_block(text, text, language="text")
                self.blocks.append(block)
                self._last_was_pre = True
                self._pre = None
            return
        if tag in {"p", "div", "li", "tr"}:
            self._flush_paragraph()
        elif tag in {"b", "strong"}:
            self._bold = max(self._bold - 1, 0)

    def handle_data(self, data: str) -> None:
        if self._pre is not None:
            self._pre.append(data)
            return
        data = re.sub(r"\s+", " ", data)
        if not data.strip() and self._paragraph is None:
            return
        if self._paragraph is None:
            self._paragraph = nodes.paragraph()
        self._paragraph += nodes.strong(data, data) if self._bold else nodes.Text(data)

    def close(self) -> None:
        super().close()
        if self._pre is not None:  # an unclosed <pre>
            text = "".join(self._pre).rstrip()
            self.blocks.append(nodes.literal_block(text, text, language="text"))
            self._pre = None
        self._flush_paragraph()


def html_to_nodes(html: str) -> list[nodes.Element]:
    parser = _HtmlToNodes()
    parser.feed(html)
    parser.close()
    return parser.blocks


def _control_phrase(name: str, values: dict[str, Any]) -> str:
    """'the slider “temperature τ” set to 1': the control, and its value where the control shows one."""
    description = str(values.get("description") or "").strip()
    kind = _CONTROL_KIND[name]
    phrase = f"the {kind} \u201c{description}\u201d" if description else f"a {kind}"
    labels, index = values.get("_options_labels"), values.get("index")
    value = values.get("value")
    if labels and isinstance(index, int) and 0 <= index < len(labels):
        shown = str(labels[index]).strip()
    elif (
        values.get("readout", True)
        and isinstance(value, (int, float, str))
        and not isinstance(value, bool)
    ):
        shown = f"{value:g}" if isinstance(value, float) else str(value).strip()
    else:
        return (
            phrase  # a slider without readout: the frame's own caption says where it is
        )
    return (
        f"{phrase} set to {shown}"
        if kind == "slider"
        else f"{phrase} set to \u201c{shown}\u201d"
    )


class _Frame:
    """Walks the widget models from one view and collects what it shows, and its controls."""

    def __init__(self, state: dict[str, Any], image_folder: Path, srcdir: Path) -> None:
        self.state = state
        self.image_folder = image_folder
        self.srcdir = srcdir
        self.blocks: list[nodes.Element] = []
        self.controls: list[str] = []

    def model(self, reference: str) -> dict[str, Any] | None:
        return self.state.get(reference.removeprefix("IPY_MODEL_"))

    def walk(self, reference: str) -> None:
        model = self.model(reference)
        if model is None:
            return
        name, values = model.get("model_name", ""), model.get("state", {})
        children = values.get("children", [])
        if name in _CONTAINERS:
            for child in children:
                self.walk(child)
        elif name in _PAGED:
            index = values.get("selected_index")
            index = 0 if index is None else index
            if 0 <= index < len(children):
                self.walk(children[index])
        elif name == "ImageModel":
            self.image(model)
        elif name in _TEXT:
            self.blocks.extend(html_to_nodes(str(values.get("value", ""))))
        elif name in _CONTROL_KIND:
            self.controls.append(_control_phrase(name, values))

    def image(self, model: dict[str, Any]) -> None:
        values = model.get("state", {})
        data = values.get("value")
        for buffer in model.get(
            "buffers", []
        ):  # ipywidgets 8 keeps bytes in the buffers
            if buffer.get("path") == ["value"]:
                data = buffer.get("data")
        if not data:
            return
        png = base64.b64decode(data)
        extension = {"jpeg": "jpg"}.get(
            values.get("format", "png"), values.get("format", "png")
        )
        path = self.image_folder / f"{hashlib.sha1(png).hexdigest()[:16]}.{extension}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file():
            path.write_bytes(png)
        # A URI starting with "/" is relative to the source folder (as myst-nb writes its own outputs).
        uri = "/" + path.resolve().relative_to(self.srcdir.resolve()).as_posix()
        # The frame's own sentence (figure_to_image stores it as the tooltip), for PDF readers that
        # read images' alt texts; a frame without one is named for what it is.
        alt = str(values.get("tooltip") or "").strip()
        self.blocks.append(
            nodes.image(uri=uri, alt=alt or "one frame of an interactive figure")
        )

    def nodes(self) -> list[nodes.Element]:
        controls = self.controls
        if len(controls) > 1:
            controls = [", ".join(controls[:-1]) + " and " + controls[-1]]
        text = f"One frame of {controls[0]}. {SENTENCE}" if controls else SENTENCE
        note = nodes.paragraph(
            "", "", nodes.emphasis(text, text), classes=["pdf-widget-note"]
        )
        blocks = [*self.blocks, note]
        if any(isinstance(block, nodes.image) for block in self.blocks):
            # A figure and its caption on one page: a minipage does not break.
            blocks = [
                nodes.raw(
                    "",
                    "\\par\\noindent\\begin{minipage}{\\linewidth}\n",
                    format="latex",
                ),
                *blocks,
                nodes.raw("", "\\end{minipage}\\par\\medskip\n", format="latex"),
            ]
        return blocks


def _notebook_widget_state(path: Path) -> dict[str, Any]:
    """The widget models stored in a notebook's metadata, by model id."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    widgets = notebook.get("metadata", {}).get("widgets", {})
    return widgets.get(WIDGET_STATE, {}).get("state", {})


def _widget_model_id(bundle: nodes.Element) -> str | None:
    for container in bundle.children:
        if (
            isinstance(container, nodes.Element)
            and container.get("mime_type") == WIDGET_VIEW
        ):
            found = _MODEL_ID.search(container.astext())
            return found.group(1) if found else None
    return None


def replace_widgets_for_latex(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: each widget output becomes its first frame and the sentence (LaTeX only)."""
    if app.builder.format != "latex":
        return
    docname = app.env.docname
    source = Path(app.env.doc2path(docname))
    if source.suffix != ".ipynb":
        return
    state: dict[str, Any] | None = None
    image_folder = Path(app.outdir).parent / "pdf_widget_frames" / docname
    for bundle in list(doctree.findall(nodes.container)):
        if bundle.get("nb_element") != "mime_bundle":
            continue
        model_id = _widget_model_id(bundle)
        if model_id is None:
            continue
        if state is None:
            state = _notebook_widget_state(source)
        frame = _Frame(state, image_folder, Path(app.srcdir))
        frame.walk(model_id)
        if not frame.blocks:
            logger.warning(
                f"widget {model_id} has no stored frame to show in the PDF",
                location=bundle,
            )
        replacement = nodes.container(classes=["pdf-widget-frame"])
        replacement.extend(frame.nodes())
        bundle.replace_self(replacement)


class BackMatterAsAppendices(SphinxPostTransform):
    """The toc's unnumbered parts after its numbered ones (the back matter: Colab, glossary, API...)
    have no chapter numbers on the web; in the PDF they become appendices (A, B...), not chapters 9, 10...
    sphinx-jupyterbook-latex (priority 700) has made each toc part a section in a ``start_of_file``
    named after the part's caption; ``\\appendix`` goes before the first back-matter one."""

    default_priority = 710
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        site_map = getattr(self.config, "external_site_map", None)
        parts = site_map.root.subtrees if site_map is not None else []
        back = [
            p.caption
            for i, p in enumerate(parts)
            if not p.numbered and any(q.numbered for q in parts[:i])
        ]
        if not back:
            return
        for start in self.document.findall(addnodes.start_of_file):
            if start.get("docname") == back[0]:
                start.parent.insert(
                    start.parent.index(start),
                    nodes.raw("", "\\appendix\n", format="latex"),
                )
                return


class BibliographyInItsChapter(SphinxPostTransform):
    """LaTeX gathers every citation in one bibliography at the end of the book (Sphinx's
    BibliographyTransform, priority 750); this puts it back in the document that holds the
    ``bibliography`` directive (the References chapter), at its end. The preamble (_config.yml)
    makes ``sphinxthebibliography`` start no chapter of its own."""

    default_priority = 760
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        bibliographies = [node for node in self.document.findall(thebibliography)]
        domain = self.env.domains.get("cite")
        docnames = {key.docname for key in getattr(domain, "bibliographies", {})}
        if not bibliographies:
            return
        if len(bibliographies) != 1 or len(docnames) != 1:
            logger.warning(
                f"pdf_edition: the bibliography has no chapter to go in (bibliographies in {docnames})"
            )
            return
        (docname,) = docnames
        for start in self.document.findall(addnodes.start_of_file):
            if start.get("docname") == docname:
                sections = [
                    child
                    for child in start.children
                    if isinstance(child, nodes.section)
                ]
                target = sections[-1] if sections else start
                bibliographies[0].parent.remove(bibliographies[0])
                target += bibliographies[0]
                return


# --- The PDF beside the HTML ---------------------------------------------------------------------------


def copy_pdf_into_site(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = Path(app.srcdir) / app.config.pdf_edition_source
    if not source.is_file():
        logger.info(
            f"pdf_edition: no PDF at {app.config.pdf_edition_source} (run `make pdf` first)"
        )
        return
    shutil.copyfile(source, Path(app.outdir) / app.config.pdf_edition_name)
    logger.info(
        f"pdf_edition: copied {app.config.pdf_edition_source} to {app.config.pdf_edition_name}"
    )


def setup(app: Sphinx) -> dict[str, Any]:
    # Where `make pdf` leaves the PDF, relative to the book's root, and its name in the site.
    app.add_config_value(
        "pdf_edition_source", "_pdf/_build/latex/hello-rnn.pdf", "html"
    )
    app.add_config_value("pdf_edition_name", "hello-rnn.pdf", "html")
    # Before Sphinx's image collector (priority 500), so that the frames' images are collected.
    app.connect("doctree-read", replace_widgets_for_latex, priority=400)
    app.add_post_transform(BackMatterAsAppendices)
    app.add_post_transform(BibliographyInItsChapter)
    app.connect("build-finished", copy_pdf_into_site)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
