"""Checkers for lesson 03, cost functions. Reference answers are built from course_lib."""
from __future__ import annotations

from functools import partial

import numpy as np

from ..activations import sigmoid
from ..single_neuron import neuron_cost, neuron_gradients
from .core import Hint, answer_array, call_quietly, exercise

_as_array = partial(answer_array, returns="numbers",
                    expected="the input had shape {shape}: work elementwise so the output has "
                             "the input's shape.")


@exercise("03.1", "sigma'(z) = sigma(z)(1 - sigma(z))")
def check_sigmoid_derivative(sigmoid_derivative):
    z = np.array([[-800.0, -40.0, -6.0, -2.5, -0.7], [0.0, 0.3, 1.9, 40.0, 800.0]])
    s = sigmoid(z)
    numeric = (sigmoid(z + 1e-5) - sigmoid(z - 1e-5)) / 2e-5    # centred differences
    got = _as_array(call_quietly(sigmoid_derivative, z.copy()), z.shape, "sigmoid_derivative(z)")
    if np.all(np.abs(got - numeric) < 1e-9):
        return "matches finite differences to better than 1e-9 on 10 unseen points, from z = -800 to 800."
    if not np.all(np.isfinite(got)):
        bad = z[~np.isfinite(got)][0]
        raise Hint(f"your derivative is {got[~np.isfinite(got)][0]} at z = {bad:g}: e^-z overflows "
                   f"there. Build it from sigmoid(z), which never overflows: "
                   f"sigmoid(z) * (1 - sigmoid(z)).")
    if np.allclose(got, s):
        raise Hint("you returned sigma(z) itself. The derivative is sigma(z) * (1 - sigma(z)).")
    if np.allclose(got, z * (1 - z)):
        raise Hint("you applied the formula to z instead of to sigma(z): compute s = sigmoid(z) "
                   "first, then s * (1 - s).")
    # Report the point where the answer is furthest off, never one where it happens to be right.
    i = np.unravel_index(np.argmax(np.abs(got - numeric)), z.shape)
    exact = np.exp(-abs(z[i])) / (1 + np.exp(-abs(z[i]))) ** 2     # sigma'(z), even where 1 - sigma rounds to 0
    raise Hint(f"at z = {z[i]:g} the slope of sigma is {exact:.4g}, but yours gives {got[i]:.4g}. "
               f"Use sigma'(z) = sigma(z) * (1 - sigma(z)).")


def _reference_bce(a, y):
    return float(np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a))))


@exercise("03.2", "the cross-entropy cost, the right way round")
def check_bce_cost(bce_cost):
    cases = [
        (np.array([0.9, 0.2, 0.6, 0.01]), np.array([0.0, 1.0, 1.0, 0.0])),
        (np.array([0.3, 0.7, 0.5]), np.array([0.3, 0.2, 0.9])),       # non-binary targets
        (np.array([0.999]), np.array([1.0])),
    ]
    for a, y in cases:
        expected = _reference_bce(a, y)
        try:
            got = float(call_quietly(bce_cost, a.copy(), y.copy()))
        except (TypeError, ValueError):
            raise Hint("bce_cost(a, y) should return one number, the mean cost over the "
                       "examples (use np.mean).") from None
        if np.isclose(got, expected, rtol=1e-6):
            continue
        swapped = float(np.mean(-(a * np.log(y) + (1 - a) * np.log(1 - y)))) \
            if np.all((y > 0) & (y < 1)) else np.nan
        if not np.isfinite(got) or np.isclose(got, swapped, rtol=1e-6):
            raise Hint(f"for a = {a.tolist()}, y = {y.tolist()} your cost is {got:.4g}, but it should "
                       f"be {expected:.4f}. It looks like a and y are swapped: the logs belong on the "
                       f"output a, which lies strictly between 0 and 1. With y = 0 or 1, ln y or "
                       f"ln(1 - y) is -inf.")
        if np.isclose(got, -expected, rtol=1e-6):
            raise Hint("your cost is negative. ln a < 0 for 0 < a < 1, so the cost needs the "
                       "leading minus sign: -[y ln a + (1 - y) ln(1 - a)].")
        for base, name in ((2.0, "np.log2"), (10.0, "np.log10")):
            if np.isclose(got, expected / np.log(base), rtol=1e-6):
                raise Hint(f"you used {name}. The cross-entropy uses the natural log, np.log.")
        if np.isclose(got, len(a) * expected, rtol=1e-6):
            raise Hint(f"you summed over the {len(a)} examples; the cost is their mean (np.mean).")
        only_first = float(np.mean(-(y * np.log(a))))
        if np.isclose(got, only_first, rtol=1e-6):
            raise Hint("your cost ignores the examples with y = 0 (a = 0.9 with y = 0 should cost a "
                       "lot). Add the (1 - y) ln(1 - a) term.")
        raise Hint(f"for a = {a.tolist()}, y = {y.tolist()} the cost should be {expected:.4f}, "
                   f"but yours is {got:.4g}. Use -mean(y ln a + (1 - y) ln(1 - a)).")
    return "right on binary and non-binary targets, and the mean is taken over examples."


