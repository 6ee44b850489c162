"""Checkers for lesson 06, softmax. Reference answers are built from course_lib."""
from __future__ import annotations

from functools import partial

import numpy as np

from ..activations import softmax
from ..data import one_hot
from ..gradcheck import numerical_gradient, rel_error
from .core import Hint, answer_array, call_quietly, exercise

_as_array = partial(answer_array, expected="it should have the input's shape {shape}: one row of "
                                           "k probabilities per example.")


@exercise("06.1", "a softmax that never overflows")
def check_stable_softmax(stable_softmax):
    mild = np.array([[1.0, 2.0, 3.0, 0.5], [0.0, 0.0, 0.0, 0.0], [-1.0, 0.5, 2.0, -3.0]])
    got = _as_array(call_quietly(stable_softmax, mild.copy()), mild.shape, "stable_softmax(Z)")
    row_sums, col_sums = got.sum(axis=1), got.sum(axis=0)
    if np.all(np.isfinite(got)) and not np.allclose(row_sums, 1.0):
        if np.allclose(col_sums, 1.0):
            raise Hint("your columns sum to 1, not your rows. Rows are examples: sum with axis=1, "
                       "keepdims=True.")
        bad = int(np.argmax(np.abs(row_sums - 1.0)))
        raise Hint(f"your softmax rows sum to {row_sums[bad]:.3g}, not 1: did you divide by the "
                   f"row sum? Divide each row's exponentials e by np.sum(e, axis=1, keepdims=True).")
    if not np.allclose(got, softmax(mild), rtol=1e-6, atol=1e-12):
        raise Hint(f"for Z = {mild[0].tolist()} the answer is {np.round(softmax(mild[0]), 4).tolist()}, "
                   f"yours is {np.round(got[0], 4).tolist()}. Exponentiate, then divide by the row sum.")

    big = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -999.0], [3.0, 3.0, 3.0],
                    [-745.0, 0.0, 745.0]])
    got = _as_array(call_quietly(stable_softmax, big.copy()), big.shape, "stable_softmax(Z)")
    expected = softmax(big)
    if np.allclose(got, expected, rtol=1e-6, atol=1e-12):
        return "stable at z = +-1000, rows sum to 1, and identical rows give identical outputs."
    bad_rows = [i for i in range(len(big)) if not np.all(np.isfinite(got[i]))]
    if bad_rows == [1] or (1 in bad_rows and 0 not in bad_rows):
        raise Hint("the row [-1000, -1000, -999] gives NaN: you subtracted the maximum of the whole "
                   "array, so every e^z in that row underflows to 0 and you divide 0 by 0. Subtract "
                   "each row's own max: Z - Z.max(axis=1, keepdims=True).")
    if bad_rows:
        raise Hint(f"for the row {big[bad_rows[0]].tolist()} you get {got[bad_rows[0]].tolist()}: "
                   f"e^1000 overflows to inf. Subtract each row's max before exponentiating; "
                   f"the factor e^(-max) cancels between numerator and denominator.")
    i = int(np.argmax(np.max(np.abs(got - expected), axis=1)))
    raise Hint(f"for the row {big[i].tolist()} the answer is {np.round(expected[i], 4).tolist()}, "
               f"yours is {np.round(got[i], 4).tolist()}.")


def _softmax_backward_cases():
    """(A, dA) pairs the learner has not seen: random upstream gradients on a non-square batch,
    a square batch (where a row/column mix-up broadcasts silently), and the log-likelihood's
    gradient dA = -y / a, for which the answer is section 6's a - y."""
    rng = np.random.default_rng(62)
    Z = rng.normal(scale=2.0, size=(5, 4))
    square = rng.normal(scale=1.5, size=(3, 3))
    labels = np.array([0, 3, 1, 3, 2])
    A, A_sq = softmax(Z), softmax(square)
    return [(Z, A, rng.normal(size=(5, 4))), (square, A_sq, rng.normal(size=(3, 3))),
            (Z, A, -one_hot(labels, 4) / A)]


