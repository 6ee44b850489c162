"""Self-checking exercises: ``check("02.1", answer)`` gives instant feedback.

Each lesson's checkers live in ``course_lib/checks/lessonNN.py``; the hidden
reference answers live there too, never in the student notebook. See core.py for
how a checker is written.
"""
from .core import CheckResult, ExerciseNotPassed, Hint, check, exercise, exercises, progress, record_file

__all__ = ["CheckResult", "ExerciseNotPassed", "Hint", "check", "exercise", "exercises", "progress",
           "record_file"]
