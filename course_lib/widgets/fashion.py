"""Lesson 07's demos: a real Fashion-MNIST classifier, from raw bytes to a look inside.
(Lesson 09's live demo reuses the perturbation widget on the learner's own network.)

Images are rows of 784 pixels in [0, 1]: X has shape (n, 784), labels y have shape (n,).
The model builders return compiled networks; the sweeps return plain dicts that a notebook
caches as JSON.
"""
from __future__ import annotations

import gzip
import time

import matplotlib.pyplot as plt
import numpy as np

from .._validation import CourseError
from ..augment import add_noise, rotate_images, shift_images
from ..callbacks import LearningRateSchedule, cosine_decay
from ..data import CLASS_NAMES, find_fashion_mnist, standardize, train_val_split
from ..layers import Dense, Dropout, ReLU, Sigmoid, Softmax
from ..network import Sequential
from ..optimizers import Adam

SIDE = 28


# ------------------------------------------------------------------ raw bytes
def idx_header(raw: bytes) -> dict:
    """Decode an IDX file's header: a big-endian magic number, then one 4-byte size per axis.

    The magic's third byte is the value type (0x08 = unsigned byte), its fourth the number
    of axes. Returns {"magic", "type_code", "ndim", "dims", "header_bytes"}.
    """
    magic = int.from_bytes(raw[:4], "big")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return {"magic": magic, "type_code": raw[2], "ndim": ndim, "dims": dims,
            "header_bytes": 4 + 4 * ndim}


def raw_idx_bytes(name="t10k-labels-idx1-ubyte.gz", n=32) -> bytes:
    """The first ``n`` decompressed bytes of one of the four Fashion-MNIST files."""
    with gzip.open(find_fashion_mnist() / name, "rb") as f:
        return f.read(n)


# ------------------------------------------------------------------ the models
def seed_model(rng=0, epsilon=1e-7) -> Sequential:
    """The seed tutorial's Keras model: Dense(784,128) ReLU Dropout(0.2) Dense(128,10) Softmax.

    Glorot-uniform weights, zero biases, Adam(1e-3), categorical cross-entropy, float32:
    each choice is the Keras default the tutorial relied on. 101,770 parameters.
    """
    net = Sequential([Dense(784, 128), ReLU(), Dropout(0.2), Dense(128, 10), Softmax()],
                     rng=rng, dtype="float32")
    return net.compile("categorical_crossentropy", Adam(1e-3, epsilon=epsilon))


def small_model(rng=0) -> Sequential:
    """3Blue1Brown's 784-16-16-10 digit network (sigmoid hidden units): 13,002 parameters."""
    net = Sequential([Dense(784, 16), Sigmoid(), Dense(16, 16), Sigmoid(), Dense(16, 10), Softmax()],
                     rng=rng, dtype="float32")
    return net.compile("categorical_crossentropy", Adam(1e-3))


def wide_model(hidden=(256, 256), dropout=0.2, learning_rate=1e-3, rng=0) -> Sequential:
    """A deeper, wider ReLU network with dropout after every hidden layer, He-initialised."""
    layers, n_in = [], 784
    for width in hidden:
        layers += [Dense(n_in, width, weight_init="he"), ReLU(), Dropout(dropout)]
        n_in = width
    layers += [Dense(n_in, 10), Softmax()]
    net = Sequential(layers, rng=rng, dtype="float32")
    return net.compile("categorical_crossentropy", Adam(learning_rate))


