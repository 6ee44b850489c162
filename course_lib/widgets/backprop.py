"""Live demos for backpropagation: one weight's slice of the loss, and one example's nudges.

``example_nudges`` is 3Blue1Brown's picture in numbers: for one training example, how
much each output, each hidden unit and each first-layer weight "wants" to change,
i.e. minus the gradient of that example's cost.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._validation import CourseError
from ..data import CLASS_NAMES
from ..layers import Activation, Dense


def draw_loss_slice(net, X, y, param, index, value, span=2.0):
    """The cost as one weight moves, with the tangent whose slope backprop computes.

    param : a name from net.parameters(), e.g. "dense_0.W"; index : a tuple into it.
    The weight is set to ``value`` for the picture and restored afterwards.
    """
    params = net.parameters()
    if param not in params:
        raise CourseError(f"Unknown parameter {param!r}. Choose one of {', '.join(params)}.")
    p = params[param]
    saved = p[index].copy()
    try:
        grid = value + np.linspace(-span, span, 81)
        costs = []
        for v in grid:
            p[index] = v
            costs.append(net.cost(X, y))
        p[index] = value
        cost, grads = net.compute_gradients(X, y)
        slope = float(grads[param][index])
    finally:
        p[index] = saved
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(grid, costs, "k-", lw=1.2, label="cost as this weight varies")
    ax.plot(grid, cost + slope * (grid - value), "C3--", label=f"tangent, slope {slope:+.4f}")
    ax.plot(value, cost, "o", color="C3")
    ax.set_ylim(min(costs) - 0.1 * np.ptp(costs) - 1e-3, max(costs) + 0.1 * np.ptp(costs) + 1e-3)
    ax.set_xlabel(f"{param}{list(index)}")
    ax.set_ylabel("cost")
    ax.set_title(f"at {value:+.2f} the cost is {cost:.4f}; backprop's slope is {slope:+.4f}",
                 fontsize=10)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def _check_two_layer(net):
    layers = net.layers
    ok = (len(layers) == 4 and isinstance(layers[0], Dense) and isinstance(layers[1], Activation)
          and isinstance(layers[2], Dense) and getattr(layers[3], "name", None) == "softmax"
          and getattr(net.loss, "fuses_with", None) == "softmax")
    if not ok:
        raise CourseError("example_nudges needs a compiled network Dense, activation, Dense, "
                          "Softmax with categorical cross-entropy, e.g. "
                          "mlp([784, 16, 10]).compile('categorical_crossentropy').")


def example_nudges(net, x, label):
    """How one example wants every part of a Dense-activation-Dense-Softmax network to change.

    x : (d,) one example; label : its class.
    Returns {"probabilities": (k,), "output": (k,) = y - a, "hidden": (h,) = -dC/da_hidden,
    "weights": (d, h) = -dC/dW of the first layer}: each is minus a gradient.
    """
    _check_two_layer(net)
    x = np.asarray(x).reshape(1, -1)
    labels = np.array([int(label)])
    _, grads = net.compute_gradients(x, labels)
    a = net.forward(x)[0]
    output = -a
    output[int(label)] += 1.0                         # y - a: the correct class up, the rest down
    hidden = output @ net.layers[2].params["W"].T     # each hidden unit's share, weighted by W2
    return {"probabilities": a, "output": output, "hidden": hidden,
            "weights": -grads["dense_0.W"]}


def draw_example_nudges(net, X, labels, index, unit, class_names=CLASS_NAMES):
    """One example's desired nudges, from the outputs back to one hidden unit's 784 weights."""
    if not 0 <= index < len(X):
        raise CourseError(f"index must lie in 0..{len(X) - 1}, got {index}.")
    nudges = example_nudges(net, X[index], labels[index])
    n_hidden = len(nudges["hidden"])
    if not 0 <= unit < n_hidden:
        raise CourseError(f"unit must lie in 0..{n_hidden - 1}, got {unit}.")
    label = int(labels[index])
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.3),
                             gridspec_kw={"width_ratios": [1, 1.6, 1.6, 1]})
    side = int(round(np.sqrt(X.shape[1])))
    axes[0].imshow(np.asarray(X[index]).reshape(side, side), cmap="gray_r")
    axes[0].set_title(f"example {index}: {class_names[label]}\n"
                      f"p(correct) = {nudges['probabilities'][label]:.2f}", fontsize=9)
    axes[0].axis("off")
    k = len(nudges["output"])
    colors = ["C2" if j == label else "C3" for j in range(k)]
    axes[1].bar(range(k), nudges["output"], color=colors)
    axes[1].set_xticks(range(k), [c[:7] for c in class_names[:k]], rotation=60, fontsize=7)
    axes[1].set_title("1. output nudges y - a", fontsize=9)
    axes[1].axhline(0, color="k", lw=0.5)
    colors = ["C0" if j == unit else "0.7" for j in range(n_hidden)]
    axes[2].bar(range(n_hidden), nudges["hidden"], color=colors)
    axes[2].set_title("2. hidden nudges, summed back through $W_2$", fontsize=9)
    axes[2].set_xticks(range(0, n_hidden, max(1, n_hidden // 8)))
    axes[2].set_xlabel("hidden unit")
    axes[2].axhline(0, color="k", lw=0.5)
    w = nudges["weights"][:, unit].reshape(side, side)
    limit = float(np.max(np.abs(w))) or 1.0
    axes[3].imshow(w, cmap="seismic", vmin=-limit, vmax=limit)
    axes[3].set_title(f"3. nudges to unit {unit}'s {X.shape[1]} weights\n(red up, blue down)",
                      fontsize=9)
    axes[3].axis("off")
    fig.tight_layout()
    return fig
