"""Checkers for lesson 06, softmax. Reference answers are built from course_lib."""
from __future__ import annotations

from functools import partial

import numpy as np

from ..activations import log_softmax, softmax
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


@exercise("06.2", "the output error delta = a - y of softmax with log-likelihood")
def check_softmax_delta(softmax_delta):
    rng = np.random.default_rng(6)
    Z = rng.normal(scale=2.0, size=(5, 4))
    labels = np.array([0, 3, 1, 3, 2])
    got = _as_array(call_quietly(softmax_delta, Z.copy(), labels.copy()), Z.shape, "softmax_delta(Z, labels)")
    a, y = softmax(Z), one_hot(labels, 4)
    Zc = Z.copy()
    numeric = numerical_gradient(lambda: -float(np.sum(log_softmax(Zc)[np.arange(5), labels])), Zc)
    if rel_error(got, numeric) < 1e-6:
        return "delta = a - y, which matches finite differences of -ln a_y (relative error < 1e-6)."
    if np.allclose(got, y - a, rtol=1e-6):
        raise Hint("your delta has the wrong sign: it is a - y (too high an output should be "
                   "pushed down).")
    if np.allclose(got, a, rtol=1e-6):
        raise Hint("you returned the softmax outputs a. Subtract the one-hot target: a - one_hot(labels, k).")
    if np.allclose(got, (a - y) / len(Z), rtol=1e-6):
        raise Hint("you divided by the number of examples. Here delta is per example, "
                   "dC_x/dz for C_x = -ln a_y, so leave out the 1/n.")
    if np.allclose(got, a - 1.0, rtol=1e-6):
        raise Hint("you subtracted 1 from every output. Only the correct class gets -1: subtract "
                   "one_hot(labels, k), which is 1 at each row's label and 0 elsewhere.")
    raise Hint(f"your delta differs from finite differences of -ln a_y (relative error "
               f"{rel_error(got, numeric):.2g}). Row 0 should be {np.round(numeric[0], 4).tolist()}.")


@exercise("06.3", "inverting softmax: z_j = ln a_j + C")
def check_logits_from_probs(logits_from_probs):
    A = np.array([[0.1, 0.2, 0.7], [1 / 3, 1 / 3, 1 / 3], [1e-200, 0.5, 0.5 - 1e-200],
                  [0.97, 0.01, 0.02]])
    got = _as_array(call_quietly(logits_from_probs, A.copy()), A.shape, "logits_from_probs(A)")
    if not np.all(np.isfinite(got)):
        raise Hint("some of your z are NaN or inf. ln a is finite for every a > 0, "
                   "even a = 1e-200.")
    back = softmax(got)
    if not np.allclose(back, A, rtol=1e-6, atol=1e-12):
        if np.allclose(softmax(np.exp(A)), back):
            raise Hint("you exponentiated. Softmax exponentiates z, so to undo it take the log: "
                       "z = ln a.")
        raise Hint(f"softmax of your z gives {np.round(back[0], 4).tolist()}, not "
                   f"{A[0].tolist()}. Take z = ln a (plus any constant).")
    sums = got.sum(axis=1)
    if not np.allclose(sums, 0.0, atol=1e-8):
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