# ------------------------------------------------------------------ training runs
def train_recipe(data, seed=0, epochs=5, batch_size=32, val_fraction=0.0, epsilon=1e-7,
                 cosine=False, standardized=False, progress=False, callbacks=()):
    """Train the seed model once and return (net, result).

    data : ((X_train, y_train), (X_test, y_test)). val_fraction > 0 holds out that share
    of the training set (as a validation split would) instead of training on all of it.
    cosine : decay the learning rate from 1e-3 towards 0 over the epochs.
    standardized : shift and scale every pixel by the training set's mean and std.
    result : {"seed", "test_loss", "test_accuracy", "seconds"}.
    """
    (X_train, y_train), (X_test, y_test) = data
    if val_fraction:
        (X_train, y_train), _ = train_val_split(X_train, y_train, val_fraction, rng=seed)
    if standardized:
        X_train, mean, std = standardize(X_train)
        X_test = standardize(X_test, mean, std)[0]
    net = seed_model(rng=seed, epsilon=epsilon)
    callbacks = list(callbacks)
    if cosine:   # final > 0: the schedule is also asked for the rate after the last epoch
        callbacks.append(LearningRateSchedule(cosine_decay(1e-3, epochs, final=1e-6)))
    start = time.perf_counter()
    net.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, progress=progress,
            callbacks=callbacks)
    seconds = time.perf_counter() - start
    loss, acc = net.evaluate(X_test.astype(np.float32), y_test)
    return net, {"seed": seed, "test_loss": round(float(loss), 4),
                 "test_accuracy": round(float(acc), 4), "seconds": round(seconds, 1)}


def train_best(data, hidden=(256, 256), dropout=0.2, learning_rate=2e-3, batch_size=128,
               epochs=20, seed=0, progress=False, callbacks=()):
    """Train the course's best Fashion-MNIST network; return (net, record).

    Standardized inputs (the training set's per-pixel mean and std), ``wide_model``, and Adam
    whose learning rate falls along a half cosine to almost 0 over the epochs.
    data : ((X_train, y_train), (X_test, y_test)). The record holds the settings, the
    training time in seconds, the history, and the test loss and accuracy.
    """
    (X_train, y_train), (X_test, y_test) = data
    start = time.perf_counter()
    X_std, mean, std = standardize(X_train)
    net = wide_model(hidden, dropout, learning_rate, rng=seed)
    schedule = LearningRateSchedule(cosine_decay(learning_rate, epochs, final=1e-6))
    history = net.fit(X_std.astype(np.float32), y_train, epochs=epochs, batch_size=batch_size,
                      progress=progress, callbacks=[schedule, *callbacks])
    seconds = time.perf_counter() - start
    loss, acc = net.evaluate(standardize(X_test, mean, std)[0].astype(np.float32), y_test)
    record = {"hidden": list(hidden), "dropout": dropout, "learning_rate": learning_rate,
              "batch_size": batch_size, "epochs": epochs, "seed": seed,
              "parameters": net.count_params(), "seconds": round(seconds, 2),
              "history": {k: [round(float(v), 4) for v in vals] for k, vals in history.items()},
              "test_loss": round(float(loss), 4), "test_accuracy": round(float(acc), 4)}
    return net, record


RECIPES = {
    "keras defaults, all 60,000": {},
    "54,000 + validation split": {"val_fraction": 0.1},
    "Adam epsilon 1e-8": {"epsilon": 1e-8},
    "standardized inputs": {"standardized": True},
    "cosine learning-rate decay": {"cosine": True},
}


def seed_sweep(data, seeds=range(6), recipes=None, progress=True) -> dict:
    """Train the seed model once per (recipe, seed); return {recipe: [result, ...]}."""
    from tqdm.auto import tqdm
    recipes = RECIPES if recipes is None else recipes
    out = {}
    jobs = [(name, seed) for name in recipes for seed in seeds]
    for name, seed in tqdm(jobs, disable=not progress, desc="sweep"):
        out.setdefault(name, []).append(train_recipe(data, seed, **recipes[name])[1])
    return out


def summarize_sweep(sweep, target=0.8736) -> list[dict]:
    """Per recipe of ``sweep`` ({recipe: [result, ...]}, as seed_sweep returns it): mean, std, min,
    max test accuracy and how many seeds reach ``target``."""
    rows = []
    for name, results in sweep.items():
        acc = np.array([r["test_accuracy"] for r in results])
        loss = np.array([r["test_loss"] for r in results])
        rows.append({"recipe": name, "mean": float(acc.mean()), "std": float(acc.std(ddof=1)),
                     "min": float(acc.min()), "max": float(acc.max()),
                     "mean_loss": float(loss.mean()), "reach": int(np.sum(acc >= target)),
                     "runs": len(acc)})
    return rows


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
    raise ValueError(f"kind must be 'uniform' or 'blobs', got {kind!r}.")


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
