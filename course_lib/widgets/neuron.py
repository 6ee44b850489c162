"""Live demos of lesson 01: one neuron's output surface, and activations flowing through a network.

    live_demo(draw_neuron, w1=slider(-5, 5, value=1), w2=slider(-5, 5, value=1),
              b=slider(-5, 5, value=0), activation=["sigmoid", "step", "relu", "tanh"])
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..activations import ACTIVATIONS, ALIASES, get_activation
from ..diagnostics import layer_outputs
from ..layers import Activation, Dense

# The registry's elementwise activations that take no settings.
ACTIVATION_CHOICES = tuple(name for name, spec in ACTIVATIONS.items()
                           if spec.prime is not None and not spec.settings and name not in ALIASES)


def neuron_grid(w1, w2, b, activation="sigmoid", lim=4.0, n=61):
    """A two-input neuron a = f(w1 x1 + w2 x2 + b) on an n x n grid over [-lim, lim]^2.

    Returns x1, x2, a, each of shape (n, n).
    """
    f, _ = get_activation(activation)
    x1, x2 = np.meshgrid(np.linspace(-lim, lim, n), np.linspace(-lim, lim, n))
    X = np.column_stack([x1.ravel(), x2.ravel()])          # (n*n, 2): rows are examples
    a = f(X @ np.array([w1, w2], dtype=np.float64) + b)
    return x1, x2, np.asarray(a).reshape(x1.shape)


def draw_neuron(w1, w2, b, activation="sigmoid"):
    """The output surface of a two-input neuron, in 3-D and from above, with its line z = 0."""
    x1, x2, a = neuron_grid(w1, w2, b, activation)
    fig = plt.figure(figsize=(9, 3.8))
    ax3 = fig.add_subplot(1, 2, 1, projection="3d")
    ax3.plot_surface(x1, x2, a, cmap="viridis", linewidth=0, antialiased=False)
    ax3.set_xlabel("$x_1$")
    ax3.set_ylabel("$x_2$")
    ax3.set_zlabel("$a$")
    ax3.set_title(f"a = {activation}({w1:g} x1 {w2:+g} x2 {b:+g})", fontsize=10)
    ax = fig.add_subplot(1, 2, 2)
    image = ax.imshow(a, origin="lower", extent=(x1.min(), x1.max(), x2.min(), x2.max()),
                      cmap="viridis", aspect="auto")
    fig.colorbar(image, ax=ax, label="a")
    if w1 != 0 or w2 != 0:   # the line where z = 0: the step unit's boundary, sigmoid's a = 0.5
        ax.contour(x1, x2, w1 * x1 + w2 * x2 + b, levels=[0], colors="white", linestyles="--")
        ax.quiver(0, 0, w1, w2, color="white", angles="xy", scale_units="xy", scale=2)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title("seen from above; arrow = (w1, w2)", fontsize=10)
    fig.tight_layout()
    return fig


def hidden_and_output_activations(net, x) -> list[np.ndarray]:
    """The activations of every activation layer of ``net`` for one example x (784,) or (1, d)."""
    outputs = layer_outputs(net, np.asarray(x).reshape(1, -1))
    return [a[0] for layer, a in zip(net.layers, outputs) if isinstance(layer, Activation)]


def draw_activations(net, x, class_names=None, title=""):
    """An image on the left, then each layer's activations as a column of grey circles.

    White means an activation near 1. Lines between consecutive columns show the
    weights (blue positive, red negative, darker = larger). The most active output is ringed.
    """
    acts = hidden_and_output_activations(net, x)
    dense = [layer for layer in net.layers if isinstance(layer, Dense)]
    fig, (ax_img, ax) = plt.subplots(1, 2, figsize=(9, 4.2), gridspec_kw={"width_ratios": [1, 2.4]})
    side = int(round(np.sqrt(np.size(x))))
    ax_img.imshow(np.asarray(x).reshape(side, side), cmap="gray_r")
    ax_img.set_title(title or f"input: {np.size(x)} pixels", fontsize=10)
    ax_img.axis("off")

    def column(k):
        return np.linspace(0.95, 0.05, k) if k > 1 else np.array([0.5])

    for layer_i in range(1, len(acts)):   # weights of the Dense layer between column i-1 and i
        W = dense[layer_i].W
        y0, y1 = column(W.shape[0]), column(W.shape[1])
        scale = np.abs(W).max() or 1.0
        for i, j in zip(*np.nonzero(np.abs(W) > 0.3 * scale)):
            ax.plot([layer_i - 1, layer_i], [y0[i], y1[j]], color="C0" if W[i, j] > 0 else "C3",
                    alpha=min(0.8, abs(W[i, j]) / scale), lw=0.6, zorder=1)
    for layer_i, a in enumerate(acts):
        ys = column(len(a))
        ax.scatter(np.full(len(a), layer_i), ys, c=np.clip(a, 0, 1), cmap="gray", vmin=0, vmax=1,
                   s=110, edgecolors="k", zorder=2)
        label = "output" if layer_i == len(acts) - 1 else f"hidden {layer_i + 1}"
        ax.text(layer_i, 1.02, f"{label}: {len(a)}", ha="center", fontsize=9)
    out = acts[-1]
    last = len(acts) - 1
    ys = column(len(out))
    best = int(np.argmax(out))
    ax.scatter([last], [ys[best]], s=260, facecolors="none", edgecolors="gold", linewidths=2, zorder=3)
    for j, a in enumerate(out):
        name = class_names[j] if class_names is not None else str(j)
        ax.text(last + 0.12, ys[j], f"{name}  {a:.2f}", va="center", fontsize=8,
                fontweight="bold" if j == best else "normal")
    ax.set_xlim(-0.3, last + 1.1)
    ax.set_ylim(0, 1.06)
    ax.axis("off")
    fig.tight_layout()
    return fig


def draw_example(net, X, y, class_names, index):
    """Widget callback: show example ``index`` of X flowing through ``net``, titled with its label."""
    return draw_activations(net, X[index], class_names,
                            title=f"example {index}: {class_names[int(y[index])]}")
