"""Lesson 04's exercise checks: a correct answer passes, a realistic mistake fails with its hint,
(the student edition's stub is tested for every exercise in test_checks_all.py)."""
import numpy as np
import pytest

from course_lib.checks import check


def descent_1d(slope, x0, learning_rate, steps):
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - learning_rate * slope(xs[-1]))
    return np.array(xs)


def uphill_1d(slope, x0, learning_rate, steps):
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] + learning_rate * slope(xs[-1]))
    return np.array(xs)


def no_start_1d(slope, x0, learning_rate, steps):
    return descent_1d(slope, x0, learning_rate, steps)[1:]


def stale_slope_1d(slope, x0, learning_rate, steps):
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - learning_rate * slope(x0))
    return np.array(xs)


def max_rate(A):
    return 2.0 / np.linalg.eigvalsh(A)[-1]


def max_rate_half(A):
    return 1.0 / np.linalg.eigvalsh(A)[-1]


def max_rate_smallest(A):
    return 2.0 / np.linalg.eigvalsh(A)[0]


def max_rate_diagonal(A):
    return 2.0 / np.max(np.diag(A))


def count(n_weights, n_values):
    return n_values ** n_weights


def count_float(n_weights, n_values):
    return float(n_values) ** n_weights


def count_numpy(n_weights, n_values):
    return np.int64(n_values) ** np.int64(n_weights)


def count_swapped(n_weights, n_values):
    return n_weights ** n_values


def minibatches(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def minibatches_drop_last(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n - batch_size + 1, batch_size)]


def minibatches_unshuffled(n, batch_size, rng):
    order = np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def minibatches_with_replacement(n, batch_size, rng):
    order = rng.integers(0, n, size=n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def minibatches_global_seed(n, batch_size, rng):
    order = np.random.default_rng().permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: fill me in")


CORRECT = {"04.1": descent_1d, "04.2": max_rate, "04.3": count, "04.4": minibatches}

WRONG = [
    ("04.1", uphill_1d, "uphill"),
    ("04.1", no_start_1d, "Include x0"),
    ("04.1", stale_slope_1d, "slope at the start"),
    ("04.2", max_rate_half, "1/lambda_max"),
    ("04.2", max_rate_diagonal, "eigenvalues"),
    ("04.2", max_rate_smallest, "smallest eigenvalue"),
    ("04.3", count_float, "float"),
    ("04.3", count_numpy, "wrap around"),
    ("04.3", count_swapped, "swapped"),
    ("04.4", minibatches_drop_last, "keep the last"),
    ("04.4", minibatches_unshuffled, "original order"),
    ("04.4", minibatches_with_replacement, "exactly once"),
    ("04.4", minibatches_global_seed, "same seed"),
]


@pytest.mark.parametrize("exercise_id", sorted(CORRECT))
def test_correct_answer_passes(exercise_id):
    result = check(exercise_id, CORRECT[exercise_id])
    assert result.passed, result.message


@pytest.mark.parametrize("exercise_id, answer, hint", WRONG)
def test_wrong_answer_fails_with_hint(exercise_id, answer, hint, assert_hint):
    assert_hint(exercise_id, answer, hint)


def test_every_exercise_has_three_wrong_answers():
    for exercise_id in CORRECT:
        assert sum(ex == exercise_id for ex, _, _ in WRONG) >= 3, exercise_id

