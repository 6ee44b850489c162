"""Checks for lesson 00, from the perceptron to deep learning."""
from __future__ import annotations

import numpy as np

from .. import perceptron as ref
from ..activations import step
from ..gradcheck import numerical_gradient, rel_error
from .core import Hint, call_quietly, exercise


def _cases(seed=7):
    """Unseen (description, X, y, w, b) cases: random, the zero start, all-correct, all-wrong, one example."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(9, 3))
    y = rng.integers(0, 2, size=9)
    w = rng.normal(size=3)
    yield "9 random examples, 3 inputs", X, y, w, 0.3
    yield "the lesson's start, w = 0 and b = 0 (every z is exactly 0)", X, y, np.zeros(3), 0.0
    X2 = np.array([[1.0, 2.0], [-1.0, -1.5], [2.0, 0.5]])
    w2 = np.array([1.0, 1.0])
    yield "3 examples all classified correctly", X2, (X2 @ w2 >= 0).astype(int), w2, 0.0
    yield "3 examples all classified wrongly", X2, (X2 @ w2 < 0).astype(int), w2, 0.0
    yield "a single example", np.array([[0.5, -2.0]]), np.array([1]), np.array([0.2, 0.4]), -0.1


def _call(fn, X, y, w, b, lr):
    w_in = w.copy()
    out = call_quietly(fn, X.copy(), y.copy(), w_in, b, lr)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise Hint("Return a pair (w, b): the new weight vector and the new bias.")
    w_new, b_new = out
    if not np.array_equal(w_in, w):
        raise Hint("Your function changed the w it was given (w += ... edits the caller's array). "
                   "Build a new array instead: w_new = w + ...")
    w_new = np.asarray(w_new, dtype=float)
    if w_new.shape != w.shape:
        raise Hint(f"The new w should have shape {w.shape}, like the old one, but has {w_new.shape}. "
                   f"X.T @ error sums each input column over the examples.")
    if np.ndim(b_new) != 0:
        raise Hint(f"The bias should be a single number, but it has shape {np.shape(b_new)}. "
                   f"Sum the errors: error.sum().")
    return w_new, float(b_new)


def _online_perceptron(X, y, w, b, lr):
    """Rosenblatt's original rule: update after each example, so later examples see new weights."""
    w = w.copy()
    for x_i, y_i in zip(X, y):
        error = y_i - step(x_i @ w + b)
        w, b = w + lr * error * x_i, b + lr * error
    return w, b


def _apply(X, w, b, lr, error):
    """(w, b) after adding lr times the summed corrections of ``error`` (n,)."""
    return w + lr * X.T @ error, b + lr * float(np.sum(error))


def _same(got, want):
    return np.allclose(got[0], want[0]) and np.isclose(got[1], want[1])


@exercise("00.1", "The perceptron rule, vectorized")
def check_perceptron_update(perceptron_update):
    lr = 0.5
    for desc, X, y, w, b in _cases():
        got = _call(perceptron_update, X, y, w, b, lr)
        want = ref.perceptron_update(X, y, w, b, lr)
        if _same(got, want):
            continue
        z = X @ w + b

        def update(error, scale=1.0, X=X, w=w, b=b):
            return _apply(X, w, b, lr * scale, error)

        error = y - step(z)
        if _same(got, update(y - (z > 0))):
            raise Hint(f"On {desc}, your prediction used z > 0. The step function fires at z = 0: "
                       f"step(0) = 1, so use z >= 0 (or cl.step). The lesson's zero-weight start "
                       f"depends on it: there every z is 0 and every example counts as class 1.")
        if _same(got, update(y - np.sign(z))) or _same(got, update(y - np.sign(z) * (z != 0))):
            raise Hint(f"On {desc}, you predicted with np.sign(z), which gives -1 for z < 0. The "
                       f"perceptron predicts 0 or 1: step(z) = 1 where z >= 0, else 0.")
        if _same(got, update(-error)):
            raise Hint(f"On {desc}, the weights moved the wrong way. The error is y - y_hat "
                       f"(target minus prediction), and the update adds learning_rate * X.T @ error.")
        if np.allclose(got[0], want[0]) and np.isclose(got[1], b):
            raise Hint(f"On {desc}, the weights are right but the bias did not change. The bias is a "
                       f"weight on a constant input 1, so b += learning_rate * error.sum().")
        if _same(got, update(y - step(X @ w))):
            raise Hint(f"On {desc}, your prediction left out the bias: y_hat = step(X @ w + b).")
        if _same(got, update(y - z)):
            raise Hint(f"On {desc}, you used the linear output z, not the step's prediction. The "
                       f"perceptron's error is y - step(z): 0 for a correct example.")
        if _same(got, update(error, 1 / len(X))):
            raise Hint(f"On {desc}, the update is {len(X)} times too small: the rule sums the "
                       f"corrections over the examples; it does not average them.")
        if _same(got, _online_perceptron(X, y, w, b, lr)):
            raise Hint(f"On {desc}, you updated after each example, as Rosenblatt did, so later "
                       f"examples were judged by new weights. This exercise is the batch form: judge "
                       f"every example with the same (w, b), then add all the corrections at once.")
        raise Hint(f"On {desc}, (learning_rate={lr}) expected w = {np.round(want[0], 4)}, "
                   f"b = {want[1]:.4f}, but got w = {np.round(got[0], 4)}, b = {got[1]:.4f}. "
                   f"Compute error = y - step(X @ w + b), then w + learning_rate * X.T @ error.")
    return "the update matches Rosenblatt's rule on 5 unseen cases, including the zero start."