def _call_backward(softmax_backward, A, dA):
    try:
        got = call_quietly(softmax_backward, A.copy(), dA.copy())
    except ValueError as exc:
        if "broadcast" in str(exc):
            raise Hint(f"your code fails to broadcast for A of shape {A.shape} ({exc}). The sum "
                       f"over j of a_j dA_j is one number per row: keep it as a column with "
                       f"keepdims=True, shape (n, 1), so that it lines up with each row.") from None
        raise
    return _as_array(got, A.shape, "softmax_backward(A, dA)")


@exercise("06.2", "backprop through softmax: dZ = J^T dA, row by row")
def check_softmax_backward(softmax_backward):
    for Z, A, dA in _softmax_backward_cases():
        got = _call_backward(softmax_backward, A, dA)
        Zc = Z.copy()
        numeric = numerical_gradient(lambda Zc=Zc, dA=dA: float(np.sum(dA * softmax(Zc))), Zc)
        if rel_error(got, numeric) < 1e-6:
            continue
        s_rows = np.sum(dA * A, axis=1, keepdims=True)
        s_cols = np.sum(dA * A, axis=0, keepdims=True)
        if np.allclose(got, A * (1 - A) * dA, rtol=1e-6):
            raise Hint("you kept only the diagonal of the Jacobian, a_k (1 - a_k), as if each a_k "
                       "depended on z_k alone. Every a_j depends on z_k (non-locality), so dZ_k "
                       "sums over all outputs j: sum_j a_j (delta_jk - a_k) dA_j.")
        if np.allclose(got, A * (dA - s_cols), rtol=1e-6) or (
                A.shape[0] == A.shape[1] and np.allclose(got, A * (dA - s_rows.T), rtol=1e-6)):
            raise Hint("the sum over j of a_j dA_j belongs to each example (row): you summed over "
                       "the examples (axis 0), or subtracted a row's sum along a column. Use "
                       "np.sum(A * dA, axis=1, keepdims=True).")
        if np.allclose(got, A * (s_rows - dA), rtol=1e-6):
            raise Hint("your dZ has the wrong sign. dZ_k = a_k (dA_k - sum_j a_j dA_j): raising "
                       "z_k raises a_k, so a positive dA_k should give a positive dZ_k.")
        if np.allclose(got, dA - s_rows, rtol=1e-6):
            raise Hint("you left out the factor a_k: J_jk = a_j (delta_jk - a_k), and summing "
                       "over j gives dZ_k = a_k (dA_k - sum_j a_j dA_j).")
        if np.allclose(got, A + A * dA, rtol=1e-6):
            raise Hint("a + a * dA is right only for the log-likelihood, whose dA = -y/a makes "
                       "sum_j a_j dA_j = -1. For any other cost subtract the real sum: "
                       "a_k (dA_k - sum_j a_j dA_j).")
        if np.allclose(got, A - dA, rtol=1e-6):
            raise Hint("you returned a shortcut in the style of delta = a - y, which belongs to the "
                       "log-likelihood alone. Here dA is any cost's gradient: compute "
                       "sum_j J_jk dA_j with J_jk = a_j (delta_jk - a_k).")
        raise Hint(f"your dZ differs from finite differences of C = sum(dA * softmax(Z)) "
                   f"(relative error {rel_error(got, numeric):.2g}). For A row "
                   f"{np.round(A[0], 3).tolist()} and dA row {np.round(dA[0], 3).tolist()} it "
                   f"should be {np.round(numeric[0], 4).tolist()}.")
    return ("dZ = J^T dA matches finite differences for random upstream gradients, and gives "
            "a - y for the log-likelihood.")


