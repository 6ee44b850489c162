"""Checkers for lesson 07, a real Fashion-MNIST classifier. Reference answers are built here."""
from __future__ import annotations

import numpy as np

from .core import Hint, answer_array, call_quietly, exercise


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


def _reference_counts(y_true, y_pred, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


@exercise("07.2", "a confusion matrix of counts")
def check_confusion_counts(confusion_counts):
    rng = np.random.default_rng(72)
    y_true = rng.integers(0, 4, 40)                # class 4 never occurs, as in a small batch
    y_pred = np.where(rng.random(40) < 0.6, y_true, rng.integers(0, 4, 40))
    cases = [(y_true, y_pred, 5), (np.array([2, 2, 2, 0]), np.array([2, 2, 1, 0]), 3)]
    for t, p, k in cases:
        expected = _reference_counts(t, p, k)
        what = f"confusion_counts(y_true, y_pred, n_classes={k})"
        got = np.asarray(confusion_counts(t.copy(), p.copy(), k))
        if got.shape != expected.shape:
            if got.ndim == 2 and got.shape[0] == got.shape[1] and \
                    got.shape[0] == max(t.max(), p.max()) + 1:
                raise Hint(f"{what} returned shape {got.shape}: you sized the matrix from the "
                           f"largest label, but class {k - 1} happens not to occur here. Use "
                           f"n_classes: np.zeros((n_classes, n_classes), dtype=int).")
            raise Hint(f"{what} should return shape {expected.shape}, one row and one column per "
                       f"class, but returned shape {got.shape}.")
        if np.array_equal(got, expected):
            continue
        if np.allclose(got, expected / np.maximum(expected.sum(axis=1, keepdims=True), 1)):
            raise Hint("you divided each row by its total: those are the fractions that section "
                       "6's plot shows. Return the counts, whole numbers that add up to the "
                       "number of examples.")
        if np.array_equal(got, expected.T):
            raise Hint("your matrix is transposed: row i must be the true class and column j the "
                       "predicted one, C[y_true, y_pred].")
        if np.array_equal(got, (expected > 0).astype(int)):
            raise Hint("each (true, predicted) pair is counted at most once. With fancy indexing, "
                       "C[y_true, y_pred] += 1 adds 1 once per distinct pair, however often the "
                       "pair repeats. Use np.add.at(C, (y_true, y_pred), 1), or a loop.")
        if np.array_equal(got, expected - np.diag(np.diag(expected))):
            raise Hint("your diagonal is 0: you counted only the mistakes. The correct predictions "
                       "belong on the diagonal, C[i, i].")
        if np.issubdtype(got.dtype, np.number) and abs(got.sum() - len(t)) > 1e-9:
            raise Hint(f"your counts add up to {got.sum():g}, but there are {len(t)} examples: "
                       f"each example adds exactly 1, at C[its true class, its predicted class].")
        i, j = np.unravel_index(np.argmax(np.abs(got - expected)), expected.shape)
        raise Hint(f"for {what}, C[{i}, {j}] should be {expected[i, j]} (examples of true class "
                   f"{i} predicted as {j}), but yours is {got[i, j]}.")
    return "right on unseen labels, with repeated pairs and a class that never occurs."


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
        predicted = np.argmax(p, axis=1)
        wrong = np.flatnonzero(predicted != labels)
        confidence = p[wrong, predicted[wrong]]
        if len(wrong) and np.array_equal(got, np.argsort(-confidence, kind="stable")[:k]):
            raise Hint("you returned positions in your list of mistakes (0, 1, 2, ...), not the "
                       "rows of proba they come from. Map them back: wrong[order].")
        if np.any(np.argmax(p[got], axis=1) == labels[got]):
            raise Hint("some of the indices you returned are correct predictions. Keep only the "
                       "rows where argmax(proba) != y, then sort those by confidence.")
        if len(got) != len(expected):
            raise Hint(f"with {np.sum(np.argmax(p, 1) != labels)} mistakes and k = {k} you should "
                       f"return {len(expected)} indices, but returned {len(got)}. Return at most "
                       f"k, fewer if there are fewer mistakes.")
        ascending = wrong[np.argsort(confidence, kind="stable")]
        if np.array_equal(got, expected[::-1]) or np.array_equal(got, ascending[::-1][:k][::-1]):
            raise Hint("you found the right mistakes but listed them least confident first. "
                       "np.argsort sorts in ascending order: put the most confident first by "
                       "sorting -confidence, or reversing the argsort.")
        if np.array_equal(got, ascending[:k]):
            raise Hint("you returned the k *least* confident mistakes: np.argsort sorts in "
                       "ascending order, so its first k are the smallest confidences. Sort by "
                       "-confidence, or reverse the argsort before taking k.")
        by_true = wrong[np.argsort(-p[wrong, labels[wrong]], kind="stable")][:k]
        if np.array_equal(got, by_true):
            raise Hint("you ranked the mistakes by the probability of the *true* class. The "
                       "network's confidence is the probability of the class it predicted, "
                       "proba[i, argmax(proba[i])].")
        raise Hint("the right rows are the mistakes (argmax(proba) != y) with the highest "
                   "probability of the predicted class, proba[i, argmax(proba[i])], most "
                   "confident first, at most k of them.")
    return "right on 60 unseen predictions, including k beyond the number of mistakes and no mistakes at all."


def _reference_cosine(epoch, base, epochs, final):
    e = np.minimum(np.asarray(epoch, dtype=np.float64), epochs)
    return final + 0.5 * (base - final) * (1 + np.cos(np.pi * e / epochs))


@exercise("07.4", "a cosine learning-rate schedule")
def check_cosine_learning_rate(cosine_learning_rate):
    base, epochs, final = 2e-3, 8, 1e-5
    epoch = np.arange(epochs + 3)                 # three epochs past the end of the schedule
    expected = _reference_cosine(epoch, base, epochs, final)
    try:
        result = call_quietly(cosine_learning_rate, epoch.copy(), base, epochs, final)
    except (TypeError, ValueError) as exc:
        if "scalar" in str(exc) or "truth value" in str(exc):
            raise Hint(f"your function works for one epoch but fails on an array of epochs "
                       f"({type(exc).__name__}: {exc}). math.cos, Python's min and an if take "
                       f"one number; np.cos and np.minimum(epoch, epochs) work on a number and "
                       f"on an array alike.") from None
        raise
    got = answer_array(result, expected.shape, "cosine_learning_rate(np.arange(11), 2e-3, 8, 1e-5)",
                       expected="it should return one learning rate per epoch, shape {shape}.")
    if np.allclose(got, expected, rtol=1e-9, atol=1e-15):
        one = cosine_learning_rate(3, base, epochs, final)
        if np.ndim(one) != 0 or not np.isclose(float(one), expected[3], rtol=1e-9):
            raise Hint(f"for a single epoch, 3, return one number, {expected[3]:.6g}; yours "
                       f"returned {one!r}.")
        return "right at every epoch, for one epoch or an array, and flat at final after the end."
    inside = epoch <= epochs
    angle = np.pi * epoch[inside] / epochs

    def matches(candidate):
        """Does the answer follow ``candidate`` (rates for epochs 0..epochs) up to the end?"""
        return np.allclose(got[inside], candidate, rtol=1e-7, atol=1e-12)

    if matches(expected[inside]):
        raise Hint(f"right up to epoch {epochs}, but after it your rate is "
                   f"{np.round(got[~inside], 8).tolist()} instead of staying at final: the cosine "
                   f"comes back up. Hold it at final once epoch >= epochs, e.g. with "
                   f"np.minimum(epoch, epochs).")
    if matches(final + 0.5 * (base - final) * (1 + np.cos(2 * angle))):
        raise Hint("your rate comes back up to base at the end: that is a whole cosine period. A "
                   "half cosine runs from cos 0 = 1 to cos pi = -1 over the schedule, so the angle "
                   "is pi * epoch / epochs.")
    if matches(final + 0.5 * (base - final) * (1 - np.cos(angle))):
        raise Hint(f"your schedule starts at final ({got[0]:.3g}) and rises to base: it is upside "
                   f"down. Use (1 + cos(...)) / 2, which is 1 at epoch 0 and 0 at the end.")
    if matches(0.5 * base * (1 + np.cos(angle))):
        raise Hint("your rate falls to 0, not to final. Scale the half cosine between the two: "
                   "final + (base - final) * (1 + cos(pi * epoch / epochs)) / 2.")
    if np.allclose(got[:epochs], (final + 0.5 * (base - final) *
                                  (1 + np.cos(np.pi * epoch[:epochs] / (epochs - 1)))),
                   rtol=1e-7, atol=1e-12):
        raise Hint(f"you reach final at epoch {epochs - 1}, the last epoch, so the last epoch "
                   f"trains at the final rate. This schedule reaches final at epoch = epochs = "
                   f"{epochs}, one past the last: divide by epochs, not epochs - 1.")
    if matches(base - (base - final) * epoch[inside] / epochs):
        raise Hint("your rate falls along a straight line. A cosine falls slowly at first, "
                   "fastest in the middle and slowly again at the end: use np.cos(pi * epoch / "
                   "epochs).")
    if matches(final + 0.5 * (base - final) * (1 + np.cos(180 * epoch[inside] / epochs))):
        raise Hint("np.cos takes radians, not degrees: half a turn is pi, not 180. Use "
                   "np.cos(np.pi * epoch / epochs).")
    if np.allclose(got[:epochs], expected[1:epochs + 1], rtol=1e-7, atol=1e-12):
        raise Hint(f"your schedule is one epoch ahead: at epoch 0 it gives {got[0]:.6g} instead of "
                   f"base = {base:g}. Epochs count from 0, and epoch 0 trains at base.")
    raise Hint(f"at epochs 0, {epochs // 2} and {epochs} the rate should be {expected[0]:.6g}, "
               f"{expected[epochs // 2]:.6g} and {expected[epochs]:.6g}; yours is {got[0]:.6g}, "
               f"{got[epochs // 2]:.6g} and {got[epochs]:.6g}. lr = final + (base - final) * "
               f"(1 + cos(pi * epoch / epochs)) / 2.")
