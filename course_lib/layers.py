"""Layers: each has ``forward`` and, right beside it, ``backward``.

Shapes follow the rows-are-examples convention: a batch ``x`` is (n, d_in), a Dense
layer's weights ``W`` are (d_in, d_out), its bias ``b`` is (d_out,), and
``z = x @ W + b`` is (n, d_out).

``forward(x, training)`` caches what the backward pass needs. ``backward(dout)``
takes dC/d(output), stores dC/d(param) in ``self.grads`` under the same names as
``self.params``, and returns dC/d(input).

Gradients are written in place, always as ``self.grads["W"][...] = ...``: ``build``
allocates each gradient array once, and after ``compile`` the network's optimizer reads
them all from one shared buffer, so a backward pass that bound a new array
(``self.grads["W"] = ...``) would never be seen; Sequential refuses it. The one exception
in form, not in rule, is Dense's weight gradient: ``np.matmul(x.T, dz, out=grads["W"])``
writes the product straight into place, which saves copying a temporary as large as W.
"""
from __future__ import annotations

import math

import numpy as np

from . import activations as act
from ._validation import CourseError, check_positive, check_rate, in_range, lookup
from .initializers import get_initializer


class Layer:
    """Base class. Subclasses set ``kind`` and override ``forward``/``backward``."""

    kind = "layer"

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.needs_input_grad = True   # the first layer may skip computing dC/dx
        self.n_in: int | None = None

    def build(self, n_in: int, rng: np.random.Generator, dtype) -> int:
        """Create parameters for inputs of width n_in; return the output width."""
        self.n_in = n_in
        return n_in

    def forward(self, x, training=False):
        """x (n, d_in) -> output (n, d_out); dropout and the like act only when training."""
        raise NotImplementedError

    def backward(self, dout):
        """dout = dC/d(output) (n, d_out) -> dC/dx (n, d_in); fills self.grads in place."""
        raise NotImplementedError

    def penalized(self) -> tuple[str, ...]:
        """Names of parameters that L1/L2 weight penalties apply to (weights, not biases)."""
        return ()

    def config(self) -> dict:
        """The constructor arguments, as JSON-friendly values, for saving a model."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


def _affine_backward(layer, dz):
    """Backward through z = x W + b for a layer that kept its input x (Dense, Maxout).

    Stores dW = x^T dz (the batch sum is inside the matrix product) and db = the column sums of
    dz; returns dx = dz W^T, or None when nothing below needs it (the first layer).
    """
    np.matmul(layer.x.T, dz, out=layer.grads["W"])    # grads["W"][...] = x.T @ dz, without a temporary
    dz.sum(axis=0, out=layer.grads["b"])
    return dz @ layer.params["W"].T if layer.needs_input_grad else None


class Dense(Layer):
    """A fully connected layer, z = x @ W + b.

    Dense(n_in, n_out, weight_init="glorot_uniform", bias_init="zeros")
    Initializers are names from course_lib.initializers, a number (a constant) or a
    callable f(shape, rng).
    """

    kind = "dense"

    def __init__(self, n_in, n_out, weight_init="glorot_uniform", bias_init="zeros"):
        super().__init__()
        self.n_in_declared = check_positive(n_in, "Dense n_in (number of inputs)", integer=True)
        self.n_out = n_out
        self._weight_init = get_initializer(weight_init)
        self._bias_init = get_initializer(bias_init)
        self.weight_init, self.bias_init = weight_init, bias_init

    @property
    def n_out(self):
        return self._n_out

    @n_out.setter
    def n_out(self, value):
        # Changing the width of a built layer would leave its W as it was: say so.
        if "W" in self.params:
            raise CourseError(
                f"{self!r} is built already: its W has shape {self.params['W'].shape}, and setting "
                f"n_out would not change it. Make a new layer, Dense({self.n_in_declared}, {value}), "
                f"and a new network with it.")
        self._n_out = check_positive(value, "Dense n_out (number of units)", integer=True)

    def build(self, n_in, rng, dtype):
        if n_in != self.n_in_declared:
            raise CourseError(
                f"Layer size mismatch: {self!r} expects {self.n_in_declared} inputs, but the layer "
                f"before it produces {n_in}. Make the previous layer's n_out equal this n_in.")
        self.n_in = n_in
        shape = (self.n_in, self.n_out)
        self.params = {"W": _initial(self._weight_init, shape, rng, dtype, "W"),
                       "b": _initial(self._bias_init, (self.n_out,), rng, dtype, "b")}
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        return self.n_out

    @property
    def W(self):
        return self.params["W"]

    @property
    def b(self):
        return self.params["b"]

    def forward(self, x, training=False):
        """x (n, d_in) -> z = x @ W + b (n, d_out)."""
        self.x = x
        z = x @ self.params["W"]
        z += self.params["b"]
        return z

    def backward(self, dz):
        """dz (n, d_out) -> dx = dz @ W^T (n, d_in), None for the first layer;
        stores dW = x^T dz (d_in, d_out) and db (d_out,)."""
        return _affine_backward(self, dz)

    def penalized(self):
        return ("W",)

    def config(self):
        return {"n_in": self.n_in_declared, "n_out": self.n_out,
                "weight_init": _init_spec(self.weight_init), "bias_init": _init_spec(self.bias_init)}

    def __repr__(self):
        return f"Dense({self.n_in_declared} -> {self.n_out})"


def _initial(init, shape, rng, dtype, name) -> np.ndarray:
    """Initial values for parameter ``name`` from an initializer, called as init(shape, rng)."""
    try:
        values = np.asarray(init(shape, rng), dtype=dtype)
    except TypeError as exc:
        raise CourseError(f"The initializer for {name} failed when called as f(shape, rng): {exc}. "
                          f"A custom initializer takes the shape and a np.random.Generator, e.g. "
                          f"lambda shape, rng: rng.normal(0, 0.1, size=shape).") from None
    if values.shape != shape:
        raise CourseError(f"The initializer for {name} returned an array of shape {values.shape}, "
                          f"but {name} has shape {shape}. Return an array of the shape it is "
                          f"given, e.g. rng.normal(0, 0.1, size=shape).")
    return values


def _slope(value, name) -> float:
    """A finite number such as a leaky slope alpha, or a CourseError that names it."""
    if not in_range(value, -math.inf, math.inf):
        raise CourseError(f"{name} must be a finite number such as 0.01, but got {value!r}.")
    return float(value)


def _init_spec(init):
    """How a model file records an initializer. Weights are saved anyway, so a callable is named only."""
    return init if isinstance(init, (str, int, float)) else getattr(init, "__name__", "custom")


class Activation(Layer):
    """An elementwise activation a = f(z), with its derivative from course_lib.activations.

    Activation(name, **settings) works for every name of the registry whose layer learns
    nothing; the classes below (ReLU(), LeakyReLU(alpha=0.01), ...) are the same thing by name.
    """

    kind = "activation"

    def __init__(self, name, **kwargs):
        super().__init__()
        self.name = name.lower() if isinstance(name, str) else name
        spec = lookup(_WITHOUT_PARAMETERS, name, "activation")
        self.fn, self.prime = spec.fn, spec.prime
        accepted = spec.settings
        unknown = sorted(set(kwargs) - set(accepted))
        if unknown:
            got, takes = ", ".join(unknown), ", ".join(accepted)
            if "alpha" in unknown and not accepted:
                raise CourseError(f"Activation({self.name!r}) takes no settings, but got {got}. For "
                                  f"a slope on the negative side use Activation('leaky_relu', alpha=0.1).")
            if not accepted:
                raise CourseError(f"Activation({self.name!r}) takes no settings, but got {got}.")
            raise CourseError(f"Activation({self.name!r}) takes {takes}, but got {got}.")
        self.kwargs = kwargs
        self.kind = self.name

    def forward(self, z, training=False):
        """z (n, d) -> a = f(z) (n, d)."""
        self.z = z
        self.a = self.fn(z, **self.kwargs)
        return self.a

    def backward(self, da):
        """da (n, d) -> dz = da * f'(z) (n, d); softmax multiplies by its Jacobian instead."""
        if self.prime is None:   # softmax: outputs are coupled, so use its Jacobian
            return act.softmax_backward(self.a, da)
        return da * self.prime(self.z, **self.kwargs)

    def config(self):
        # Activation(name, ...) records its name; a named class such as ReLU() is its own name.
        named = {"name": self.name} if type(self) is Activation else {}
        return {**named, **self.kwargs}

    def __repr__(self):
        args = [repr(self.name)] if type(self) is Activation else []
        args += [f"{k}={v}" for k, v in self.kwargs.items()]
        return f"{type(self).__name__}({', '.join(args)})"


