"""Checks for lesson 01, a neuron, a layer, a network."""
from __future__ import annotations

import numpy as np

from ..activations import relu, sigmoid, tanh
from ..data import standardize
from .core import Hint, exercise


@exercise("01.1", "Standardize with the training set's statistics")
def check_standardize_pair(standardize_pair):
    rng = np.random.default_rng(101)
    X_train = np.column_stack([rng.uniform(40, 250, 50), rng.integers(1, 6, 50),
                               rng.gamma(2.0, 6.0, 50), np.full(50, 3.0)])   # last column constant
    X_test = np.column_stack([rng.uniform(40, 250, 20), rng.integers(1, 6, 20),
                              rng.gamma(2.0, 6.0, 20), np.full(20, 3.0)])
    out = standardize_pair(X_train.copy(), X_test.copy())
    if not (isinstance(out, tuple) and len(out) == 2):
        raise Hint("Return a pair (X_train_std, X_test_std).")
    tr, te = (np.asarray(a, dtype=float) for a in out)
    if tr.shape != X_train.shape or te.shape != X_test.shape:
        raise Hint(f"Keep the shapes: expected {X_train.shape} and {X_test.shape}, got {tr.shape} "
                   f"and {te.shape}. Take the mean and std over the rows, axis=0.")
    if not (np.all(np.isfinite(tr)) and np.all(np.isfinite(te))):
        raise Hint("Some values are NaN or infinite: a constant column has std 0. Divide by 1 "
                   "there instead, e.g. std = np.where(std > 0, std, 1).")
    ref_tr, mean, std = standardize(X_train)
    ref_te = standardize(X_test, mean, std)[0]
    if np.allclose(tr, (X_train - X_train.min(0)) / np.where(np.ptp(X_train, 0) > 0, np.ptp(X_train, 0), 1)):
        raise Hint("That is normalization to [0, 1] (min-max). Standardize instead: subtract the "
                   "column mean and divide by the column standard deviation.")
    if not np.allclose(tr, ref_tr):
        if np.allclose(tr, (X_train - X_train.mean()) / X_train.std()):
            raise Hint("You used one mean and std for the whole table. Each column needs its own: "
                       "X.mean(axis=0), X.std(axis=0).")
        raise Hint("The training columns should have mean 0 and standard deviation 1, "
                   f"but their means are {np.round(tr.mean(0), 3)} and stds {np.round(tr.std(0), 3)}.")
    if not np.allclose(te, ref_te):
        if np.allclose(te[:, :3], standardize(X_test)[0][:, :3]):
            raise Hint("The test set was standardized with its own mean and std. Use the training "
                       "set's: a model must see new data through the same lens it was trained with.")
        raise Hint("The training set is right but the test set is not: transform it with the "
                   "training set's mean and std.")
    return "train columns have mean 0, std 1; the test set reuses them; a constant column stays finite."


@exercise("01.2", "One dense layer on a batch")
def check_dense_forward(dense_forward):
    rng = np.random.default_rng(102)
    cases = [(rng.normal(size=(6, 3)), rng.normal(size=(3, 4)), rng.normal(size=4), sigmoid),
             (rng.normal(size=(1, 5)), rng.normal(size=(5, 2)), rng.normal(size=2), relu),
             (rng.normal(size=(4, 2)), rng.normal(size=(2, 2)), rng.normal(size=2), tanh)]
    for X, W, b, f in cases:
        desc = f"X {X.shape}, W {W.shape}, b {b.shape}, activation {f.__name__}"
        try:
            got = np.asarray(dense_forward(X.copy(), W.copy(), b.copy(), f), dtype=float)
        except ValueError as exc:
            raise Hint(f"With {desc} your code raised ValueError ({exc}). Rows are examples: "
                       f"X @ W has shape (n, d_out), and b (d_out,) broadcasts over the rows.")
        want = f(X @ W + b)
        if got.shape != want.shape:
            raise Hint(f"With {desc} the output should have shape {want.shape} (one row per "
                       f"example, one column per unit), but it has {got.shape}.")
        if np.allclose(got, want):
            continue
        if W.shape[0] == W.shape[1] and np.allclose(got, f(X @ W.T + b)):
            raise Hint(f"With {desc} you used W.T. In this course W is (d_in, d_out), so z = X @ W + b.")
        if np.allclose(got, X @ W + b):
            raise Hint(f"With {desc} you returned z. Apply the activation: activation(X @ W + b).")
        if np.allclose(got, f(X @ W)):
            raise Hint(f"With {desc} the bias is missing: z = X @ W + b.")
        raise Hint(f"With {desc} the values are wrong. Expected {np.round(want[0], 4)} in the first "
                   f"row, got {np.round(got[0], 4)}.")
    return "right on 3 unseen layers, including a batch of one and a square W."


@exercise("01.3", "Count a network's weights and biases")
def check_count_parameters(count_parameters):
    for sizes in ([2, 2, 1], [4, 8, 1], [3, 5], [10, 20, 30, 5], [7]):
        want = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
        got = count_parameters(list(sizes))
        if got == want:
            continue
        weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        if got == weights:
            raise Hint(f"For sizes {sizes} you counted the {weights} weights but not the biases: "
                       f"every non-input unit has one, {sum(sizes[1:])} here.")
        if got == weights + sum(sizes):
            raise Hint(f"For sizes {sizes} you gave the input layer biases too. Inputs are data, "
                       f"not units: only layers 1, 2, ... have biases.")
        raise Hint(f"For sizes {sizes} expected {want}, got {got}. A layer from n_in to n_out "
                   f"has n_in * n_out weights and n_out biases.")
    return "right for 5 unseen architectures, including a network with no layers ([7] -> 0)."


@exercise("01.4", "From rows-are-examples to Nielsen's column vectors")
def check_to_nielsen(to_nielsen):
    rng = np.random.default_rng(104)
    X, W, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    out = to_nielsen(X.copy(), W.copy(), b.copy())
    if not (isinstance(out, tuple) and len(out) == 3):
        raise Hint("Return three arrays: w (d_out, d_in), b (d_out, 1) and a (d_in, n).")
    w, b_col, a = (np.asarray(v, dtype=float) for v in out)
    for name, arr, shape in (("w", w, (2, 3)), ("b", b_col, (2, 1)), ("a", a, (3, 5))):
        if arr.shape != shape:
            raise Hint(f"For X (5, 3), W (3, 2), b (2,), Nielsen's {name} has shape {shape}, but "
                       f"yours has {arr.shape}. Transpose W and X; make b a column with b.reshape(-1, 1).")
    z_nielsen = w @ a + b_col
    if not np.allclose(z_nielsen, (X @ W + b).T):
        raise Hint("The shapes are right but w @ a + b is not (X @ W + b).T. Check that w is W.T "
                   "(not W reshaped) and a is X.T.")
    return "w @ a + b equals (X @ W + b).T: the same numbers, transposed."
