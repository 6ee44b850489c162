"""Exercise checks of lesson 01: a right answer passes, a realistic wrong one gets its hint, a stub is 'not attempted'."""
import numpy as np
import pytest

from course_lib.checks import check


def stub(*args):
    raise NotImplementedError("Exercise: student edition")


# ---------------------------------------------------------------- 01.1
def standardize_pair(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std


def standardize_pair_own_stats(X_train, X_test):
    def one(X):
        std = X.std(axis=0)
        return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return one(X_train), one(X_test)


def standardize_pair_divides_by_zero(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (X_train - mean) / std, (X_test - mean) / std


def standardize_pair_minmax(X_train, X_test):
    lo, span = X_train.min(axis=0), np.ptp(X_train, axis=0)
    span = np.where(span > 0, span, 1.0)
    return (X_train - lo) / span, (X_test - lo) / span


# ---------------------------------------------------------------- 01.2
def dense_forward(X, W, b, activation):
    return activation(X @ W + b)


def dense_forward_transposed(X, W, b, activation):
    return activation(X @ W.T + b) if W.shape[0] == W.shape[1] else activation(X @ W + b)


def dense_forward_no_activation(X, W, b, activation):
    return X @ W + b


# ---------------------------------------------------------------- 01.3
def count_parameters(sizes):
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def count_weights_only(sizes):
    return sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def count_with_input_biases(sizes):
    return count_weights_only(sizes) + sum(sizes)


# ---------------------------------------------------------------- 01.4
def to_nielsen(X, W, b):
    return W.T, b.reshape(-1, 1), X.T


def to_nielsen_reshaped(X, W, b):
    return W.reshape(W.shape[1], W.shape[0]), b.reshape(-1, 1), X.T


def to_nielsen_flat_bias(X, W, b):
    return W.T, b, X.T


@pytest.mark.parametrize("ex, answer", [("01.1", standardize_pair), ("01.2", dense_forward),
                                        ("01.3", count_parameters), ("01.4", to_nielsen)])
def test_correct_answers_pass(ex, answer):
    result = check(ex, answer)
    assert result.passed, result.message


@pytest.mark.parametrize("ex, answer, hint", [
    ("01.1", standardize_pair_own_stats, "its own mean and std"),
    ("01.1", standardize_pair_divides_by_zero, "constant column has std 0"),
    ("01.1", standardize_pair_minmax, "normalization to [0, 1]"),
    ("01.2", dense_forward_transposed, "you used W.T"),
    ("01.2", dense_forward_no_activation, "Apply the activation"),
    ("01.3", count_weights_only, "not the biases"),
    ("01.3", count_with_input_biases, "input layer biases"),
    ("01.4", to_nielsen_reshaped, "not (X @ W + b).T"),
    ("01.4", to_nielsen_flat_bias, "Nielsen's b has shape (2, 1)"),
])
def test_wrong_answers_fail_with_hint(ex, answer, hint):
    result = check(ex, answer)
    assert result.status == "failed"
    assert hint in result.message


@pytest.mark.parametrize("ex", ["01.1", "01.2", "01.3", "01.4"])
def test_stubs_are_not_attempted(ex):
    assert check(ex, stub).status == "not attempted"
