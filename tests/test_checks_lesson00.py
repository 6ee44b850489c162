"""Exercise checks of lesson 00: right answers in several forms pass; each wrong answer a learner
really writes fails with a hint that names that mistake. (Stubs: tests/test_checks_all.py.)"""
import numpy as np
import pytest

from course_lib.activations import step
from course_lib.checks import check


# ---------------------------------------------------------------- 00.1
def perceptron_update(X, y, w, b, learning_rate=1.0):
    error = y - step(X @ w + b)
    return w + learning_rate * X.T @ error, b + learning_rate * error.sum()


def perceptron_update_where(X, y, w, b, learning_rate=1.0):
    y_hat = np.where(X @ w + b >= 0, 1, 0)
    error = y - y_hat
    return w + learning_rate * (error[:, None] * X).sum(axis=0), b + learning_rate * np.sum(error)


def perceptron_update_heaviside(X, y, w, b, learning_rate=1.0):
    error = y - np.heaviside(X @ w + b, 1.0)
    return w + learning_rate * np.dot(error, X), float(b + learning_rate * error.sum())


def perceptron_update_strict(X, y, w, b, learning_rate=1.0):
    error = y - (X @ w + b > 0)
    return w + learning_rate * X.T @ error, b + learning_rate * error.sum()


def perceptron_update_sign(X, y, w, b, learning_rate=1.0):
    error = y - np.sign(X @ w + b)
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


def perceptron_update_linear(X, y, w, b, learning_rate=1.0):
    error = y - (X @ w + b)
    return w + learning_rate * X.T @ error, b + learning_rate * error.sum()


def perceptron_update_averaged(X, y, w, b, learning_rate=1.0):
    error = y - step(X @ w + b)
    return w + learning_rate * X.T @ error / len(X), b + learning_rate * error.mean()


def perceptron_update_online(X, y, w, b, learning_rate=1.0):
    w = w.copy()
    for x_i, y_i in zip(X, y):
        error = y_i - step(x_i @ w + b)
        w = w + learning_rate * error * x_i
        b = b + learning_rate * error
    return w, b


def perceptron_update_forgot_bias_in_prediction(X, y, w, b, learning_rate=1.0):
    error = y - step(X @ w)
    return w + learning_rate * X.T @ error, b + learning_rate * error.sum()


# ---------------------------------------------------------------- 00.2
def lms_update(X, y, w, b, learning_rate=0.1):
    error = (2 * y - 1) - (X @ w + b)
    return w + learning_rate * X.T @ error / len(X), b + learning_rate * error.mean()


def lms_update_means(X, y, w, b, learning_rate=0.1):
    t = np.where(y == 1, 1.0, -1.0)
    error = t - X.dot(w) - b
    return w + learning_rate * np.mean(X * error[:, None], axis=0), b + learning_rate * np.mean(error)


def lms_update_01_targets(X, y, w, b, learning_rate=0.1):
    error = y - (X @ w + b)
    return w + learning_rate * X.T @ error / len(X), b + learning_rate * error.mean()


def lms_update_thresholded(X, y, w, b, learning_rate=0.1):
    error = (2 * y - 1) - (2 * step(X @ w + b) - 1)
    return w + learning_rate * X.T @ error / len(X), b + learning_rate * error.mean()


def lms_update_summed(X, y, w, b, learning_rate=0.1):
    error = (2 * y - 1) - (X @ w + b)
    return w + learning_rate * X.T @ error, b + learning_rate * error.sum()


def lms_update_uphill(X, y, w, b, learning_rate=0.1):
    error = (X @ w + b) - (2 * y - 1)
    return w + learning_rate * X.T @ error / len(X), b + learning_rate * error.mean()


def lms_update_bias_summed(X, y, w, b, learning_rate=0.1):
    error = (2 * y - 1) - (X @ w + b)
    return w + learning_rate * X.T @ error / len(X), b + learning_rate * error.sum()


