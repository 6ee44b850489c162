"""One neuron, one input, one target: Nielsen's learning-slowdown experiment.

The neuron computes z = w x + b and a = sigma(z) (or a = z for a linear output) and
learns by plain gradient descent on a single training pair (x, y). Everything is a
Python float in float64: the run is a short loop, exact to the last digit, and the
same arguments always give the same numbers.

The two costs differ only in their output error dC/dz:

    quadratic      C = 1/2 (a - y)^2                      dC/dz = (a - y) sigma'(z)
    cross_entropy  C = -[y ln a + (1 - y) ln(1 - a)]      dC/dz = (a - y)

and dC/dw = x dC/dz, dC/db = dC/dz. The sigma'(z) factor is what makes a saturated
neuron (a near 0 or 1) learn slowly under the quadratic cost.
"""
from __future__ import annotations

import math

import numpy as np

from ._validation import CourseError, check_positive

COSTS = ("quadratic", "cross_entropy")
ACTIVATIONS = ("sigmoid", "linear")


def _sigmoid(z: float) -> float:
    # Only ever exponentiate -|z|, so that z = +-1000 cannot overflow.
    e = math.exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)


def _check_choice(value, valid, name):
    if value not in valid:
        raise CourseError(f"{name} must be one of {', '.join(map(repr, valid))}, but got {value!r}.")


def _check_pairing(cost, activation):
    _check_choice(cost, COSTS, "cost")
    _check_choice(activation, ACTIVATIONS, "activation")
    if cost == "cross_entropy" and activation == "linear":
        raise CourseError("cross-entropy needs outputs in (0, 1): use it with activation='sigmoid'.")


def neuron_output(w, b, x=1.0, activation="sigmoid") -> float:
    """The neuron's output a = sigma(w x + b), or w x + b for a linear neuron."""
    _check_choice(activation, ACTIVATIONS, "activation")
    z = float(w) * float(x) + float(b)
    return _sigmoid(z) if activation == "sigmoid" else z


def neuron_cost(a, y, cost="quadratic") -> float:
    """The cost of one output a against its target y.

    Cross-entropy needs 0 < a < 1; the terms with y = 0 or 1 drop out exactly, so
    a = 1 with y = 1 costs 0 rather than NaN.
    """
    _check_choice(cost, COSTS, "cost")
    a, y = float(a), float(y)
    if cost == "quadratic":
        return 0.5 * (a - y) ** 2
    if not 0.0 <= y <= 1.0:
        raise CourseError(f"cross-entropy needs a target y in [0, 1], but got y = {y}.")
    total = 0.0
    for weight, p in ((y, a), (1.0 - y, 1.0 - a)):
        if weight > 0:
            total -= weight * (math.log(p) if p > 0 else -math.inf)
    return total


def neuron_gradients(w, b, x=1.0, y=0.0, cost="quadratic", activation="sigmoid"):
    """Return (dC/dw, dC/db) for one neuron on the single pair (x, y).

    quadratic + sigmoid:      delta = (a - y) sigma'(z), with sigma' = a (1 - a)
    cross_entropy + sigmoid:  delta = (a - y)            (sigma' has cancelled)
    quadratic + linear:       delta = (a - y)            (a linear output has a' = 1)
    and then dC/dw = delta x, dC/db = delta.
    """
    _check_pairing(cost, activation)
    a = neuron_output(w, b, x, activation)
    delta = a - float(y)
    if cost == "quadratic" and activation == "sigmoid":
        delta *= a * (1.0 - a)
    return delta * float(x), delta


def train_single_neuron(w, b, learning_rate, cost="quadratic", epochs=300, x=1.0, y=0.0,
                        activation="sigmoid"):
    """Gradient descent on one pair (x, y): w <- w - learning_rate dC/dw, likewise b.

    learning_rate is Nielsen's eta. One epoch is one update, since the data set is one pair.
    Returns a dict of float64 arrays, each of shape (epochs + 1,), where index 0 is the
    starting point and index t the state after t updates:
      'epoch', 'w', 'b', 'a' (output), 'cost'.
    """
    _check_pairing(cost, activation)
    check_positive(learning_rate, "learning_rate")
    check_positive(epochs, "epochs", integer=True)
    w, b, x, y = float(w), float(b), float(x), float(y)
    history = {key: np.empty(epochs + 1) for key in ("w", "b", "a", "cost")}
    for t in range(epochs + 1):
        a = neuron_output(w, b, x, activation)
        history["w"][t], history["b"][t], history["a"][t] = w, b, a
        history["cost"][t] = neuron_cost(a, y, cost)
        if t < epochs:
            dw, db = neuron_gradients(w, b, x, y, cost, activation)
            w, b = w - learning_rate * dw, b - learning_rate * db
    history["epoch"] = np.arange(epochs + 1)
    return history
