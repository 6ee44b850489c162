"""Weight initializers: functions ``init(shape, rng) -> ndarray``.

``shape`` is (d_in, d_out) for a weight matrix W, so fan_in = shape[0] and
fan_out = shape[1]. The scale matters: too large and sigmoid units saturate from
the first step; too small and signals shrink layer by layer.
"""
from __future__ import annotations

import numpy as np

from ._validation import lookup


def _fans(shape):
    fan_in = shape[0] if len(shape) > 0 else 1
    fan_out = shape[1] if len(shape) > 1 else 1
    return fan_in, fan_out


def small_normal(shape, rng, std=0.01):
    """N(0, 0.01^2): 'initialise near zero', the classic textbook advice."""
    return rng.normal(0.0, std, size=shape)


def large_normal(shape, rng):
    """N(0, 1): Nielsen's 'large' initializer, which saturates sigmoid units."""
    return rng.normal(0.0, 1.0, size=shape)


def scaled_normal(shape, rng):
    """N(0, 1/fan_in): Nielsen's default, keeping z's variance near 1."""
    return rng.normal(0.0, 1.0 / np.sqrt(_fans(shape)[0]), size=shape)


def xavier(shape, rng):
    """Glorot/Xavier normal, variance 2 / (fan_in + fan_out): for tanh and sigmoid."""
    fan_in, fan_out = _fans(shape)
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=shape)


def glorot_uniform(shape, rng):
    """Glorot uniform on [-l, l], l = sqrt(6 / (fan_in + fan_out)): Keras' default for Dense."""
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def he(shape, rng):
    """He normal, variance 2 / fan_in: ReLU zeroes half its inputs, so double the variance."""
    return rng.normal(0.0, np.sqrt(2.0 / _fans(shape)[0]), size=shape)


def zeros(shape, rng=None):
    """All zeros: fine for biases, fatal for weights (every unit stays identical)."""
    return np.zeros(shape)


def constant(value):
    """An initializer that fills with ``value``, e.g. constant(0.01) for ReLU biases."""
    def init(shape, rng=None):
        return np.full(shape, float(value))
    init.__name__ = f"constant({value})"
    return init


INITIALIZERS = {
    "small_normal": small_normal,
    "small": small_normal,
    "large_normal": large_normal,
    "large": large_normal,
    "scaled_normal": scaled_normal,
    "lecun": scaled_normal,
    "xavier": xavier,
    "glorot": xavier,
    "glorot_normal": xavier,
    "glorot_uniform": glorot_uniform,
    "he": he,
    "he_normal": he,
    "zeros": zeros,
}


def get_initializer(init):
    """Return an initializer from a name, a number (a constant) or a callable ``f(shape, rng)``."""
    if callable(init):
        return init
    if isinstance(init, (int, float)) and not isinstance(init, bool):
        return constant(init)
    return lookup(INITIALIZERS, init, "initializer")


__all__ = ["small_normal", "large_normal", "scaled_normal", "xavier", "glorot_uniform", "he",
           "zeros", "constant", "get_initializer", "INITIALIZERS"]
