"""Live demos for lesson 06: a softmax layer's four outputs as bars, and its temperature."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..activations import softmax
from . import live_demo, slider

# The weighted inputs z_1..z_4 of Nielsen's four-output slider demo.
NIELSEN_Z = (2.5, -1.0, 3.2, 0.5)


def softmax_with_temperature(z, c=1.0):
    """e^{c z_j} / sum_k e^{c z_k} along the last axis; c = 1 is the ordinary softmax.

    c -> 0 gives the uniform distribution, c -> infinity puts all the mass on the largest z.
    """
    return softmax(np.asarray(z, dtype=np.float64) * float(c))


def _bars(ax, a, title):
    labels = [f"a{j + 1}" for j in range(len(a))]
    bars = ax.bar(labels, a, color=[f"C{j}" for j in range(len(a))])
    for bar, value in zip(bars, a):
        ax.text(bar.get_x() + bar.get_width() / 2, value + 0.015, f"{value:.3f}", ha="center",
                fontsize="small")
    ax.set(ylim=(0, 1.08), ylabel="activation", title=title)


def softmax_bars_figure(z4=0.5, z_others=NIELSEN_Z[:3]):
    """Softmax of (z_1, z_2, z_3, z4) as bars: moving z4 up raises a4 and lowers all the others."""
    z = np.array([*z_others, z4], dtype=np.float64)
    a = softmax(z)
    fig, ax = plt.subplots(figsize=(5.5, 3.4), layout="constrained")
    _bars(ax, a, f"z = ({', '.join(f'{v:g}' for v in z)}):  sum of a = {a.sum():.6f}")
    return fig


def temperature_figure(c=1.0, z=NIELSEN_Z):
    """Bars of softmax(c z): flat for small c, a hard max (one bar at 1) for large c."""
    a = softmax_with_temperature(z, c)
    fig, ax = plt.subplots(figsize=(5.5, 3.4), layout="constrained")
    _bars(ax, a, f"c = {c:g}:  largest a = {a.max():.4f}")
    return fig


def softmax_demo():
    """Nielsen's slider on z4, with z1..z3 held at NIELSEN_Z."""
    return live_demo(softmax_bars_figure, z4=slider(-5.0, 5.0, 0.1, NIELSEN_Z[3], "z4"))


def temperature_demo():
    """A slider on c in softmax(c z): from flat (c = 0) to nearly a hard max (c = 10)."""
    return live_demo(temperature_figure, c=slider(0.0, 10.0, 0.1, 1.0, "c"))
