"""Exercise checks of lesson 07: right answers (in several valid forms) pass, and the mistakes
learners really make get a hint that names that mistake. Stubs: tests/test_checks_all.py."""
import math

import numpy as np

from course_lib import confusion_matrix
from course_lib.callbacks import cosine_decay
from course_lib.checks import check
from course_lib.data import idx_header
from course_lib.widgets.fashion import confident_mistakes


# 07.1 the IDX header
def read_header_right(raw):
    magic = int.from_bytes(raw[0:4], "big")
    return magic, [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(raw[3])]


def test_idx_header_right():
    assert check("07.1", read_header_right).passed
    header = idx_header   # course_lib's own version passes too
    assert check("07.1", lambda raw: (header(raw)["magic"], header(raw)["dims"])).passed
    # struct and NumPy's big-endian dtype are valid too
    assert check("07.1", lambda raw: (int(np.frombuffer(raw[:4], ">u4")[0]),
                                      np.frombuffer(raw[4:4 + 4 * raw[3]], ">u4").tolist())).passed


def test_idx_header_mistakes(assert_hint):
    def little(raw):
        return int.from_bytes(raw[0:4], "little"), [int.from_bytes(raw[4:8], "little")]

    def three_axes(raw):
        return int.from_bytes(raw[0:4], "big"), [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big")
                                                 for i in range(3)]

    def two_byte_sizes(raw):
        return int.from_bytes(raw[0:4], "big"), [int.from_bytes(raw[6 + 4 * i:8 + 4 * i], "big")
                                                 for i in range(raw[3])]

    assert_hint("07.1", little, "little-endian", "big")
    assert_hint("07.1", three_axes, "has 1 axes", "raw[3]")
    assert_hint("07.1", lambda raw: 2049, "return a pair")
    assert_hint("07.1", lambda raw: (int.from_bytes(raw[0:4], "big") + 1, []), "magic number")
    assert_hint("07.1", two_byte_sizes, "4-byte")


# 07.2 a confusion matrix of counts
def counts_right(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(C, (y_true, y_pred), 1)
    return C


def test_confusion_counts_right():
    result = check("07.2", counts_right)
    assert result.passed and "never occurs" in result.message

    def loop(y_true, y_pred, n_classes):
        C = np.zeros((n_classes, n_classes), dtype=int)
        for t, p in zip(y_true, y_pred):
            C[t, p] += 1
        return C

    def bincount(y_true, y_pred, n_classes):
        flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes ** 2)
        return flat.reshape(n_classes, n_classes)

    for answer in (loop, bincount, confusion_matrix,
                   lambda t, p, k: counts_right(t, p, k).astype(float)):   # float counts are fine
        assert check("07.2", answer).passed


def test_confusion_counts_mistakes(assert_hint):
    def fancy_index(y_true, y_pred, n_classes):
        C = np.zeros((n_classes, n_classes), dtype=int)
        C[y_true, y_pred] += 1
        return C

    def from_labels(y_true, y_pred, n_classes):
        k = max(y_true.max(), y_pred.max()) + 1
        return counts_right(y_true, y_pred, k)

    def fractions(y_true, y_pred, n_classes):
        C = counts_right(y_true, y_pred, n_classes)
        return C / np.maximum(C.sum(axis=1, keepdims=True), 1)

    def mistakes_only(y_true, y_pred, n_classes):
        C = counts_right(y_true, y_pred, n_classes)
        np.fill_diagonal(C, 0)
        return C

    assert_hint("07.2", fancy_index, "counted at most once", "np.add.at")
    assert_hint("07.2", lambda t, p, k: counts_right(t, p, k).T, "transposed", "true class")
    assert_hint("07.2", from_labels, "largest label", "n_classes")
    assert_hint("07.2", fractions, "divided each row", "counts")
    assert_hint("07.2", mistakes_only, "diagonal is 0")
    assert_hint("07.2", lambda t, p, k: counts_right(t, p, k) * 2, "add up to 80")
    assert_hint("07.2", lambda t, p, k: counts_right(t, p, k)[:-1], "shape (5, 5)")


# 07.3 the most confident mistakes
def test_confident_mistakes_right():
    assert check("07.3", confident_mistakes).passed

    def with_max(proba, y, k):
        wrong = np.flatnonzero(proba.argmax(axis=1) != y)
        return wrong[np.argsort(proba[wrong].max(axis=1))[::-1]][:k]

    assert check("07.3", with_max).passed


def test_confident_mistakes_mistakes(assert_hint):
    def everything(proba, y, k):
        return np.argsort(-proba.max(axis=1))[:k]

    def ascending(proba, y, k):            # np.argsort sorts ascending: the k least confident
        wrong = np.flatnonzero(proba.argmax(axis=1) != y)
        return wrong[np.argsort(proba[wrong].max(axis=1))][:k]

    def ascending_tail(proba, y, k):       # the right k, least confident first
        wrong = np.flatnonzero(proba.argmax(axis=1) != y)
        return wrong[np.argsort(proba[wrong].max(axis=1))][-k:]

    def positions(proba, y, k):
        wrong = np.flatnonzero(proba.argmax(axis=1) != y)
        return np.argsort(-proba[wrong].max(axis=1))[:k]

    def true_class(proba, y, k):
        wrong = np.flatnonzero(proba.argmax(axis=1) != y)
        return wrong[np.argsort(-proba[wrong, y[wrong]])][:k]

    def always_k(proba, y, k):
        found = list(confident_mistakes(proba, y, k))
        return found + [found[-1]] * (k - len(found)) if found else [0] * k

    assert_hint("07.3", everything, "correct predictions")
    assert_hint("07.3", ascending, "*least* confident", "ascending")
    assert_hint("07.3", ascending_tail, "least confident first", "ascending")
    assert_hint("07.3", positions, "positions in your list of mistakes")
    assert_hint("07.3", true_class, "*true* class")
    assert_hint("07.3", always_k, "return")


# 07.4 a cosine learning-rate schedule
def cosine_right(epoch, base, epochs, final=0.0):
    e = np.minimum(epoch, epochs)
    return final + (base - final) * (1 + np.cos(np.pi * e / epochs)) / 2


def test_cosine_right():
    assert check("07.4", cosine_right).passed
    assert check("07.4", lambda e, base, epochs, final=0.0: cosine_decay(base, epochs, final)(e)
                 if np.ndim(e) == 0 else np.array([cosine_decay(base, epochs, final)(i) for i in e])).passed
    # the same curve written as a squared cosine: (1 + cos 2x) / 2 = cos^2 x
    assert check("07.4", lambda e, base, epochs, final=0.0: final + (base - final) *
                 np.cos(np.pi * np.minimum(e, epochs) / epochs / 2) ** 2).passed


def test_cosine_mistakes(assert_hint):
    def clamp(f):
        return lambda e, base, epochs, final=0.0: f(np.minimum(e, epochs), base, epochs, final)

    assert_hint("07.4", lambda e, base, epochs, final=0.0: final + (base - final) *
                (1 + np.cos(np.pi * e / epochs)) / 2, "comes back up", "np.minimum")
    assert_hint("07.4", clamp(lambda e, b, E, f: f + (b - f) * (1 + np.cos(2 * np.pi * e / E)) / 2),
                "whole cosine period")
    assert_hint("07.4", clamp(lambda e, b, E, f: f + (b - f) * (1 - np.cos(np.pi * e / E)) / 2),
                "upside down")
    assert_hint("07.4", clamp(lambda e, b, E, f: b * (1 + np.cos(np.pi * e / E)) / 2), "falls to 0")
    assert_hint("07.4", lambda e, b, E, f=0.0: f + (b - f) * (1 + np.cos(np.pi * np.minimum(e, E - 1)
                                                                          / (E - 1))) / 2,
                "epochs - 1")
    assert_hint("07.4", clamp(lambda e, b, E, f: b - (b - f) * e / E), "straight line")
    assert_hint("07.4", clamp(lambda e, b, E, f: f + (b - f) * (1 + np.cos(180 * e / E)) / 2),
                "radians")
    assert_hint("07.4", lambda e, b, E, f=0.0: cosine_right(e + 1, b, E, f), "one epoch ahead")
    assert_hint("07.4", lambda e, b, E, f=0.0: f + (b - f) * (1 + math.cos(math.pi * min(e, E) / E)) / 2,
                "fails on an array", "np.cos", "np.minimum")
    assert_hint("07.4", lambda e, b, E, f=0.0: f + (b - f) * (1 + math.cos(math.pi * e / E)) / 2
                if e < E else f, "fails on an array", "np.minimum")
    assert_hint("07.4", lambda e, b, E, f=0.0: cosine_right(e, b, E, f)[:3], "shape")
    assert_hint("07.4", lambda e, b, E, f=0.0: cosine_right(np.atleast_1d(e), b, E, f),
                "one number")