@exercise("03.3", "dC/dw and dC/db for both costs")
def check_slowdown_gradients(slowdown_gradients):
    cases = [(2.0, 2.0, 1.0, 0.0), (0.4, -1.1, 2.5, 1.0), (-3.0, 0.5, -1.5, 0.3), (1.2, 0.1, 0.0, 0.6)]
    for cost in ("quadratic", "cross_entropy"):
        for w, b, x, y in cases:
            try:
                got = np.asarray(call_quietly(slowdown_gradients, w, b, x, y, cost), dtype=np.float64)
            except (TypeError, ValueError):
                raise Hint("slowdown_gradients should return a pair (dC_dw, dC_db) of numbers.") from None
            if got.shape != (2,):
                raise Hint(f"slowdown_gradients should return a pair (dC_dw, dC_db), but returned "
                           f"shape {got.shape}.")
            expected = np.array(neuron_gradients(w, b, x, y, cost))
            if np.allclose(got, expected, rtol=1e-6, atol=1e-12):
                continue
            a = sigmoid(np.float64(w * x + b))
            prime = a * (1 - a)
            where = f"with cost={cost!r}, w={w}, b={b}, x={x}, y={y}"
            if np.allclose(got, -expected, rtol=1e-6):
                raise Hint(f"{where} your gradients have the wrong sign: dC/dw = (a - y) ..., "
                           f"not (y - a) ...")
            if cost == "cross_entropy" and np.allclose(got, expected * prime, rtol=1e-6):
                raise Hint(f"{where} your cross-entropy gradient still has the sigma'(z) factor. "
                           f"It cancels: dC/dw = (a - y) x and dC/db = a - y.")
            if cost == "quadratic" and np.allclose(got, expected / prime, rtol=1e-6):
                raise Hint(f"{where} your quadratic gradient is missing sigma'(z) = a (1 - a): "
                           f"dC/dw = (a - y) sigma'(z) x. That factor is the slowdown.")
            if not np.allclose(expected[0], expected[1]) and np.allclose(got, expected[::-1], rtol=1e-6):
                raise Hint(f"{where} you returned (dC/db, dC/dw): the pair goes the other way round, "
                           f"(dC_dw, dC_db).")
            if np.isclose(got[1], expected[1], rtol=1e-6):
                raise Hint(f"{where} dC/db is right but dC/dw is {got[0]:.4g}, not {expected[0]:.4g}: "
                           f"dC/dw = x dC/db, since z = w x + b.")
            h = 1e-6
            numeric = [(neuron_cost(sigmoid(np.float64((w + h) * x + b)), y, cost)
                        - neuron_cost(sigmoid(np.float64((w - h) * x + b)), y, cost)) / (2 * h),
                       (neuron_cost(sigmoid(np.float64(w * x + b + h)), y, cost)
                        - neuron_cost(sigmoid(np.float64(w * x + b - h)), y, cost)) / (2 * h)]
            raise Hint(f"{where} finite differences give (dC/dw, dC/db) = ({numeric[0]:.5g}, "
                       f"{numeric[1]:.5g}), yours is ({got[0]:.5g}, {got[1]:.5g}).")
    return "agrees with finite differences for both costs, saturated and unsaturated, x = 0 included."


def _reference_entropy(y):
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        terms = np.where(y > 0, y * np.log(y), 0.0) + np.where(y < 1, (1 - y) * np.log(1 - y), 0.0)
    return -terms


@exercise("03.4", "binary entropy, the smallest possible cross-entropy")
def check_binary_entropy(binary_entropy):
    y = np.array([0.0, 0.05, 0.3, 0.5, 0.8, 0.999, 1.0])
    expected = _reference_entropy(y)
    got = _as_array(call_quietly(binary_entropy, y.copy()), y.shape, "binary_entropy(y)")
    wrong = ~np.isclose(got, expected, rtol=1e-6, atol=1e-12)
    if not wrong.any():
        a = np.linspace(1e-4, 1 - 1e-4, 20001)
        lowest = min(neuron_cost(v, 0.3, "cross_entropy") for v in a)
        return (f"right, including y = 0 and 1. Check: a grid search over a for y = 0.3 finds a "
                f"lowest cross-entropy of {lowest:.5f}; your binary_entropy(0.3) = {got[2]:.5f}.")
    bad = ~np.isfinite(got)
    if bad.any():
        where = " and ".join(f"y = {v:g}" for v in y[bad])
        raise Hint(f"your function gives {got[bad][0]} at {where}. There 0 ln 0 appears, whose limit is "
                   f"0: handle it, e.g. with np.where(y > 0, y * np.log(y), 0), using "
                   f"np.errstate(divide='ignore', invalid='ignore') to keep it quiet.")
    if np.allclose(got, -expected, rtol=1e-6, atol=1e-12):
        raise Hint("your values are negative. The entropy is -[y ln y + (1 - y) ln(1 - y)] >= 0.")
    if np.allclose(got, expected / np.log(2), rtol=1e-6, atol=1e-12):
        raise Hint("you used log base 2 (bits). The course's costs use the natural log, np.log.")
    ends = (y == 0) | (y == 1)
    if not (wrong & ~ends).any():
        i = int(np.flatnonzero(wrong & ends)[0])
        raise Hint(f"at y = {y[i]:g} the answer is exactly 0, the limit of 0 ln 0, but yours is "
                   f"{got[i]:.3g}; everywhere else you are right. A small epsilon, whether it moves y "
                   f"(np.clip(y, eps, 1 - eps)) or sits inside a log, changes the answer at the ends: "
                   f"keep y and the logs exact, and give the 0 ln 0 terms the value 0, e.g. with "
                   f"np.where(y > 0, y * np.log(y), 0).")
    # Report the input where the answer is furthest off, never one where it is right.
    i = int(np.argmax(np.where(wrong, np.abs(got - expected), -1.0)))
    raise Hint(f"at y = {y[i]:g} the binary entropy is {expected[i]:.6g}, but yours is {got[i]:.6g}. "
               f"Substitute a = y into the cross-entropy: -[y ln y + (1 - y) ln(1 - y)].")
