"""Lecture slides: slide metadata for every lesson, and reveal.js decks that work offline.

    python tools/slides.py metadata                    # set each cell's slide type, all lessons
    python tools/slides.py metadata notebooks/03_*.ipynb --check   # exit 1 if any would change
    python tools/slides.py build                       # build/slides/NN_*.slides.html, offline
    python tools/slides.py build notebooks/00_*.ipynb --out /tmp/deck

Slide types come from clear rules (see ``slide_types``), so an instructor can present any
lesson with RISE inside JupyterLab (live widgets) or open its static deck in a browser.
Running ``metadata`` twice changes nothing the second time. A cell tagged ``slide-keep``
keeps the slide type an author gave it by hand.

The static decks load reveal.js, require.js, jQuery, MathJax and the widget renderer from
``vendor/`` beside them, never from a CDN. ``build`` fetches those packages once with
``npm pack`` (pinned in tools/slides-vendor/package.json) into build/slides-vendor/.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
VENDOR_SPEC = ROOT / "tools" / "slides-vendor" / "package.json"
VENDOR_CACHE = ROOT / "build" / "slides-vendor"
DEFAULT_OUT = ROOT / "build" / "slides"

# A slide shows about this many lines of text; a figure counts as FIGURE_LINES of them.
SLIDE_LINES = 18
FIGURE_LINES = 12
OUTPUT_LINES_CAP = 12      # long printed output still counts as at most this much
KEEP_TAG = "slide-keep"

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s")
_EXERCISE = re.compile(r"^# Exercise \d\d\.\d+:", re.MULTILINE)
_CHECK_CALL = re.compile(r"^\s*(check|progress)\(")
_FIGURE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "application/vnd.jupyter.widget-view+json")


# --------------------------------------------------------------------------- rules
def heading_level(source: str) -> int:
    """The level of the heading that opens a markdown cell (1 for '#'), or 0 if none."""
    for line in source.splitlines():
        if line.strip():
            match = _HEADING.match(line)
            return len(match.group(1)) if match else 0
    return 0


def _code_lines(source: str) -> list[str]:
    return [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def is_exercise(cell) -> bool:
    """A code cell whose first lines hold '# Exercise NN.k: <task>'."""
    head = "\n".join(cell.source.splitlines()[:2])
    return cell.cell_type == "code" and bool(_EXERCISE.search(head))


def is_check(cell) -> bool:
    """A code cell that only calls check(...) (or progress(...))."""
    lines = _code_lines(cell.source)
    return cell.cell_type == "code" and bool(lines) and all(_CHECK_CALL.match(line) for line in lines)


def is_setup(cell) -> bool:
    """An import cell: most of its code lines import something and it displays nothing."""
    lines = _code_lines(cell.source)
    if cell.cell_type != "code" or not lines or has_figure(cell):
        return False
    imports = sum(line.startswith(("import ", "from ")) for line in lines)
    return imports * 2 >= len(lines)


def has_figure(cell) -> bool:
    """True when a code cell displays an image or a widget."""
    for output in cell.get("outputs", []):
        if any(mime in output.get("data", {}) for mime in _FIGURE_MIMES):
            return True
    return False


def weight(cell) -> int:
    """How much of a slide a cell fills, in lines of text (a figure counts FIGURE_LINES)."""
    if cell.cell_type != "code":
        return sum(1 for line in cell.source.splitlines() if line.strip())
    lines = len(cell.source.splitlines())
    printed = 0
    for output in cell.get("outputs", []):
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        if isinstance(text, list):
            text = "".join(text)
        if output.get("output_type") in ("stream", "execute_result") and text:
            printed += text.count("\n") + 1
    return lines + min(printed, OUTPUT_LINES_CAP) + (FIGURE_LINES if has_figure(cell) else 0)


def slide_types(cells) -> list[str]:
    """The slide type of each cell ('slide', 'subslide', 'fragment', '-' or 'skip').

    Rules, in order:
    1. The notebook's first code cell, when it only imports and sets up, is 'skip'.
    2. A markdown cell opening with a '#' or '##' heading starts a 'slide' (a section);
       '###' and deeper start a 'subslide'.
    3. An exercise is a subslide of its own: the markdown cell right before an
       '# Exercise NN.k' cell (its introduction) or else the exercise cell starts it, the
       check cells after it stay on it, and the next cell starts a new subslide.
    4. A figure (image or widget) goes on its own subslide when the current one already
       shows a figure or would overflow; otherwise it appears as a 'fragment' below the
       prose that introduces it. One idea, one figure per slide.
    5. Any other cell continues the current slide ('-') unless it would overflow it
       (more than SLIDE_LINES lines), in which case it starts a 'subslide'.
    """
    cells = list(cells)
    types: list[str] = []
    first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), None)
    lines = figures = 0          # what the current (sub)slide already shows
    started = False              # a slide has been opened
    exercise = None              # None, "intro" (its markdown is showing) or "body"
    for i, cell in enumerate(cells):
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        w, fig = weight(cell), has_figure(cell)
        level = heading_level(cell.source) if cell.cell_type == "markdown" else 0
        intro = cell.cell_type == "markdown" and nxt is not None and is_exercise(nxt)
        if i == first_code and is_setup(cell):
            types.append("skip")
            continue
        if not started or level in (1, 2):
            kind = "slide"
        elif level >= 3 or intro:
            kind = "subslide"
        elif is_exercise(cell):
            kind = "-" if exercise == "intro" else "subslide"
        elif is_check(cell) and exercise == "body":
            kind = "-"
        elif exercise == "body":
            kind = "subslide"                 # whatever follows an exercise starts afresh
        elif fig:
            kind = "subslide" if figures or lines + w > SLIDE_LINES else "fragment"
        else:
            kind = "subslide" if lines + w > SLIDE_LINES else "-"

        started = True
        if kind in ("slide", "subslide"):
            lines, figures = w, int(fig)
        else:
            lines, figures = lines + w, figures + int(fig)
        exercise = "intro" if intro else "body" if is_exercise(cell) or (
            is_check(cell) and exercise == "body") else None
        types.append(kind)
    return types


def apply_slide_metadata(nb) -> bool:
    """Set every cell's metadata.slideshow.slide_type; return True if anything changed."""
    kinds = slide_types(nb.cells)
    changed = False
    for cell, kind in zip(nb.cells, kinds):
        if KEEP_TAG in cell.metadata.get("tags", []) and "slideshow" in cell.metadata:
            continue
        if cell.metadata.get("slideshow") != {"slide_type": kind}:
            cell.metadata["slideshow"] = {"slide_type": kind}
            changed = True
    # RISE (live mode): let a tall slide scroll instead of being cut off.
    rise = {"scroll": True, "transition": "slide"}
    if nb.metadata.get("rise") != rise:
        nb.metadata["rise"] = rise
        changed = True
    return changed


