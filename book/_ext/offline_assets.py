"""Make the built book self-contained: every script, style and font it loads comes from the book itself.

Sphinx and Jupyter Book load MathJax, RequireJS and the Jupyter widgets manager from CDNs by default. This
extension copies them from ``node_modules`` (installed by ``npm ci`` from the committed ``package-lock.json``)
into ``<outdir>/assets/``; ``_config.yml`` points ``mathjax_path`` and ``nb_ipywidgets_js`` there. Not under
``_static/``: Jupyter Book adds every script found there to every page.

It also removes sphinx-thebe's files (the book has no Thebe button; its script only holds a CDN URL), and it warns
(so ``jupyter-book build -W`` fails) when any page would still load a script or style from another host.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

ASSETS_DIR = "assets"
HERE = Path(__file__).resolve().parent

# MathJax: the one combined component the book loads, plus what it loads on demand (TeX extensions,
# CHTML fonts, menu, accessibility); not the other combined components or the SVG output.
_MATHJAX_KEEP_TOP = {"tex-chtml.js"}
_MATHJAX_SKIP = {"output/svg", "output/svg.js", "node-main.js"}

_FONT_SUFFIXES = {".woff2", ".woff", ".ttf", ".eot", ".svg"}

# A URL with a host: "scheme://host/..." or "//host/..." (data: and relative URLs do not match).
_OFF_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


# The libraries' built-in fallbacks for modules they do not ship (MathJax's speech-rule maps, widget
# modules the manager does not bundle) point at a CDN. The pages configure them away, but the copies
# are rewritten too, to a local folder that does not exist: the site names no other host at all,
# and a missing module fails loudly, offline, instead of quietly reaching out.
# (The widget manager's CSS also carries a commented-out Google Fonts import; it goes the same way.)
_LIBRARY_CDNS = ("https://cdn.jsdelivr.net/npm/", "https://fonts.googleapis.com/")
_NOT_BUNDLED = "not-bundled/"


def _point_library_fallbacks_home(folder: Path) -> None:
    for path in folder.rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        if any(cdn in text for cdn in _LIBRARY_CDNS):
            for cdn in _LIBRARY_CDNS:
                text = text.replace(cdn, _NOT_BUNDLED)
            path.write_text(text, encoding="utf-8")


def _copy_mathjax(src: Path, dest: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        rel = Path(directory).relative_to(src / "es5").as_posix()
        skipped = set()
        for name in names:
            path = name if rel == "." else f"{rel}/{name}"
            top_level_component = (
                rel == "." and name.endswith(".js") and name not in _MATHJAX_KEEP_TOP
            )
            if top_level_component or path in _MATHJAX_SKIP:
                skipped.add(name)
        return skipped

    shutil.copytree(src / "es5", dest, ignore=ignore, dirs_exist_ok=True)
    shutil.copy2(src / "LICENSE", dest / "LICENSE")


def _copy_widgets(node_modules: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    # RequireJS: its license (MIT) is in the file's header.
    shutil.copy2(node_modules / "requirejs" / "require.js", dest / "require.js")
    shutil.copy2(HERE / "widgets-config.js", dest / "widgets-config.js")
    # The widget manager, at the path RequireJS gives its module (see widgets-config.js). Each AMD module in
    # embed-amd.js loads its fonts relative to its own module URL: "@jupyter-widgets/html-manager/dist/..."
    # for the manager, "@jupyter-widgets/base" and "@jupyter-widgets/controls" for the widgets; so the
    # fonts go in both folders. No source maps, no non-AMD build.
    manager = node_modules / "@jupyter-widgets" / "html-manager"
    out = dest / "@jupyter-widgets" / "html-manager" / "dist"
    out.mkdir(parents=True, exist_ok=True)
    for path in (manager / "dist").iterdir():
        if path.suffix == ".map" or path.name in {"embed.js", "libembed-amd.js"}:
            continue
        shutil.copy2(path, out / path.name)
        if path.suffix in _FONT_SUFFIXES:
            shutil.copy2(path, dest / "@jupyter-widgets" / path.name)
    shutil.copy2(manager / "LICENSE", out / "LICENSE")


def copy_assets(app: Sphinx) -> None:
    """Copy the assets before any page is written (so Sphinx adds their checksums to the URLs)."""
    if app.builder.format != "html":
        return
    node_modules = Path(app.confdir) / "node_modules"
    needed = [
        node_modules / "mathjax" / "es5" / "tex-chtml.js",
        node_modules / "requirejs" / "require.js",
        node_modules / "@jupyter-widgets" / "html-manager" / "dist" / "embed-amd.js",
    ]
    missing = [str(p.relative_to(app.confdir)) for p in needed if not p.is_file()]
    if missing:
        raise ExtensionError(
            f"offline_assets: missing {missing}; install them with `npm ci` (or run `make book`)"
        )
    out = Path(app.outdir) / ASSETS_DIR
    _copy_mathjax(node_modules / "mathjax", out / "mathjax")
    _copy_widgets(node_modules, out / "widgets")
    _point_library_fallbacks_home(out)
    # Every local script the configuration names must now exist (paths are relative to _static/).
    configured = [app.config.mathjax_path, *app.config.nb_ipywidgets_js]
    for path in configured:
        if _OFF_HOST.match(path):
            continue  # reported per page by check_page_assets
        target = Path(app.outdir) / posixpath.normpath(posixpath.join("_static", path))
        if not target.is_file():
            raise ExtensionError(
                f"offline_assets: the configuration loads {path!r}, but {target} does not exist"
            )


def _is_thebe(asset: Any) -> bool:
    filename = str(asset.filename or "")
    return filename.endswith(
        ("sphinx-thebe.js", "sphinx-thebe.css")
    ) or "THEBE_JS_URL" in asset.attributes.get("body", "")


def _normalized(asset: Any) -> Any:
    """``_static/../assets/x.js`` -> ``assets/x.js`` (Sphinx puts local script paths under _static/)."""
    filename = asset.filename
    if not filename or _OFF_HOST.match(str(filename)):
        return asset
    clean = posixpath.normpath(str(filename))
    if clean == str(filename):
        return asset
    return type(asset)(clean, priority=asset.priority, **asset.attributes)


def check_page_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """Drop Thebe's scripts, tidy asset paths, and warn about anything loaded from another host."""
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if assets is None:
            continue
        assets[:] = [_normalized(a) for a in assets if not _is_thebe(a)]
        for asset in assets:
            filename = str(asset.filename or "")
            if _OFF_HOST.match(filename) or "://" in asset.attributes.get("body", ""):
                logger.warning(
                    "offline_assets: page %r loads %s from another host; serve it from %s/ instead",
                    pagename,
                    filename or asset.attributes.get("body", "")[:80],
                    ASSETS_DIR,
                    type="offline_assets",
                )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", copy_assets)
    # After the extensions that add per-page scripts (mathjax, myst-nb, sphinx-thebe: default priority 500).
    app.connect("html-page-context", check_page_assets, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
