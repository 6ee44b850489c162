"""Live demos of lesson 08: a regularization slider and a weight-initialization chooser.

Both redraw results computed beforehand (training runs take seconds, a slider must
answer at once). The callbacks are plain functions returning matplotlib figures.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._validation import CourseError

# sigma'(4) = 0.018: beyond |z| = 4 a sigmoid unit passes on under 2% of the gradient.
SIGMOID_SATURATION = 4.0


def saturated_fraction(z, activation) -> float:
    """The fraction of pre-activations z where the unit passes on (almost) no gradient.

    sigmoid (or tanh): |z| > 4, where sigma'(z) < 0.018. relu: z <= 0, where relu'(z) = 0.
    z : array of any shape.
    """
    z = np.asarray(z)
    if activation in ("sigmoid", "tanh"):
        limit = SIGMOID_SATURATION if activation == "sigmoid" else SIGMOID_SATURATION / 2
        return float(np.mean(np.abs(z) > limit))
    if activation == "relu":
        return float(np.mean(z <= 0))
    raise CourseError(f"activation must be 'sigmoid', 'tanh' or 'relu', but got {activation!r}.")


def nearest_key(curves, value):
    """The key of ``curves`` (numbers written as strings) closest to ``value``."""
    if not curves:
        raise CourseError("There are no precomputed curves to show.")
    keys = list(curves)
    return keys[int(np.argmin([abs(float(k) - float(value)) for k in keys]))]


def _train_key(history):
    # measured in test mode on the original images when available (see tuning.run_experiment)
    return "train_eval_accuracy" if history.get("train_eval_accuracy") else "accuracy"


def draw_sweep(curves, value, parameter="λ"):
    """Training and validation curves of the run whose ``parameter`` is nearest ``value``.

    curves : {str(value): history}, each history with per-epoch "val_accuracy" and "val_cost"
    lists and a training accuracy, "train_eval_accuracy" (test mode) or else "accuracy" (see
    course_lib.tuning.run_experiment). The first entry (usually no regularization) is drawn
    faintly for comparison.
    """
    key = nearest_key(curves, value)
    base_key = next(iter(curves))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for k, style in ((base_key, dict(color="0.7", lw=1)), (key, dict(lw=2))):
        h = curves[k]
        train = h[_train_key(h)]
        epochs = np.arange(1, len(train) + 1)
        tag = f"{parameter} = {k}"
        left.plot(epochs, train, "-", label=f"training, {tag}", **({"color": "C0"} | style))
        left.plot(epochs, h["val_accuracy"], "--", label=f"validation, {tag}",
                  **({"color": "C1"} | style))
        right.plot(epochs, h["val_cost"], "-", label=f"validation cost, {tag}",
                   **({"color": "C1"} | style))
        if k == key:
            break   # the selected run is the baseline itself
    left.set(xlabel="epoch", ylabel="accuracy", ylim=(0.5, 1.01))
    right.set(xlabel="epoch", ylabel="cross-entropy (no penalty)")
    left.legend(fontsize="small", loc="lower right")
    right.legend(fontsize="small")
    h = curves[key]
    gap = np.mean(h[_train_key(h)][-5:]) - np.mean(h["val_accuracy"][-5:])
    fig.suptitle(f"{parameter} = {key}: final validation accuracy "
                 f"{np.mean(h['val_accuracy'][-5:]):.3f}, train-validation gap {gap:.3f}")
    fig.tight_layout()
    return fig


def draw_initialization(init, activation, z_samples, histories):
    """Hidden pre-activations at the start, and validation accuracy while training.

    init : name of the chosen initializer; activation : "sigmoid" or "relu".
    z_samples[activation][init] : list of arrays, the pre-activations z of each hidden
    layer for a batch of images, before any training.
    histories[activation][init] : history with a per-epoch "val_accuracy" list.
    """
    if activation not in z_samples or init not in z_samples[activation]:
        raise CourseError(f"No precomputed results for init={init!r}, activation={activation!r}.")
    layers = z_samples[activation][init]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    limit = max(float(np.percentile(np.abs(np.concatenate([np.ravel(z) for z in layers])), 99)), 5.0)
    bins = np.linspace(-limit, limit, 61)
    for i, z in enumerate(layers):
        left.hist(np.ravel(z), bins=bins, histtype="step", lw=1.5, density=True,
                  label=f"hidden layer {i + 1}: {saturated_fraction(z, activation):.0%} "
                        f"{'saturated' if activation == 'sigmoid' else 'at zero'}")
    if activation == "sigmoid":
        for side in (-1, 1):
            left.axvspan(side * SIGMOID_SATURATION, side * limit, color="red", alpha=0.08)
    else:
        left.axvspan(-limit, 0, color="red", alpha=0.08)
    left.set(xlabel="pre-activation z", ylabel="density", title=f"{init}, {activation}: z before training")
    left.legend(fontsize="small")
    for name, h in histories[activation].items():
        epochs = np.arange(1, len(h["val_accuracy"]) + 1)
        right.plot(epochs, h["val_accuracy"], marker="o", ms=3,
                   lw=2.5 if name == init else 1, alpha=1 if name == init else 0.5, label=name)
    right.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1),
              title=f"{activation} network: learning curves")
    right.legend(fontsize="small", loc="lower right")
    fig.tight_layout()
    return fig


_INIT_STYLE = {"large_normal": dict(color="C3", ls="-"), "scaled_normal": dict(color="C0", ls="--"),
               "xavier": dict(color="C2", ls=":"), "he": dict(color="C1", ls="-")}


def _check_profiles(profiles, activation):
    if activation not in profiles or not profiles[activation]:
        raise CourseError(f"No depth profiles for activation={activation!r}; there are profiles for "
                          f"{sorted(profiles)}.")


def draw_depth(activation, profiles):
    """The forward and the backward signal of a deep plain network, layer by layer, one line per initializer.

    profiles[activation][init] : list of dicts (one per seed) from course_lib.diagnostics.depth_profile,
    each with "z_std" and "grad_norm" lists, first layer first. The first seed is drawn.
    Left: std of z per layer. Right: |dC/dW| per layer. Both on a log scale.
    """
    _check_profiles(profiles, activation)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for init, runs in profiles[activation].items():
        p = runs[0]
        layers = np.arange(1, len(p["z_std"]) + 1)
        style = _INIT_STYLE.get(init, {})
        left.semilogy(layers, p["z_std"], marker="o", ms=3, label=init, **style)
        right.semilogy(layers, p["grad_norm"], marker="o", ms=3, label=init, **style)
    left.set(xlabel="layer", ylabel="std of z", title=f"{activation}: forward signal")
    right.set(xlabel="layer", ylabel="|dC/dW|", title=f"{activation}: gradient per weight matrix")
    left.legend(fontsize="small")
    fig.tight_layout()
    return fig


def draw_depth_overview(profiles):
    """|dC/dW| layer by layer for every activation (one panel each) and initializer (one line each).

    profiles : {activation: {init: [depth_profile dict per seed]}}. Lines show the first seed;
    the shaded band spans the seeds' smallest to largest value at each layer.
    """
    if not profiles:
        raise CourseError("There are no depth profiles to draw.")
    fig, axes = plt.subplots(1, len(profiles), figsize=(4 * len(profiles), 3.6), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (activation, by_init) in zip(axes, profiles.items()):
        for init, runs in by_init.items():
            norms = np.array([p["grad_norm"] for p in runs], dtype=float)
            layers = np.arange(1, norms.shape[1] + 1)
            style = _INIT_STYLE.get(init, {})
            ax.semilogy(layers, norms[0], marker="o", ms=3, label=init, **style)
            if len(norms) > 1:
                ax.fill_between(layers, norms.min(axis=0), norms.max(axis=0), alpha=0.15,
                                color=style.get("color"))
        ax.set(xlabel="layer (1 = next to the input)", title=activation)
    axes[0].set_ylabel("|dC/dW| before training")
    axes[-1].legend(fontsize="small")
    fig.tight_layout()
    return fig