@exercise("06.3", "inverting softmax: z_j = ln a_j + C")
def check_logits_from_probs(logits_from_probs):
    A = np.array([[0.1, 0.2, 0.7], [1 / 3, 1 / 3, 1 / 3], [1e-200, 0.5, 0.5 - 1e-200],
                  [0.97, 0.01, 0.02]])
    try:
        got = call_quietly(logits_from_probs, A.copy())
    except ValueError as exc:
        if "broadcast" not in str(exc):
            raise
        raise Hint(f"your code fails to broadcast for A of shape {A.shape} ({exc}). A row's mean "
                   f"is one number per row: keep it as a column with keepdims=True, shape (n, 1), "
                   f"so that it is subtracted along its own row.") from None
    got = _as_array(got, A.shape, "logits_from_probs(A)")
    if not np.all(np.isfinite(got)):
        raise Hint("some of your z are NaN or inf. ln a is finite for every a > 0, "
                   "even a = 1e-200.")
    log_a = np.log(A)
    back = softmax(got)
    if not np.allclose(back, A, rtol=1e-6, atol=1e-12):
        if np.allclose(got, log_a - log_a.mean(axis=0, keepdims=True)) or np.allclose(
                got, log_a - log_a.sum(axis=0, keepdims=True)):
            raise Hint("you subtracted a mean (or sum) over each column, axis=0, which mixes the "
                       "examples: every row then gets a different constant for each of its "
                       "entries, and softmax no longer gives back A. The constant C must be the "
                       "same across one row: use axis=1, keepdims=True.")
        if np.allclose(softmax(np.exp(A)), back):
            raise Hint("you exponentiated. Softmax exponentiates z, so to undo it take the log: "
                       "z = ln a.")
        raise Hint(f"softmax of your z gives {np.round(back[0], 4).tolist()}, not "
                   f"{A[0].tolist()}. Take z = ln a (plus one constant per row).")
    sums = got.sum(axis=1)
    if not np.allclose(sums, 0.0, atol=1e-8):
        if np.allclose(got, log_a - log_a.mean()):
            raise Hint(f"you subtracted one mean of the whole array, so your rows of z sum to "
                       f"{np.round(sums, 3).tolist()}, not 0. Each row needs its own constant: "
                       f"subtract each row's mean, axis=1, keepdims=True.")
        if np.allclose(got, log_a - log_a.sum(axis=1, keepdims=True)):
            raise Hint("you subtracted each row's sum of ln a; the row then sums to (1 - k) "
                       "times it, not 0. Subtract the row's mean (its sum divided by k).")
        raise Hint(f"softmax(z) gives back A, so z = ln a + C is right, but your rows of z sum to "
                   f"{np.round(sums, 3).tolist()}. Choose C so that each row sums to 0: subtract "
                   f"each row's mean of ln a.")
    return "softmax(z) gives back A exactly, and each row of z sums to 0, even with a = 1e-200."


@exercise("06.4", "the c -> infinity limit of softmax(c z)")
def check_hard_max(hard_max):
    Z = np.array([[1.0, 3.0, 2.0], [1.0, 3.0, 3.0], [5.0, 5.0, 5.0], [-2.0, -1.99, -5.0],
                  [1e-3, 0.0, -1e-3]])
    expected = (Z == Z.max(axis=1, keepdims=True)).astype(float)
    expected /= expected.sum(axis=1, keepdims=True)
    got = _as_array(call_quietly(hard_max, Z.copy()), Z.shape, "hard_max(Z)")
    if np.allclose(got, expected, atol=1e-6):
        return "right, including ties, which share the mass equally, and near-ties."
    if not np.allclose(got[:1], expected[:1], atol=1e-6):
        raise Hint(f"for z = {Z[0].tolist()} the limit is {expected[0].tolist()}: all the "
                   f"probability goes to the largest z; yours is {np.round(got[0], 4).tolist()}.")
    for i in (1, 2):
        if not np.allclose(got[i], expected[i], atol=1e-6):
            raise Hint(f"for z = {Z[i].tolist()} the limit is {np.round(expected[i], 4).tolist()}: "
                       f"tied maxima share the probability equally (each e^(c z) term is the same). "
                       f"Yours is {np.round(got[i], 4).tolist()}.")
    i = int(np.argmax(np.max(np.abs(got - expected), axis=1)))
    raise Hint(f"for z = {Z[i].tolist()} the limit is {expected[i].tolist()}, yours is "
               f"{np.round(got[i], 4).tolist()}: a finite c is not the limit when the values are "
               f"close. Compare each z with its row's maximum exactly.")
