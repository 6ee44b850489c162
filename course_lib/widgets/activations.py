"""Lesson 02's demos: activation curves, the zig-zag of all-positive inputs, vanishing gradients,
the ReLU-tanh race.

Every plotting function takes the controls' values and returns a matplotlib figure, so
that tests can call it at the sliders' extremes and ``live_demo`` can wire it to widgets.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import activations as act
from .._validation import CourseError, check_positive, lookup
from ..diagnostics import gradient_norms, saturated_fraction
from ..network import mlp
from ..optimizers import SGD

# The hidden-layer activations of the registry. PReLU has the leaky shape; only where its
# alpha comes from differs (it is learned), so it shares leaky_relu's maths.
CURVES = {name: spec for name, spec in act.ACTIVATIONS.items()
          if spec.hidden and name not in act.ALIASES}
CHOICES = tuple(CURVES)


def activation_and_derivative(name, alpha=0.1):
    """Return ``(f, f_prime)`` for an activation name, with ``alpha`` bound where it applies."""
    spec = lookup(CURVES, name, "activation")
    fn, prime = spec.fn, spec.prime
    if "alpha" not in spec.settings:
        return fn, prime
    return (lambda z: fn(z, alpha=alpha)), (lambda z: prime(z, alpha=alpha))


def mean_output(fn, mean=0.0, std=1.0, n_points=4001) -> float:
    """E[fn(z)] for z ~ N(mean, std^2), by the trapezoid rule on mean +- 8 std (deterministic)."""
    z = np.linspace(mean - 8 * std, mean + 8 * std, n_points)
    density = np.exp(-0.5 * ((z - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))
    values = fn(z) * density
    return float(np.sum((values[1:] + values[:-1]) / 2 * np.diff(z)))


def plot_activation(name="relu", alpha=0.1):
    """The activation a = f(z) (solid) and its slope f'(z) (dashed) on [-6, 6].

    The box reports the slopes at z = -10, 0, 10 (saturation) and E[f(z)] for z ~ N(0, 1)
    (how far from zero-centred the outputs are).
    """
    fn, prime = activation_and_derivative(name, alpha)
    z = np.linspace(-6, 6, 601)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(z, fn(z), lw=2, label=f"{name}(z)")
    ax.plot(z, prime(z), "--", lw=1.5, label=f"{name}'(z)")
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_ylim(-2.2, 3.2)
    ax.set_xlabel("z")
    slopes = prime(np.array([-10.0, 0.0, 10.0]))
    uses_alpha = "alpha" in lookup(CURVES, name, "activation").settings
    ax.set_title(f"{name}" + (f", alpha = {alpha:g}" if uses_alpha else "  (alpha not used)"))
    ax.text(0.02, 0.97, "slope at z = -10, 0, 10:\n" + ", ".join(f"{s:.2g}" for s in slopes)
            + f"\nmean output, z ~ N(0,1): {mean_output(fn):.3f}",
            transform=ax.transAxes, va="top", fontsize=9,
            bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85})
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    return fig


def zigzag_path(input_mean=0.5, learning_rate=0.5, steps=40, w_star=(1.0, -1.0), seed=0):
    """Per-example gradient descent for a 2-input linear unit whose inputs have a chosen mean.

    Inputs x ~ Uniform(input_mean - 0.5, input_mean + 0.5)^2, so input_mean >= 0.5 makes them
    all positive, as the outputs of a sigmoid layer are. The target is y = x @ w_star and the
    cost (x @ w - y)^2 / 2, so each step is -learning_rate * error * x: a multiple of x.
    Returns the weights visited, shape (steps + 1, 2), starting at (0, 0).
    """
    check_positive(learning_rate, "learning_rate")
    check_positive(steps, "steps", integer=True)
    rng = np.random.default_rng(seed)
    X = rng.uniform(input_mean - 0.5, input_mean + 0.5, size=(steps, 2))
    w_star = np.asarray(w_star, dtype=float)
    path = np.zeros((steps + 1, 2))
    for t, x in enumerate(X):
        error = x @ (path[t] - w_star)
        path[t + 1] = path[t] - learning_rate * error * x
    return path


def one_sign_fraction(G) -> float:
    """Fraction of the columns of G whose non-zero entries all share one sign.

    G : ndarray, shape (d_in, d_out), e.g. one example's dW, whose column j holds the
    gradients of unit j's incoming weights. Columns that are entirely zero are skipped.
    """
    G = np.asarray(G, dtype=float)
    if G.ndim != 2:
        raise CourseError(f"one_sign_fraction needs a 2-D array (d_in, d_out), got shape {G.shape}.")
    pos, neg = np.any(G > 0, axis=0), np.any(G < 0, axis=0)
    used = pos | neg
    if not np.any(used):
        return 0.0
    return float(np.mean((pos ^ neg)[used]))


def plot_zigzag(input_mean=0.5, learning_rate=0.5, steps=40, ax=None):
    """The path of ``zigzag_path`` over the cost's contours, with its one-sign fraction.

    Draws on ``ax`` if given (for side-by-side panels); returns the figure.
    """
    path = zigzag_path(input_mean, learning_rate, steps)
    w_star = np.array([1.0, -1.0])
    # Expected cost 1/2 (w - w*)^T E[x x^T] (w - w*) for the uniform inputs.
    second_moment = np.full((2, 2), input_mean ** 2) + np.eye(2) / 12
    g1, g2 = np.meshgrid(np.linspace(-1.0, 2.0, 121), np.linspace(-2.0, 1.0, 121))
    d = np.stack([g1 - w_star[0], g2 - w_star[1]], axis=-1)
    cost = 0.5 * np.einsum("...i,ij,...j->...", d, second_moment, d)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 4.4))
    ax.contour(g1, g2, cost, levels=12, cmap="Greys", linewidths=0.7)
    ax.plot(path[:, 0], path[:, 1], "o-", ms=3, lw=1.2, color="C3", label="per-example steps")
    ax.plot(*w_star, "*", ms=14, color="C2", label="w* = (1, -1)")
    ax.plot(0, 0, "s", color="k", ms=5, label="start")
    ax.set_xlim(-1.0, 2.0)
    ax.set_ylim(-2.0, 1.0)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_aspect("equal")
    moves = np.diff(path, axis=0)
    same = one_sign_fraction(moves.T)
    length = np.sum(np.linalg.norm(moves, axis=1))
    ax.set_title(f"inputs in [{input_mean - 0.5:.2g}, {input_mean + 0.5:.2g}]: {same:.0%} of steps move\n"
                 f"both weights one way; path {length:.2f} long, end {np.linalg.norm(path[-1] - w_star):.2f}"
                 f" from w*", fontsize=9)
    ax.legend(loc="upper right", fontsize="x-small")
    ax.figure.tight_layout()
    return ax.figure


def training_error_curve(net, X, y, steps, every=20, batch_size=32, X_eval=None, y_eval=None,
                         seed=0, monitor=None):
    """Train a compiled ``net`` for ``steps`` minibatch steps, measuring error every ``every`` steps.

    X : (n, d), y : (n,) labels. The error is 1 - accuracy on (X_eval, y_eval), the training
    data by default. Minibatches come from reshuffled passes over X, drawn with ``seed``.
    Returns (step_counts, errors), both shape (steps // every,). With ``monitor``, a function
    of the network returning a number, it is also called at every measurement and the result
    is (step_counts, errors, monitored), the third of the same shape.
    """
    check_positive(steps, "steps", integer=True)
    check_positive(every, "every", integer=True)
    X_eval, y_eval = (X, y) if X_eval is None else (X_eval, y_eval)
    rng = np.random.default_rng(seed)
    order = np.empty(0, dtype=np.intp)
    counts, errors, monitored = [], [], []
    for done in range(every, steps + 1, every):
        while len(order) < every * batch_size:
            order = np.concatenate([order, rng.permutation(len(X))])
        chunk, order = order[:every * batch_size], order[every * batch_size:]
        net.fit(X[chunk], y[chunk], epochs=1, batch_size=batch_size, shuffle=False, progress=False)
        counts.append(done)
        errors.append(1.0 - net.evaluate(X_eval, y_eval)[1])
        if monitor is not None:
            monitored.append(float(monitor(net)))
    if monitor is None:
        return np.array(counts), np.array(errors)
    return np.array(counts), np.array(errors), np.array(monitored)


def steps_to_reach(step_counts, errors, target):
    """The first step count at which the error is <= target, or None if it never is."""
    hits = np.flatnonzero(np.asarray(errors) <= target)
    return int(np.asarray(step_counts)[hits[0]]) if hits.size else None


# The race of section 5.1: (activation, weight initialization) pairs, each at two learning rates.
RACE_SETUPS = (("tanh", "glorot_uniform"), ("relu", "he"), ("tanh", "large_normal"))


def activation_race(X, y, seeds=range(5), setups=RACE_SETUPS, learning_rates=(0.05, 0.1),
                    sizes=(784, 64, 64, 64, 10), steps=400, every=20, n_eval=1000):
    """Krizhevsky-style race: SGD (minibatches of 32) per setup, learning rate and seed.

    X : (n, d) float32 training images, y : (n,) labels; the error is measured every ``every``
    steps on the first ``n_eval`` of them. For tanh networks the share of saturated hidden
    outputs (``saturated_fraction``, |a| > 0.99) is recorded at the same moments. Returns a
    JSON-ready dict: "steps" (list), and "runs", a list of dicts with keys activation, init,
    learning_rate, seed, errors (list) and, for tanh, saturated (list).
    """
    X_eval, y_eval = X[:n_eval], y[:n_eval]
    runs, counts = [], None
    for seed in seeds:
        for activation, init in setups:
            for learning_rate in learning_rates:
                net = mlp(list(sizes), activation=activation, weight_init=init, rng=seed, dtype="float32")
                net.compile("categorical_crossentropy", SGD(learning_rate))
                monitor = (lambda n: saturated_fraction(n, X_eval)) if activation == "tanh" else None
                curve = training_error_curve(net, X, y, steps=steps, every=every, X_eval=X_eval,
                                             y_eval=y_eval, seed=seed, monitor=monitor)
                counts = curve[0]
                run = {"activation": activation, "init": init, "learning_rate": learning_rate,
                       "seed": int(seed), "errors": [round(float(e), 4) for e in curve[1]]}
                if monitor is not None:
                    run["saturated"] = [round(float(f), 5) for f in curve[2]]
                runs.append(run)
    return {"steps": [int(c) for c in counts], "runs": runs}


def gradient_ratio(X, y, n_hidden, activation="sigmoid", weight_init="scaled_normal", width=64,
                   seed=0):
    """|dC/dW| of the first weight matrix over that of the last, in a fresh deep network.

    The network is mlp([d] + [width] * n_hidden + [10]) with ``activation`` in its hidden layers
    and a softmax output, float64, initialised with ``seed``; the gradient is that of the
    cross-entropy on the batch X : (n, d), y : (n,). A ratio far below 1 is a vanishing gradient.
    """
    check_positive(n_hidden, "n_hidden", integer=True)
    net = mlp([X.shape[1]] + [width] * n_hidden + [10], activation=activation,
              weight_init=weight_init, rng=seed)
    net.compile("categorical_crossentropy", "sgd")
    norms = list(gradient_norms(net, X, y).values())
    return norms[0] / norms[-1]
