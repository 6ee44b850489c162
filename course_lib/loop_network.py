"""Nielsen's per-example minibatch update, rewritten in the course's rows-are-examples convention.

Nielsen's network.py (chapter 1 of "Neural Networks and Deep Learning") trains a
sigmoid network with the quadratic cost. Its ``update_mini_batch`` loops over the
examples of a minibatch: for each one it runs forward, backpropagates, and adds that
example's gradients into running sums nabla_W and nabla_b; only then does it step.
That is correct and easy to read, but slow: NumPy is called once per example and per
layer, on tiny vectors. Removing the loop is the capstone's last exercise; this module is
the "before" picture and the reference that a vectorized update must match exactly.

Conventions: W of layer l has shape (d_in, d_out), b has shape (d_out,), one example
x has shape (d,), so z = x @ W + b. ``sizes`` lists the layer widths, e.g. [784, 30, 10].
"""
from __future__ import annotations

import numpy as np

from ._validation import CourseError, as_matrix
from .activations import sigmoid, sigmoid_prime


def init_network(sizes, rng, dtype="float64"):
    """Nielsen's initialisation: every W and b drawn from N(0, 1).

    Returns (weights, biases): lists with weights[l] of shape (sizes[l], sizes[l+1])
    and biases[l] of shape (sizes[l+1],).
    """
    if len(sizes) < 2 or any(int(s) != s or s < 1 for s in sizes):
        raise CourseError(f"sizes lists layer widths, at least two positive integers such as "
                          f"[784, 30, 10], but got {sizes!r}.")
    if not isinstance(rng, np.random.Generator):
        raise CourseError("rng must be a np.random.Generator, e.g. np.random.default_rng(0).")
    weights = [rng.normal(size=(m, k)).astype(dtype) for m, k in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=k).astype(dtype) for k in sizes[1:]]
    return weights, biases


def feedforward(weights, biases, X):
    """The output activations a (n, d_out) for a batch X (n, d_in): sigmoid at every layer."""
    a = as_matrix(X, "X", n_features=weights[0].shape[0])
    for W, b in zip(weights, biases):
        a = sigmoid(a @ W + b)
    return a


def backprop(weights, biases, x, y):
    """The gradients of one example's quadratic cost 1/2 ||a - y||^2.

    x : (d_in,), y : (d_out,). Returns (nabla_W, nabla_b), lists shaped like weights, biases.
    """
    activations, zs = [x], []                    # a^0 = x, then z^l and a^l layer by layer
    for W, b in zip(weights, biases):
        zs.append(activations[-1] @ W + b)
        activations.append(sigmoid(zs[-1]))
    nabla_W, nabla_b = [None] * len(weights), [None] * len(biases)
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])   # output error: dC/da times sigma'(z)
    for l in range(len(weights) - 1, -1, -1):
        nabla_b[l] = delta
        nabla_W[l] = np.outer(activations[l], delta)        # (d_in, d_out), like W
        if l > 0:
            delta = (weights[l] @ delta) * sigmoid_prime(zs[l - 1])
    return nabla_W, nabla_b


def update_minibatch_loop(weights, biases, X, Y, learning_rate):
    """One gradient step on a minibatch, one example at a time, as in Nielsen's network.py.

    X : (m, d_in), Y : (m, d_out). The step uses the mean gradient over the m examples:
    W <- W - (learning_rate / m) * sum_x nabla_W(x). Returns new lists (new_weights,
    new_biases) and leaves the inputs untouched, so two versions can start from one state.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    if X.ndim != 2 or Y.ndim != 2 or len(X) != len(Y):
        raise CourseError(f"X must be (m, d_in) and Y (m, d_out) with one row per example, "
                          f"but got X {X.shape} and Y {Y.shape}. For labels use one_hot(y, k).")
    m = len(X)
    nabla_W = [np.zeros_like(W) for W in weights]
    nabla_b = [np.zeros_like(b) for b in biases]
    for x, y in zip(X, Y):
        delta_nabla_W, delta_nabla_b = backprop(weights, biases, x, y)
        nabla_W = [nw + dnw for nw, dnw in zip(nabla_W, delta_nabla_W)]
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
    new_weights = [W - (learning_rate / m) * nw for W, nw in zip(weights, nabla_W)]
    new_biases = [b - (learning_rate / m) * nb for b, nb in zip(biases, nabla_b)]
    return new_weights, new_biases
