"""Cost functions. Each returns its value and its gradient, averaged over the batch.

Symbols follow Nielsen: ``a`` is the network's output (n, k), ``y`` the target (n, k).
A cost C is the mean over the n examples of a per-example cost.

Two costs "fuse" with an output activation: cross-entropy with sigmoid, and the
log-likelihood (categorical cross-entropy) with softmax. For those pairs the output
error is simply delta = (a - y) / n, because the activation's derivative cancels.
The network uses that shortcut, which is both faster and exact.
"""
from __future__ import annotations

import numpy as np

from ._validation import CourseError, lookup
from .activations import log_softmax


def _eps(a) -> float:
    """Clip probabilities at the dtype's machine epsilon so that ln(0) never happens."""
    return float(np.finfo(np.result_type(a, np.float32)).eps)


def quadratic_cost(a, y):
    """C = (1/n) sum_x 1/2 ||a - y||^2, Nielsen's quadratic cost."""
    a, y = np.asarray(a), np.asarray(y)
    _check_pair(a, y)   # (n, 1) against (n,) would broadcast to (n, n) and mean nothing
    return 0.5 * float(np.sum((a - y) ** 2)) / len(a)


def mse(a, y):
    """Mean squared error, the mean of (y - a)^2 over every example and output."""
    a, y = np.asarray(a), np.asarray(y)
    _check_pair(a, y)   # (n, 1) against (n,) would broadcast to (n, n) and mean nothing
    return float(np.mean((a - y) ** 2))


def binary_cross_entropy(a, y):
    """C = -(1/n) sum_x sum_j [y ln a + (1 - y) ln(1 - a)], for sigmoid outputs in (0, 1)."""
    a, y = np.asarray(a), np.asarray(y)
    _check_pair(a, y)   # (n, 1) against (n,) would broadcast to (n, n) and mean nothing
    eps = _eps(a)
    a = np.clip(a, eps, 1 - eps)
    return -float(np.sum(y * np.log(a) + (1 - y) * np.log(1 - a))) / len(a)


def cross_entropy(a, y):
    """Categorical cross-entropy C = -(1/n) sum_x sum_j y_j ln a_j, for softmax outputs.

    With one-hot y this is the log-likelihood cost -ln a_y of the correct class.
    """
    a, y = np.asarray(a), np.asarray(y)
    _check_pair(a, y)   # (n, 1) against (n,) would broadcast to (n, n) and mean nothing
    return -float(np.sum(y * np.log(np.clip(a, _eps(a), 1.0)))) / len(a)


def log_likelihood(a, labels):
    """-(1/n) sum_x ln a_y, with integer ``labels`` (n,) picking each row's correct class."""
    a, labels = np.asarray(a), np.asarray(labels)
    picked = a[np.arange(len(a)), labels]
    return -float(np.mean(np.log(np.clip(picked, _eps(a), 1.0))))


class Loss:
    """A cost with ``value``, ``gradient`` (dC/da) and, if it fuses, ``delta`` (dC/dz)."""

    name = "loss"
    fuses_with: str | None = None   # the output activation whose derivative cancels
    is_classification = False

    def __call__(self, a, y):
        """Return ``(value, dC/da)`` for outputs a and targets y, both (n, k)."""
        a, y = np.asarray(a), np.asarray(y)
        _check_pair(a, y)
        return self.value(a, y), self.gradient(a, y)

    def value(self, a, y):
        raise NotImplementedError

    def gradient(self, a, y):
        raise NotImplementedError

    def delta(self, a, y):
        """The output error dC/dz for the fused activation: (a - y) / n."""
        return (a - y) / len(a)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Quadratic(Loss):
    """Nielsen's quadratic cost 1/2 ||a - y||^2, averaged over the batch."""

    name = "quadratic"

    def value(self, a, y):
        return quadratic_cost(a, y)

    def gradient(self, a, y):
        return (a - y) / len(a)


class MSE(Loss):
    """Mean squared error over every example and output (Keras' 'mse')."""

    name = "mse"

    def value(self, a, y):
        return mse(a, y)

    def gradient(self, a, y):
        return 2.0 * (a - y) / np.size(a)


class BinaryCrossEntropy(Loss):
    """Cross-entropy for sigmoid outputs; fused with sigmoid, delta = (a - y) / n.

    Summed over the outputs and averaged over the batch (PyTorch's BCELoss averages over both).
    A network ending in Sigmoid() reports it from the logits z, so a confidently wrong output
    costs its true amount; computed from a, it is clipped at -ln(eps) per output.
    """

    name = "binary_crossentropy"
    fuses_with = "sigmoid"
    is_classification = True

    def value(self, a, y):
        return binary_cross_entropy(a, y)

    def value_from_logits(self, z, y):
        """The same cost from z, with a = sigmoid(z): softplus(z) - y z, exact for any z."""
        z = np.asarray(z)
        return float(np.sum(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))) / len(z)

    def gradient(self, a, y):
        eps = _eps(a)
        a = np.clip(a, eps, 1 - eps)
        return (a - y) / (a * (1 - a)) / len(a)


class CategoricalCrossEntropy(Loss):
    """Log-likelihood for softmax outputs; fused with softmax, delta = (a - y) / n."""

    name = "categorical_crossentropy"
    fuses_with = "softmax"
    is_classification = True

    def value(self, a, y):
        return cross_entropy(a, y)

    def value_from_logits(self, z, y):
        """The same cost from pre-softmax z via log-softmax: exact even where a underflows to 0."""
        return self.value_from_log_probs(log_softmax(z), y)

    def value_from_log_probs(self, log_a, y):
        """The same cost from ln a, as the Softmax layer computes it beside a."""
        return -float((y * log_a).sum()) / len(log_a)

    def gradient(self, a, y):
        return -y / np.clip(a, _eps(a), 1.0) / len(a)


LOSSES = {
    "quadratic": Quadratic,
    "mse": MSE,
    "mean_squared_error": MSE,
    "binary_crossentropy": BinaryCrossEntropy,
    "binary_cross_entropy": BinaryCrossEntropy,
    "categorical_crossentropy": CategoricalCrossEntropy,
    "categorical_cross_entropy": CategoricalCrossEntropy,
    "sparse_categorical_crossentropy": CategoricalCrossEntropy,
    "log_likelihood": CategoricalCrossEntropy,
}


def get_loss(loss) -> Loss:
    """Return a Loss instance from a name such as 'categorical_crossentropy', or pass one through."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, type) and issubclass(loss, Loss):
        return loss()
    return lookup(LOSSES, loss, "loss")()


def _check_pair(a, y):
    """Shape check for direct calls; the network validates its own inputs before this point."""
    if np.shape(a) != np.shape(y) and np.size(a) == np.size(y) and np.ndim(a) + np.ndim(y) == 3:
        raise CourseError(f"outputs a have shape {np.shape(a)} but targets y have shape {np.shape(y)}: "
                          f"the same values as a column and as a flat array, which NumPy would "
                          f"pair all with all. Make them one shape, e.g. y.reshape(a.shape).")
    if np.shape(a) != np.shape(y):
        raise CourseError(f"outputs a have shape {np.shape(a)} but targets y have shape "
                          f"{np.shape(y)}; they must match. For class labels, use one_hot(y, k).")
