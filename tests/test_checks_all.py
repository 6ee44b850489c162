"""Every registered exercise: the student edition's stub is 'not attempted', never failed."""
import pytest

from course_lib.checks import check
from course_lib.checks.core import exercises


@pytest.mark.parametrize("exercise_id", sorted(exercises()))
def test_a_stub_is_not_attempted(exercise_id, stub):
    result = check(exercise_id, stub)
    assert result.status == "not attempted", result