def lms_update_no_bias(X, y, w, b, learning_rate=0.1):
    error = (2 * y - 1) - (X @ w + b)
    return w + learning_rate * X.T @ error / len(X), b


# ---------------------------------------------------------------- 00.3
def xor_weights():
    return (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-0.5, -1.5]),
            np.array([[1.0], [-1.0]]), np.array([-0.5]))


def xor_weights_nand_and_or():
    """Another valid network: NAND and OR in the hidden layer, AND at the output."""
    return (np.array([[-1.0, 1.0], [-1.0, 1.0]]), np.array([1.5, -0.5]),
            np.array([[1.0], [1.0]]), np.array([-1.5]))


def xor_weights_or():
    return (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-0.5, -1.5]),
            np.array([[1.0], [0.0]]), np.array([-0.5]))


def xor_weights_on_the_corners():
    return (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-1.0, -2.0]),
            np.array([[1.0], [-1.0]]), np.array([-0.5]))


def xor_weights_wrong_shape():
    W1, b1, W2, b2 = xor_weights()
    return W1, b1, W2.ravel(), b2


def xor_weights_as_list():
    return list(xor_weights())


def xor_weights_no_output_bias():
    W1, b1, W2, _ = xor_weights()
    return W1, b1, W2


@pytest.mark.parametrize("ex, answer", [
    ("00.1", perceptron_update), ("00.1", perceptron_update_where),
    ("00.1", perceptron_update_heaviside),
    ("00.2", lms_update), ("00.2", lms_update_means),
    ("00.3", xor_weights), ("00.3", xor_weights_nand_and_or),
    ("00.3", xor_weights_as_list),
])
def test_correct_answers_pass(ex, answer):
    result = check(ex, answer)
    assert result.passed, result.message


@pytest.mark.parametrize("ex, answer, fragments", [
    ("00.1", perceptron_update_strict, ["z > 0", "step(0) = 1", "zero-weight start"]),
    ("00.1", perceptron_update_sign, ["np.sign", "0 or 1"]),
    ("00.1", perceptron_update_backwards, ["wrong way", "y - y_hat"]),
    ("00.1", perceptron_update_no_bias, ["bias did not change"]),
    ("00.1", perceptron_update_in_place, ["changed the w it was given"]),
    ("00.1", perceptron_update_linear, ["linear output z"]),
    ("00.1", perceptron_update_averaged, ["times too small", "sums the corrections"]),
    ("00.1", perceptron_update_online, ["after each example", "batch form"]),
    ("00.1", perceptron_update_forgot_bias_in_prediction, ["left out the bias", "step(X @ w + b)"]),
    ("00.2", lms_update_01_targets, ["t = 2y - 1"]),
    ("00.2", lms_update_thresholded, ["thresholded", "linear output"]),
    ("00.2", lms_update_summed, ["times too big"]),
    ("00.2", lms_update_uphill, ["uphill"]),
    ("00.2", lms_update_bias_summed, ["weights are right", "summed the errors"]),
    ("00.2", lms_update_no_bias, ["weights are right", "bias did not change"]),
    ("00.3", xor_weights_or, ["(1, 1) -> 1 (want 0)", "(1, 1): (1, 1)", "but not AND"]),
    ("00.3", xor_weights_on_the_corners, ["through a corner"]),
    ("00.3", xor_weights_wrong_shape, ["W2 should have shape (2, 1)"]),
    ("00.3", xor_weights_no_output_bias, ["Return four arrays"]),
])
def test_wrong_answers_fail_with_their_hint(assert_hint, ex, answer, fragments):
    assert_hint(ex, answer, *fragments)


def test_strict_threshold_fails_only_at_the_zero_start(assert_hint):
    """z > 0 agrees with step on every example that is not exactly on the boundary, so the
    checker must include the lesson's zero start to catch it."""
    assert_hint("00.1", perceptron_update_strict, "w = 0 and b = 0")
