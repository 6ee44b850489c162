"""Checkers for lesson 04, gradient descent. Reference answers live here, not in the notebook."""
from __future__ import annotations

import numpy as np

from .core import Hint, exercise


def _descent_1d(slope, x0, learning_rate, steps):
    xs = [float(x0)]
    for _ in range(steps):
        xs.append(xs[-1] - learning_rate * slope(xs[-1]))
    return np.array(xs)


@exercise("04.1", "Gradient descent in one dimension")
def check_descent_1d(gradient_descent_1d):
    def parabola_slope(x):   # f(x) = (x - 3)^2, minimum at 3
        return 2 * (x - 3)

    cases = [(parabola_slope, 0.0, 0.1, 5), (parabola_slope, 10.0, 0.25, 3),
             (lambda x: 4 * x ** 3 - 6 * x + 1, 2.0, 0.02, 40), (np.cos, 1.0, 0.5, 0)]
    for slope, x0, lr, steps in cases:
        got = np.asarray(gradient_descent_1d(slope, x0, lr, steps), dtype=float).ravel()
        want = _descent_1d(slope, x0, lr, steps)
        if len(got) != steps + 1:
            raise Hint(f"With steps={steps} the path should hold {steps + 1} positions (the start "
                       f"plus one per step), but it holds {len(got)}. Include x0 as the first entry.")
        if got[0] != x0:
            raise Hint(f"The first position should be the start x0 = {x0}, but it is {got[0]}.")
        if steps and slope(x0) != 0 and np.isclose(got[1], x0 + lr * slope(x0)):
            raise Hint("Your first step went uphill: x + learning_rate * slope. Walk against the "
                       "slope: x <- x - learning_rate * slope(x).")
        stale = np.array([x0 - k * lr * slope(x0) for k in range(steps + 1)])
        if steps > 1 and np.allclose(got, stale, rtol=1e-10, atol=1e-12) \
                and not np.allclose(stale, want, rtol=1e-10, atol=1e-12):
            raise Hint(f"From x0={x0} every step used the slope at the start, slope(x0). The "
                       f"slope changes as you walk: evaluate it at the current position, "
                       f"x <- x - learning_rate * slope(x).")
        if not np.allclose(got, want, rtol=1e-10, atol=1e-12):
            i = int(np.argmax(~np.isclose(got, want, rtol=1e-10, atol=1e-12)))
            raise Hint(f"From x0={x0} with learning rate {lr}, position {i} should be {want[i]:.6f} "
                       f"but is {got[i]:.6f}. Each step is x <- x - learning_rate * slope(x), using "
                       f"the slope at the current x.")
    return "your walk matches, including zero steps and the double well's local minimum"


@exercise("04.2", "The largest stable learning rate of a quadratic bowl")
def check_max_stable_learning_rate(max_stable_learning_rate):
    rng = np.random.default_rng(404)
    M = rng.normal(size=(5, 5))
    cases = [np.diag([4.0, 1.0]), np.array([[6.0, 2.0], [2.0, 3.0]]), np.array([[8.0]]),
             M @ M.T + 0.5 * np.eye(5), np.array([[1.0, 0.9], [0.9, 1.0]])]
    for A in cases:
        eig = np.linalg.eigvalsh(A)
        want = 2.0 / eig[-1]
        got = float(max_stable_learning_rate(A.copy()))
        if np.isclose(got, want, rtol=1e-9):
            continue
        shown = np.array2string(A, precision=3)
        if np.isclose(got, 1.0 / eig[-1], rtol=1e-6):
            raise Hint(f"For A = {shown} you returned 1/lambda_max. The error along the steepest "
                       f"direction is multiplied by (1 - eta lambda) each step; it shrinks while "
                       f"that factor lies in (-1, 1), i.e. up to eta = 2/lambda_max.")
        if np.isclose(got, 2.0 / eig[0], rtol=1e-6):
            raise Hint(f"For A = {shown} you used the smallest eigenvalue. The steepest direction "
                       f"(largest eigenvalue) is the first to blow up.")
        if np.isclose(got, 2.0 / np.max(np.diag(A)), rtol=1e-6):
            raise Hint(f"For A = {shown} you used the largest diagonal entry. When A is not diagonal "
                       f"the curvatures are its eigenvalues: np.linalg.eigvalsh(A).")
        raise Hint(f"For A = {shown} the largest stable learning rate is 2/lambda_max = {want:.6g}, "
                   f"but you returned {got:.6g}.")
    return "2 / lambda_max, right for diagonal, tilted, 1x1 and 5x5 bowls"


