"""Checks at the public boundary, so that mistakes read as advice, not as NumPy tracebacks.

Every public function that takes data calls these first. Each error says what was
expected, what arrived, and how to fix it.
"""
from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping

import numpy as np


class CourseError(ValueError):
    """A mistake in how course_lib was called. The message explains the fix."""

    def __str__(self):
        # Shown in the learner's language (course_lib.i18n); the English stays in self.args.
        from .i18n import translate
        return translate(super().__str__())


def as_matrix(X, name: str = "X", n_features: int | None = None, dtype=None) -> np.ndarray:
    """Return X as a finite 2-D float array of shape (n, d), or raise CourseError.

    Rows are examples. A 1-D array is refused rather than guessed at, because a
    single example (d,) and a column of n scalars (n,) look the same.
    """
    if isinstance(X, tuple) and X and isinstance(X[0], np.ndarray) and X[0].ndim == 2:
        raise CourseError(f"{name} is a tuple of {len(X)} items, the first an array of shape "
                          f"{X[0].shape}, not one array. Functions such as standardize return "
                          f"several results: unpack them, e.g. X_std, mean, std = standardize(X).")
    try:
        arr = np.asarray(X, dtype=dtype if dtype is not None else None)
    except (TypeError, ValueError) as exc:
        raise CourseError(f"{name} must be a numeric array of shape (n, d); "
                          f"converting it failed ({exc}).") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise CourseError(f"{name} must hold numbers, but its dtype is {arr.dtype}. "
                          f"Convert it with np.asarray({name}, dtype=float).")
    if np.iscomplexobj(arr):
        raise CourseError(f"{name} holds complex numbers (dtype {arr.dtype}), but a network computes "
                          f"with real ones, and converting would drop the imaginary parts. Pass "
                          f"the part you mean: {name}.real, or the magnitude np.abs({name}).")
    if arr.ndim == 1:
        raise CourseError(
            f"{name} must be 2-D with shape (n_examples, n_features), but it is 1-D with "
            f"shape {arr.shape}. Use {name}.reshape(1, -1) for one example or "
            f"{name}.reshape(-1, 1) for one feature.")
    if arr.ndim != 2:
        hint = (f" For images, flatten them first: {name}.reshape(len({name}), -1)."
                if arr.ndim > 2 else "")
        raise CourseError(f"{name} must be 2-D with shape (n_examples, n_features), "
                          f"but it has shape {arr.shape}.{hint}")
    if arr.shape[0] == 0:
        raise CourseError(f"{name} is empty (shape {arr.shape}): it needs at least one example (row).")
    if n_features is not None and arr.shape[1] != n_features:
        if arr.shape[0] == n_features:
            raise CourseError(f"{name} has shape {arr.shape}: it looks transposed, with examples "
                              f"in columns. Rows must be examples: pass {name}.T, of shape "
                              f"{arr.shape[::-1]}.")
        raise CourseError(f"{name} has {arr.shape[1]} features per row, but the network expects "
                          f"{n_features}. Check the first layer's input size, or build {name} "
                          f"with one row per example and {n_features} columns.")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise CourseError(f"{name} contains {bad} NaN or infinite value(s). Remove or impute them "
                          f"first, e.g. {name} = np.nan_to_num({name}).")
    return arr


