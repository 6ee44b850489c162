"""Checkers for lesson 07, a real Fashion-MNIST classifier. Reference answers are built here."""
from __future__ import annotations

import numpy as np

from .core import Hint, exercise


def _idx_bytes(magic, dims, body=b""):
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims) + body


@exercise("07.1", "read an IDX header")
def check_idx_header(read_idx_header):
    cases = [(2049, [10000]), (2051, [60000, 28, 28]), (2050, [3, 70000]),
             (2052, [2, 3, 4, 5]), (2049, [1])]
    for magic, dims in cases:
        raw = _idx_bytes(magic, dims, body=bytes(range(7)))   # some data after the header
        result = read_idx_header(raw)
        try:
            got_magic, got_dims = result
            got_dims = [int(d) for d in got_dims]
            got_magic = int(got_magic)
        except (TypeError, ValueError):
            raise Hint(f"return a pair (magic, dims), e.g. (2049, [10000]); you returned "
                       f"{result!r}.") from None
        if got_magic == int.from_bytes(magic.to_bytes(4, "big"), "little"):
            raise Hint(f"for a header starting with bytes {list(raw[:4])} you read the magic as "
                       f"{got_magic}: that is little-endian. IDX numbers are big-endian (most "
                       f"significant byte first): int.from_bytes(raw[0:4], 'big').")
        if got_magic != magic:
            raise Hint(f"the magic number of a header starting with bytes {list(raw[:4])} is "
                       f"{magic}, but you returned {got_magic}. Read the first 4 bytes as one "
                       f"big-endian integer.")
        if got_dims != dims:
            if len(got_dims) != len(dims):
                raise Hint(f"a file with magic {magic} has {len(dims)} axes (the magic's last byte, "
                           f"raw[3]), but you returned {len(got_dims)} sizes {got_dims}. Read one "
                           f"4-byte size per axis.")
            raise Hint(f"for sizes {dims} you returned {got_dims}. Each size is a 4-byte "
                       f"big-endian integer: raw[4:8], raw[8:12], ...")
    return "reads 1-, 2-, 3- and 4-axis headers, sizes up to 70,000, with data after them."


def _reference_count(sizes):
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


@exercise("07.2", "count a network's parameters")
def check_count_parameters(count_parameters):
    cases = [[784, 16, 16, 10], [3, 1], [10, 5, 5, 2], [784, 256, 256, 10], [2, 7, 1, 4, 3]]
    for sizes in cases:
        expected = _reference_count(sizes)
        got = count_parameters(list(sizes))
        if got == expected:
            continue
        weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        if got == weights:
            raise Hint(f"for sizes {sizes} you counted {got}, the weights only. Every unit of "
                       f"each layer after the input also has a bias: add sum(sizes[1:]).")
        if got == weights + sum(sizes):
            raise Hint(f"for sizes {sizes} you counted {got}: you gave the input layer biases "
                       f"too. Inputs are data, not units; only sizes[1:] have biases.")
        raise Hint(f"for sizes {sizes} the count is {expected:,}, but you returned {got}. Each "
                   f"layer pair (n_in, n_out) has n_in * n_out weights and n_out biases.")
    return "right on 5 unseen networks, from 3-1 to 784-256-256-10 (269,322 parameters)."


def _reference_mistakes(proba, y, k):
    predicted = np.argmax(proba, axis=1)
    wrong = np.flatnonzero(predicted != y)
    confidence = proba[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:k]


def _random_proba(rng, n, k=10):
    z = rng.normal(0, 2.0, size=(n, k))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@exercise("07.3", "the most confident mistakes")
