"""Looking inside a network: per-layer activations, dead units and gradient sizes."""
from __future__ import annotations

import numpy as np

from ._validation import CourseError
from .layers import Dense, Maxout


def layer_outputs(net, X) -> list[np.ndarray]:
    """The output of every layer for a batch X (dropout off), in order: one (n, width) array each."""
    out, z = [], net.prepare_inputs(X)
    for layer in net.layers:
        z = layer.forward(z)
        out.append(z)
    return out


def pre_activations(net, X) -> list[np.ndarray]:
    """z = x @ W + b of every Dense or Maxout layer for a batch X (dropout off)."""
    return [a for layer, a in zip(net.layers, layer_outputs(net, X))
            if isinstance(layer, (Dense, Maxout))]


def dead_units(net, X, layer_index) -> np.ndarray:
    """Which units of layer ``layer_index`` output <= 0 for every example in X: bool, shape (width,).

    Applied to a ReLU layer these are the 'dead' units on X: no example activates them, so no
    gradient reaches their incoming weights and bias. Whether one can come back depends on its
    inputs: in the first hidden layer they are the fixed data, so under plain gradient descent
    it never does; deeper, its inputs are earlier layers' outputs, which keep changing.
    """
    return np.all(layer_outputs(net, X)[layer_index] <= 0, axis=0)


def dead_unit_fraction(net, X, layer_index) -> float:
    """Fraction of the units of layer ``layer_index`` that output <= 0 for every example in X.

    Applied to a ReLU layer this is the 'dead ReLU' fraction (see ``dead_units``).
    """
    return float(np.mean(dead_units(net, X, layer_index)))


def saturated_fraction(net, X, threshold=0.99) -> float:
    """Fraction of the hidden tanh and sigmoid outputs for a batch X that sit on a flat end.

    A tanh output is saturated when |a| > threshold, a sigmoid output when |2a - 1| > threshold
    (the same point of the curve, as sigma(z) = (1 + tanh(z/2)) / 2); at 0.99 the slope there is
    below 2% of its largest value. Pooled over every hidden tanh or sigmoid layer (the output
    layer is skipped); X : (n, d). Raises CourseError if the network has no such layer.
    """
    pooled = []
    for layer, a in zip(net.layers[:-1], layer_outputs(net, X)[:-1]):
        kind = getattr(layer, "name", None)
        if kind == "tanh":
            pooled.append(np.abs(a).ravel() > threshold)
        elif kind == "sigmoid":
            pooled.append(np.abs(2 * a - 1).ravel() > threshold)
    if not pooled:
        raise CourseError("saturated_fraction needs a network with tanh or sigmoid hidden layers, "
                          f"but this one has {', '.join(type(layer).__name__ for layer in net.layers)}.")
    return float(np.mean(np.concatenate(pooled)))


def gradient_norms(net, X, y) -> dict[str, float]:
    """The Euclidean norm of dC/dW for every weight matrix, first layer first.

    Shows vanishing gradients: in a deep sigmoid network the early layers' norms are tiny.
    """
    _, grads = net.compute_gradients(X, y)
    return {name: float(np.linalg.norm(g)) for name, g in grads.items() if name.endswith(".W")}


def depth_profile(net, X, y) -> dict[str, list[float]]:
    """The forward and the backward signal of a plain network, layer by layer, before or during training.

    X : (n, d) inputs, y : labels (n,) or targets. Dropout is off.
    Returns {"z_std": the std of z = a @ W + b of every Dense or Maxout layer, and
    "grad_norm": the Euclidean norm of dC/dW of every weight matrix}, both first layer first.
    A profile that shrinks or grows geometrically from layer to layer is a vanishing or an
    exploding signal.
    """
    z_std = [float(np.std(z)) for z in pre_activations(net, X)]
    return {"z_std": z_std, "grad_norm": list(gradient_norms(net, X, y).values())}
