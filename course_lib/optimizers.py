"""Optimizers: rules that turn gradients into parameter updates, in place.

``step(params, grads)`` takes two dicts keyed by parameter name (e.g. "dense_0.W")
and updates every array in ``params`` in place. Per-parameter state such as
momentum velocities lives in ``self.state[name]`` under readable names.

Speed: Sequential hands over a ``FlatParameters`` dict, whose arrays are views of
one contiguous buffer. The update then runs once over that buffer instead of once
per array, which removes most of NumPy's per-call overhead at small batch sizes;
the named state entries are views into flat state buffers, so nothing is hidden.
"""
from __future__ import annotations

import math

import numpy as np

from ._validation import CourseError, check_positive, in_range, lookup


class FlatParameters(dict):
    """A name -> array dict whose arrays are views of the 1-D buffer ``self.flat``."""

    def __init__(self, arrays: dict[str, np.ndarray], dtype):
        sizes = [a.size for a in arrays.values()]
        self.flat = np.empty(sum(sizes), dtype=dtype)
        super().__init__()
        offset = 0
        for (name, arr), size in zip(arrays.items(), sizes):
            view = self.flat[offset:offset + size].reshape(arr.shape)
            view[...] = arr
            self[name] = view
            offset += size

    def views_of(self, buffer: np.ndarray) -> dict[str, np.ndarray]:
        """Slice another flat buffer (e.g. Adam's m) into arrays named and shaped like ours."""
        out, offset = {}, 0
        for name, arr in self.items():
            out[name] = buffer[offset:offset + arr.size].reshape(arr.shape)
            offset += arr.size
        return out


# Optimizer state that decays geometrically (momentum's velocity, Adam's m and v for a weight
# whose gradient stays 0, such as a pixel that is always black) sinks into the subnormal range
# (below 1.2e-38 in float32), where Intel CPUs compute up to a hundred times slower: an epoch
# took 2.6x as long from the third epoch on. Every FLUSH_EVERY steps, entries smaller than
# FLUSH_BELOW are set to exactly 0. Such an entry moves its weight by less than
# lr * 1e-30 / epsilon, about 1e-26: nothing. Between two flushes m shrinks by at most
# beta1^32 = 0.034, so it never gets near the subnormal range. The flush reads the state once
# every 32 steps, under 1% of the update's own memory traffic (benchmarks/bench_train.py
# prints its measured cost).
FLUSH_EVERY = 32
FLUSH_BELOW = 1e-30


def flush_tiny(arrays):
    """Set entries with |x| < FLUSH_BELOW to exactly 0, in place."""
    for a in arrays:
        np.copyto(a, 0, where=np.abs(a) < FLUSH_BELOW)


class Optimizer:
    """Base class: the learning rate, per-parameter state, and the flat-buffer fast path.

    Subclasses name their state slots in ``slots`` and implement ``_update(w, g, state)``
    for one array (or one flat buffer) in place.
    """

    slots: tuple[str, ...] = ()

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self._flat_state: dict[str, np.ndarray] | None = None
        self._steps = 0   # steps taken since the last reset, for the subnormal flush
        # Names of the parameters that weight decay applies to (the network's weights, not its
        # biases); Sequential.compile sets it. None means every parameter.
        self.decayed: set[str] | None = None

    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        # A setter, so that schedules and widgets that change it are validated too.
        self._learning_rate = float(check_positive(value, "learning_rate", example=0.01))

    def step(self, params, grads):
        """Update every array in ``params`` in place, using ``grads`` under the same names."""
        self._begin_step()
        self._steps += 1
        if isinstance(params, FlatParameters) and isinstance(grads, FlatParameters):
            states = [self._flat_slots(params)]
            self._update(params.flat, grads.flat, states[0])
        else:
            for name, w in params.items():
                if name not in self.state:
                    self.state[name] = {slot: np.zeros_like(w) for slot in self.slots}
                state = self.state[name]
                if self.decayed is not None and name not in self.decayed:
                    state = {**state, "decay_mask": w.dtype.type(0)}
                self._update(w, grads[name], state)
            states = self.state.values()
        if self.slots and self._steps % FLUSH_EVERY == 0:
            flush_tiny(st[slot] for st in states for slot in self.slots)

    def _flat_slots(self, params: FlatParameters) -> dict[str, np.ndarray]:
        if self._flat_state is None or self._flat_state["scratch"].size != params.flat.size:
            self._flat_state = {slot: np.zeros_like(params.flat) for slot in (*self.slots, "scratch")}
            per_slot = {slot: params.views_of(buf) for slot, buf in self._flat_state.items()
                        if slot != "scratch"}
            self.state = {name: {slot: per_slot[slot][name] for slot in self.slots} for name in params}
            if self.decayed is not None:
                # 1 where weight decay applies, 0 elsewhere (biases), once per buffer layout.
                mask = np.zeros_like(params.flat)
                for name, view in params.views_of(mask).items():
                    view[...] = name in self.decayed
                self._flat_state["decay_mask"] = mask
        return self._flat_state

    def _begin_step(self):
        pass

    def _update(self, w, g, state):
        raise NotImplementedError

    def reset(self):
        """Forget all state (velocities, moments, step count)."""
        self.state = {}
        self._flat_state = None
        self._steps = 0


