"""Optimizers: rules that turn gradients into parameter updates, in place.

``step(params, grads)`` takes two dicts keyed by parameter name (e.g. "dense_0.W")
and updates every array in ``params`` in place. Per-parameter state such as
momentum velocities lives in ``self.state[name]`` under readable names.
"""
from __future__ import annotations

import numpy as np

from ._validation import CourseError, check_positive, lookup


class Optimizer:
    """Base class: holds the learning rate and the per-parameter state."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self.state: dict[str, dict[str, np.ndarray]] = {}

    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        # A setter, so that schedules and widgets that change it are validated too.
        self._learning_rate = float(check_positive(value, "learning_rate"))

    def step(self, params, grads):
        raise NotImplementedError

    def reset(self):
        """Forget all state (velocities, moments, step count)."""
        self.state.clear()


class SGD(Optimizer):
    """Stochastic gradient descent, w <- w - learning_rate * dC/dw.

    With ``momentum`` mu > 0 it keeps a velocity per parameter:
    v <- mu v - learning_rate dC/dw,  w <- w + v.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0):
        super().__init__(learning_rate)
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) \
                or not 0.0 <= momentum < 1.0:
            raise CourseError(f"momentum must lie in [0, 1), e.g. 0.9, but got {momentum!r}.")
        self.momentum = float(momentum)

    def step(self, params, grads):
        lr = self.learning_rate
        for name, w in params.items():
            g = grads[name]
            if self.momentum == 0.0:
                w -= lr * g
                continue
            if name not in self.state:
                self.state[name] = {"velocity": np.zeros_like(w)}
            v = self.state[name]["velocity"]
            v *= self.momentum
            v -= lr * g
            w += v

    def __repr__(self):
        extra = f", momentum={self.momentum}" if self.momentum else ""
        return f"SGD(learning_rate={self.learning_rate}{extra})"


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): momentum on the gradient (m) and on its square (v).

    m <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2
    w <- w - lr_t m / (sqrt(v) + epsilon),  lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)

    The update is fused in place into preallocated buffers: no new arrays per step.
    Defaults match Keras, so results are comparable with the seed's Keras model.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        for name, value in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= value < 1.0:
                raise CourseError(f"{name} must lie in [0, 1), but got {value!r}.")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.epsilon = float(check_positive(epsilon, "epsilon"))
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        lr_t = self.learning_rate * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for name, w in params.items():
            g = grads[name]
            s = self.state.get(name)
            if s is None:
                s = self.state[name] = {"m": np.zeros_like(w), "v": np.zeros_like(w),
                                        "scratch": np.empty_like(w)}
            m, v, tmp = s["m"], s["v"], s["scratch"]
            m *= b1
            np.multiply(g, 1 - b1, out=tmp)
            m += tmp
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.epsilon
            np.divide(m, tmp, out=tmp)
            tmp *= lr_t
            w -= tmp

    def reset(self):
        super().reset()
        self.t = 0

    def __repr__(self):
        return (f"Adam(learning_rate={self.learning_rate}, beta1={self.beta1}, "
                f"beta2={self.beta2}, epsilon={self.epsilon})")


def Momentum(learning_rate=0.01, momentum=0.9):
    """SGD with momentum 0.9, under its own name."""
    return SGD(learning_rate, momentum=momentum)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def get_optimizer(optimizer, learning_rate=None) -> Optimizer:
    """Return an Optimizer from a name ('sgd', 'momentum', 'adam') or pass an instance through."""
    if isinstance(optimizer, Optimizer):
        if learning_rate is not None:
            optimizer.learning_rate = learning_rate
        return optimizer
    cls = lookup(OPTIMIZERS, optimizer, "optimizer")
    return cls() if learning_rate is None else cls(learning_rate=learning_rate)