# PReLU learns its alpha, so it is a Layer of its own rather than an Activation by name.
_WITHOUT_PARAMETERS = {name: spec for name, spec in act.ACTIVATIONS.items() if not spec.learned}


class Sigmoid(Activation):
    def __init__(self):
        super().__init__("sigmoid")

    def backward(self, da):
        """da (n, d) -> dz = da * a (1 - a) (n, d): sigma' = sigma (1 - sigma), from the forward a."""
        return da * self.a * (1 - self.a)


class Tanh(Activation):
    def __init__(self):
        super().__init__("tanh")

    def backward(self, da):
        """da (n, d) -> dz = da * (1 - a^2) (n, d): tanh' = 1 - tanh^2, from the forward a."""
        return da * (1 - self.a * self.a)


class ReLU(Activation):
    def __init__(self):
        super().__init__("relu")

    def forward(self, z, training=False):
        """z (n, d) -> a = max(z, 0) (n, d)."""
        self.z = z
        self.a = np.maximum(z, 0)
        return self.a

    def backward(self, da):
        """da (n, d) -> dz (n, d): passed where z > 0, zero elsewhere."""
        return da * (self.z > 0)


class LeakyReLU(Activation):
    def __init__(self, alpha=0.01):
        super().__init__("leaky_relu", alpha=_slope(alpha, "LeakyReLU alpha"))


class ELU(Activation):
    def __init__(self, alpha=1.0):
        super().__init__("elu", alpha=_slope(alpha, "ELU alpha"))


class Identity(Activation):
    def __init__(self):
        super().__init__("identity")


class Step(Activation):
    def __init__(self):
        super().__init__("step")


class Softmax(Activation):
    """Row-wise softmax. Paired with categorical cross-entropy, the network skips this
    backward pass and uses delta = a - y directly."""

    def __init__(self):
        super().__init__("softmax")
        self.log_a = None

    def forward(self, z, training=False):
        """z (n, k) -> a (n, k), each row a probability distribution."""
        # The log-probabilities come almost for free here; the cross-entropy cost reads them.
        self.z = z
        self.a, self.log_a = act.softmax_and_log(z)
        return self.a

    def backward(self, da):
        """da (n, k) -> dz (n, k), through the Jacobian without building it."""
        return act.softmax_backward(self.a, da)


class PReLU(Layer):
    """Leaky ReLU whose slope alpha is learned by backprop, one alpha per unit.

    a = z for z > 0, alpha * z otherwise;  dC/dalpha = sum over the batch of dout * min(z, 0).
    """

    kind = "prelu"

    def __init__(self, alpha_init=0.25):
        super().__init__()
        self.alpha_init = _slope(alpha_init, "PReLU alpha_init")

    def build(self, n_in, rng, dtype):
        self.n_in = n_in
        self.params = {"alpha": np.full(n_in, self.alpha_init, dtype=dtype)}
        self.grads = {"alpha": np.zeros_like(self.params["alpha"])}
        return n_in

    @property
    def alpha(self):
        return self.params["alpha"]

    def forward(self, z, training=False):
        """z (n, d) -> a (n, d): z where z > 0, alpha * z elsewhere (alpha per unit, (d,))."""
        self.z = z
        return np.where(z > 0, z, self.params["alpha"] * z)

    def backward(self, da):
        """da (n, d) -> dz (n, d); stores dalpha (d,)."""
        self.grads["alpha"][...] = np.sum(da * np.minimum(self.z, 0), axis=0)
        return np.where(self.z > 0, da, self.params["alpha"] * da)

    def config(self):
        return {"alpha_init": self.alpha_init}


