"""Activation functions and their derivatives, as pure NumPy functions.

Each function maps pre-activations ``z`` of any shape to activations of the same
shape. Each ``*_prime`` is the derivative da/dz, evaluated elementwise at ``z``.
Softmax is the exception: its outputs are coupled, so it has a Jacobian instead.

All of them are stable: no overflow warnings even at z = ±1e4.

``ACTIVATIONS``, at the end, is the registry: each name with its function, its derivative,
the layer class that wraps it and whether that layer learns parameters.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import lookup


def step(z):
    """Rosenblatt's threshold unit: 1 where z >= 0, else 0."""
    return (np.asarray(z) >= 0).astype(np.result_type(np.asarray(z), np.float32))


def step_prime(z):
    """Zero everywhere (undefined at 0): why the perceptron cannot learn by gradients."""
    return np.zeros_like(np.asarray(z, dtype=np.result_type(np.asarray(z), np.float32)))


def sigmoid(z):
    """The logistic function 1 / (1 + e^-z).

    Stable form: only ever exponentiate -|z|, which cannot overflow.
    """
    z = np.asarray(z, dtype=np.result_type(np.asarray(z), np.float32))
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def sigmoid_prime(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)); at most 0.25, at z = 0."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent: a zero-centred, rescaled sigmoid, 2 sigma(2z) - 1."""
    return np.tanh(z)


def tanh_prime(z):
    """1 - tanh(z)^2."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z):
    """max(0, z)."""
    return np.maximum(z, 0)


def relu_prime(z):
    """1 for z > 0, else 0 (we take 0 at z = 0)."""
    z = np.asarray(z)
    return (z > 0).astype(np.result_type(np.asarray(z), np.float32))


def leaky_relu(z, alpha=0.01):
    """z for z > 0, alpha * z otherwise: a small slope keeps 'dead' units learning."""
    z = np.asarray(z)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_prime(z, alpha=0.01):
    """1 for z > 0, alpha otherwise."""
    z = np.asarray(z)
    return np.where(z > 0, 1.0, alpha).astype(np.result_type(np.asarray(z), np.float32), copy=False)


def elu(z, alpha=1.0):
    """z for z > 0, alpha (e^z - 1) otherwise. Negative outputs pull the mean towards 0.

    expm1 of min(z, 0) is accurate near 0 and never overflows for large positive z.
    """
    z = np.asarray(z)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def elu_prime(z, alpha=1.0):
    """1 for z > 0, alpha e^z otherwise."""
    z = np.asarray(z)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0))).astype(
        np.result_type(np.asarray(z), np.float32), copy=False)


def identity(z):
    """The linear activation a = z, for regression outputs."""
    return np.asarray(z)


def identity_prime(z):
    """1 everywhere."""
    return np.ones_like(np.asarray(z, dtype=np.result_type(np.asarray(z), np.float32)))


def _shifted_exponentials(z, axis):
    """(z - max, e^(z - max), their sum) along ``axis``: the shared first half of softmax.

    Shifting by the row maximum leaves softmax unchanged (the factor e^{-max} cancels)
    but keeps every exponent <= 0, so nothing overflows.
    """
    z = np.asarray(z, dtype=np.result_type(np.asarray(z), np.float32))
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return shifted, e, e.sum(axis=axis, keepdims=True)


def softmax(z, axis=-1):
    """e^{z_j} / sum_k e^{z_k} along ``axis``: rows become probability distributions."""
    _, e, total = _shifted_exponentials(z, axis)
    return e / total


def log_softmax(z, axis=-1):
    """ln softmax(z), computed as z - logsumexp(z) so that tiny probabilities keep their logs."""
    shifted, _, total = _shifted_exponentials(z, axis)
    return shifted - np.log(total)


def softmax_and_log(z, axis=-1):
    """Both softmax(z) and log_softmax(z) from one set of exponentials.

    Exactly equal to calling the two functions; a training step needs both (the
    probabilities for the output error, their logs for the cost), so it calls this.
    """
    shifted, e, total = _shifted_exponentials(z, axis)
    return e / total, shifted - np.log(total)


def softmax_jacobian(z):
    """The Jacobian da_j/dz_k = a_j (delta_jk - a_k) of each row.

    z : ndarray, shape (n, k)  ->  ndarray, shape (n, k, k)
    """
    a = softmax(np.atleast_2d(z))
    return a[:, :, None] * (np.eye(a.shape[1], dtype=a.dtype)[None] - a[:, None, :])


def softmax_backward(a, da):
    """Vector-Jacobian product of softmax without building the (k, k) Jacobian.

    a, da : ndarray, shape (n, k)  ->  dz, shape (n, k), with dz = a * (da - sum(da * a)).
    """
    return a * (da - (da * a).sum(axis=1, keepdims=True))


@dataclass(frozen=True)
class Spec:
    """One activation of the registry: its maths, and the layer that trains with it.

    fn : a = fn(z, **settings). prime : da/dz elementwise, None for softmax (its outputs are
    coupled: see softmax_backward). layer : the class in course_lib.layers that wraps it.
    learned : whether that layer has parameters of its own (PReLU learns its alpha).
    hidden : whether it suits a hidden layer (identity and softmax are for output layers).
    """

    fn: Callable
    prime: Callable | None
    layer: str
    learned: bool = False
    hidden: bool = True

    @property
    def settings(self) -> tuple[str, ...]:
        """The keyword settings fn takes, e.g. ('alpha',) for leaky_relu; () for most."""
        return tuple(p for p in inspect.signature(self.fn).parameters if p not in ("z", "axis"))


# The one registry: adding an activation means its two functions above and one line here
# (and its layer class in course_lib.layers). Layers, mlp and the widgets all read it.
ACTIVATIONS = {
    "sigmoid": Spec(sigmoid, sigmoid_prime, "Sigmoid"),
    "step": Spec(step, step_prime, "Step"),
    "relu": Spec(relu, relu_prime, "ReLU"),
    "tanh": Spec(tanh, tanh_prime, "Tanh"),
    "leaky_relu": Spec(leaky_relu, leaky_relu_prime, "LeakyReLU"),
    "prelu": Spec(leaky_relu, leaky_relu_prime, "PReLU", learned=True),   # leaky ReLU, alpha learned
    "elu": Spec(elu, elu_prime, "ELU"),
    "identity": Spec(identity, identity_prime, "Identity", hidden=False),
    "softmax": Spec(softmax, None, "Softmax", hidden=False),
}
ALIASES = {"linear": "identity"}
ACTIVATIONS.update({alias: ACTIVATIONS[name] for alias, name in ALIASES.items()})


def get_activation(name: str):
    """Return ``(function, derivative)`` for an activation name; softmax's derivative is None."""
    spec = lookup(ACTIVATIONS, name, "activation")
    return spec.fn, spec.prime
