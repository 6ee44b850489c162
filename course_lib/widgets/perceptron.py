"""Live demo of lesson 00: replay single-unit training one epoch at a time.

    runs = {"perceptron": train_perceptron(X, y), "ADALINE": train_adaline(X, y)}
    live_demo(partial(draw_epoch, X, y, runs), epoch=slider(0, 20, integer=True))
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._validation import CourseError
from ..perceptron import TrainingRun, predict
from ..plotting import plot_decision_boundary


def draw_boundary(ax, X, y, w, b, title=""):
    """Shade the two half-planes of step(x @ w + b), scatter X, y and ring the mistakes."""
    plot_decision_boundary(lambda P: predict(P, w, b), X, y, ax=ax, resolution=120, padding=0.3)
    wrong = predict(X, w, b) != y
    ax.scatter(X[wrong, 0], X[wrong, 1], s=120, facecolors="none", edgecolors="gold", linewidths=2)
    if np.any(w != 0):   # the line w1 x1 + w2 x2 + b = 0, drawn along its longer direction
        lo, hi = ax.get_xlim(), ax.get_ylim()
        if abs(w[1]) >= abs(w[0]):
            xs = np.array(lo)
            ax.plot(xs, -(w[0] * xs + b) / w[1], "k-", lw=1.5)
        else:
            ys = np.array(hi)
            ax.plot(-(w[1] * ys + b) / w[0], ys, "k-", lw=1.5)
        ax.set_xlim(lo)
        ax.set_ylim(hi)
    ax.set_title(f"{title}{int(wrong.sum())} mistakes", fontsize=10)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def draw_epoch(X, y, runs, epoch):
    """The decision boundary of every run after ``epoch`` epochs, plus mistakes per epoch.

    X : (n, 2), y : (n,) in {0, 1}. runs : a TrainingRun or a dict {name: TrainingRun}.
    A run shorter than ``epoch`` is shown at its last epoch. Returns the figure.
    """
    if isinstance(runs, TrainingRun):
        runs = {runs.rule: runs}
    longest = max(run.epochs for run in runs.values())
    if not 0 <= epoch <= longest:
        raise CourseError(f"epoch must lie in 0..{longest}, but got {epoch}.")
    fig, axes = plt.subplots(1, len(runs) + 1, figsize=(4.2 * (len(runs) + 1), 3.8))
    for ax, (name, run) in zip(axes, runs.items()):
        e = min(epoch, run.epochs)
        draw_boundary(ax, X, y, *run.weights(e), title=f"{name}, epoch {e}: ")
    ax = axes[-1]
    for i, (name, run) in enumerate(runs.items()):
        ax.plot(np.arange(run.epochs + 1), run.mistakes, "o-", ms=3, color=f"C{i}", label=name)
    ax.axvline(epoch, color="grey", ls="--")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mistakes")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig
