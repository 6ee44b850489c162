"""nbgrader end to end: every lesson becomes an assignment, and autograding gives exact scores.

The test builds the nbgrader course from the instructor notebooks (course_lib.exercises), runs
``nbgrader generate_assignment`` on every lesson, then writes three submissions of one lesson
(every exercise right, half of them right, untouched) and runs ``nbgrader autograde`` on them.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib.checks import ExerciseNotPassed, check
from course_lib.exercises import build_nbgrader_course, nbgrader_notebook

pytest.importorskip("nbgrader")

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
GRADED_LESSON = "06"     # autograded for real: the fastest lesson to execute
# nbgrader runs `alembic` from PATH; make test calls the venv's python without activating it.
VENV_PATH = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def _nbgrader(course, *args):
    """Run the nbgrader command line in ``course``; fail the test with its output on error."""
    env = {**os.environ, "COURSE_PROGRESS_FILE": str(course / "progress.json"), "PATH": VENV_PATH}
    env.pop("MPLBACKEND", None)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """An nbgrader course folder with every lesson released: the graded lesson by the command
    line, as an instructor would, the others through nbgrader's Python API (the same code,
    without starting a new Python for each lesson)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    course = tmp_path_factory.mktemp("nbgrader_course")
    build_nbgrader_course(ROOT / "notebooks", course)
    patch = pytest.MonkeyPatch()
    patch.setenv("PATH", VENV_PATH)
    _nbgrader(course, "generate_assignment", f"lesson{GRADED_LESSON}", "--force")
    api = NbGraderAPI(coursedir=CourseDirectory(root=str(course)))
    for lesson in LESSONS:
        if lesson != GRADED_LESSON:
            result = api.generate_assignment(f"lesson{lesson}", force=True)
            assert result["success"], f"lesson{lesson}: {result.get('error')}\n{result.get('log')}"
    patch.undo()
    return course


def _notebook(course, folder, lesson):
    return next((course / folder / f"lesson{lesson}").glob("*.ipynb"))


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_is_released_with_its_exercises_stubbed(course, lesson):
    source = nbformat.read(_notebook(course, "source", lesson), as_version=4)
    release = nbformat.read(_notebook(course, "release", lesson), as_version=4)
    solutions = [c for c in source.cells if c.metadata["nbgrader"]["solution"]]
    tests = [c for c in source.cells if c.metadata["nbgrader"]["grade"]]
    assert solutions and len(solutions) == len(tests)
    released = {c.metadata["nbgrader"]["grade_id"]: c for c in release.cells}
    for cell in solutions:
        stub = released[cell.metadata["nbgrader"]["grade_id"]].source
        assert "raise NotImplementedError" in stub and "SOLUTION" not in stub
    for cell in tests:
        assert "graded=True" in released[cell.metadata["nbgrader"]["grade_id"]].source
    assert all(not c.get("outputs") for c in release.cells if c.cell_type == "code")
    assert not any("NBVAL" in c.source for c in release.cells)


def _submit(course, student, lesson, n_solved):
    """Copy the released notebook into submitted/, with the first ``n_solved`` exercises solved."""
    source = nbformat.read(_notebook(course, "source", lesson), as_version=4)
    answers = [c.source for c in source.cells if c.metadata["nbgrader"]["solution"]]
    released = _notebook(course, "release", lesson)
    nb = nbformat.read(released, as_version=4)
    solution_cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    for cell, answer in zip(solution_cells[:n_solved], answers):
        cell.source = answer
    target = course / "submitted" / student / f"lesson{lesson}" / released.name
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return len(answers)


def test_autograde_scores_right_half_and_untouched_submissions_exactly(course, monkeypatch):
    lesson = GRADED_LESSON
    n = len([c for c in nbformat.read(_notebook(course, "source", lesson), as_version=4).cells
             if c.metadata["nbgrader"]["grade"]])
    half = n // 2
    _submit(course, "all_right", lesson, n)
    _submit(course, "half_right", lesson, half)
    _submit(course, "untouched", lesson, 0)
    _nbgrader(course, "autograde", f"lesson{lesson}", "--force")

    from nbgrader.api import Gradebook
    monkeypatch.setenv("PATH", VENV_PATH)     # the gradebook asks alembic for its version
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {student: gradebook.find_submission(f"lesson{lesson}", student).score
                  for student in ("all_right", "half_right", "untouched")}
        max_score = gradebook.find_assignment(f"lesson{lesson}").max_score
    assert max_score == n
    assert scores == {"all_right": n, "half_right": half, "untouched": 0}


def test_graded_check_raises_unless_passed(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "p.json"))

    def stub(*args):
        raise NotImplementedError

    with pytest.raises(ExerciseNotPassed, match="not attempted"):
        check("03.1", stub, graded=True)
    with pytest.raises(ExerciseNotPassed, match="failed"):
        check("03.1", lambda z: z, graded=True)
    assert check("03.1", stub).status == "not attempted"      # self-study: shown, never raised


def test_a_solution_region_outside_an_exercise_cell_is_refused():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION")])
    from course_lib import CourseError
    with pytest.raises(CourseError, match="outside an exercise"):
        nbgrader_notebook(nb)


def test_lesson_prose_never_trips_nbgraders_marker_detection():
    """nbgrader finds 'BEGIN SOLUTION' anywhere in a line, of any cell, not only whole lines."""
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
            is_exercise = cell.cell_type == "code" and cell.source.startswith("# Exercise ")
            if not is_exercise:
                assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source, \
                    f"{path.name}, cell {i + 1} mentions a solution marker"


def test_the_command_line_builds_a_course(tmp_path):
    done = subprocess.run([sys.executable, "-m", "course_lib.exercises", "--nbgrader",
                           str(tmp_path / "course")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "course" / "nbgrader_config.py").is_file()
    assert len(list((tmp_path / "course" / "source").glob("lesson*/*.ipynb"))) == len(LESSONS)
    shutil.rmtree(tmp_path / "course")
