"""Live demos for lesson 03: the learning slowdown of one sigmoid neuron, and cost shapes."""
from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..single_neuron import COSTS, neuron_cost, train_single_neuron
from . import live_demo, slider

COST_LABELS = {"quadratic": "quadratic", "cross_entropy": "cross-entropy"}


def plot_runs(runs, axes=None):
    """Cost (left) and output a (right) against epoch for several training runs.

    runs : dict label -> history from train_single_neuron. One colour per starting point,
    solid for the quadratic cost and dashed otherwise (labels name their cost). Returns the figure.
    """
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    else:
        fig = axes[0].figure
    colours = {}
    for label, h in runs.items():
        colour = colours.setdefault((h["w"][0], h["b"][0]), f"C{len(colours)}")
        style = "-" if "quadratic" in label else "--"
        axes[0].plot(h["epoch"], h["cost"], style, color=colour, label=label)
        axes[1].plot(h["epoch"], h["a"], style, color=colour, label=label)
    axes[0].set(xlabel="epoch", ylabel="cost C", title="cost")
    axes[1].set(xlabel="epoch", ylabel="output a", title="output (target y = 0)", ylim=(-0.02, 1.02))
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center",
               ncol=min(len(runs), 2), fontsize="small")
    return fig


def slowdown_figure(w=2.0, b=2.0, learning_rate=0.15, cost="quadratic", epochs=300):
    """Nielsen's interactive neuron: train from (w, b) for `epochs` updates and plot the run.

    The title reports the start and end output, so the slider's effect is readable at a glance.
    """
    h = train_single_neuron(w, b, learning_rate, cost=cost, epochs=int(epochs))
    label = f"{COST_LABELS[cost]}, eta = {learning_rate:g}"
    fig = plot_runs({label: h})
    fig.suptitle(f"start w = {w:g}, b = {b:g}: output {h['a'][0]:.3f} -> {h['a'][-1]:.3f} "
                 f"after {int(epochs)} epochs; cost {h['cost'][0]:.3f} -> {h['cost'][-1]:.3f}",
                 fontsize="medium")
    return fig


def cost_curves(y, n=399):
    """Both costs of one output a in (0, 1) against a fixed target y.

    Returns a (n,), quadratic (n,), cross_entropy (n,).
    """
    a = np.linspace(0.0025, 0.9975, n)
    quad = np.array([neuron_cost(v, y, "quadratic") for v in a])
    ce = np.array([neuron_cost(v, y, "cross_entropy") for v in a])
    return a, quad, ce


def cost_curves_figure(y=0.3):
    """Quadratic and cross-entropy costs against the output a, for target y; minima marked."""
    a, quad, ce = cost_curves(y)
    fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
    ax.plot(a, quad, label="quadratic  1/2 (a - y)^2")
    ax.plot(a, ce, label="cross-entropy")
    i = int(np.argmin(ce))
    ax.plot(a[i], ce[i], "o", color="C1")
    ax.axvline(y, color="gray", lw=0.8, ls=":")
    ax.annotate(f"lowest: {ce[i]:.3f} at a = {a[i]:.3f}", (a[i], ce[i]), xytext=(0, 12),
                textcoords="offset points", color="C1",
                ha="left" if a[i] < 0.25 else "right" if a[i] > 0.75 else "center")
    ax.set(xlabel="output a", ylabel="cost", ylim=(0, 4), title=f"both costs for target y = {y:.2f}")
    ax.legend(fontsize="small", loc="upper center")
    return fig


def slowdown_demo():
    """The live version of Nielsen's neuron: sliders for w, b, eta, epochs and a cost menu."""
    return live_demo(
        slowdown_figure,
        w=slider(-4.0, 4.0, 0.1, 2.0, "initial w"),
        b=slider(-4.0, 4.0, 0.1, 2.0, "initial b"),
        learning_rate=slider(0.001, 0.5, 0.001, 0.15, "learning rate eta"),
        cost=widgets.Dropdown(options=list(COSTS), value="quadratic", description="cost"),
        epochs=slider(10, 1000, 10, 300, "epochs", integer=True))


def cost_curves_demo():
    """A slider on the target y, to see where each cost is lowest."""
    return live_demo(cost_curves_figure, y=slider(0.0, 1.0, 0.05, 0.3, "target y"))
