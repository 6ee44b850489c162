"""Live demos for walking downhill: the 1-D double well, the learning rate and the batch size.

Each ``draw_*`` function takes the controls' values and returns a matplotlib figure;
``plot_paths`` draws paths on a contour map and is shared with the lesson's static plots.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..descent import descend, double_well, double_well_critical_points, double_well_prime, minibatch_descent


def plot_paths(surface, paths, xlim, ylim, ax=None, arrows=False, levels=20, log_levels=True):
    """Contour map of a 2-D surface with labelled paths {label: (steps + 1, 2) array}.

    arrows=True adds the downhill direction, -gradient, on a coarse grid.
    Points outside the view are clipped, so a diverging path runs off the edge.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4.2))
    X, Y, Z = surface.grid(xlim, ylim)
    # Log-spaced levels above the lowest point show the valley floor as well as the walls.
    span = float(np.ptp(Z))
    lv = float(Z.min()) + np.geomspace(1e-3 * span, span, levels) if log_levels else levels
    ax.contour(X, Y, Z, levels=lv, cmap="viridis", linewidths=0.8)
    if arrows:
        gx, gy = np.meshgrid(np.linspace(*xlim, 13), np.linspace(*ylim, 11))
        g = surface.gradient(np.stack([gx, gy], axis=-1))
        norm = np.hypot(g[..., 0], g[..., 1]) + 1e-12
        ax.quiver(gx, gy, -g[..., 0] / norm, -g[..., 1] / norm, color="0.55", width=0.003,
                  scale=30)
    for i, (label, path) in enumerate(paths.items()):
        path = np.asarray(path)
        thin = len(path) > 300
        ax.plot(path[:, 0], path[:, 1], "-" if thin else ".-", color=f"C{(i + 1) % 10}",
                lw=0.6 if thin else 1.2, ms=4, label=label)
        ax.plot(*path[0], "o", color=f"C{(i + 1) % 10}", mfc="white")
    if surface.minimum is not None:
        ax.plot(*surface.minimum, "*", color="k", ms=10)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    if paths:
        ax.legend(fontsize="small", loc="upper right")
    return ax


def draw_double_well(start=2.0, learning_rate=0.02, steps=30):
    """Gradient descent on f(x) = x^4 - 3x^2 + x from ``start``: which valley does it end in?"""
    path = descend(double_well_prime, np.array(float(start)), learning_rate, steps, max_norm=1e3)
    x_global, _, x_local = double_well_critical_points()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    xs = np.linspace(-2.3, 2.3, 400)
    ax.plot(xs, double_well(xs), "k-", lw=1)
    shown = path[np.abs(path) <= 2.3]
    ax.plot(shown, double_well(shown), "o-", color="C3", ms=4, lw=0.8, alpha=0.8)
    ax.plot(path[0], double_well(path[0]), "o", color="C3", mfc="white", ms=8, label="start")
    ax.plot([x_global, x_local], double_well([x_global, x_local]), "k*", ms=11)
    ax.set_ylim(-4.5, 12)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    end = path[-1]
    if not np.all(np.abs(path) <= 2.3) or not np.isfinite(end):
        where = "left the picture: the steps were too big"
    elif abs(end - x_global) < 0.05:
        where = "reached the global minimum"
    elif abs(end - x_local) < 0.05:
        where = "is stuck in the local minimum"
    else:
        where = "is still walking"
    ax.set_title(f"start {start:+.2f}, learning rate {learning_rate:g}: after {len(path) - 1} "
                 f"steps x = {end:+.3f}, {where}", fontsize=9)
    ax.legend(fontsize="small", loc="upper center")
    fig.tight_layout()
    return fig


def draw_learning_rate(bowl, learning_rate, steps=30, start=(-2.0, 2.0), view=2.6):
    """The path and the loss curve of plain descent on a quadratic bowl at one learning rate."""
    path = descend(bowl.gradient, start, learning_rate, steps)
    loss = bowl(path)
    verdict, tenfold = bowl.regime(learning_rate)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    plot_paths(bowl, {f"learning rate {learning_rate:g}": path}, (-view, view), (-view, view),
               ax=ax1)
    ax1.set_xlabel("$w_1$")
    ax1.set_ylabel("$w_2$")
    ax2.semilogy(np.arange(len(loss)), np.maximum(loss, 1e-300), ".-", color="C1")
    ax2.minorticks_off()   # minor ticks over 16 decades cost more to draw than the curve
    ax2.set_xlabel("step")
    ax2.set_ylabel("loss (log scale)")
    ax2.set_ylim(1e-12, max(1e4, float(np.max(loss[np.isfinite(loss)])) * 2))
    limit = bowl.max_stable_learning_rate
    speed = "" if verdict == "diverges" else f", {tenfold:.0f} steps per tenfold drop"
    fig.suptitle(f"learning rate {learning_rate:g} ({learning_rate / limit:.2f} x the limit "
                 f"2/lambda_max = {limit:.3f}): {verdict}{speed}", fontsize=10)
    fig.tight_layout()
    return fig


def draw_batch_size(problem, batch_size, learning_rate=0.2, steps=100, start=(-2.0, 3.0),
                    seed=0, view=((-2.5, 4.5), (-3.5, 3.5))):
    """A fixed number of steps with one batch size: the path on the contour and the loss per step."""
    epochs = steps * batch_size / problem.n
    run = minibatch_descent(problem, start, learning_rate, batch_size, epochs, rng=seed)
    excess = run.loss - problem(problem.minimum)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    plot_paths(problem, {f"batch size {batch_size}": run.path}, *view, ax=ax1)
    ax1.set_xlabel("slope w")
    ax1.set_ylabel("intercept b")
    ax2.semilogy(np.arange(len(excess)), np.maximum(excess, 1e-12), "-", color="C1")
    ax2.set_ylim(1e-6, 20)
    ax2.minorticks_off()
    ax2.set_xlabel("step")
    ax2.set_ylabel("loss above the minimum (log scale)")
    fig.suptitle(f"batch size {batch_size}, learning rate {learning_rate:g}: {len(run.path) - 1} "
                 f"steps used {run.epochs[-1]:.3g} epochs of data; final loss above the minimum "
                 f"{excess[-1]:.2g}", fontsize=10)
    fig.tight_layout()
    return fig