class SGD(Optimizer):
    """Stochastic gradient descent, w <- w - learning_rate * dC/dw.

    With ``momentum`` mu > 0 it keeps a velocity per parameter:
    v <- mu v - learning_rate dC/dw,  w <- w + v.

    This is Keras's form, with the learning rate inside the velocity. PyTorch's torch.optim.SGD
    keeps v <- mu v + dC/dw and steps w <- w - learning_rate v: the two agree while the learning
    rate is constant and differ after it changes (a schedule rescales PyTorch's whole velocity,
    but only the new gradients here).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0):
        super().__init__(learning_rate)
        self.momentum = momentum

    @property
    def momentum(self):
        return self._momentum

    @momentum.setter
    def momentum(self, momentum):
        # A setter: momentum switched on (or off) after compile needs (or drops) the velocity.
        if not in_range(momentum):
            raise CourseError(f"momentum must lie in [0, 1), e.g. 0.9, but got {momentum!r}.")
        self._momentum = float(momentum)
        slots = ("velocity",) if self._momentum else ()
        if slots != self.slots:
            self.slots = slots
            self.reset()

    def _update(self, w, g, state):
        if not self.momentum:
            w -= self.learning_rate * g
            return
        v = state["velocity"]
        v *= self.momentum
        v -= self.learning_rate * g
        w += v

    def __repr__(self):
        extra = f", momentum={self.momentum}" if self.momentum else ""
        return f"SGD(learning_rate={self.learning_rate}{extra})"


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): momentum on the gradient (m) and on its square (v).

    m <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2
    w <- w - lr_t m / (sqrt(v) + epsilon),  lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)

    The update is fused in place into preallocated buffers: no new arrays per step.
    Defaults match Keras, so results are comparable with the seed's Keras model. Like Keras,
    epsilon is added to sqrt(v) with the bias correction folded into lr_t ("epsilon hat");
    PyTorch adds it to sqrt(v_hat) = sqrt(v / (1 - beta2^t)), so with the same epsilon the
    two differ slightly in the first steps and where v is tiny.

    The state holds the moments as decaying sums, ``m_sum = beta1 m_sum + g`` and
    ``v_sum = beta2 v_sum + g^2``, that is m / (1 - beta1) and v / (1 - beta2): the constant
    factors move into lr_t and epsilon, which saves two of the twelve passes over the
    parameters per step (the update is the largest cost of a step besides the matrix
    products). The result is the same as the formulas above up to float rounding;
    ``moments(name)`` returns m and v themselves.
    """

    slots = ("m_sum", "v_sum")

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-7, weight_decay=0.0):
        super().__init__(learning_rate)
        for name, value in (("beta1", beta1), ("beta2", beta2)):
            if not in_range(value):
                raise CourseError(f"{name} must lie in [0, 1), e.g. 0.9, but got {value!r}.")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.epsilon = float(check_positive(epsilon, "epsilon"))
        if not in_range(weight_decay):
            raise CourseError(f"weight_decay is the fraction of each weight removed per unit of "
                              f"learning rate and must lie in [0, 1), e.g. 0.01, but got "
                              f"{weight_decay!r}.")
        self.weight_decay = float(weight_decay)
        self.t = 0
        self._decay_mask = None

    def moments(self, name):
        """Adam's m and v for parameter ``name`` (copies): the stored sums times (1 - beta)."""
        if not self.state:
            raise CourseError(f"This Adam has no moments for {name!r} yet: it has not taken a step. "
                              f"Train first, e.g. net.fit(X, y, epochs=1).")
        if name not in self.state:
            known = ", ".join(repr(k) for k in self.state)
            raise CourseError(f"This Adam has no moments for {name!r}. The parameter names it knows "
                              f"are those of net.parameters(): {known}.")
        state = self.state[name]
        return state["m_sum"] * (1 - self.beta1), state["v_sum"] * (1 - self.beta2)

    def _begin_step(self):
        self.t += 1
        self._lr_t = (self.learning_rate * math.sqrt(1 - self.beta2 ** self.t)
                      / (1 - self.beta1 ** self.t))

    def _update(self, w, g, state):
        m_sum, v_sum = state["m_sum"], state["v_sum"]
        tmp = state.get("scratch")
        if tmp is None:
            tmp = state["scratch"] = np.empty_like(w)
        # lr_t m / (sqrt(v) + eps) with m = c1 m_sum and v = c2 v_sum is
        # (lr_t c1 / sqrt(c2)) m_sum / (sqrt(v_sum) + eps / sqrt(c2)).
        c1, root_c2 = 1 - self.beta1, math.sqrt(1 - self.beta2)
        # The constants as scalars of w's dtype. A float64 scalar would make NumPy compute a
        # float32 network's update in float64 and round back: five times slower, no better.
        f = w.dtype.type
        b1, b2 = f(self.beta1), f(self.beta2)
        eps, step = f(self.epsilon / root_c2), f(self._lr_t * c1 / root_c2)
        m_sum *= b1                   # m_sum <- b1 m_sum + g
        m_sum += g
        v_sum *= b2                   # v_sum <- b2 v_sum + g^2
        np.multiply(g, g, out=tmp)
        v_sum += tmp
        np.sqrt(v_sum, out=tmp)       # w <- w - step m_sum / (sqrt(v_sum) + eps)
        tmp += eps
        np.divide(m_sum, tmp, out=tmp)
        tmp *= step
        w -= tmp
        if self.weight_decay:        # decoupled: w <- w - lr * weight_decay * w, outside the moments
            decay = f(self.learning_rate * self.weight_decay)
            mask = state.get("decay_mask")
            np.multiply(w, decay, out=tmp)
            if mask is not None:
                tmp *= mask
            w -= tmp

    def reset(self):
        super().reset()
        self.t = 0

    def __repr__(self):
        decay = f", weight_decay={self.weight_decay}" if self.weight_decay else ""
        return (f"{type(self).__name__}(learning_rate={self.learning_rate}, beta1={self.beta1}, "
                f"beta2={self.beta2}, epsilon={self.epsilon}{decay})")


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019), as PyTorch's and Keras's
    AdamW: each step, besides the Adam step, w <- w - learning_rate * weight_decay * w.

    An L2 penalty (compile(l2=...)) adds l2 * w to the gradient, so under Adam it is divided by
    sqrt(v) like every gradient: weights with large gradients are barely decayed. Weight decay
    acts on w directly and shrinks every weight by the same fraction. It applies to the weights
    that L1/L2 penalties touch (Dense and Maxout W), not to biases.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.01, beta1=0.9, beta2=0.999,
                 epsilon=1e-7):
        super().__init__(learning_rate, beta1, beta2, epsilon, weight_decay)


def Momentum(learning_rate=0.01, momentum=0.9):
    """SGD with momentum 0.9, under its own name."""
    return SGD(learning_rate, momentum=momentum)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam, "adamw": AdamW}


def get_optimizer(optimizer, learning_rate=None) -> Optimizer:
    """Return an Optimizer from a name ('sgd', 'momentum', 'adam') or pass an instance through."""
    if isinstance(optimizer, Optimizer):
        if learning_rate is not None:
            optimizer.learning_rate = learning_rate
        return optimizer
    cls = lookup(OPTIMIZERS, optimizer, "optimizer")
    return cls() if learning_rate is None else cls(learning_rate=learning_rate)
