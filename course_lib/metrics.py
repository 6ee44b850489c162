"""Classification metrics on integer labels of shape (n,)."""
from __future__ import annotations

import numpy as np

from ._validation import CourseError, check_labels, check_positive


def accuracy(y_true, y_pred) -> float:
    """The fraction of predictions that equal the true labels."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise CourseError(f"y_true has shape {y_true.shape} but y_pred has {y_pred.shape}; "
                          f"pass one predicted label per example (use net.predict(X)).")
    if y_true.ndim != 1:
        # Comparing one-hot rows entry by entry would count every correct 0 as a hit.
        raise CourseError(f"accuracy compares labels of shape (n,), but got shape {y_true.shape}. "
                          f"For one-hot rows or probabilities, take the labels first: "
                          f"y.argmax(axis=1).")
    if y_true.size == 0:
        raise CourseError("y_true and y_pred are empty: accuracy needs at least one example.")
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, n_classes=None) -> np.ndarray:
    """C[i, j] = how many examples of true class i were predicted as class j."""
    if n_classes is not None:
        check_positive(n_classes, "n_classes", integer=True, example=10)
    y_true = check_labels(y_true, n_classes=n_classes, name="y_true")
    y_pred = check_labels(y_pred, len(y_true), n_classes=n_classes, name="y_pred")
    k = n_classes or int(max(y_true.max(), y_pred.max()) + 1)
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def per_class_accuracy(y_true, y_pred, n_classes=None) -> np.ndarray:
    """Recall per class: the diagonal of the confusion matrix over its row sums."""
    cm = confusion_matrix(y_true, y_pred, n_classes)
    return np.diag(cm) / np.maximum(cm.sum(axis=1), 1)
