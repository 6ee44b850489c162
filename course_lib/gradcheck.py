"""Gradient checking: compare backprop with centred finite differences.

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h       (error O(h^2))

Use float64: in float32 the rounding error of f swamps the O(h^2) term.
A relative error below 1e-7 means the backward pass is right; around 1e-2 or
larger means it is wrong.
"""
from __future__ import annotations

import inspect

import numpy as np

from ._validation import CourseError


def rel_error(a, b) -> float:
    """max |a - b| / max(|a| + |b|, tiny): scale-free, 0 for identical arrays."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise CourseError(f"rel_error compares arrays of one shape, got {a.shape} and {b.shape}.")
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12))) if a.size else 0.0


def numerical_gradient(f, x, h=1e-5):
    """Centred differences of the scalar function f() with respect to array x, perturbed in place.

    f takes no arguments: it reads x (and anything else) itself. x is restored afterwards.
    """
    if not (isinstance(x, np.ndarray) and x.dtype == np.float64):
        raise CourseError("numerical_gradient needs x as a float64 ndarray (float32 is too coarse "
                          "for finite differences). Use x.astype(np.float64).")
    _check_cost_function(f)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        if np.size(f_plus) != 1:
            raise CourseError(f"f() must return one number, the cost, but it returned an array of "
                              f"shape {np.shape(f_plus)}. Sum or average it, e.g. "
                              f"lambda: np.sum((a - y) ** 2).")
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _check_cost_function(f):
    """f is called as f(): one that needs arguments would fail deep inside with a TypeError."""
    if not callable(f):
        raise CourseError(f"f must be a function of no arguments that returns the cost, but got "
                          f"{f!r}. Use e.g. numerical_gradient(lambda: cost(x), x).")
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):   # some built-ins have no signature: trust them
        return
    needed = [p.name for p in params if p.default is p.empty
              and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if needed:
        raise CourseError(f"numerical_gradient calls f() with no arguments, but f needs "
                          f"{', '.join(needed)}. Let f read x itself, e.g. "
                          f"numerical_gradient(lambda: cost(x), x).")


def check_function(fn, prime, z, h=1e-5) -> float:
    """Relative error between an elementwise derivative ``prime(z)`` and finite differences of fn."""
    z = np.asarray(z, dtype=np.float64)
    numeric = (fn(z + h) - fn(z - h)) / (2 * h)
    return rel_error(prime(z), numeric)


def check_layer(layer, x, rng=None, h=1e-5) -> dict[str, float]:
    """Relative errors of a built layer's input and parameter gradients.

    Uses the scalar C = sum(out * r) for a fixed random r, so dC/dout = r.
    Returns {'x': err, 'W': err, ...}.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    x = np.array(x, dtype=np.float64)
    declared = getattr(layer, "n_in_declared", None)
    if layer.n_in is None and declared is not None:
        raise CourseError(f"{layer!r} has no weights yet: a layer gets them when it is built. Build "
                          f"it first, layer.build({declared}, np.random.default_rng(0), np.float64), "
                          f"or check a layer of a network, e.g. net.layers[0].")
    if layer.n_in is not None and (x.ndim != 2 or x.shape[1] != layer.n_in):
        raise CourseError(f"x has shape {x.shape}, but {layer!r} takes inputs of shape (n, {layer.n_in}): "
                          f"one row per example.")
    r = rng.normal(size=layer.forward(x).shape)
    layer.forward(x)
    saved_flag, layer.needs_input_grad = layer.needs_input_grad, True
    try:
        dx = layer.backward(r.copy())
    finally:
        layer.needs_input_grad = saved_flag
    analytic = {"x": dx, **{k: g.copy() for k, g in layer.grads.items()}}

    def cost():
        return float(np.sum(layer.forward(x) * r))

    errors = {"x": rel_error(analytic["x"], numerical_gradient(cost, x, h))}
    for name, p in layer.params.items():
        errors[name] = rel_error(analytic[name], numerical_gradient(cost, p, h))
    return errors


def check_loss(loss, a, y, h=1e-6) -> float:
    """Relative error of a Loss's gradient dC/da against finite differences."""
    a = np.array(a, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    _, grad = loss(a, y)
    return rel_error(grad, numerical_gradient(lambda: loss.value(a, y), a, h))


def check_network(net, X, y, h=1e-5) -> dict[str, float]:
    """Relative error of every parameter's gradient in a compiled float64 network.

    Dropout is switched off (training=False) so that the cost is deterministic.
    """
    if net.dtype != np.float64:
        raise CourseError("Gradient checks need a float64 network: build it with dtype='float64'.")
    _, analytic = net.compute_gradients(X, y)
    return {name: rel_error(analytic[name], numerical_gradient(lambda: net.cost(X, y), p, h))
            for name, p in net.parameters().items()}
