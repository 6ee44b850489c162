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
