"""Lesson 07's demos: a look inside a trained Fashion-MNIST classifier, and the perturbation
widget, which lesson 09's last section also shows on the learner's own network (``demo_network``).

Images are rows of 784 pixels in [0, 1]: X has shape (n, 784), labels y have shape (n,).
The models, training recipes and sweeps live in ``course_lib.recipes`` and the IDX reader in
``course_lib.data``; lesson 07 calls them as ``fashion.<name>``, so they are re-exported here.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._validation import CourseError
from ..augment import add_noise, rotate_images, shift_images
from ..checks import lesson09
from ..checks.core import Hint

# Lesson 07 calls these as fashion.<name>: the IDX reader (course_lib.data) and the models,
# recipes and sweeps (course_lib.recipes), re-exported.
from ..data import CLASS_NAMES, SIDE, idx_header, raw_idx_bytes  # noqa: F401
from ..recipes import (  # noqa: F401
    ablation_study,
    architecture_sweep,
    compare_to,
    peak_memory_mb,
    pytorch_reference,
    seed_model,
    seed_sweep,
    small_model,
    summarize_sweep,
    train_best,
    train_recipe,
)


# ------------------------------------------------------------------ evaluation
def confident_mistakes(proba, y_true, k=10):
    """Indices of the k wrong predictions made with the highest probability, most confident first.

    proba : (n, n_classes) predicted probabilities; y_true : (n,) labels.
    """
    proba = np.asarray(proba)
    predicted = np.argmax(proba, axis=1)
    wrong = np.flatnonzero(predicted != np.asarray(y_true))
    confidence = proba[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:k]


def noise_images(n, rng, kind="uniform"):
    """n random images (n, 784) in [0, 1]: 'uniform' pixels, or 'blobs' (smoothed noise)."""
    if kind == "uniform":
        return rng.random((n, SIDE * SIDE), dtype=np.float32)
    if kind == "blobs":
        coarse = rng.random((n, 7, 7), dtype=np.float32)
        return np.kron(coarse, np.ones((4, 4), dtype=np.float32)).reshape(n, -1)
    raise CourseError(f"kind must be 'uniform' or 'blobs', got {kind!r}.")


def dead_units(W, b, X, chunk=10_000):
    """Which ReLU units of a first layer z = X @ W + b never fire: z <= 0 for every row of X.

    W : (784, d), b : (d,), X : (n, 784)  ->  boolean array (d,), True for a dead unit.
    Works through X in chunks, so that z (n, d) never has to exist whole.
    """
    fired = np.zeros(np.shape(W)[1], dtype=bool)
    for start in range(0, len(X), chunk):
        fired |= np.any(X[start:start + chunk] @ W + b > 0, axis=0)
    return ~fired


def max_probability(net, X):
    """The network's top class probability for every row of X: its confidence, shape (n,)."""
    return np.max(net.predict_proba(X), axis=1)


def weight_images(W, units):
    """Columns ``units`` of a first-layer W (784, d_out) as images (len(units), 784),
    each scaled to [-1, 1] so that its own pattern is visible."""
    cols = np.asarray(W)[:, list(units)].T
    return cols / np.maximum(np.abs(cols).max(axis=1, keepdims=True), 1e-12)


# ------------------------------------------------------------------ the live demo
def perturb(x, noise=0.0, dx=0, dy=0, degrees=0.0, seed=0):
    """One image (784,) rotated by ``degrees``, shifted by (dx, dy) pixels, then given
    Gaussian pixel noise of std ``noise`` (clipped to [0, 1])."""
    moved = np.asarray(x, dtype=np.float32).reshape(1, -1)
    if degrees:
        moved = rotate_images(moved, float(degrees))
    moved = shift_images(moved, int(dx), int(dy))
    if noise > 0:
        moved = add_noise(moved, float(noise), np.random.default_rng(seed))
    return moved[0]


def _predict_proba_of(net):
    """The function that turns images X (n, 784) into class probabilities (n, k) for ``net``:
    a network's ``predict_proba`` method, or ``net`` itself if it is such a function
    (e.g. ``lambda X: forward(params, X)[0]``)."""
    if hasattr(net, "predict_proba"):
        return net.predict_proba
    if callable(net):
        return net
    raise CourseError(f"net must be a network with a predict_proba method (a course_lib "
                      f"Sequential) or a function predict_proba(X) -> (n, k) probabilities, e.g. "
                      f"lambda X: forward(params, X)[0]; got {type(net).__name__}.")