def check_labels(y, n_examples: int | None = None, n_classes: int | None = None,
                 name: str = "y") -> np.ndarray:
    """Return integer class labels of shape (n,), or raise CourseError."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise CourseError(f"{name} must be a 1-D array of integer class labels, shape (n,), "
                          f"but it has shape {arr.shape}.")
    if arr.size == 0:
        raise CourseError(f"{name} is empty: it needs at least one label.")
    if arr.dtype == bool:
        arr = arr.astype(np.intp)   # y = (labels == 3): False/True are the classes 0 and 1
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
            raise CourseError(f"{name} contains NaN or infinite labels; every example needs a class "
                              f"label 0..k-1. Drop those examples or fill in their labels.")
        if np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
            raise CourseError(f"{name} holds float labels such as {arr[0]!r}; class labels must be "
                              f"integers. Use {name}.astype(int).")
        raise CourseError(f"{name} must hold integer class labels 0..k-1, but its dtype is "
                          f"{arr.dtype} (e.g. {arr.flat[0]!r}). Encode names or other values as "
                          f"integers first, e.g. classes, {name} = np.unique({name}, return_inverse=True).")
    if n_examples is not None and arr.shape[0] != n_examples:
        raise CourseError(f"X has {n_examples} rows but {name} has {arr.shape[0]} labels: "
                          f"they must match, one label per example.")
    if arr.min() < 0 or (n_classes is not None and arr.max() >= n_classes):
        hi = "k-1" if n_classes is None else str(n_classes - 1)
        raise CourseError(f"{name} has labels from {arr.min()} to {arr.max()}, but labels must lie in "
                          f"0..{hi}. Re-encode them (e.g. with np.unique(..., return_inverse=True)).")
    return arr.astype(np.intp, copy=False)


def check_positive(value, name: str, *, integer: bool = False, upper: float | None = None,
                   example=None):
    """Return value if it is a positive (integer) number, else raise CourseError.

    ``example`` is a typical good value, quoted in the error as the fix.
    """
    kind = "a positive integer" if integer else "a positive number"
    ok_type = (isinstance(value, (int, np.integer)) and not isinstance(value, bool)) if integer \
        else isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok_type or not np.isfinite(value) or value <= 0:
        fix = f" Use e.g. {name}={example}." if example is not None else ""
        raise CourseError(f"{name} must be {kind}, but got {value!r}.{fix}")
    if upper is not None and value > upper:
        raise CourseError(f"{name}={value} is larger than {upper}, its largest sensible value here.")
    return value


def in_range(value, low=0.0, high=1.0) -> bool:
    """Whether value is a finite real number (a bool is not) with low <= value < high.

    The defaults give [0, 1), the range of momentum, Adam's betas, weight decay and dropout
    rates; in_range(l2, 0, math.inf) accepts any penalty >= 0, in_range(alpha, -math.inf,
    math.inf) any finite slope. Each caller raises its own CourseError, worded for its parameter.
    """
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value) and low <= value < high)


def check_rate(rate, name: str = "rate") -> float:
    """Return a probability in [0, 1), as used for dropout, or raise CourseError."""
    if not in_range(rate):
        raise CourseError(f"{name} is the fraction of units dropped and must lie in [0, 1), "
                          f"but got {rate!r}. Use e.g. 0.2 to drop 20%.")
    return float(rate)


def lookup(registry: Mapping[str, object], name, kind: str):
    """Return registry[name]; for an unknown name, list the valid ones and the closest match."""
    if not isinstance(name, str):
        raise CourseError(f"{kind} must be given by name (a str), but got {type(name).__name__} "
                          f"{name!r}. Valid names: {', '.join(sorted(registry))}.")
    key = name.lower().replace("-", "_").replace(" ", "_")
    if key in registry:
        return registry[key]
    close = difflib.get_close_matches(key, list(registry), n=1)
    suggestion = f" Did you mean {close[0]!r}?" if close else ""
    raise CourseError(f"Unknown {kind} {name!r}.{suggestion} Valid names: {', '.join(sorted(registry))}.")


def as_generator(rng) -> np.random.Generator:
    """Accept a Generator or an int seed; None gives fresh, unseeded randomness."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise CourseError(f"A seed must be a non-negative integer, but got rng={rng}. "
                              f"Use e.g. rng=0 or rng={-rng}.")
        return np.random.default_rng(rng)
    raise CourseError(f"rng must be a np.random.Generator or an int seed, but got {rng!r}. "
                      f"Use rng=np.random.default_rng(0).")
