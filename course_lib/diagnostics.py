"""Looking inside a network: per-layer activations, dead units and gradient sizes."""
from __future__ import annotations

import numpy as np

from .layers import Dense, Maxout


def layer_outputs(net, X) -> list[np.ndarray]:
    """The output of every layer for a batch X (dropout off), in order: one (n, width) array each."""
    out, z = [], net._inputs(X)
    for layer in net.layers:
        z = layer.forward(z)
        out.append(z)
    return out


def pre_activations(net, X) -> list[np.ndarray]:
    """z = x @ W + b of every Dense or Maxout layer for a batch X (dropout off)."""
    return [a for layer, a in zip(net.layers, layer_outputs(net, X))
            if isinstance(layer, (Dense, Maxout))]


def dead_unit_fraction(net, X, layer_index) -> float:
    """Fraction of the units of layer ``layer_index`` that output <= 0 for every example in X.

    Applied to a ReLU layer this is the 'dead ReLU' fraction: units that no example activates
    receive no gradient and so can never recover.
    """
    a = layer_outputs(net, X)[layer_index]
    return float(np.mean(np.all(a <= 0, axis=0)))


def gradient_norms(net, X, y) -> dict[str, float]:
    """The Euclidean norm of dC/dW for every weight matrix, first layer first.

    Shows vanishing gradients: in a deep sigmoid network the early layers' norms are tiny.
    """
    _, grads = net.compute_gradients(X, y)
    return {name: float(np.linalg.norm(g)) for name, g in grads.items() if name.endswith(".W")}