@exercise("00.2", "Widrow and Hoff's LMS rule")
def check_lms_update(lms_update):
    lr = 0.2
    for desc, X, y, w, b in _cases(11):
        got = _call(lms_update, X, y, w, b, lr)
        want = ref.lms_update(X, y, w, b, lr)
        if _same(got, want):
            continue
        t = 2.0 * y - 1
        z = X @ w + b

        def update(error, n=None, X=X, w=w, b=b):
            return _apply(X, w, b, lr / (len(X) if n is None else n), error)

        if np.allclose(got[0], update(y - z)[0]):
            raise Hint(f"On {desc}, you used the 0/1 labels y as targets. ADALINE's targets are "
                       f"t = 2y - 1, in {{-1, +1}}, so that the boundary sits at z = 0.")
        if np.allclose(got[0], update(t - (2 * step(z) - 1))[0]):
            raise Hint(f"On {desc}, you thresholded the output first. LMS measures the error on the "
                       f"linear output: error = t - z with z = X @ w + b, not t - sign(z).")
        if np.allclose(got[0], update(t - z, n=1)[0]):
            raise Hint(f"On {desc}, the step is {len(X)} times too big: LMS averages over the "
                       f"batch, w + learning_rate * X.T @ error / n.")
        if np.allclose(got[0], update(z - t)[0]):
            raise Hint(f"On {desc}, the weights moved uphill. The error is t - z, and LMS adds "
                       f"learning_rate * X.T @ error / n.")
        if np.allclose(got[0], want[0]):
            bias = ("did not change" if np.isclose(got[1], b) else
                    f"moved {len(X)} times too far (you summed the errors)"
                    if np.isclose(got[1], update(t - z, n=1)[1]) else "is off")
            raise Hint(f"On {desc}, the weights are right but the bias {bias}. The bias is a weight "
                       f"on a constant input 1: b + learning_rate * error.mean().")
        raise Hint(f"On {desc}, expected w = {np.round(want[0], 4)}, b = {want[1]:.4f}, but got "
                   f"w = {np.round(got[0], 4)}, b = {got[1]:.4f}.")
    # The LMS step is a gradient-descent step on the ADALINE cost: compare with finite differences.
    _, X, y, w, b = next(_cases(3))
    lr = 1e-3
    w_new, b_new = _call(lms_update, X, y, w, b, lr)
    params = np.append(w, b)

    def cost():
        return ref.adaline_cost(X, y, params[:-1], params[-1])

    numeric = numerical_gradient(cost, params)
    err = rel_error(-(np.append(w_new, b_new) - np.append(w, b)) / lr, numeric)
    if err > 1e-6:
        raise Hint(f"Your step is not -learning_rate times the gradient of the mean of 1/2 (t - z)^2 "
                   f"(relative error {err:.1e}).")
    return "matches LMS on 5 unseen cases and agrees with a finite-difference gradient step."


XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0, 1, 1, 0])


@exercise("00.3", "XOR with two layers of step units")
def check_xor_weights(xor_weights):
    out = xor_weights()
    if not (isinstance(out, (tuple, list)) and len(out) == 4):
        raise Hint("Return four arrays: W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,).")
    W1, b1, W2, b2 = (np.asarray(p, dtype=float) for p in out)
    for name, arr, shape in (("W1", W1, (2, 2)), ("b1", b1, (2,)), ("W2", W2, (2, 1)), ("b2", b2, (1,))):
        if arr.shape != shape:
            raise Hint(f"{name} should have shape {shape} (rows are inputs, columns are units), "
                       f"but it has shape {arr.shape}.")
    hidden = step(XOR_X @ W1 + b1)
    got = step(hidden @ W2 + b2)[:, 0].astype(int)
    wrong = [f"{tuple(int(v) for v in XOR_X[i])} -> {got[i]} (want {XOR_Y[i]})"
             for i in range(4) if got[i] != XOR_Y[i]]
    if wrong:
        table = ", ".join(f"{tuple(int(v) for v in XOR_X[i])}: {tuple(int(h) for h in hidden[i])}"
                          for i in range(4))
        raise Hint("Wrong outputs: " + "; ".join(wrong) + f". Your hidden units give {table}. "
                   "XOR is 'OR, but not AND': one hidden unit could compute OR, the other AND, "
                   "and the output fire when the first is on and the second is off.")
    # Thresholds placed exactly on a corner work only by luck of z = 0 counting as 1.
    for shift in (0.02, -0.02):
        noisy = step(step((XOR_X + shift) @ W1 + b1) @ W2 + b2)[:, 0].astype(int)
        if not np.array_equal(noisy, XOR_Y):
            raise Hint(f"Correct on the exact corners, but moving every input by {shift:+g} breaks it: a "
                       "boundary passes right through a corner. Put thresholds half-way, e.g. 0.5 and 1.5.")
    return "all four XOR rows are right, with boundaries clear of the corners."