def check_confident_mistakes(most_confident_mistakes):
    rng = np.random.default_rng(7)
    proba = _random_proba(rng, 60)
    y = np.where(rng.random(60) < 0.6, np.argmax(proba, axis=1), rng.integers(0, 10, 60))
    cases = [(proba, y, 5), (proba, y, 200)]
    all_right = proba[:4], np.argmax(proba[:4], axis=1), 3
    cases.append(all_right)
    for p, labels, k in cases:
        expected = _reference_mistakes(p, labels, k)
        got = np.asarray(most_confident_mistakes(p.copy(), labels.copy(), k)).astype(int).ravel()
        if np.array_equal(got, expected):
            continue
        if len(expected) == 0:
            raise Hint(f"when every prediction is right there are no mistakes, so return an empty "
                       f"array; you returned {got.tolist()}.")
        if np.any(np.argmax(p[got], axis=1) == labels[got]):
            raise Hint("some of the indices you returned are correct predictions. Keep only the "
                       "rows where argmax(proba) != y, then sort those by confidence.")
        if len(got) != len(expected):
            raise Hint(f"with {np.sum(np.argmax(p, 1) != labels)} mistakes and k = {k} you should "
                       f"return {len(expected)} indices, but returned {len(got)}. Return at most "
                       f"k, fewer if there are fewer mistakes.")
        if np.array_equal(got, expected[::-1]):
            raise Hint("you returned the mistakes in increasing confidence. Put the most "
                       "confident one first: sort by -confidence.")
        raise Hint("the right rows are the mistakes whose predicted class has the highest "
                   "probability, proba[i, argmax(proba[i])], most confident first. Check that you "
                   "sort by the probability of the predicted class, not of the true one.")
    return "right on 60 unseen predictions, including k beyond the number of mistakes and no mistakes at all."


@exercise("07.4", "standardize with the training set's statistics")
def check_standardize_pixels(standardize_pixels):
    rng = np.random.default_rng(3)
    X_train = rng.random((50, 6)) * np.array([1, 2, 0.5, 1, 3, 1])
    X_train[:, 0] = 0.0                       # a pixel that is always background
    X_test = rng.random((20, 6)) * 4 + 1      # a test set with quite different statistics
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    safe = np.where(std > 0, std, 1.0)
    want_train, want_test = (X_train - mean) / safe, (X_test - mean) / safe
    with np.errstate(all="ignore"):
        result = standardize_pixels(X_train.copy(), X_test.copy())
    try:
        got_train, got_test = (np.asarray(a, dtype=np.float64) for a in result)
    except (TypeError, ValueError):
        raise Hint("return a pair (X_train_std, X_test_std).") from None
    if got_train.shape != X_train.shape or got_test.shape != X_test.shape:
        raise Hint(f"the outputs should keep the inputs' shapes {X_train.shape} and "
                   f"{X_test.shape}; yours are {got_train.shape} and {got_test.shape}.")
    if not (np.all(np.isfinite(got_train)) and np.all(np.isfinite(got_test))):
        raise Hint("your result holds NaN or inf: a pixel that is 0 in every training image has "
                   "std 0. Divide by 1 there instead, e.g. np.where(std > 0, std, 1).")
    scalar = (X_train - X_train.mean()) / X_train.std()
    if np.allclose(got_train, scalar):
        raise Hint("you used one mean and one std for all pixels. Standardize each pixel (column) "
                   "on its own: X_train.mean(axis=0), X_train.std(axis=0).")
    if not np.allclose(got_train, want_train, atol=1e-6):
        raise Hint("every training column should end with mean 0 and std 1 (a constant column "
                   "stays 0). Subtract X_train.mean(axis=0) and divide by X_train.std(axis=0).")
    own = (X_test - X_test.mean(axis=0)) / X_test.std(axis=0)
    if np.allclose(got_test, own, atol=1e-6):
        raise Hint("you standardized the test set with its own mean and std. Use the training "
                   "set's: the test set must be transformed exactly as the training data was, "
                   "and its statistics are not known in advance.")
    if not np.allclose(got_test, want_test, atol=1e-6):
        raise Hint("the test set should be shifted and scaled by the training set's mean and std "
                   "(with std 0 replaced by 1).")
    return "per-pixel, with the training statistics, and safe for constant pixels."
