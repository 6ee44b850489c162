"""The machinery behind the exercise checks.

A checker is a function registered with ``@exercise(id, title)``. It receives the
learner's answer (usually a function), tests it on cases the learner has not seen,
and either returns a short success detail or raises ``Hint("what went wrong and
what to try")``. ``check`` turns every outcome into one of three results:

- passed;
- failed, with the checker's hint (or a one-line summary of the error the learner's
  code raised);
- not attempted yet, when the answer is the student edition's stub, which raises
  NotImplementedError, or is ``...``.

Each result is also recorded in ``.course_progress.json`` in the current folder (the
notebook's folder), which ``progress()`` summarises.
"""
from __future__ import annotations

import importlib
import json
import os
import pkgutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._validation import CourseError
from ..i18n import translate

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
_SYMBOL = {PASSED: "✅", FAILED: "❌", NOT_ATTEMPTED: "⏳"}


class Hint(AssertionError):
    """Raised by a checker: the message tells the learner what is wrong and what to try."""


class ExerciseNotPassed(AssertionError):
    """Raised by ``check(..., graded=True)`` when an exercise did not pass: a graded test fails."""


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    checker: Callable


@dataclass(frozen=True)
class CheckResult:
    exercise: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __repr__(self):
        # In the Chinese edition the whole line is translated, hint and all (course_lib.i18n).
        return translate(f"{_SYMBOL[self.status]} Exercise {self.exercise} {self.status}: "
                         f"{self.message}")

    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(self))


def call_quietly(fn, *args, **kwargs):
    """Call a learner's function with NumPy warnings off: a NaN or overflow should become a hint
    from the checker, not warning noise."""
    with np.errstate(all="ignore"):
        return fn(*args, **kwargs)


def answer_array(result, shape, what, returns="an array", expected="it should be {shape}."):
    """The learner's result as a float64 array of ``shape``, or a Hint saying what is off.

    ``returns`` names what the function should give back; ``expected`` (formatted with the
    shape) ends the wrong-shape hint with the lesson's own advice.
    """
    try:
        arr = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        raise Hint(f"{what} should return {returns}, but returned {type(result).__name__}.") from None
    if arr.shape != shape:
        raise Hint(f"{what} returned shape {arr.shape}, but {expected.format(shape=shape)}")
    return arr


_REGISTRY: dict[str, Exercise] = {}


def exercise(exercise_id: str, title: str):
    """Register the decorated function as the checker of exercise ``exercise_id`` (e.g. "02.1")."""
    def register(checker):
        _REGISTRY[exercise_id] = Exercise(exercise_id, title, checker)
        return checker
    return register


def _load_lessons():
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("lesson"):
            importlib.import_module(f"{__package__}.{info.name}")


def exercises() -> dict[str, Exercise]:
    """Every registered exercise, by id, in order."""
    _load_lessons()
    return dict(sorted(_REGISTRY.items()))


def _learner_frame(exc: BaseException) -> str:
    """Where in the learner's own code the error happened (a notebook cell), if anywhere."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if "course_lib" not in f.filename and "site-packages" not in f.filename]
    if not mine:
        return ""
    f = mine[-1]
    return f" (in {f.name}, line {f.lineno}: {f.line.strip() if f.line else ''})"


class UnknownExercise(CourseError, KeyError):
    """check() was given an exercise id that no lesson defines."""


def check(exercise_id: str, answer, graded: bool = False) -> CheckResult:
    """Check a learner's answer to an exercise and return the result (it displays itself).

    For self-study the result is only shown. With ``graded=True`` (the nbgrader edition's test
    cells) a result that is not "passed" raises ExerciseNotPassed with the same message, so an
    autograder scores the cell 0.
    """
    known = exercises()
    if not isinstance(exercise_id, str):
        raise UnknownExercise(f"Exercise ids are strings of the lesson and the exercise number, "
                              f"like \"02.1\", but got {exercise_id!r}. Known exercises: "
                              f"{', '.join(known)}.")
    if exercise_id not in known:
        raise UnknownExercise(f"No exercise {exercise_id!r}. Known exercises: {', '.join(known)}.")
    ex = known[exercise_id]
    if answer is ... or answer is None:
        result = CheckResult(exercise_id, NOT_ATTEMPTED, f"{ex.title}. Fill in your answer, then re-run this check.")
    else:
        try:
            detail = ex.checker(answer)
            result = CheckResult(exercise_id, PASSED, detail or f"{ex.title}. Well done.")
        except NotImplementedError:
            result = CheckResult(exercise_id, NOT_ATTEMPTED,
                                 f"{ex.title}. Replace the `raise NotImplementedError` line with your "
                                 f"code, run that cell, then re-run this check.")
        except Hint as hint:
            result = CheckResult(exercise_id, FAILED, str(hint))
        except Exception as exc:   # the learner's code crashed: summarise, don't dump a traceback
            result = CheckResult(exercise_id, FAILED,
                                 f"your code raised {type(exc).__name__}: {exc}{_learner_frame(exc)}")
    _record(result)
    if graded and not result.passed:
        raise ExerciseNotPassed(repr(result))
    return result


# ------------------------------------------------------------------ progress
def record_file() -> Path:
    """Where results are recorded: $COURSE_PROGRESS_FILE, else .course_progress.json here."""
    return Path(os.environ.get("COURSE_PROGRESS_FILE", ".course_progress.json"))


def _read_records(path: Path) -> dict[str, str]:
    """{exercise_id: status} as recorded in ``path``; empty when it is missing or unreadable."""
    try:
        return json.loads(path.read_text()) if path.exists() else {}
    except (OSError, json.JSONDecodeError):
        return {}


def _record(result: CheckResult) -> None:
    path = record_file()
    records = _read_records(path)
    records[result.exercise] = result.status
    try:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(records, indent=1, sort_keys=True))
        tmp.replace(path)
    except OSError:
        pass   # a read-only folder must not break the exercise itself


def progress(folder=".", show=True) -> dict[str, dict[str, str]]:
    """Per lesson, the status of every exercise as last checked in ``folder``'s notebooks.

    Returns {lesson: {exercise_id: status}} and, with show=True, prints a table.
    """
    path = Path(folder) / record_file().name if "COURSE_PROGRESS_FILE" not in os.environ \
        else record_file()
    records = _read_records(path)
    table: dict[str, dict[str, str]] = {}
    for ex_id in exercises():
        table.setdefault(ex_id.split(".")[0], {})[ex_id] = records.get(ex_id, NOT_ATTEMPTED)
    if show:
        for lesson, statuses in table.items():
            done = sum(s == PASSED for s in statuses.values())
            marks = "  ".join(f"{_SYMBOL[s]} {i}" for i, s in statuses.items())
            print(translate(f"lesson {lesson}: {done}/{len(statuses)} passed   {marks}"))
    return table