def lesson_paths(paths) -> list[Path]:
    return [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def cmd_metadata(paths, check=False) -> int:
    stale = []
    for path in lesson_paths(paths):
        nb = nbformat.read(path, as_version=4)
        if apply_slide_metadata(nb):
            stale.append(path.name)
            if not check:
                nbformat.write(nb, path)
        kinds = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
        print(f"{path.name}: {kinds.count('slide')} slides, {kinds.count('subslide')} subslides"
              f"{' (would change)' if check and path.name in stale else ''}", file=sys.stderr)
    return 1 if check and stale else 0


# --------------------------------------------------------------------------- offline decks
def _vendor_versions() -> dict[str, str]:
    return json.loads(VENDOR_SPEC.read_text())["dependencies"]


def fetch_vendor(cache: Path = VENDOR_CACHE) -> Path:
    """Unpack each pinned npm package into cache/<name>/ (once); return cache."""
    npm = shutil.which("npm")
    for name, version in _vendor_versions().items():
        target = cache / name
        stamp = target / ".version"
        if stamp.exists() and stamp.read_text() == version:
            continue
        if npm is None:
            raise SystemExit("The offline decks need npm (Node.js) once, to fetch reveal.js, "
                             "MathJax and the widget renderer: install Node.js and run again.")
        tarballs = cache / "tarballs"
        tarballs.mkdir(parents=True, exist_ok=True)
        out = subprocess.run([npm, "pack", f"{name}@{version}", "--silent",
                              "--pack-destination", str(tarballs)],
                             check=True, capture_output=True, text=True).stdout.strip().splitlines()
        tarball = tarballs / out[-1]
        shutil.rmtree(target, ignore_errors=True)
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("package/")]
            for m in members:
                m.name = m.name[len("package/"):]
            tar.extractall(target, members=[m for m in members if m.name], filter="data")
        tarball.unlink()
        stamp.write_text(version)
    return cache


