"""Gradient descent on small functions you can draw: walk downhill and record the path.

A *surface* is a function of a point ``w`` together with its gradient. Both broadcast
over leading axes: ``w`` of shape (..., d) gives values of shape (...) and gradients of
shape (..., d), so one call fills a contour grid or scores a whole recorded path.

The walking itself is done by course_lib's optimizers on a parameter array, exactly as
they update a network's weights: ``SGD`` is w <- w - learning_rate * dL/dw.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ._validation import CourseError, check_positive
from .optimizers import SGD, Optimizer


# ------------------------------------------------------------------ 1-D: a double well
def double_well(x):
    """f(x) = x^4 - 3x^2 + x: a global minimum near x = -1.30 and a local one near x = 1.13."""
    x = np.asarray(x, dtype=float)
    return x ** 4 - 3 * x ** 2 + x


def double_well_prime(x):
    """f'(x) = 4x^3 - 6x + 1, the slope of double_well."""
    x = np.asarray(x, dtype=float)
    return 4 * x ** 3 - 6 * x + 1


def double_well_critical_points():
    """The three x where the slope is zero, sorted: global minimum, maximum, local minimum."""
    return np.sort(np.roots([4.0, 0.0, -6.0, 1.0]).real)


# ------------------------------------------------------------------ 2-D surfaces
class Surface:
    """A scalar function of a point w (..., d) and its gradient (..., d)."""

    def __init__(self, value, gradient, name="surface", minimum=None):
        self._value, self._gradient, self.name = value, gradient, name
        self.minimum = None if minimum is None else np.asarray(minimum, dtype=float)

    def __call__(self, w):
        return self._value(np.asarray(w, dtype=float))

    def gradient(self, w):
        return self._gradient(np.asarray(w, dtype=float))

    def grid(self, xlim, ylim, resolution=81):
        """(X, Y, Z) for a contour plot of a 2-D surface over xlim x ylim."""
        xs, ys = np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
        X, Y = np.meshgrid(xs, ys)
        return X, Y, self(np.stack([X, Y], axis=-1))

    def __repr__(self):
        return f"Surface({self.name!r})"


class QuadraticBowl(Surface):
    """L(w) = 1/2 (w - c)^T A (w - c) for a symmetric positive-definite A (d, d).

    Its gradient is A (w - c), so plain gradient descent multiplies the distance to the
    minimum along each eigenvector of A by (1 - learning_rate * lambda). That stays
    below 1 in size exactly when learning_rate < 2 / lambda_max.
    """

    def __init__(self, A, center=None, name="quadratic bowl"):
        A = np.array(A, dtype=float)
        if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.allclose(A, A.T):
            raise CourseError(f"A must be a symmetric square matrix, but got {A.tolist()}.")
        eigenvalues = np.linalg.eigvalsh(A)
        if eigenvalues[0] <= 0:
            raise CourseError(f"A must be positive definite (all eigenvalues > 0) for the bowl to "
                              f"have a bottom; its eigenvalues are {eigenvalues.round(4).tolist()}.")
        self.A, self.eigenvalues = A, eigenvalues
        center = np.zeros(len(A)) if center is None else np.asarray(center, dtype=float)
        super().__init__(self._bowl_value, self._bowl_gradient, name, minimum=center)

    def _bowl_value(self, w):
        d = w - self.minimum
        return 0.5 * np.einsum("...i,ij,...j->...", d, self.A, d)

    def _bowl_gradient(self, w):
        return (w - self.minimum) @ self.A   # A is symmetric, so row-vector form is A (w - c)

    @property
    def max_stable_learning_rate(self):
        """The theory's bound 2 / lambda_max: larger steps make the walk diverge."""
        return 2.0 / self.eigenvalues[-1]

    @property
    def condition_number(self):
        """lambda_max / lambda_min: how much longer the bowl is than it is wide."""
        return self.eigenvalues[-1] / self.eigenvalues[0]

    def contraction(self, learning_rate):
        """The factors 1 - learning_rate * lambda_i that each step multiplies the error by."""
        return 1.0 - learning_rate * self.eigenvalues

    def regime(self, learning_rate):
        """("slow" | "smooth" | "oscillates" | "diverges", steps to shrink the error tenfold).

        Negative factors flip the sign of the error at every step (oscillation); a factor
        above 1 in size grows it (divergence). "slow" means over 100 steps per tenfold.
        """
        factors = self.contraction(learning_rate)
        worst = np.max(np.abs(factors))
        if worst >= 1.0:
            return "diverges", np.inf
        steps = np.log(10.0) / -np.log(worst) if worst > 0 else 1.0
        if np.any(factors < 0):
            return "oscillates", steps
        return ("slow" if steps > 100 else "smooth"), steps

    def __repr__(self):
        return f"QuadraticBowl(A={self.A.tolist()}, center={self.minimum.tolist()})"


