"""Exercise checks of lesson 06: right answers (in several valid forms) pass, and the mistakes
learners really make get a hint that names that mistake. Stubs: tests/test_checks_all.py."""
import numpy as np

from course_lib import one_hot, softmax
from course_lib.activations import softmax_backward
from course_lib.checks import check


# 06.1 stable softmax
def stable_right(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_stable_softmax_right():
    assert check("06.1", stable_right).passed
    assert check("06.1", softmax).passed
    assert check("06.1", lambda Z: np.exp(Z - np.log(np.exp(Z - Z.max(1, keepdims=True)).sum(
        1, keepdims=True)) - Z.max(1, keepdims=True))).passed          # exp(log-softmax)


def test_stable_softmax_mistakes(assert_hint):
    assert_hint("06.1", lambda Z: np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True), "overflows")
    assert_hint("06.1", lambda Z: np.exp(Z) / np.exp(Z).sum(), "rows sum to 0.", "row sum")
    assert_hint("06.1", lambda Z: np.exp(Z) / (1 + np.exp(Z)), "rows sum to 3.19", "row sum")
    assert_hint("06.1", lambda Z: np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True), "columns sum to 1")
    assert_hint("06.1", lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(axis=1, keepdims=True),
                "whole array", "each row's own max")
    assert_hint("06.1", lambda Z: stable_right(Z)[0], "shape")
    assert_hint("06.1", lambda Z: stable_right(2 * Z), "the answer is")


# 06.2 backprop through softmax, dZ = J^T dA
def backward_right(A, dA):
    return A * (dA - np.sum(A * dA, axis=1, keepdims=True))


def jacobian_of(A):
    """J[n, j, k] = da_j/dz_k, a row per output (the course's layout)."""
    return A[:, :, None] * (np.eye(A.shape[1])[None] - A[:, None, :])


def test_softmax_backward_right():
    result = check("06.2", backward_right)
    assert result.passed and "a - y" in result.message
    assert check("06.2", softmax_backward).passed
    # Through the full Jacobian: J^T dA, and also J dA, which is the same because J is symmetric.
    assert check("06.2", lambda A, dA: np.einsum("njk,nj->nk", jacobian_of(A), dA)).passed
    assert check("06.2", lambda A, dA: np.einsum("njk,nk->nj", jacobian_of(A), dA)).passed


def test_softmax_backward_mistakes(assert_hint):
    assert_hint("06.2", lambda A, dA: A * (1 - A) * dA, "only the diagonal", "sums over all outputs")
    assert_hint("06.2", lambda A, dA: A * (dA - np.sum(A * dA, axis=0, keepdims=True)),
                "belongs to each example", "axis=1")
    assert_hint("06.2", lambda A, dA: A * (dA - np.sum(A * dA, axis=1)), "keepdims=True")
    assert_hint("06.2", lambda A, dA: -backward_right(A, dA), "wrong sign")
    assert_hint("06.2", lambda A, dA: dA - np.sum(A * dA, axis=1, keepdims=True), "factor a_k")
    assert_hint("06.2", lambda A, dA: A + A * dA, "only for the log-likelihood", "-1")
    assert_hint("06.2", lambda A, dA: A - dA, "belongs to the log-likelihood alone")
    assert_hint("06.2", lambda A, dA: backward_right(A, dA)[:, :1], "shape")
    assert_hint("06.2", lambda A, dA: 2 * backward_right(A, dA), "finite differences")


# 06.3 inverting softmax
def logits_right(A):
    z = np.log(A)
    return z - z.mean(axis=1, keepdims=True)


def test_logits_right():
    assert check("06.3", logits_right).passed
    assert check("06.3", lambda A: np.log(A) - np.log(A).sum(axis=1, keepdims=True) / A.shape[1]).passed
    assert check("06.3", lambda A: np.log(A / np.exp(np.log(A).mean(axis=1, keepdims=True)))).passed


def test_logits_mistakes(assert_hint):
    assert_hint("06.3", lambda A: np.log(A), "rows of z sum to", "mean")
    assert_hint("06.3", lambda A: np.log(A) - np.log(A).mean(axis=0, keepdims=True),
                "column, axis=0", "axis=1")
    assert_hint("06.3", lambda A: np.log(A) - np.log(A).mean(axis=0), "column, axis=0")
    assert_hint("06.3", lambda A: np.log(A) - np.log(A).mean(axis=1), "keepdims=True")
    assert_hint("06.3", lambda A: np.log(A) - np.log(A).mean(), "whole array", "each row's mean")
    assert_hint("06.3", lambda A: np.log(A) - np.log(A).sum(axis=1, keepdims=True), "row's sum")
    assert_hint("06.3", lambda A: np.exp(A), "take the log")
    assert_hint("06.3", lambda A: A, "Take z = ln a")
    assert_hint("06.3", lambda A: np.log(A - 1e-200), "NaN or inf")


# 06.4 the hard-max limit
def hard_max_right(Z):
    m = (Z == Z.max(axis=1, keepdims=True)).astype(float)
    return m / m.sum(axis=1, keepdims=True)


def test_hard_max_right():
    assert check("06.4", hard_max_right).passed
    assert check("06.4", lambda Z: softmax(1e9 * Z)).passed     # a huge c is the limit, ties included


def test_hard_max_mistakes(assert_hint):
    assert_hint("06.4", lambda Z: one_hot(Z.argmax(axis=1), Z.shape[1]), "tied maxima share")
    assert_hint("06.4", lambda Z: softmax(Z), "all the probability goes to the largest z")
    assert_hint("06.4", lambda Z: softmax(100 * Z), "a finite c is not the limit")
    assert_hint("06.4", lambda Z: Z.argmax(axis=1), "shape")
