"""Exercise checks of lesson 06: a right answer passes, realistic mistakes get their hint, stubs are 'not attempted'."""
import numpy as np
import pytest

from course_lib import one_hot, softmax
from course_lib.checks import check


def _stub(*args):
    raise NotImplementedError("Exercise: not done yet")


def _assert_fails(exercise_id, answer, *fragments):
    result = check(exercise_id, answer)
    assert result.status == "failed", result
    for fragment in fragments:
        assert fragment in result.message, result.message


@pytest.mark.parametrize("exercise_id", ["06.1", "06.2", "06.3", "06.4"])
def test_stub_is_not_attempted(exercise_id):
    assert check(exercise_id, _stub).status == "not attempted"


# 06.1 stable softmax
def stable_right(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_stable_softmax_right():
    assert check("06.1", stable_right).passed


def test_stable_softmax_mistakes():
    _assert_fails("06.1", lambda Z: np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True), "overflows")
    _assert_fails("06.1", lambda Z: np.exp(Z) / np.exp(Z).sum(), "rows sum to 0.", "row sum")
    _assert_fails("06.1", lambda Z: np.exp(Z) / (1 + np.exp(Z)), "rows sum to 3.19", "row sum")
    _assert_fails("06.1", lambda Z: np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True), "columns sum to 1")
    _assert_fails("06.1", lambda Z: stable_right(Z.T).T if Z.shape[0] == Z.shape[1] else
                  np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(axis=1, keepdims=True),
                  "each row's own max")
    _assert_fails("06.1", lambda Z: stable_right(Z)[0], "shape")
    _assert_fails("06.1", lambda Z: stable_right(2 * Z), "the answer is")


# 06.2 delta = a - y
def delta_right(Z, labels):
    return softmax(Z) - one_hot(labels, Z.shape[1])


def test_softmax_delta_right():
    result = check("06.2", delta_right)
    assert result.passed and "finite differences" in result.message


def test_softmax_delta_mistakes():
    _assert_fails("06.2", lambda Z, labels: -delta_right(Z, labels), "wrong sign")
    _assert_fails("06.2", lambda Z, labels: softmax(Z), "Subtract the one-hot target")
    _assert_fails("06.2", lambda Z, labels: delta_right(Z, labels) / len(Z), "1/n")
    _assert_fails("06.2", lambda Z, labels: softmax(Z) - 1.0, "Only the correct class")
    _assert_fails("06.2", lambda Z, labels: softmax(Z) * (1 - softmax(Z)), "relative error")


# 06.3 inverting softmax
def logits_right(A):
    z = np.log(A)
    return z - z.mean(axis=1, keepdims=True)


def test_logits_right():
    assert check("06.3", logits_right).passed


def test_logits_mistakes():
    _assert_fails("06.3", lambda A: np.log(A), "rows of z sum to", "mean")
    _assert_fails("06.3", lambda A: np.exp(A), "take the log")
    _assert_fails("06.3", lambda A: A, "Take z = ln a")
    _assert_fails("06.3", lambda A: np.log(A - 1e-200), "NaN or inf")


# 06.4 the hard-max limit
def hard_max_right(Z):
    m = (Z == Z.max(axis=1, keepdims=True)).astype(float)
    return m / m.sum(axis=1, keepdims=True)


def test_hard_max_right():
    assert check("06.4", hard_max_right).passed
    assert check("06.4", lambda Z: softmax(1e9 * Z)).passed     # a huge c is the limit, ties included


def test_hard_max_mistakes():
    _assert_fails("06.4", lambda Z: one_hot(Z.argmax(axis=1), Z.shape[1]), "tied maxima share")
    _assert_fails("06.4", lambda Z: softmax(Z), "all the probability goes to the largest z")
    _assert_fails("06.4", lambda Z: softmax(100 * Z), "a finite c is not the limit")
    _assert_fails("06.4", lambda Z: Z.argmax(axis=1), "shape")