def rotated_bowl(eigenvalues, angle_degrees=0.0, center=None, name="quadratic bowl"):
    """A 2-D QuadraticBowl with the given curvatures, its long axis turned by angle_degrees."""
    t = np.deg2rad(angle_degrees)
    R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return QuadraticBowl(R @ np.diag(eigenvalues) @ R.T, center, name)


def ravine(angle_degrees=20.0):
    """A long, narrow valley (curvatures 0.2 and 20): plain descent zig-zags across it.

    Its long axis is turned by angle_degrees from the x axis; at 0 the steep and the flat
    directions are the coordinates themselves, which is what Adam's per-coordinate scaling suits.
    """
    return rotated_bowl([0.2, 20.0], angle_degrees=angle_degrees, name="ravine")


def two_valleys():
    """f(x, y) = x^4 - 3x^2 + x + y^2: the double well stretched into two valleys along y."""
    def value(w):
        return double_well(w[..., 0]) + w[..., 1] ** 2

    def gradient(w):
        return np.stack([double_well_prime(w[..., 0]), 2 * w[..., 1]], axis=-1)

    x_min = double_well_critical_points()[0]
    return Surface(value, gradient, "two valleys", minimum=[x_min, 0.0])


# ------------------------------------------------------------------ walking downhill
def as_optimizer(optimizer) -> Optimizer:
    """A learning rate means plain SGD; an Optimizer instance is used as it is."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    return SGD(learning_rate=optimizer)


def descend(gradient, w0, optimizer=0.1, steps=50, max_norm=1e6):
    """Walk from w0 against the gradient; return the path, shape (steps + 1, *w0.shape).

    gradient : function w -> dL/dw, same shape as w.
    optimizer : a learning rate (plain SGD) or a course_lib optimizer such as
        SGD(0.05, momentum=0.9) or Adam(0.1); its state is reset first.
    The walk stops early, with a shorter path, once any |w_i| exceeds max_norm (divergence).
    """
    check_positive(steps, "steps", integer=True)
    opt = as_optimizer(optimizer)
    opt.reset()
    w = np.array(w0, dtype=float)
    params = {"w": w}
    path = [w.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            opt.step(params, {"w": gradient(w)})
            path.append(w.copy())
            if not np.all(np.abs(w) <= max_norm):
                break
    return np.array(path)


def is_stable(surface, w0, learning_rate, steps=1000):
    """True if plain descent at this learning rate ends lower than it started."""
    path = descend(surface.gradient, w0, learning_rate, steps)
    start, end = surface(path[0]), surface(path[-1])
    return bool(len(path) == steps + 1 and np.isfinite(end) and end < start)


def largest_stable_learning_rate(surface, w0, low, high, steps=1000, tol=1e-4):
    """Bisect for the largest learning rate at which descent from w0 still goes downhill.

    Needs is_stable at ``low`` and not at ``high``. With many steps, a rate just above
    the true limit grows the error by a large factor, so the bisection lands close to it.
    """
    if not is_stable(surface, w0, low, steps) or is_stable(surface, w0, high, steps):
        raise CourseError(f"Bisection needs a stable low={low} and an unstable high={high}.")
    while high - low > tol * high:
        mid = 0.5 * (low + high)
        low, high = (mid, high) if is_stable(surface, w0, mid, steps) else (low, mid)
    return low


# ------------------------------------------------------------------ batch vs minibatch
class LineFit(Surface):
    """Fit y ~ w x + b to n points: the smallest learning problem with a 2-D loss surface.

    theta = [w, b]; L(theta) = 1/2 mean over examples of (w x + b - y)^2.
    The full loss uses the data's moments, so scoring a whole path is one cheap call.
    """

    def __init__(self, x, y):
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if self.x.ndim != 1 or self.x.shape != self.y.shape:
            raise CourseError(f"x and y must be 1-D and of one length, got {self.x.shape} "
                              f"and {self.y.shape}.")
        self.n = len(self.x)
        x, y = self.x, self.y
        self._moments = [np.mean(v) for v in (x * x, x, x * y, y, y * y)]
        H = np.array([[self._moments[0], self._moments[1]], [self._moments[1], 1.0]])
        self.hessian = H
        best = np.linalg.solve(H, [self._moments[2], self._moments[3]])
        super().__init__(self._loss, self._full_gradient, "line fit", minimum=best)

    def _loss(self, theta):
        w, b = theta[..., 0], theta[..., 1]
        xx, x, xy, y, yy = self._moments
        return 0.5 * (w * w * xx + 2 * w * b * x + b * b - 2 * w * xy - 2 * b * y + yy)

    def _full_gradient(self, theta):
        return (theta - self.minimum) @ self.hessian

    def batch_gradient(self, theta, idx):
        """The gradient [dL/dw, dL/db] from the examples idx only (a minibatch estimate)."""
        x, y = self.x[idx], self.y[idx]
        error = theta[0] * x + theta[1] - y
        return np.array([np.mean(error * x), np.mean(error)])

    def __repr__(self):
        return f"LineFit(n={self.n})"


def make_line_fit(n=20_000, slope=2.0, intercept=-1.0, noise=1.0, rng=None):
    """n points with x ~ N(1, 1) and y = slope x + intercept + noise: a tilted, elongated bowl."""
    rng = np.random.default_rng(rng)
    x = rng.normal(1.0, 1.0, size=n)
    return LineFit(x, slope * x + intercept + rng.normal(0.0, noise, size=n))


@dataclass
class DescentRun:
    """A recorded walk: one row per step, including the start.

    path (steps + 1, d); epochs (steps + 1,) examples seen / n; loss (steps + 1,);
    seconds (steps + 1,) compute time so far, as steps x the median time of one step
    (gradient and update; scoring is not timed). The median ignores the moments when
    the machine was busy with something else.
    """
    batch_size: int
    path: np.ndarray
    epochs: np.ndarray
    seconds: np.ndarray
    loss: np.ndarray


def minibatch_descent(problem, theta0, learning_rate, batch_size, epochs=1.0, rng=None,
                      max_norm=1e6):
    """Minibatch gradient descent on a LineFit: shuffle each epoch, step once per batch.

    batch_size = problem.n is batch descent, 1 is stochastic descent, in between is
    minibatch descent. ``epochs`` may be fractional (the walk stops part-way through).
    Like ``descend``, it stops early once any |theta_i| exceeds max_norm.
    """
    check_positive(batch_size, "batch_size", integer=True)
    check_positive(epochs, "epochs")
    if batch_size > problem.n:
        raise CourseError(f"batch_size={batch_size} is larger than the {problem.n} examples.")
    rng = np.random.default_rng(rng)
    opt = SGD(learning_rate)
    theta = np.array(theta0, dtype=float)
    params = {"theta": theta}
    n, total = problem.n, int(round(epochs * problem.n))
    path, seen, durations = [theta.copy()], [0], []
    diverged = False
    while seen[-1] < total and not diverged:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            if seen[-1] >= total or diverged:
                break
            tic = time.perf_counter()
            idx = order[start:start + batch_size]
            opt.step(params, {"theta": problem.batch_gradient(theta, idx)})
            durations.append(time.perf_counter() - tic)
            path.append(theta.copy())
            seen.append(seen[-1] + len(idx))
            diverged = not np.all(np.abs(theta) <= max_norm)
    path = np.array(path)
    seconds = np.arange(len(path)) * (np.median(durations) if durations else 0.0)
    return DescentRun(batch_size, path, np.array(seen) / n, seconds, problem(path))


def brute_force_evaluations(n_weights, n_values):
    """How many loss evaluations a grid search over n_values settings per weight needs (exact)."""
    return int(n_values) ** int(n_weights)
