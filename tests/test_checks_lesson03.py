"""Exercise checks of lesson 03: a right answer passes, realistic mistakes get their hint, stubs are 'not attempted'."""
import numpy as np
import pytest

from course_lib import sigmoid
from course_lib.checks import check


def _stub(*args):
    raise NotImplementedError("Exercise: not done yet")


def _assert_fails(exercise_id, answer, *fragments):
    result = check(exercise_id, answer)
    assert result.status == "failed", result
    for fragment in fragments:
        assert fragment in result.message, result.message


@pytest.mark.parametrize("exercise_id", ["03.1", "03.2", "03.3", "03.4"])
def test_stub_is_not_attempted(exercise_id):
    assert check(exercise_id, _stub).status == "not attempted"


# 03.1 sigma'(z)
def test_sigmoid_derivative_right():
    result = check("03.1", lambda z: sigmoid(z) * (1 - sigmoid(z)))
    assert result.passed and "finite differences" in result.message


def test_sigmoid_derivative_mistakes():
    _assert_fails("03.1", lambda z: sigmoid(z), "returned sigma(z) itself")
    _assert_fails("03.1", lambda z: z * (1 - z), "applied the formula to z")
    _assert_fails("03.1", lambda z: sigmoid(z) * (1 + sigmoid(z)), "at z = 0", "0.25", "0.75")
    _assert_fails("03.1", lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, "overflows", "z = -800")
    _assert_fails("03.1", lambda z: float(np.mean(z)), "shape")


# 03.2 cross-entropy, the right way round
def bce_right(a, y):
    return -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))


def test_bce_right():
    assert check("03.2", bce_right).passed


def test_bce_mistakes():
    _assert_fails("03.2", lambda a, y: -np.mean(a * np.log(y) + (1 - a) * np.log(1 - y)),
                  "a and y are swapped")
    _assert_fails("03.2", lambda a, y: np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)), "minus sign")
    _assert_fails("03.2", lambda a, y: -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)), "mean")
    _assert_fails("03.2", lambda a, y: -np.mean(y * np.log(a)), "(1 - y) ln(1 - a)")
    _assert_fails("03.2", lambda a, y: np.mean(0.5 * (a - y) ** 2), "should be")


# 03.3 gradients of both costs
def gradients_right(w, b, x, y, cost):
    a = sigmoid(np.float64(w * x + b))
    delta = (a - y) * a * (1 - a) if cost == "quadratic" else a - y
    return delta * x, delta


def test_gradients_right():
    assert check("03.3", gradients_right).passed


def test_gradients_mistakes():
    def ce_keeps_prime(w, b, x, y, cost):
        a = sigmoid(np.float64(w * x + b))
        delta = (a - y) * a * (1 - a)
        return delta * x, delta

    def quad_without_prime(w, b, x, y, cost):
        a = sigmoid(np.float64(w * x + b))
        return (a - y) * x, a - y

    def no_x(w, b, x, y, cost):
        _, db = gradients_right(w, b, x, y, cost)
        return db, db

    def flipped(w, b, x, y, cost):
        dw, db = gradients_right(w, b, x, y, cost)
        return -dw, -db

    _assert_fails("03.3", ce_keeps_prime, "still has the sigma'(z) factor")
    _assert_fails("03.3", quad_without_prime, "missing sigma'(z)")
    _assert_fails("03.3", no_x, "dC/dw = x dC/db")
    _assert_fails("03.3", flipped, "wrong sign")
    _assert_fails("03.3", lambda w, b, x, y, cost: 0.1, "a pair")
    _assert_fails("03.3", lambda w, b, x, y, cost: (w, b), "finite differences give")


# 03.4 binary entropy
def entropy_right(y):
    y = np.asarray(y, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -(np.where(y > 0, y * np.log(y), 0.0) + np.where(y < 1, (1 - y) * np.log(1 - y), 0.0))


def test_entropy_right():
    result = check("03.4", entropy_right)
    assert result.passed and "grid search" in result.message


def test_entropy_mistakes():
    _assert_fails("03.4", lambda y: -(y * np.log(y) + (1 - y) * np.log(1 - y)), "0 ln 0", "y = 0")
    _assert_fails("03.4", lambda y: -entropy_right(y), "negative")
    _assert_fails("03.4", lambda y: entropy_right(y) / np.log(2), "base 2")
    _assert_fails("03.4", lambda y: y * (1 - y), "ln 2")
