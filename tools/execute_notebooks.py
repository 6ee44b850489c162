"""Execute lesson notebooks in place, top to bottom in a fresh kernel, and report run times.

    python tools/execute_notebooks.py                      # every notebook in notebooks/
    python tools/execute_notebooks.py notebooks/03_*.ipynb # some of them
    python tools/execute_notebooks.py --check              # time them, leave the files untouched

Outputs are saved so that learners see results on GitHub and nbval can compare them.
The last line is JSON: {"notebook": seconds, ...}.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path, save: bool = True, timeout: int | None = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    if os.environ.get("COURSE_RECOMPUTE", "") not in ("", "0"):
        timeout = None   # a recomputed sweep (make results) runs one cell for many minutes
    os.environ.pop("MPLBACKEND", None)   # with Agg, plt.show() prints nothing and outputs drift
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if save:
        nbformat.write(nb, path)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="time only; do not save outputs")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    times = {}
    for path in paths:
        seconds = execute(path, save=not args.check)
        times[path.name] = round(seconds, 1)
        print(f"{path.name}: {seconds:.1f} s", file=sys.stderr, flush=True)
    print(json.dumps(times))


if __name__ == "__main__":
    main()
