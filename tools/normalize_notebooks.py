"""Make lesson notebooks diff cleanly, keeping their outputs.

    python tools/normalize_notebooks.py                 # every lesson in notebooks/
    python tools/normalize_notebooks.py notebooks/03_*.ipynb
    python tools/normalize_notebooks.py --check         # exit 1 if any notebook would change

A re-run of an unchanged lesson should leave git with nothing to show. So this tool:
- drops per-run cell metadata (execution timestamps, collapsed/scrolled view state);
- numbers the executed code cells 1, 2, 3, ... (and their execute_result outputs to match);
- keeps only the stable parts of the notebook metadata (kernelspec, language name/version
  family without the patch number, slide settings, widget state);
- renames ipywidgets' random model ids to ids derived from their order in the notebook, so
  the saved widget state (which renders widgets on GitHub and in the static slides) is the
  same from run to run;
- turns nbval's comment markers (a line ``# NBVAL_CHECK_OUTPUT`` or ``# NBVAL_IGNORE_OUTPUT``)
  into the equivalent cell tags (``nbval-check-output``, ``nbval-ignore-output``), which nbval
  reads the same way: a learner, RISE and the slide decks never see a test marker.
Outputs, sources, tags, slide types and nbgrader metadata are kept as they are.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
VOLATILE_CELL_KEYS = ("execution", "ExecuteTime", "collapsed", "scrolled", "heading_collapsed",
                      "jp-MarkdownHeadingCollapsed", "pycharm", "vscode")
KEPT_NB_KEYS = ("kernelspec", "language_info", "rise", "widgets", "title", "authors")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _stable_ids(nb) -> dict[str, str]:
    """Map each widget model id to a deterministic one.

    The order is structural: the models displayed by the cells, in cell order, then the models
    they reference (breadth first, attributes in sorted order), then any others sorted by
    their content. Random ids never decide it.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    queue = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view and view.get("model_id"):
                queue.append(view["model_id"])
    order: list[str] = []
    while queue:
        model_id = queue.pop(0)
        if model_id in order:
            continue
        order.append(model_id)
        if model_id in state:
            queue.extend(re.findall(r"IPY_MODEL_(\w+)", json.dumps(state[model_id], sort_keys=True)))
    rest = [i for i in state if i not in order]
    masked = re.compile("|".join(map(re.escape, state)) or "$^")
    rest.sort(key=lambda i: masked.sub("?", json.dumps(state[i], sort_keys=True)))
    return {old: hashlib.sha1(f"course-widget-{n}".encode()).hexdigest()[:32]
            for n, old in enumerate(order + rest)}


_MARKER_LINE = re.compile(r"^[ \t]*#[ \t]*(NBVAL_[A-Z_]+)[ \t]*(?:\n|$)", re.M)


def markers_to_tags(cell) -> None:
    """Move whole-line nbval markers of a code cell into its tags (nbval reads both)."""
    markers = _MARKER_LINE.findall(cell.source)
    if not markers:
        return
    cell.source = _MARKER_LINE.sub("", cell.source)
    tags = cell.metadata.setdefault("tags", [])
    for marker in markers:
        tag = marker.lower().replace("_", "-")
        if tag not in tags:
            tags.append(tag)


def normalize(nb) -> None:
    """Normalize one notebook node in place."""
    count = 0
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        markers_to_tags(cell)
        if cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
        for output in cell.get("outputs", []):
            if output.get("output_type") == "execute_result":
                output["execution_count"] = cell.execution_count
    for key in list(nb.metadata):
        if key not in KEPT_NB_KEYS:
            del nb.metadata[key]
    info = nb.metadata.get("language_info")
    if info and "version" in info:   # 3.11.2 -> 3.11: patch releases should not show in diffs
        info["version"] = ".".join(str(info["version"]).split(".")[:2])
    mapping = _stable_ids(nb)
    if mapping:
        pattern = re.compile("|".join(map(re.escape, mapping)))
        text = pattern.sub(lambda m: mapping[m.group(0)], nbformat.writes(nb))
        fresh = nbformat.reads(text, as_version=4)
        nb.cells, nb.metadata = fresh.cells, fresh.metadata


def normalize_file(path: Path, check: bool = False) -> bool:
    """Normalize a notebook file; return True if it changed (or would change, with check)."""
    before = path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    normalize(nb)
    after = nbformat.writes(nb) + "\n"
    if after == before:
        return False
    if not check:
        path.write_text(after, encoding="utf-8")
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    changed = [p.name for p in paths if normalize_file(p, args.check)]
    verb = "would change" if args.check else "normalized"
    print(f"{verb}: {', '.join(changed) or 'nothing'}", file=sys.stderr)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