def _one_row_of_probabilities(result):
    """The (k,) probabilities in what a predict_proba returned for one image, or a CourseError."""
    try:
        p = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        p = None
    if p is None or p.ndim != 2 or p.shape[0] != 1:
        got = f"shape {p.shape}" if p is not None else f"a {type(result).__name__}"
        raise CourseError(f"net(X) must return probabilities of shape (n, k), one row per image, "
                          f"but for one image it returned {got}. If your forward returns "
                          f"(probs, cache), pass lambda X: forward(params, X)[0].")
    return p[0]


def perturbation_figure(net, X, y, index=0, noise=0.0, dx=0, dy=0, degrees=0.0,
                        class_names=CLASS_NAMES):
    """The test image ``index``, perturbed, beside the network's ten class probabilities.

    net : a network with ``predict_proba``, or a function predict_proba(X) -> (n, k).
    """
    x = perturb(X[index], noise, dx, dy, degrees)
    p = _one_row_of_probabilities(_predict_proba_of(net)(x.reshape(1, -1)))
    fig, (ax_img, ax_bar) = plt.subplots(1, 2, figsize=(8, 3),
                                        gridspec_kw={"width_ratios": [1, 2.2]}, layout="constrained")
    ax_img.imshow(x.reshape(SIDE, SIDE), cmap="gray_r", vmin=0, vmax=1)
    ax_img.set_title(f"true: {class_names[y[index]]}", fontsize=10)
    ax_img.axis("off")
    guess = int(np.argmax(p))
    colours = ["C2" if j == y[index] else ("C3" if j == guess else "C0") for j in range(len(p))]
    ax_bar.barh(range(len(p)), p, color=colours)
    ax_bar.set_yticks(range(len(p)), class_names, fontsize=8)
    ax_bar.invert_yaxis()
    ax_bar.set(xlim=(0, 1), xlabel="probability",
               title=f"prediction: {class_names[guess]} ({p[guess]:.1%})")
    return fig


def perturbation_demo(net, X, y, class_names=CLASS_NAMES):
    """The widget: pick a test image, rotate, shift and noise it, and watch the probabilities.

    net : a network with ``predict_proba``, or a function predict_proba(X) -> (n, k).
    """
    from . import live_demo, slider

    _predict_proba_of(net)   # refuse a wrong net now, not inside the widget's output

    def draw(index, noise, dx, dy, degrees):
        return perturbation_figure(net, X, y, index, noise, dx, dy, degrees, class_names)

    return live_demo(draw, index=slider(0, len(X) - 1, 1, 0, "test image", integer=True),
                     noise=slider(0.0, 1.0, 0.05, 0.0, "noise std"),
                     dx=slider(-6, 6, 1, 0, "shift right", integer=True),
                     dy=slider(-6, 6, 1, 0, "shift down", integer=True),
                     degrees=slider(-45.0, 45.0, 5.0, 0.0, "rotate (degrees)"))


# ------------------------------------------------------------------ lesson 09's last section
def _check_probabilities(probs, n):
    probs = np.asarray(probs, dtype=np.float64)
    if probs.shape != (n, 10):
        raise Hint(f"forward(params, X)[0] should be probabilities of shape ({n}, 10), but it "
                   f"has shape {probs.shape}")
    if not (np.all(np.isfinite(probs)) and np.allclose(probs.sum(axis=1), 1, atol=1e-3)):
        raise Hint("the rows of forward(params, X)[0] should be probabilities that sum to 1, "
                   "but they do not (is the softmax right?)")


class _NotYours(Exception):
    """Why demo_network falls back to the reference network (one line)."""


def demo_network(train, forward, X, y, rng):
    """predict_proba(X) -> (n, 10) for lesson 09's last section: the learner's own network,
    the one that check 09.4 trained and validated for this ``train``, run by their ``forward``.

    While there is none (``train`` is a stub, has not passed check 09.4 since it was last
    defined, or ``forward`` fails), the reference network is trained on X (n, 784), y (n,) with
    ``rng`` instead. Either way one printed line says whose network it is and, if not theirs,
    why not, naming the error: a bug is never hidden.
    """
    outcome = lesson09.checked_outcome(train)
    try:
        if outcome is None:
            raise _NotYours("Your train() has not been through check 09.4 since you last ran "
                            "its cell: run the check first")
        if outcome.status != "passed":
            raise _NotYours(outcome.reason.rstrip("."))
        params = outcome.params
        try:
            _check_probabilities(forward(params, X[:5])[0], len(X[:5]))
        except Exception as exc:   # the learner's forward: named in the line below
            raise _NotYours(lesson09.why_not_yours(exc, "forward")) from None
    except _NotYours as why:
        print(f"{why}, so this section uses the reference network.")
        return lesson09.reference_predict_proba(X, y, rng)
    print(f"This section uses your network: the one check 09.4 trained on the 50,000 fit "
          f"images and validated (validation accuracy {outcome.accuracy:.3f}).")
    return lambda images: forward(params, images)[0]
