"""Two single-unit learning rules from before backprop, vectorized over the batch.

Rosenblatt's perceptron (1957) and Widrow and Hoff's ADALINE (1960) both learn one
unit z = X @ w + b and classify with the step function, y_hat = step(z). They
differ in the error that drives the update:

    perceptron : w <- w + learning_rate * X^T (y - step(z))       (only mistakes move w)
    ADALINE/LMS: w <- w + learning_rate * X^T (t - z) / n,  t = 2y - 1  (every example does)

The perceptron's error is 0 or +-1; the LMS error is the real-valued distance from
the linear output z to the target t in {-1, +1}, i.e. gradient descent on the
squared error 1/2 (t - z)^2. Both updates here use the whole batch at once: every
example is judged by the same weights, then all corrections are summed.

Shapes: X (n, d), y (n,) labels in {0, 1}, w (d,), b a float.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import CourseError, as_matrix, check_labels, check_positive
from .activations import step


def _prepare(X, y, w, b):
    X = as_matrix(X, "X")
    y = check_labels(y, len(X), n_classes=2)
    w = np.zeros(X.shape[1]) if w is None else np.array(w, dtype=np.float64)
    if w.shape != (X.shape[1],):
        raise CourseError(f"w must have shape ({X.shape[1]},), one weight per input column, "
                          f"but it has shape {w.shape}.")
    return X, y, w, float(b)


def predict(X, w, b) -> np.ndarray:
    """Class labels (n,) in {0, 1}: step(X @ w + b), with z = 0 counted as class 1."""
    return step(np.asarray(X, dtype=np.float64) @ w + b).astype(np.intp)


def perceptron_update(X, y, w, b, learning_rate=1.0):
    """One epoch of the perceptron rule on the whole batch; returns new (w, b).

    error = y - step(X @ w + b) is +1 for a missed positive, -1 for a false
    positive and 0 for a correct example, so correct examples change nothing.
    """
    error = y - predict(X, w, b)                       # (n,)
    return w + learning_rate * (X.T @ error), b + learning_rate * float(error.sum())


def lms_update(X, y, w, b, learning_rate=0.1):
    """One epoch of Widrow and Hoff's LMS rule; returns new (w, b).

    The target is t = 2y - 1 in {-1, +1} and the error t - z uses the *linear*
    output z, so this is a gradient-descent step on adaline_cost.
    """
    t = 2.0 * y - 1.0
    error = t - (X @ w + b)                            # (n,)
    return w + learning_rate * (X.T @ error) / len(X), b + learning_rate * float(error.mean())


def adaline_cost(X, y, w, b) -> float:
    """The cost LMS descends: mean over examples of 1/2 (t - z)^2, with t = 2y - 1."""
    t = 2.0 * np.asarray(y) - 1.0
    return 0.5 * float(np.mean((t - (np.asarray(X) @ w + b)) ** 2))


def perceptron_criterion(X, y, w, b) -> float:
    """Mean of max(0, -t z): how far, in z, the misclassified examples sit on the wrong side."""
    t = 2.0 * np.asarray(y) - 1.0
    return float(np.mean(np.maximum(0.0, -t * (np.asarray(X) @ w + b))))


@dataclass(frozen=True)
class TrainingRun:
    """The state after every epoch, so that a slider can replay training.

    w : (epochs + 1, d) and b : (epochs + 1,): row e holds the weights after e epochs
    (row 0 is the start). mistakes : (epochs + 1,) misclassified examples with those
    weights. cost : (epochs + 1,) the rule's own cost (perceptron_criterion or adaline_cost).
    """

    rule: str
    w: np.ndarray
    b: np.ndarray
    mistakes: np.ndarray
    cost: np.ndarray

    @property
    def epochs(self) -> int:
        return len(self.b) - 1

    @property
    def converged_epoch(self):
        """The first epoch after which no example is misclassified, or None."""
        hits = np.flatnonzero(self.mistakes == 0)
        return int(hits[0]) if hits.size else None

    def weights(self, epoch=-1):
        """(w, b) after ``epoch`` epochs (-1: the last)."""
        if not -len(self.b) <= epoch <= self.epochs:
            raise CourseError(f"epoch must lie in 0..{self.epochs}, but got {epoch}.")
        return self.w[epoch], float(self.b[epoch])

    def predict(self, X, epoch=-1) -> np.ndarray:
        """Class labels (n,) from the weights after ``epoch`` epochs."""
        return predict(X, *self.weights(epoch))

    def __repr__(self):
        done = (f"no mistakes from epoch {self.converged_epoch}" if self.converged_epoch is not None
                else f"{int(self.mistakes[-1])} mistakes at the end")
        return f"TrainingRun({self.rule!r}, {self.epochs} epochs, {done})"


def _train(rule, update, cost, X, y, epochs, learning_rate, w, b):
    X, y, w, b = _prepare(X, y, w, b)
    check_positive(epochs, "epochs", integer=True)
    check_positive(learning_rate, "learning_rate")
    ws, bs = [w], [b]
    for _ in range(epochs):
        w, b = update(X, y, w, b, learning_rate)
        ws.append(w)
        bs.append(b)
    ws, bs = np.array(ws), np.array(bs)
    mistakes = np.array([int(np.sum(predict(X, wi, bi) != y)) for wi, bi in zip(ws, bs)])
    costs = np.array([cost(X, y, wi, bi) for wi, bi in zip(ws, bs)])
    return TrainingRun(rule, ws, bs, mistakes, costs)


def train_perceptron(X, y, epochs=20, learning_rate=1.0, w=None, b=0.0) -> TrainingRun:
    """Run the perceptron rule for ``epochs`` epochs from (w, b) (default zeros).

    Starting from zero weights the learning rate only rescales w and b, so it
    does not change a single prediction.
    """
    return _train("perceptron", perceptron_update, perceptron_criterion,
                  X, y, epochs, learning_rate, w, b)


def train_adaline(X, y, epochs=50, learning_rate=0.1, w=None, b=0.0) -> TrainingRun:
    """Run Widrow and Hoff's LMS rule for ``epochs`` epochs from (w, b) (default zeros)."""
    return _train("adaline", lms_update, adaline_cost, X, y, epochs, learning_rate, w, b)


__all__ = ["predict", "perceptron_update", "lms_update", "adaline_cost", "perceptron_criterion",
           "TrainingRun", "train_perceptron", "train_adaline"]
