"""Checks for lesson 01, a neuron, a layer, a network."""
from __future__ import annotations

from itertools import pairwise

import numpy as np

from ..activations import relu, sigmoid, tanh
from .core import Hint, call_quietly, exercise


def _reference_standardize(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    safe = np.where(std > 0, std, 1.0)
    return (X_train - mean) / safe, (X_test - mean) / safe


@exercise("01.1", "Standardize with the training set's statistics")
def check_standardize_pair(standardize_pair):
    rng = np.random.default_rng(101)
    # The last column is constant in training (every training house has one floor, say) but
    # not in the test set: that is where a 1e-8 guard against division by zero goes wrong.
    X_train = np.column_stack([rng.uniform(40, 250, 50), rng.integers(1, 6, 50),
                               rng.gamma(2.0, 6.0, 50), np.full(50, 1.0)])
    X_test = np.column_stack([rng.uniform(40, 250, 20), rng.integers(1, 6, 20),
                              rng.gamma(2.0, 6.0, 20), np.tile([1.0, 2.0, 1.0, 1.0], 5)])
    out = call_quietly(standardize_pair, X_train.copy(), X_test.copy())
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise Hint("Return a pair (X_train_std, X_test_std).")
    tr, te = (np.asarray(a, dtype=float) for a in out)
    if tr.shape != X_train.shape or te.shape != X_test.shape:
        raise Hint(f"Keep the shapes: expected {X_train.shape} and {X_test.shape}, got {tr.shape} "
                   f"and {te.shape}. Take the mean and std of each column, over the rows: axis=0.")
    if not (np.all(np.isfinite(tr)) and np.all(np.isfinite(te))):
        raise Hint("Some values are NaN or infinite: a column that is constant in the training set "
                   "has std 0. Divide by 1 there instead, e.g. std = np.where(std > 0, std, 1).")
    want_tr, want_te = _reference_standardize(X_train, X_test)
    constant = te[:, -1]
    if np.abs(constant).max() > 1e3:
        raise Hint(f"The last column is constant in the training set (std 0), and your guard, "
                   f"something like std + 1e-8, turns a test value 1 away from that constant into "
                   f"{np.abs(constant).max():.0e}: one new house would swamp every other input of a "
                   f"trained network. Divide by exactly 1 where std is 0: np.where(std > 0, std, 1).")
    lo, span = X_train.min(axis=0), np.ptp(X_train, axis=0)
    if np.allclose(tr, (X_train - lo) / np.where(span > 0, span, 1.0)):
        raise Hint("That is normalization to [0, 1] (min-max). Standardize instead: subtract the "
                   "column mean and divide by the column standard deviation.")
    if np.allclose(tr, (X_train - X_train.mean()) / X_train.std()):
        raise Hint("You used one mean and std for the whole table. Each column needs its own: "
                   "X_train.mean(axis=0), X_train.std(axis=0).")
    std1 = X_train.std(axis=0, ddof=1)
    if np.allclose(tr[:, :3], ((X_train - X_train.mean(axis=0)) / np.where(std1 > 0, std1, 1))[:, :3]):
        raise Hint("You used the sample standard deviation (ddof=1), so the training columns end "
                   "with std sqrt((n-1)/n), not 1. Use np.std's default, ddof=0.")
    var = X_train.var(axis=0)
    if np.allclose(tr[:, :3], ((X_train - X_train.mean(axis=0)) / np.where(var > 0, var, 1))[:, :3]):
        raise Hint("You divided by the variance. Divide by the standard deviation, its square root.")
    if not np.allclose(tr, want_tr):
        raise Hint("The training columns should have mean 0 and standard deviation 1, "
                   f"but their means are {np.round(tr.mean(0), 3)} and stds {np.round(tr.std(0), 3)}.")
    if not np.allclose(te[:, :3], want_te[:, :3]):
        own = X_test.std(axis=0)
        if np.allclose(te[:, :3], ((X_test - X_test.mean(axis=0)) / np.where(own > 0, own, 1))[:, :3]):
            raise Hint("The test set was standardized with its own mean and std. Use the training "
                       "set's: a model must see new data through the same lens it was trained "
                       "with, and a real test set's statistics are not known in advance.")
        raise Hint("The training set is right but the test set is not: transform it with the "
                   "training set's mean and std.")
    if not np.allclose(constant, want_te[:, -1]):
        raise Hint(f"In the column that is constant in training, test values that differ from the "
                   f"constant (here by 1) should stay visible: dividing by 1 where std is 0 gives "
                   f"test value - training mean, {want_te[:4, -1].tolist()} for the first four test "
                   f"rows, but yours are {np.round(constant[:4], 4).tolist()}.")
    return ("train columns have mean 0 and std 1; the test set reuses their statistics; a column "
            "constant in training stays finite and keeps test values' differences.")


def _reference_forward(X, params, activation):
    a = X
    for W, b in params:
        a = activation(a @ W + b)
    return a


def _network(rng, sizes):
    return [(rng.normal(size=(n_in, n_out)), rng.normal(size=n_out))
            for n_in, n_out in pairwise(sizes)]


@exercise("01.2", "A network's forward pass on a batch")
def check_forward(forward):
    rng = np.random.default_rng(102)
    cases = [("a 3-3-3 network with sigmoid units, 5 examples", rng.normal(size=(5, 3)),
              _network(rng, [3, 3, 3]), sigmoid),
             ("a 4-6-2 network with tanh units, 7 examples", rng.normal(size=(7, 4)),
              _network(rng, [4, 6, 2]), tanh),
             ("a 5-3-4-1 network with ReLU units, a batch of one", rng.normal(size=(1, 5)),
              _network(rng, [5, 3, 4, 1]), relu),
             ("an empty params list (no layers), 2 examples", rng.normal(size=(2, 3)), [], tanh)]
    for desc, X, params, f in cases:
        copies = [(W.copy(), b.copy()) for W, b in params]
        try:
            got = call_quietly(forward, X.copy(), copies, f)
        except (ValueError, IndexError) as exc:
            if not params:
                raise Hint(f"With {desc}, your code raised {type(exc).__name__} ({exc}). A network "
                           f"with no layers passes its input through: start from a = X and loop "
                           f"over the layers.") from None
            raise Hint(f"With {desc}, your code raised {type(exc).__name__} ({exc}). Each layer reads "
                       f"the previous layer's output a (n, d_in) and gives activation(a @ W + b), "
                       f"shape (n, d_out).") from None
        want = _reference_forward(X, params, f)
        if isinstance(got, (list, tuple)):
            raise Hint(f"With {desc}, you returned a {type(got).__name__} of {len(got)} items. "
                       f"Return only the last layer's output, one array of shape {want.shape}.")
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise Hint(f"With {desc}, return an array of shape {want.shape}, not "
                       f"{type(got).__name__}.") from None
        if got.shape != want.shape:
            raise Hint(f"With {desc}, the output should have shape {want.shape} (one row per "
                       f"example, one column per output unit), but it has {got.shape}.")
        if np.allclose(got, want):
            continue
        W_last, b_last = params[-1]
        if np.allclose(got, f(X @ W_last + b_last)):
            raise Hint(f"With {desc}, every layer read the input X. Each layer must read the previous "
                       f"layer's output: a = activation(a @ W + b), starting from a = X.")
        z_last = _reference_forward(X, params[:-1], f) @ W_last + b_last
        if np.allclose(got, z_last):
            raise Hint(f"With {desc}, the last layer returned z without the activation. Here the "
                       f"activation comes after every layer, the last one included.")
        if np.allclose(got, _reference_forward(f(X), params, f)):
            raise Hint(f"With {desc}, you applied the activation to the inputs X. Inputs are data, "
                       f"not units: the first activation comes after the first layer.")
        if np.allclose(got, _reference_forward(X, [(W.T, b) for W, b in params], f)):
            raise Hint(f"With {desc}, you used W.T. In this course W is (d_in, d_out), so "
                       f"z = a @ W + b.")
        if np.allclose(got, _reference_forward(X, [(W, 0 * b) for W, b in params], f)):
            raise Hint(f"With {desc}, the biases are missing: z = a @ W + b.")
        raise Hint(f"With {desc}, the values are wrong. Expected {np.round(want[0], 4)} in the first "
                   f"row, got {np.round(got[0], 4)}.")
    return "right on 3 unseen networks (1 to 3 layers, a batch of one) and with no layers at all."


_ARCHITECTURES = ([2, 2, 1], [3, 5], [4, 8, 1], [10, 20, 30, 5], [784, 100, 10], [7])


def _layers(sizes):
    return list(pairwise(sizes))


# Wrong ways to count, each with the hint that names it: every one of them agrees with the
# right count on some architecture, so a diagnosis compares the learner's answers on all of them.
_MISCOUNTS = [
    (lambda s: sum(i * o for i, o in _layers(s)),
     ("you counted the weights but not the biases: every unit after the inputs has one bias, "
      "so a layer from n_in to n_out units adds n_in * n_out + n_out.")),
    (lambda s: sum(i * o + o for i, o in _layers(s)[:-1]),
     ("you left out the last layer: a network with sizes [n_0, ..., n_L] has L layers, one for each "
      "neighbouring pair (n_0, n_1), ..., (n_(L-1), n_L); zip(sizes[:-1], sizes[1:]) gives them all.")),
    (lambda s: sum(i * o + o for i, o in _layers(s)[1:]),
     ("you left out the first layer, from the inputs to the first hidden layer, which holds most of "
      "the weights: a network with sizes [n_0, ..., n_L] has L layers, starting at (n_0, n_1).")),
    (lambda s: sum(i * o for i, o in _layers(s)) + sum(s),
     ("you gave the input layer biases too. Inputs are data, not units: only layers 1, 2, ... have "
      "biases.")),
    (lambda s: sum(i * o + i for i, o in _layers(s)),
     ("you gave each layer n_in biases. A bias belongs to a unit the layer computes, so a layer from "
      "n_in to n_out units has n_out biases.")),
    (lambda s: sum(i * o + 1 for i, o in _layers(s)),
     ("you gave each layer one bias. Every unit has its own, so a layer from n_in to n_out units has "
      "n_out biases.")),
]


@exercise("01.3", "Count a network's weights and biases")
def check_count_parameters(count_parameters):
    answers = {}
    for sizes in _ARCHITECTURES:
        try:
            answers[tuple(sizes)] = call_quietly(count_parameters, list(sizes))
        except (IndexError, ValueError, TypeError) as exc:
            if len(sizes) == 1:
                raise Hint(f"For sizes {sizes}, inputs only and no layer, your code raised "
                           f"{type(exc).__name__} ({exc}); the answer there is 0.") from None
            raise
    want = {s: sum(i * o + o for i, o in _layers(s)) for s in answers}
    if all(answers[s] == want[s] for s in answers):
        return (f"right for {len(answers)} unseen architectures, including a network with no layers "
                f"([7] -> 0).")
    for count, mistake in _MISCOUNTS:
        if all(answers[s] == count(s) for s in answers):
            example = next(s for s in answers if want[s] != count(s))
            raise Hint(f"For sizes {list(example)} you gave {answers[example]}, not {want[example]}: "
                       f"{mistake}")
    sizes = next(s for s in answers if answers[s] != want[s])
    raise Hint(f"For sizes {list(sizes)} expected {want[sizes]}, got {answers[sizes]}. A layer from "
               f"n_in to n_out units has n_in * n_out weights and n_out biases.")


# The target boundary x2 = 2 x1 - 1, i.e. -2 x1 + x2 + 1 = 0, with the high side above it.
_NORMAL = np.array([-2.0, 1.0]) / np.sqrt(5.0)
_ON_LINE = np.array([[0.0, -1.0], [1.0, 1.0], [-2.0, -5.0], [3.0, 5.0]])
_SHARP = np.log(99.0)        # sigmoid(z) >= 0.99 needs z >= ln 99


@exercise("01.4", "Place and sharpen a neuron's boundary")
def check_boundary_neuron(boundary_neuron):
    out = call_quietly(boundary_neuron)
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise Hint("Return a pair (w, b): w an array of shape (2,), b a number.")
    w, b = np.asarray(out[0], dtype=float), np.asarray(out[1], dtype=float)
    if w.shape != (2,):
        raise Hint(f"w should have shape (2,), one weight per input, but it has shape {w.shape}.")
    if b.size != 1:
        raise Hint(f"b should be one number, but it has shape {b.shape}.")
    b = float(b.reshape(()))
    norm = float(np.linalg.norm(w))
    if norm == 0:
        raise Hint("With w = 0 the output is sigmoid(b) everywhere: there is no line. The weights "
                   "set the boundary's direction.")
    unit = w / norm
    if abs(unit @ np.array([1.0, 2.0]) / np.sqrt(5.0)) > 1 - 1e-9:
        raise Hint(f"Your w = {w.tolist()} points along the line x2 = 2 x1 - 1 (direction (1, 2)). "
                   f"The weight vector is perpendicular to the boundary, like the arrow in the "
                   f"section 2 demo: here a multiple of (-2, 1).")
    if abs(unit @ _NORMAL) < 1 - 1e-9:
        raise Hint("Your boundary w1 x1 + w2 x2 + b = 0 is not parallel to x2 = 2 x1 - 1. Write the "
                   "target line as -2 x1 + x2 + 1 = 0: w must be a multiple of (-2, 1).")
    if unit @ _NORMAL < 0:
        raise Hint("The right line, but the output is high below it and low above it: the weight "
                   "vector points towards larger outputs. Flip the signs of both w and b.")
    offsets = (_ON_LINE @ w + b) / norm          # signed distance of points on the target line
    if np.abs(offsets).max() > 1e-6:
        crossing = -b / w[1]
        raise Hint(f"Your line has the right direction but crosses the x2-axis at x2 = {crossing:.4g}, "
                   f"not at -1: it runs {abs(offsets[0]):.3g} away from the target line. The bias slides the line "
                   f"without turning it; if you scaled w, scale b by the same factor.")
    rng = np.random.default_rng(104)
    along = rng.uniform(-5, 5, size=(200, 1)) * np.array([1.0, 2.0]) / np.sqrt(5.0)
    points = np.array([0.0, -1.0]) + along
    above = sigmoid((points + 0.1 * _NORMAL) @ w + b)
    below = sigmoid((points - 0.1 * _NORMAL) @ w + b)
    if above.min() < 0.99 or below.max() > 0.01:
        raise Hint(f"The right line, on the right side, but too soft: 0.1 above the line your neuron "
                   f"outputs {above.min():.4f}, not 0.99 or more. The output depends on the distance d "
                   f"from the line as sigmoid(|w| d), here |w| = {norm:.3g}; multiply w and b by the "
                   f"same factor (the line stays put) until sigmoid(0.1 |w|) >= 0.99.")
    return ("the boundary lies on x2 = 2 x1 - 1, the high side is above it, and 0.1 away the "
            "output is already beyond 0.99 (or below 0.01).")
