"""Exercise checks of lesson 07: a right answer passes, realistic mistakes get their hint, stubs are 'not attempted'."""
import numpy as np
import pytest

from course_lib.checks import check
from course_lib.widgets.fashion import confident_mistakes, idx_header


def _stub(*args):
    raise NotImplementedError("Exercise: not done yet")


def _assert_fails(exercise_id, answer, *fragments):
    result = check(exercise_id, answer)
    assert result.status == "failed", result
    for fragment in fragments:
        assert fragment in result.message, result.message


@pytest.mark.parametrize("exercise_id", ["07.1", "07.2", "07.3", "07.4"])
def test_stub_is_not_attempted(exercise_id):
    assert check(exercise_id, _stub).status == "not attempted"


# 07.1 the IDX header
def read_header_right(raw):
    magic = int.from_bytes(raw[0:4], "big")
    return magic, [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(raw[3])]


def test_idx_header_right():
    assert check("07.1", read_header_right).passed
    header = idx_header   # course_lib's own version passes too
    assert check("07.1", lambda raw: (header(raw)["magic"], header(raw)["dims"])).passed


def test_idx_header_mistakes():
    def little(raw):
        return int.from_bytes(raw[0:4], "little"), [int.from_bytes(raw[4:8], "little")]

    def three_axes(raw):
        return int.from_bytes(raw[0:4], "big"), [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big")
                                                 for i in range(3)]

    def two_byte_sizes(raw):
        return int.from_bytes(raw[0:4], "big"), [int.from_bytes(raw[6 + 4 * i:8 + 4 * i], "big")
                                                 for i in range(raw[3])]

    _assert_fails("07.1", little, "little-endian", "big")
    _assert_fails("07.1", three_axes, "has 1 axes", "raw[3]")
    _assert_fails("07.1", lambda raw: 2049, "return a pair")
    _assert_fails("07.1", lambda raw: (int.from_bytes(raw[0:4], "big") + 1, []), "magic number")
    _assert_fails("07.1", two_byte_sizes, "4-byte")


# 07.2 counting parameters
def test_count_parameters_right():
    right = lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:]))  # noqa: E731
    result = check("07.2", right)
    assert result.passed and "269,322" in result.message
    assert right([784, 128, 10]) == 101_770 and right([784, 16, 16, 10]) == 13_002


def test_count_parameters_mistakes():
    weights_only = lambda s: sum(a * b for a, b in zip(s[:-1], s[1:]))  # noqa: E731
    _assert_fails("07.2", weights_only, "weights only", "bias")
    _assert_fails("07.2", lambda s: weights_only(s) + sum(s), "input layer biases")
    _assert_fails("07.2", lambda s: s[0] * s[-1] + s[-1], "n_in * n_out")


# 07.3 the most confident mistakes
def test_confident_mistakes_right():
    assert check("07.3", confident_mistakes).passed


def test_confident_mistakes_mistakes():
    def everything(proba, y, k):
        return np.argsort(-proba.max(axis=1))[:k]

    def ascending(proba, y, k):
        return confident_mistakes(proba, y, k)[::-1]

    def true_class(proba, y, k):
        wrong = np.flatnonzero(proba.argmax(axis=1) != y)
        return wrong[np.argsort(-proba[wrong, y[wrong]])][:k]

    def always_k(proba, y, k):
        found = list(confident_mistakes(proba, y, k))
        return found + [found[-1]] * (k - len(found)) if found else [0] * k

    _assert_fails("07.3", everything, "correct predictions")
    _assert_fails("07.3", ascending, "increasing confidence")
    _assert_fails("07.3", true_class, "predicted class")
    _assert_fails("07.3", always_k, "return")


# 07.4 standardize with training statistics
def standardize_right(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std


def test_standardize_right():
    assert check("07.4", standardize_right).passed


def test_standardize_mistakes():
    def own_stats(X_train, X_test):
        return standardize_right(X_train, X_train)[0], standardize_right(X_test, X_test)[0]

    def nan_for_constant(X_train, X_test):
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        return (X_train - mean) / std, (X_test - mean) / std

    def one_scalar(X_train, X_test):
        return (X_train - X_train.mean()) / X_train.std(), (X_test - X_train.mean()) / X_train.std()

    _assert_fails("07.4", own_stats, "its own mean and std")
    _assert_fails("07.4", nan_for_constant, "NaN", "std 0")
    _assert_fails("07.4", one_scalar, "one mean and one std")
    _assert_fails("07.4", lambda a, b: a, "pair")
