"""Cached experiment results: long sweeps computed once, saved as JSON, found from any folder.

    results, record = load_or_compute("08_regularization", regularization_experiments,
                                      recompute=RECOMPUTE, seeds=[0, 1, 2])

The copies that ship with the course live inside the package (``course_lib/results/``), so a
lesson finds them wherever it is opened: the repository, a hub's home folder, Colab, a lesson
copied alone into an empty folder. Nothing is ever looked up relative to the working folder's
parent. A result is looked for, in order, in:

1. ``$COURSE_RESULTS_DIR/<name>.json``, when that variable is set;
2. ``course_results/<name>.json`` in the current folder: a learner's own recomputation;
3. ``course_lib/results/<name>.json``: the copy that ships with the course.

A recomputation is written to the first of these folders that applies (the variable's, else
``course_results/`` in the current folder), never outside it. Instructors regenerate the
shipped copies with ``make results``, which points ``COURSE_RESULTS_DIR`` at
``course_lib/results``. Every file records how it was made: the date, course_lib's version,
the git commit when there is one, NumPy's version, the seeds and the run time.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np

from ._validation import CourseError

PACKAGE_RESULTS = Path(__file__).resolve().parent / "results"
LOCAL_FOLDER = "course_results"


def _folders() -> list[Path]:
    """Where results are looked for, first match wins; the first folder is also where one is written."""
    folders = []
    env = os.environ.get("COURSE_RESULTS_DIR")
    if env:
        folders.append(Path(env).expanduser())
    folders += [Path.cwd() / LOCAL_FOLDER, PACKAGE_RESULTS]
    return folders


def find_result(name: str) -> Path | None:
    """The file that holds the cached result ``name``, or None when there is none yet."""
    _check_name(name)
    for folder in _folders():
        path = folder / f"{name}.json"
        if path.is_file():
            return path
    return None


def load_or_compute(name: str, compute, recompute=False, seeds=None):
    """Return (results, record): the cached results called ``name``, or compute and save them.

    compute : a function of no arguments that returns a dict of numbers, lists and dicts.
    recompute : run ``compute`` even when a cached copy exists (the variable COURSE_RECOMPUTE=1
        does the same for every lesson).
    seeds : the random seeds ``compute`` uses, recorded beside the results.
    record : {"seconds", "made", "seeds", "path"}: how long the computation took, and how,
        when and where it was made. The results are read back from the file either way, so a
        fresh computation and a cached one return exactly the same thing.
    """
    _check_name(name)
    if not callable(compute):
        raise CourseError(f"load_or_compute needs a function that computes the results, but got "
                          f"{compute!r}. Pass the function itself, without calling it.")
    recompute = recompute or os.environ.get("COURSE_RECOMPUTE", "") not in ("", "0")
    path = None if recompute else find_result(name)
    if path is None:
        path = _save(name, compute, seeds)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        record = {"seconds": payload["seconds"], "made": payload["made"],
                  "seeds": payload.get("seeds"), "path": str(path)}
        return payload["results"], record
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise CourseError(f"{path} is not a results file written by course_lib.cache "
                          f"({type(exc).__name__}: {exc}). Delete it, or recompute with "
                          f"recompute=True.") from None


def _save(name, compute, seeds) -> Path:
    start = time.perf_counter()
    results = compute()
    seconds = time.perf_counter() - start
    if not isinstance(results, dict):
        raise CourseError(f"compute() must return a dict to cache, but returned "
                          f"{type(results).__name__}.")
    payload = {"name": name, "made": provenance(), "seeds": jsonable(seeds),
               "seconds": round(seconds, 1), "results": jsonable(results)}
    folder = _folders()[0]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.json"
        tmp = path.with_name(path.name + ".tmp")   # write, then rename: never half a file
        tmp.write_text(json.dumps(payload, indent=1, allow_nan=True), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise CourseError(f"Could not save the results {name!r} in {folder} ({exc.strerror}). "
                          f"Run the lesson from a folder you can write to, or set "
                          f"COURSE_RESULTS_DIR to one.") from None
    return path


def provenance() -> dict:
    """How and when a result was made: date, course_lib and NumPy versions, git commit, machine."""
    from . import __version__

    made = {"date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "course_lib": __version__, "numpy": np.__version__,
            "python": platform.python_version(), "machine": platform.machine(),
            "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS")}
    commit = _git_commit()
    if commit:
        made["git_commit"] = commit
    return made


def _git_commit() -> str | None:
    """The repository's commit when course_lib runs from a git checkout (with '+dirty' if edited)."""
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "course_lib"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "")


def _check_name(name):
    if not isinstance(name, str) or not name or any(c in name for c in "/\\") or name.startswith("."):
        raise CourseError(f"A result's name is a plain file name without '.json' and without "
                          f"folders, such as '08_regularization', but got {name!r}.")


def jsonable(value):
    """``value`` with NumPy arrays and scalars turned into lists, ints, floats and bools."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, range)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return value