# What each deck needs from each package, relative to the package's folder.
_VENDOR_FILES = {
    "reveal.js": ["dist", "plugin/notes"],
    "requirejs": ["require.js"],
    "jquery": ["dist/jquery.min.js"],
    "mathjax": ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions",
                "jax/input/TeX", "jax/element", "jax/output/CommonHTML", "jax/output/PreviewHTML",
                "fonts/HTML-CSS/TeX/woff", "fonts/HTML-CSS/TeX/otf", "localization/en"],
    "@jupyter-widgets/html-manager": ["dist"],
}


def install_vendor(out: Path, cache: Path = VENDOR_CACHE) -> Path:
    """Copy what the decks load into out/vendor/ (skipping source maps); return that folder."""
    fetch_vendor(cache)
    vendor = out / "vendor"
    for name, parts in _VENDOR_FILES.items():
        stamp = vendor / name / ".version"
        version = (cache / name / ".version").read_text()
        if stamp.exists() and stamp.read_text() == version:
            continue
        shutil.rmtree(vendor / name, ignore_errors=True)
        for part in parts:
            src, dst = cache / name / part, vendor / name / part
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
            else:
                shutil.copy2(src, dst)
        stamp.write_text(version)
    return vendor


def slides_exporter():
    """nbconvert's SlidesExporter with every script pointed at vendor/ beside the deck."""
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(
        reveal_url_prefix="vendor/reveal.js",
        require_js_url="vendor/requirejs/require.js",
        jquery_url="vendor/jquery/dist/jquery.min.js",
        mathjax_url="vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        widget_renderer_url="vendor/@jupyter-widgets/html-manager/dist/embed-amd.js",
        jupyter_widgets_base_url="vendor/",
        reveal_theme="white",        # its fonts ship with reveal.js ("simple" loads Google Fonts)
        reveal_scroll=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    # No lesson draws Mermaid diagrams, and an ES module cannot load from file:// anyway.
    exporter.mermaid_js_url = "data:text/javascript,export default {initialize() {}};"
    return exporter


# nbval's markers (# NBVAL_CHECK_OUTPUT, # NBVAL_IGNORE_OUTPUT, ...) are for the tests, not
# for an audience; a line holding nothing else is left out of the decks.
_TEST_MARKER = re.compile(r"^\s*#\s*(NBVAL_[A-Z_]+|PYTEST_VALIDATE_IGNORE_OUTPUT)\s*$")

# reveal.js draws every slide 960 px wide, about 100 characters of code: longer lines wrap
# inside the slide instead of running off its right edge.
DECK_STYLE = """<style id="course-deck-style">
.reveal .jp-InputArea pre, .reveal .jp-OutputArea pre {
  white-space: pre-wrap;
  word-break: normal;             /* JupyterLab's output style breaks anywhere */
  overflow-wrap: break-word;      /* inside a word only when the word alone is too long */
}
</style>
"""


def strip_test_markers(source: str) -> str:
    """source without the lines that only hold an nbval marker."""
    return "\n".join(line for line in source.split("\n") if not _TEST_MARKER.match(line))


def build_deck(path: Path, out: Path = DEFAULT_OUT, exporter=None) -> Path:
    """Write out/<notebook>.slides.html for one lesson: slide metadata applied in memory (the
    same slides RISE shows), nbval's marker lines left out, long code lines wrapped."""
    install_vendor(out)
    nb = nbformat.read(path, as_version=4)
    apply_slide_metadata(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = strip_test_markers(cell.source)
    exporter = exporter or slides_exporter()
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    if "</head>" not in body:
        raise RuntimeError(f"{path.name}: nbconvert's deck has no </head> to add the deck style to")
    body = body.replace("</head>", DECK_STYLE + "</head>", 1)
    remote = sorted(set(re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", body)))
    if remote:
        raise RuntimeError(f"{path.name}: the deck still loads from the network: {remote}")
    deck = out / f"{path.stem}.slides.html"
    deck.write_text(body, encoding="utf-8")
    return deck


def cmd_build(paths, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    exporter = slides_exporter()
    for path in lesson_paths(paths):
        deck = build_deck(path, out, exporter)
        print(f"{deck.relative_to(ROOT) if deck.is_relative_to(ROOT) else deck}", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    meta = sub.add_parser("metadata", help="set each cell's slide type (idempotent)")
    meta.add_argument("notebooks", nargs="*")
    meta.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    build = sub.add_parser("build", help="build offline reveal.js decks")
    build.add_argument("notebooks", nargs="*")
    build.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if args.command == "metadata":
        return cmd_metadata(args.notebooks, args.check)
    return cmd_build(args.notebooks, args.out)


if __name__ == "__main__":
    sys.exit(main())