@exercise("04.3", "Counting a brute-force search")
def check_brute_force(count_evaluations):
    for n_weights, n_values in [(25, 1000), (2, 10), (0, 1000), (3, 1), (13_002, 2)]:
        want = n_values ** n_weights
        got = count_evaluations(n_weights, n_values)
        if isinstance(got, float) or isinstance(got, np.floating):
            raise Hint(f"count_evaluations({n_weights}, {n_values}) returned a float ({got!r}). "
                       f"Floats keep only about 16 digits; return an exact Python int, "
                       f"e.g. n_values ** n_weights.")
        if got == n_weights ** n_values and got != want:
            raise Hint(f"count_evaluations({n_weights}, {n_values}) = {got}: the base and the "
                       f"exponent are swapped. Each of the {n_weights} weights takes one of "
                       f"{n_values} values, so there are {n_values} x {n_values} x ... "
                       f"({n_weights} factors) combinations.")
        if got != want:
            raise Hint(f"count_evaluations({n_weights}, {n_values}) should be {n_values}**{n_weights}"
                       f" but you returned {got}. If you used NumPy integers, they silently wrap "
                       f"around past 2**63; Python's int never overflows.")
    return "exact, even for 2**13002 (a 3,914-digit number)"


def _sizes(batches):
    return [len(b) for b in batches]


@exercise("04.4", "Shuffled minibatches for one epoch")
def check_minibatches(minibatch_indices):
    for n, b in [(10, 3), (7, 7), (5, 1), (100, 32), (1, 1)]:
        batches = [np.asarray(i) for i in minibatch_indices(n, b, np.random.default_rng(1))]
        want_sizes = [b] * (n // b) + ([n % b] if n % b else [])
        if sum(_sizes(batches)) == n - n % b and n % b:
            raise Hint(f"For n={n}, batch_size={b} your batches cover only {n - n % b} examples: "
                       f"keep the last, smaller batch of {n % b} so every example is used.")
        flat = np.concatenate(batches) if batches else np.array([], dtype=int)
        if len(flat) != n or sorted(flat.tolist()) != list(range(n)):
            raise Hint(f"For n={n}, batch_size={b} the batches together must hold each index "
                       f"0..{n - 1} exactly once. Shuffle with rng.permutation(n) (not "
                       f"rng.integers, which repeats some examples and skips others), then slice.")
        if _sizes(batches) != want_sizes:
            raise Hint(f"For n={n}, batch_size={b} the batch sizes should be {want_sizes}, "
                       f"but they are {_sizes(batches)}.")
    first = np.concatenate(minibatch_indices(100, 10, np.random.default_rng(3)))
    if np.array_equal(first, np.arange(100)):
        raise Hint("The examples come out in their original order. Shuffle them with "
                   "rng.permutation(n) so that each minibatch is a random sample.")
    again = np.concatenate(minibatch_indices(100, 10, np.random.default_rng(3)))
    other = np.concatenate(minibatch_indices(100, 10, np.random.default_rng(4)))
    if not np.array_equal(first, again) or np.array_equal(first, other):
        raise Hint("Use the rng you are given (rng.permutation(n)): the same seed must give the "
                   "same batches and a different seed different ones.")
    return "every example once per epoch, shuffled by your rng, last batch kept"
