"""Checkers for lesson 05, backpropagation. Each compares the answer with centred finite
differences (course_lib.gradcheck) on cases the notebook does not show."""
from __future__ import annotations

import numpy as np

from ..activations import sigmoid, sigmoid_prime
from ..gradcheck import numerical_gradient, rel_error
from .core import Hint, exercise


def _close(got, want, tol=1e-6):
    got = np.asarray(got, dtype=float)
    return got.shape == np.shape(want) and np.allclose(got, want, rtol=tol, atol=1e-10)


@exercise("05.1", "The chain rule for one sigmoid neuron")
def check_neuron_grads(neuron_grads):
    # (x, w, b, y): ordinary, negative input, target above the output, and a saturated neuron
    for x, w, b, y in [(1.5, 0.8, -0.3, 0.0), (-2.0, 0.4, 0.1, 1.0), (0.7, -1.2, 0.5, 0.9),
                       (1.0, 6.0, 4.0, 0.0)]:
        theta = np.array([w, b])

        def loss():
            return 0.5 * (sigmoid(theta[0] * x + theta[1]) - y) ** 2

        want = numerical_gradient(loss, theta, h=1e-6)
        got = neuron_grads(x, w, b, y)
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            raise Hint("Return a pair (dL_dw, dL_db).")
        got = np.array([float(got[0]), float(got[1])])
        if _close(got, want):
            continue
        z = w * x + b
        a, s = sigmoid(z), sigmoid_prime(z)
        case = f"For x={x}, w={w}, b={b}, y={y}"
        if _close(got, -want):
            raise Hint(f"{case} your gradient has the wrong sign. dL/da = a - y (output minus "
                       f"target), not y - a.")
        if _close(got, 2 * want):
            raise Hint(f"{case} your gradient is twice too big. The loss has a 1/2 in front, so "
                       f"dL/da = a - y.")
        if _close(got, [(a - y) * x, a - y]):
            raise Hint(f"{case} the factor sigma'(z) is missing: a = sigma(z), so da/dz = "
                       f"sigma(z) (1 - sigma(z)) must sit between dL/da and dz/dw.")
        if np.isclose(got[0], got[1]) and not np.isclose(want[0], want[1]):
            raise Hint(f"{case} dL/dw equals dL/db. They differ by the last link: dz/dw = x but "
                       f"dz/db = 1.")
        raise Hint(f"{case} finite differences give dL/dw = {want[0]:.6g}, dL/db = {want[1]:.6g}; "
                   f"you returned {got[0]:.6g}, {got[1]:.6g}. Multiply dL/da = a - y, "
                   f"da/dz = a (1 - a) = {s:.4g}, and dz/dw = x or dz/db = 1.")
    return "matches finite differences, including a saturated neuron"


@exercise("05.2", "A Dense layer's backward pass")
def check_dense_backward(dense_backward):
    rng = np.random.default_rng(52)
    for n, d_in, d_out in [(4, 3, 2), (1, 5, 1), (6, 2, 3)]:
        x, W, b = rng.normal(size=(n, d_in)), rng.normal(size=(d_in, d_out)), rng.normal(size=d_out)
        delta = rng.normal(size=(n, d_out))

        def cost():   # a scalar whose dC/dz is exactly delta
            return float(np.sum((x @ W + b) * delta))

        want = {"dx": numerical_gradient(cost, x), "dW": numerical_gradient(cost, W),
                "db": numerical_gradient(cost, b)}
        got = dense_backward(x.copy(), W.copy(), delta.copy())
        if not (isinstance(got, (tuple, list)) and len(got) == 3):
            raise Hint("Return three arrays: (dx, dW, db).")
        got = dict(zip(("dx", "dW", "db"), (np.asarray(g, dtype=float) for g in got)))
        shapes = {"dx": x.shape, "dW": W.shape, "db": b.shape}
        case = f"With x {x.shape}, W {W.shape}, delta {delta.shape}"
        if got["dW"].shape != W.shape:
            raise Hint(f"{case} dW has shape {got['dW'].shape} but must have W's shape {W.shape}. "
                       f"Sum the outer products over the batch: dW = x.T @ delta.")
        if got["db"].shape != b.shape:
            raise Hint(f"{case} db has shape {got['db'].shape} but must have b's shape {b.shape}: "
                       f"add delta up over the rows, np.sum(delta, axis=0).")
        if got["dx"].shape != x.shape:
            raise Hint(f"{case} dx has shape {got['dx'].shape} but must have x's shape {x.shape}: "
                       f"dx = delta @ W.T.")
        if n > 1 and _close(got["db"], want["db"] / n):
            raise Hint(f"{case} db is the mean of delta's rows. Sum them instead: delta already "
                       f"carries the 1/n of the batch-mean cost.")
        if n > 1 and _close(got["dW"], want["dW"] / n):
            raise Hint(f"{case} dW is divided by n. Use x.T @ delta without dividing: delta "
                       f"already carries the 1/n of the batch-mean cost.")
        for name in ("dx", "dW", "db"):
            if not _close(got[name], want[name]):
                rule = {"dx": "delta @ W.T", "dW": "x.T @ delta", "db": "delta.sum(axis=0)"}[name]
                raise Hint(f"{case} {name} differs from finite differences (relative error "
                           f"{rel_error(got[name], want[name]):.2g}). It should be {rule}.")
    return "dx, dW and db match finite differences, also for n = 1 and one output"


