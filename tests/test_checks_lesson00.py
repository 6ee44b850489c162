"""Exercise checks of lesson 00: a right answer passes, a realistic wrong one gets its hint, a stub is 'not attempted'."""
import numpy as np
import pytest

from course_lib.activations import step
from course_lib.checks import check


def stub(*args):
    raise NotImplementedError("Exercise: student edition")


# ---------------------------------------------------------------- 00.1
def perceptron_update(X, y, w, b, learning_rate=1.0):
    error = y - step(X @ w + b)
    return w + learning_rate * X.T @ error, b + learning_rate * error.sum()


def perceptron_update_backwards(X, y, w, b, learning_rate=1.0):
    error = step(X @ w + b) - y
    return w + learning_rate * X.T @ error, b + learning_rate * error.sum()


def perceptron_update_no_bias(X, y, w, b, learning_rate=1.0):
    error = y - step(X @ w + b)
    return w + learning_rate * X.T @ error, b


def perceptron_update_in_place(X, y, w, b, learning_rate=1.0):
    error = y - step(X @ w + b)
    w += learning_rate * X.T @ error
    return w, b + learning_rate * error.sum()


# ---------------------------------------------------------------- 00.2
def lms_update(X, y, w, b, learning_rate=0.1):
    error = (2 * y - 1) - (X @ w + b)
    return w + learning_rate * X.T @ error / len(X), b + learning_rate * error.mean()


def lms_update_01_targets(X, y, w, b, learning_rate=0.1):
    error = y - (X @ w + b)
    return w + learning_rate * X.T @ error / len(X), b + learning_rate * error.mean()


def lms_update_thresholded(X, y, w, b, learning_rate=0.1):
    error = (2 * y - 1) - (2 * step(X @ w + b) - 1)
    return w + learning_rate * X.T @ error / len(X), b + learning_rate * error.mean()


def lms_update_summed(X, y, w, b, learning_rate=0.1):
    error = (2 * y - 1) - (X @ w + b)
    return w + learning_rate * X.T @ error, b + learning_rate * error.sum()


# ---------------------------------------------------------------- 00.3
def xor_weights():
    return (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-0.5, -1.5]),
            np.array([[1.0], [-1.0]]), np.array([-0.5]))


def xor_weights_or():
    return (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-0.5, -1.5]),
            np.array([[1.0], [0.0]]), np.array([-0.5]))


def xor_weights_on_the_corners():
    return (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-1.0, -2.0]),
            np.array([[1.0], [-1.0]]), np.array([-0.5]))


def xor_weights_wrong_shape():
    W1, b1, W2, b2 = xor_weights()
    return W1, b1, W2.ravel(), b2


@pytest.mark.parametrize("ex, answer", [("00.1", perceptron_update), ("00.2", lms_update),
                                        ("00.3", xor_weights)])
def test_correct_answers_pass(ex, answer):
    result = check(ex, answer)
    assert result.passed, result.message


@pytest.mark.parametrize("ex, answer, hint", [
    ("00.1", perceptron_update_backwards, "wrong way"),
    ("00.1", perceptron_update_no_bias, "bias did not change"),
    ("00.1", perceptron_update_in_place, "changed the w it was given"),
    ("00.2", lms_update_01_targets, "t = 2y - 1"),
    ("00.2", lms_update_thresholded, "linear output"),
    ("00.2", lms_update_summed, "times too big"),
    ("00.3", xor_weights_or, "(1, 1) -> 1 (want 0)"),
    ("00.3", xor_weights_on_the_corners, "through a corner"),
    ("00.3", xor_weights_wrong_shape, "W2 should have shape (2, 1)"),
])
def test_wrong_answers_fail_with_hint(ex, answer, hint):
    result = check(ex, answer)
    assert result.status == "failed"
    assert hint in result.message


@pytest.mark.parametrize("ex", ["00.1", "00.2", "00.3"])
def test_stubs_are_not_attempted(ex):
    assert check(ex, stub).status == "not attempted"
