"""The student edition: no solution survives, and every check reports "not attempted".

The edition is built into a folder beside notebooks/ (so relative paths such as
../data resolve the same way) and executed in fresh kernels. The only errors allowed
are the stubs' NotImplementedError, and every check must say "not attempted".
"""
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from course_lib.exercises import BEGIN, END, build_editions, exercise_header, solution_regions

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Beside notebooks/, so that relative paths such as ../data resolve as in the lessons;
# one folder per run, so that concurrent runs cannot trip over each other.
EDITION = ROOT / f".student-edition-test-{os.getpid()}"


@pytest.fixture(scope="module")
def edition():
    shutil.rmtree(EDITION, ignore_errors=True)
    build_editions(ROOT / "notebooks", EDITION, html=False)
    yield EDITION
    shutil.rmtree(EDITION, ignore_errors=True)


def solution_lines(nb):
    """Substantial lines inside solution regions whose text appears nowhere else in the notebook
    (not in other code, not in the task statements or the prose)."""
    inside, outside = set(), []
    for cell in nb.cells:
        lines = cell.source.split("\n")
        marked = {i for b, e in solution_regions(cell.source) for i in range(b + 1, e)}
        for i, line in enumerate(lines):
            if i in marked:
                inside.add(line.strip())
            else:
                outside.append(line)
    elsewhere = "\n".join(outside)
    return {t for t in inside if len(t) >= 12 and not t.startswith("#") and t not in elsewhere}


def test_there_are_lessons_with_exercises():
    assert LESSONS, "no lesson notebooks found"
    for path in LESSONS:
        nb = nbformat.read(path, as_version=4)
        n = sum(len(solution_regions(c.source)) for c in nb.cells if c.cell_type == "code")
        assert n >= 3, f"{path.name} has {n} solution regions; every lesson needs at least 3 exercises"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_no_solution_fragment_survives(edition, path):
    instructor = nbformat.read(path, as_version=4)
    student_text = (edition / path.name).read_text(encoding="utf-8")
    student = nbformat.read(edition / path.name, as_version=4)
    # Prose may name the markers in passing; a marker *line* would be a surviving region.
    marker_lines = [line for c in student.cells for line in c.source.split("\n")
                    if line.strip() in (BEGIN, END)]
    assert not marker_lines, f"solution markers survive in the student edition: {marker_lines[:3]}"
    leaked = [line for line in solution_lines(instructor) if line in student_text]
    assert not leaked, f"solution lines found in the student edition: {leaked[:3]}"
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_check_says_not_attempted(edition, path):
    """Define each stubbed exercise after the lesson's import cell, then run its check.

    (Running the whole student edition top to bottom is nbval's job: `make test` builds it, from
    the 中文 edition, into .student-edition/ and executes it in the same pytest call.)
    """
    nb = nbformat.read(edition / path.name, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    namespace = {"__name__": "__student__"}
    exec(compile(code[0], f"{path.name}:imports", "exec"), namespace)
    checked = 0
    for i, source in enumerate(code):
        if exercise_header(source) is None:
            continue
        exec(compile(source, f"{path.name}:exercise", "exec"), namespace)
        call = code[i + 1].strip().split("\n")[-1]
        assert call.startswith("check("), f"the cell after an exercise must end with check(...): {call}"
        result = eval(call, namespace)
        assert result.status == "not attempted", f"{call} -> {result!r}"
        checked += 1
    assert checked >= 3, f"{path.name}: only {checked} checked exercises"