def _centred_reference(f, x, h):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


@exercise("05.3", "Centred finite differences")
def check_centred_difference(centred_difference):
    rng = np.random.default_rng(53)
    A = rng.normal(size=(4, 4))
    cases = [(lambda v: float(np.sum(np.sin(v) * v ** 2)),
              lambda v: np.cos(v) * v ** 2 + 2 * v * np.sin(v), rng.normal(size=(2, 3))),
             (lambda v: float(v @ A @ v), lambda v: (A + A.T) @ v, rng.normal(size=4)),
             (lambda v: float(np.exp(v).sum()), np.exp, np.array([0.5]))]
    for f, exact, x in cases:
        for h in (1e-5, 1e-3):
            before = x.copy()
            got = centred_difference(f, x, h)
            if not np.array_equal(x, before):
                raise Hint("Your function changed x. Restore each entry after perturbing it, or "
                           "perturb a copy.")
            got = np.asarray(got, dtype=float)
            if got.shape != x.shape:
                raise Hint(f"For x of shape {x.shape} the gradient must have the same shape, but "
                           f"yours has shape {got.shape}. Perturb one entry at a time.")
            want = exact(x)
            err = rel_error(got, want)
            if err < max(1e-6, 10 * h * h):   # centred differences are accurate to O(h^2)
                continue
            one_sided = np.array([(f(x + h * np.eye(x.size)[i].reshape(x.shape)) - f(x)) / h
                                  for i in range(x.size)]).reshape(x.shape)
            if rel_error(got, one_sided) < 1e-8:
                raise Hint(f"With h={h} you used the one-sided difference (f(x + h) - f(x)) / h, "
                           f"whose error shrinks only like h (here {err:.1g}). Use the centred "
                           f"(f(x + h) - f(x - h)) / (2h), whose error shrinks like h^2.")
            if rel_error(got, 2 * _centred_reference(f, x, h)) < 1e-8:
                raise Hint("Your gradient is twice the true one: the two points x + h and x - h "
                           "lie 2h apart, so divide by 2h, not h.")
            raise Hint(f"With h={h} and x of shape {x.shape}, your gradient is off by a relative "
                       f"error of {err:.2g}. For each entry i: add h to x[i] only, evaluate f, "
                       f"subtract h instead, evaluate again, divide the difference by 2h.")
    return "accurate to O(h^2) for matrices, vectors and a single entry, and x is left unchanged"


def _forward_221(x, W1, b1, W2, b2):
    u = x @ W1 + b1                  # u0, u1
    h = sigmoid(u)                   # x0', x1'
    u2 = h @ W2[:, 0] + b2[0]
    return u, h, u2, sigmoid(u2)


@exercise("05.4", "By hand: dLoss/db of the first hidden unit")
def check_grad_b1_0(grad_b1_0):
    rng = np.random.default_rng(54)
    for _ in range(4):
        x, W1, b1 = rng.normal(size=2), rng.normal(size=(2, 2)), rng.normal(size=2)
        W2, b2, y = rng.normal(size=(2, 1)), rng.normal(size=1), float(rng.uniform())

        def loss():
            return (_forward_221(x, W1, b1, W2, b2)[3] - y) ** 2

        want = float(numerical_gradient(loss, b1)[0])
        got = float(grad_b1_0(x.copy(), W1.copy(), b1.copy(), W2.copy(), b2.copy(), y))
        if np.isclose(got, want, rtol=1e-6, atol=1e-10):
            continue
        u, h, u2, y0 = _forward_221(x, W1, b1, W2, b2)
        links = {"dLoss/dy0 = 2 (y0 - y)": 2 * (y0 - y), "g'(u2) = y0 (1 - y0)": y0 * (1 - y0),
                 "du2/dx0' = w2_00": W2[0, 0], "f'(u0) = x0' (1 - x0')": h[0] * (1 - h[0])}
        for name, factor in links.items():
            if np.isclose(got * factor, want, rtol=1e-6) and not np.isclose(factor, 1.0):
                raise Hint(f"One link of the chain is missing: {name}. Multiply all four links; "
                           f"du0/db1_0 = 1.")
        if np.isclose(got, -want, rtol=1e-6):
            raise Hint("The sign is flipped: dLoss/dy0 = 2 (y0 - y), output minus target.")
        if np.isclose(got, want * x[0], rtol=1e-6):
            raise Hint("You multiplied by x0, which belongs to dLoss/dw1_00. For the bias, "
                       "du0/db1_0 = 1.")
        raise Hint(f"For one random network finite differences give {want:.6g} but you returned "
                   f"{got:.6g}. Multiply 2 (y0 - y) * y0 (1 - y0) * w2_00 * x0' (1 - x0') * 1.")
    return "matches finite differences on four random 2-2-1 networks"