class Maxout(Layer):
    """Maxout(n_in, n_out, pieces=2): each unit outputs the max of ``pieces`` linear functions.

    It has ``pieces`` times the parameters of a Dense layer of the same size.
    """

    kind = "maxout"

    def __init__(self, n_in, n_out, pieces=2, weight_init="glorot_uniform"):
        super().__init__()
        self.n_in_declared = check_positive(n_in, "Maxout n_in", integer=True)
        self.n_out = check_positive(n_out, "Maxout n_out", integer=True)
        self.pieces = check_positive(pieces, "Maxout pieces", integer=True)
        self.weight_init = weight_init
        self._weight_init = get_initializer(weight_init)

    def build(self, n_in, rng, dtype):
        if n_in != self.n_in_declared:
            raise CourseError(f"Layer size mismatch: {self!r} expects {self.n_in_declared} inputs, "
                              f"but the layer before it produces {n_in}.")
        self.n_in = n_in
        shape = (n_in, self.n_out * self.pieces)
        self.params = {"W": _initial(self._weight_init, shape, rng, dtype, "W"),
                       "b": np.zeros(self.n_out * self.pieces, dtype=dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        return self.n_out

    def forward(self, x, training=False):
        """x (n, d_in) -> the largest of the pieces' z, (n, d_out); W is (d_in, d_out * pieces)."""
        self.x = x
        z = (x @ self.params["W"] + self.params["b"]).reshape(len(x), self.n_out, self.pieces)
        self.winner = np.argmax(z, axis=2)   # which linear piece is active, per unit
        return np.take_along_axis(z, self.winner[..., None], axis=2)[..., 0]

    def backward(self, dout):
        """dout (n, d_out) -> dx (n, d_in), None for the first layer; stores dW
        (d_in, d_out * pieces) and db (d_out * pieces,). Only each unit's winning piece learns."""
        dz = np.zeros((len(dout), self.n_out, self.pieces), dtype=dout.dtype)
        np.put_along_axis(dz, self.winner[..., None], dout[..., None], axis=2)
        return _affine_backward(self, dz.reshape(len(dout), -1))

    def penalized(self):
        return ("W",)

    def config(self):
        return {"n_in": self.n_in_declared, "n_out": self.n_out, "pieces": self.pieces,
                "weight_init": _init_spec(self.weight_init)}

    def __repr__(self):
        return f"Maxout({self.n_in_declared} -> {self.n_out}, pieces={self.pieces})"


class Dropout(Layer):
    """Dropout(rate): in training, zero a fraction ``rate`` of units at random.

    Survivors are scaled by 1/(1 - rate) ("inverted dropout"), so nothing changes at
    test time, when the layer passes its input through untouched.
    """

    kind = "dropout"

    def __init__(self, rate):
        super().__init__()
        self.rate = rate

    @property
    def rate(self):
        return self._rate

    @rate.setter
    def rate(self, value):
        # A setter, so that a rate changed later (e.g. to 1.0) is checked as the constructor's is.
        self._rate = check_rate(value, "Dropout rate")

    def build(self, n_in, rng, dtype):
        self.n_in, self.rng, self.dtype = n_in, rng, np.dtype(dtype)
        return n_in

    def forward(self, x, training=False):
        """x (n, d) -> x * mask (n, d) when training; x itself otherwise."""
        if not training or self.rate == 0.0:
            self.mask = None
            return x
        # One buffer serves as uniform draws, then (in place) as the 0/1 keep mask, then as the
        # scaled mask: no temporary arrays per step.
        mask = self.rng.random(x.shape, dtype=self.dtype)
        np.greater_equal(mask, self.rate, out=mask)
        mask *= 1.0 / (1.0 - self.rate)
        self.mask = mask
        return x * mask

    def backward(self, dout):
        """dout (n, d) -> dx (n, d): through the same mask as the forward pass."""
        return dout if self.mask is None else dout * self.mask

    def config(self):
        return {"rate": self.rate}

    def __repr__(self):
        return f"Dropout(rate={self.rate})"


def activation_layer(name, **kwargs) -> Layer:
    """An activation layer by name, of the class the registry names: ReLU() for 'relu', and so on."""
    spec = act.ACTIVATIONS.get(name.lower() if isinstance(name, str) else name)
    if spec is None:
        return Activation(name, **kwargs)   # an unknown name: Activation says which names exist
    return LAYERS[spec.layer](**kwargs)


LAYERS = {cls.__name__: cls for cls in (Dense, Activation, Sigmoid, Tanh, ReLU, LeakyReLU, ELU,
                                        Identity, Step, Softmax, PReLU, Maxout, Dropout)}
