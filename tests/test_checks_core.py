"""check() turns every outcome into passed / failed / not attempted, and progress() reports them."""
import json

import pytest

from course_lib import CourseError
from course_lib.checks import Hint, check, exercise, exercises, progress
from course_lib.checks.core import _REGISTRY


@pytest.fixture
def demo_exercise():
    @exercise("99.1", "Double a number")
    def checker(answer):
        for x in (0, 3, -2.5):
            if answer(x) != 2 * x:
                raise Hint(f"for x = {x} you returned {answer(x)}, expected {2 * x}. Multiply by 2.")
        return "doubles every test value."
    yield "99.1"
    _REGISTRY.pop("99.1")


def stub(x):
    raise NotImplementedError("Exercise 99.1: double x")


def test_correct_answer_passes(demo_exercise):
    result = check(demo_exercise, lambda x: 2 * x)
    assert result.passed and result.status == "passed"
    assert repr(result).startswith("✅ Exercise 99.1 passed")


def test_wrong_answer_fails_with_the_hint(demo_exercise):
    result = check(demo_exercise, lambda x: x + x + 1)
    assert result.status == "failed"
    assert "for x = 0 you returned 1" in result.message


@pytest.mark.parametrize("answer", [stub, ..., None])
def test_unattempted_answers_say_so(demo_exercise, answer):
    result = check(demo_exercise, answer)
    assert result.status == "not attempted"
    assert "Traceback" not in repr(result)


def test_a_crash_in_learner_code_is_summarised_in_one_line(demo_exercise):
    def broken(x):
        return x / undefined_name  # noqa: F821

    result = check(demo_exercise, broken)
    assert result.status == "failed"
    assert "NameError" in result.message and "undefined_name" in result.message
    assert "\n" not in result.message


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(KeyError, match="Known exercises"):
        check("77.7", None)
    with pytest.raises(CourseError, match=r"strings .* like \"02\.1\", but got 2\.1"):
        check(2.1, None)


def test_results_are_recorded_and_summarised(demo_exercise, tmp_path, monkeypatch, capsys):
    record = tmp_path / "record.json"
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(record))
    check(demo_exercise, lambda x: 2 * x)
    assert json.loads(record.read_text())["99.1"] == "passed"
    table = progress(show=True)
    assert table["99"]["99.1"] == "passed"
    assert "lesson 99: 1/1 passed" in capsys.readouterr().out
    check(demo_exercise, stub)
    assert progress(show=False)["99"]["99.1"] == "not attempted"


def test_every_lesson_registers_at_least_three_exercises():
    lessons = {}
    for ex_id in exercises():
        lessons.setdefault(ex_id.split(".")[0], []).append(ex_id)
    lessons.pop("99", None)
    assert lessons, "no exercises registered"
    for lesson, ids in lessons.items():
        assert len(ids) >= 3, f"lesson {lesson} has only {ids}"
