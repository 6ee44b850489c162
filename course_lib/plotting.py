"""Plots the lessons reuse: learning curves, decision boundaries, image grids, confusion matrices."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def plot_history(history, ax=None, title=None):
    """Loss (left axis) and accuracy (right axis) per epoch, training solid, validation dashed."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    epochs = np.arange(1, len(history["loss"]) + 1)
    ax.plot(epochs, history["loss"], "C0-", label="training cost")
    if "val_loss" in history:
        ax.plot(epochs, history["val_loss"], "C0--", label="validation cost")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost", color="C0")
    handles, labels = ax.get_legend_handles_labels()
    if "accuracy" in history:
        ax2 = ax.twinx()
        ax2.plot(epochs, history["accuracy"], "C1-", label="training accuracy")
        if "val_accuracy" in history:
            ax2.plot(epochs, history["val_accuracy"], "C1--", label="validation accuracy")
        ax2.set_ylabel("accuracy", color="C1")
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, loc="center right", fontsize="small")
    if title:
        ax.set_title(title)
    return ax


class LivePlot:
    """A fit callback that redraws the learning curves after every epoch, in place, in a notebook."""

    def __init__(self, title="training"):
        self.title = title
        self._handle = None

    def __call__(self, net, epoch, logs):
        from IPython.display import display
        fig, ax = plt.subplots(figsize=(6, 3.5))
        plot_history(net.history, ax=ax, title=f"{self.title}: epoch {epoch + 1}")
        if self._handle is None:
            self._handle = display(fig, display_id=True)
        else:
            self._handle.update(fig)
        plt.close(fig)


def plot_decision_boundary(predict, X, y, ax=None, resolution=200, padding=0.5):
    """Colour the plane by predict(points) and scatter the labelled points X (n, 2), y (n,)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    zz = np.asarray(predict(grid)).reshape(xx.shape)
    classes = np.unique(zz)
    # Class labels get one colour band each; continuous outputs get a smooth shading.
    levels = np.append(classes, classes[-1] + 1) - 0.5 if classes.size <= 10 else 20
    ax.contourf(xx, yy, zz, alpha=0.25, cmap="coolwarm", levels=levels)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", edgecolors="k", s=25)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    return ax


def image_grid(images, titles=None, ncols=10, size=1.2, cmap="gray_r", fig=None):
    """Show images (n, 784) or (n, 28, 28) in a grid, each with an optional title."""
    images = np.asarray(images)
    n = len(images)
    side = int(round(np.sqrt(images[0].size)))
    nrows = -(-n // ncols)
    if fig is None:
        fig = plt.figure(figsize=(size * ncols, size * nrows * (1.25 if titles is not None else 1)))
    for i in range(n):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        ax.imshow(images[i].reshape(side, side), cmap=cmap)
        ax.axis("off")
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    return fig


def plot_confusion_matrix(cm, class_names, ax=None, normalize=True):
    """Draw a confusion matrix, rows = true class, columns = predicted class."""
    cm = np.asarray(cm, dtype=float)
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(shown, cmap="Blues")
    k = len(class_names)
    ax.set_xticks(range(k), class_names, rotation=45, ha="right")
    ax.set_yticks(range(k), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(k):
        for j in range(k):
            ax.text(j, i, f"{shown[i, j]:.2f}" if normalize else int(cm[i, j]), ha="center",
                    va="center", fontsize=7, color="white" if shown[i, j] > shown.max() / 2 else "black")
    return ax


def plot_function(fn, derivative=None, z=None, ax=None, label=None):
    """Plot an activation a = fn(z) and, dashed, its derivative."""
    z = np.linspace(-5, 5, 401) if z is None else z
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3))
    ax.plot(z, fn(z), label=label or getattr(fn, "__name__", "f"))
    if derivative is not None:
        ax.plot(z, derivative(z), "--", label=f"{label or getattr(fn, '__name__', 'f')}'")
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.legend(fontsize="small")
    ax.set_xlabel("z")
    return ax
