"""Sequential: a stack of layers trained by minibatch gradient descent.

    net = Sequential([Dense(784, 128), ReLU(), Dropout(0.2), Dense(128, 10), Softmax()],
                     rng=0, dtype="float32")
    net.compile(loss="categorical_crossentropy", optimizer=Adam(1e-3))
    history = net.fit(X_train, y_train, epochs=5, batch_size=32,
                      validation_data=(X_val, y_val))
    loss, accuracy = net.evaluate(X_test, y_test)

One training step is the course's six steps in miniature: forward, cost,
output error delta, backward through every layer, update, repeat.
"""
from __future__ import annotations

import json
import math
import os
import time
import weakref
import zipfile
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ._validation import CourseError, as_generator, as_matrix, check_labels, check_positive
from .initializers import INITIALIZERS
from .layers import LAYERS, Activation, Dense, Dropout, Layer, activation_layer
from .losses import LOSSES, Loss, get_loss
from .optimizers import FlatParameters, Optimizer, get_optimizer

FORMAT = "course_lib.Sequential/1"


class TrainingDiverged(CourseError, FloatingPointError):
    """The loss or the weights became NaN or infinite; the weights were restored to the last good epoch."""


def _as_dtype(dtype) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    # Test "is None" first: NumPy finds np.dtype("float64") == None true, so "in" alone lets it pass.
    if dt is None or dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise CourseError(f"dtype must be 'float64' (the default, for gradient checks) or "
                          f"'float32' (for speed), but got {dtype!r}.")
    return dt


class Sequential:
    """A feed-forward network: each layer's output is the next layer's input.

    Parameters
    ----------
    layers : list of Layer. The first must fix the input size (Dense or Maxout).
    rng : np.random.Generator or int seed, used for initial weights, shuffling and dropout.
    dtype : "float64" (default) or "float32".
    """

    def __init__(self, layers=(), *, rng=None, dtype="float64"):
        self.rng = as_generator(rng)
        self.dtype = _as_dtype(dtype)
        self.layers: list[Layer] = []
        self.n_inputs: int | None = None
        self.n_outputs: int | None = None
        self.loss: Loss | None = None
        self.optimizer: Optimizer | None = None
        self.l1 = self.l2 = 0.0
        self.history: dict[str, list] = {}
        self.stop_training = False
        if isinstance(layers, Layer):
            raise CourseError(f"Sequential takes a list of layers, but got the single layer {layers!r}. "
                              f"Wrap it in a list: Sequential([layer, ...]).")
        for layer in layers:
            self.add(layer)

    # ----------------------------------------------------------------- building
    def add(self, layer: Layer) -> "Sequential":
        """Append a layer, building its parameters for the current output width."""
        if not isinstance(layer, Layer):
            raise CourseError(f"Sequential takes layers such as Dense(784, 128) or ReLU(), but got "
                              f"{layer!r}. For an activation by name use Activation('relu').")
        for i, other in enumerate(self.layers):
            if other is layer:
                raise CourseError(
                    f"This {layer!r} object is already layer {i} of the network. Each position "
                    f"needs its own layer object, because a layer keeps its own parameters and "
                    f"the input it saw for backprop: write {type(layer).__name__}(...) again "
                    f"instead of reusing the variable.")
        owner = getattr(layer, "_network", None)
        if owner is not None and owner() is not None and owner() is not self:
            raise CourseError(
                f"This {layer!r} object already belongs to another network, which keeps "
                f"training its parameters. Give this network its own: {type(layer).__name__}(...).")
        if not self.layers:
            n_in = getattr(layer, "n_in_declared", None)
            if n_in is None:
                raise CourseError(f"The first layer must fix the input size, like Dense(784, 128), "
                                  f"but it is {layer!r}.")
            self.n_inputs = n_in
            layer.needs_input_grad = False   # nobody needs dC/dX of the data itself
        else:
            n_in = self.n_outputs
        self.n_outputs = layer.build(n_in, self.rng, self.dtype)
        _rounding_canary(layer)
        layer._network = weakref.ref(self)
        self.layers.append(layer)
        if self.optimizer is not None:
            self._share_buffers()   # compiled already: include the new layer's parameters
        return self

    def compile(self, loss="categorical_crossentropy", optimizer="sgd", learning_rate=None,
                l1=0.0, l2=0.0) -> "Sequential":
        """Choose the cost, the optimizer and optional L1/L2 weight penalties.

        The penalties add l2/2 * sum(W^2) + l1 * sum(|W|) to the batch-mean cost,
        over weights only (not biases). Nielsen's lambda equals l2 * n_train.
        """
        self._require_layers()
        self.loss = get_loss(loss)
        optimizer = get_optimizer(optimizer, learning_rate)
        owner = getattr(optimizer, "_network", None)
        if owner is not None and owner() is not None and owner() is not self:
            raise CourseError(
                f"This {type(optimizer).__name__} object already trains another network: its "
                f"moments and step count belong to that network. Give each network its own, "
                f"e.g. compile(..., optimizer={type(optimizer).__name__}(...)) or a name such as "
                f"optimizer='adam'.")
        optimizer._network = weakref.ref(self)
        self.optimizer = optimizer
        for name, value in (("l1", l1), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not value >= 0:
                raise CourseError(f"{name} is a penalty strength and must be >= 0, but got {value!r}.")
        self.l1, self.l2 = float(l1), float(l2)
        last = self.layers[-1]
        wanted = self.loss.fuses_with
        if wanted and not (isinstance(last, Activation) and last.name == wanted):
            raise CourseError(f"{type(self.loss).__name__} expects {wanted} outputs, but the last "
                              f"layer is {last!r}. End the network with {wanted.capitalize()}() "
                              f"or choose loss='mse'.")
        if isinstance(last, Activation) and last.name == "softmax" and self.n_outputs == 1:
            raise CourseError(
                "Softmax over a single output is always 1, whatever the weights: the network "
                "could never learn. For two classes use Dense(n, 1) + Sigmoid() with "
                "loss='binary_crossentropy', or Dense(n, 2) + Softmax() with integer labels.")
        self._fused = bool(wanted)
        self._share_buffers()
        return self

    def _share_buffers(self):
        """Move all parameters, and all gradients, into one contiguous buffer each.

        The layers keep their named arrays (now views), so nothing changes for them, but the
        optimizer can update the whole network in a handful of NumPy calls per step.
        """
        self._params = FlatParameters(self.parameters(), self.dtype)
        self._grads = FlatParameters(self.gradients(), self.dtype)
        self._bound = []
        for i, layer in enumerate(self.layers):
            for name in layer.params:
                key = f"{layer.kind}_{i}.{name}"
                layer.params[name] = self._params[key]
                layer.grads[name] = self._grads[key]
                self._bound.append((i, layer, name, layer.params[name], layer.grads[name]))
        # Weight decay (AdamW) touches the same parameters as the L1/L2 penalties: weights only.
        self.optimizer.decayed = {f"{layer.kind}_{i}.{name}" for i, layer in enumerate(self.layers)
                                  for name in layer.penalized()}
        self.optimizer.reset()

    def _check_bound(self):
        """Parameters and gradients live in two shared buffers (one optimizer call per step).
        A layer whose array was replaced instead of written in place would silently stop
        training, so say so at once."""
        for i, layer, name, param, grad in self._bound:
            if layer.params.get(name) is not param:
                raise CourseError(
                    f"Layer {i} ({layer!r}): params[{name!r}] was replaced by a new array after "
                    f"compile, so training would never update it. Write into the existing array "
                    f"instead, layer.params[{name!r}][...] = new_values, or call net.compile(...) "
                    f"again after replacing it.")
            if layer.grads.get(name) is not grad:
                raise CourseError(
                    f"Layer {i} ({layer!r}): backward replaced grads[{name!r}] with a new array, so "
                    f"the optimizer would never see that gradient. Write gradients in place: "
                    f"self.grads[{name!r}][...] = ... (e.g. self.grads['W'][...] = x.T @ dz).")

    def _require_layers(self):
        if not self.layers:
            raise CourseError("This network has no layers yet. Add some first, e.g. "
                              "Sequential([Dense(784, 10), Softmax()]) or net.add(Dense(784, 10)).")

    def _require_compiled(self):
        self._require_layers()
        if self.loss is None:
            raise CourseError("Call net.compile(loss=..., optimizer=...) before fit, evaluate or "
                              "compute_gradients, e.g. net.compile('categorical_crossentropy', 'adam').")

    # --------------------------------------------------------------- parameters
    def _named(self, attr):
        return {f"{layer.kind}_{i}.{name}": arr
                for i, layer in enumerate(self.layers)
                for name, arr in getattr(layer, attr).items()}

    def parameters(self) -> dict[str, np.ndarray]:
        """Every trainable array by name, e.g. 'dense_0.W'. Views: editing them edits the network."""
        return self._named("params")

    def gradients(self) -> dict[str, np.ndarray]:
        """The gradients from the last backward pass, under the same names as parameters()."""
        return self._named("grads")

    def count_params(self) -> int:
        """The number of trainable numbers (a 784-16-16-10 network has 13,002)."""
        return sum(p.size for p in self.parameters().values())

    # --------------------------------------------------------------- data checks
    def _inputs(self, X, name="X"):
        self._require_layers()
        if getattr(X, "dtype", None) == np.uint8 and np.size(X) and np.max(X) > 1:
            raise CourseError(
                f"{name} holds raw uint8 values up to {np.max(X)} (pixels 0..255?). Scale them to "
                f"0..1 first, {name} = {name} / 255.0, as the course's data loader does; if these "
                f"really are the features you want, convert explicitly: {name}.astype(float).")
        arr = as_matrix(X, name, n_features=self.n_inputs)
        with np.errstate(over="ignore"):
            cast = arr.astype(self.dtype, copy=False)
        if cast is not arr and not np.all(np.isfinite(cast)):
            big = float(np.max(np.abs(arr)))
            raise CourseError(
                f"{name} has values too large for this {self.dtype} network (largest |x| = "
                f"{big:.3g}; {self.dtype} stops at {float(np.finfo(self.dtype).max):.3g}). Scale "
                f"the data (e.g. standardize it) or build the network with dtype='float64'.")
        return cast

    def _targets(self, y, n, name="y"):
        """Return (Y, labels): Y of shape (n, n_outputs) and integer labels or None.

        Integer labels become one-hot rows (or a 0/1 column for a single output).
        """
        k = self.n_outputs
        y_arr = np.asarray(y)
        classifying = self.loss is not None and self.loss.is_classification
        integers = y_arr.ndim == 1 and np.issubdtype(y_arr.dtype, np.integer)
        if integers and k == 1 and not classifying and y_arr.size and not np.isin(y_arr, (0, 1)).all():
            integers = False   # one output and a regression loss: integers such as prices are targets
        if y_arr.ndim == 1 and (integers or classifying):
            labels = check_labels(y_arr, n, max(k, 2), name)
            Y = labels.reshape(-1, 1) if k == 1 else np.eye(k, dtype=self.dtype)[labels]
            return Y.astype(self.dtype, copy=False), labels
        if y_arr.ndim == 1:
            y_arr = y_arr.reshape(-1, 1)
        Y = as_matrix(y_arr, name)
        if Y.shape != (n, k):
            if len(Y) != n:
                raise CourseError(f"X has {n} rows but {name} has {len(Y)}; they must match.")
            if Y.shape[1] == 1 and k > 1 and np.all(Y == np.round(Y)):
                raise CourseError(f"{name} is a column of labels, shape {Y.shape}; labels must be "
                                  f"1-D, shape ({n},): pass {name}.ravel().")
            raise CourseError(f"{name} has {Y.shape[1]} columns but the network has {k} outputs. "
                              f"For class labels pass integers 0..{k - 1}, or one-hot rows.")
        if getattr(self, "_fused", False) and self.loss.fuses_with == "softmax":
            sums = Y.sum(axis=1)
            bad = np.flatnonzero((np.abs(sums - 1) > 1e-3) | (Y.min(axis=1) < 0))
            if bad.size:
                i, row = int(bad[0]), np.round(Y[int(bad[0])], 4).tolist()[:12]
                raise CourseError(
                    f"{name} row {i} is {row} (sum {sums[i]:.4g}): softmax with categorical cross-entropy needs each "
                    f"target row to be a probability distribution, one-hot or soft labels >= 0 "
                    f"summing to 1 ({bad.size} rows are not). For several labels per example use "
                    f"Sigmoid() outputs with loss='binary_crossentropy'.")
        labels = np.argmax(Y, axis=1) if (self.loss is not None and self.loss.is_classification
                                          and k > 1) else None
        return Y.astype(self.dtype, copy=False), labels

    # ------------------------------------------------------------ forward pass
    def _forward(self, X, training=False):
        """Return (a, z): the output, and the input to the last layer (the logits if fused)."""
        z = X
        for layer in self.layers[:-1]:
            z = layer.forward(z, training)
        return self.layers[-1].forward(z, training), z

    def forward(self, X, training=False):
        """The output activations for a batch X of shape (n, n_inputs)."""
        return self._forward(self._inputs(X), training)[0]

    def predict_proba(self, X, batch_size=10_000):
        """Output activations, e.g. class probabilities of shape (n, k), computed in batches."""
        X = self._inputs(X)
        check_positive(batch_size, "batch_size", integer=True, example=10_000)
        return np.concatenate([self._forward(X[i:i + batch_size])[0]
                               for i in range(0, len(X), batch_size)])

    def predict(self, X, batch_size=10_000):
        """Class labels (n,) for a classifier (argmax, or a > 0.5 for one output); else the outputs."""
        a = self.predict_proba(X, batch_size)
        classifying = self.loss is None or self.loss.is_classification
        if a.shape[1] > 1 and classifying:
            return np.argmax(a, axis=1)
        if a.shape[1] == 1 and self.loss is not None and self.loss.is_classification:
            return (a[:, 0] > 0.5).astype(np.intp)
        return a

    # ---------------------------------------------------------------- the cost
    def _cost(self, a, z, Y):
        last = self.layers[-1]
        if self._fused and getattr(last, "a", None) is a and getattr(last, "log_a", None) is not None:
            value = self.loss.value_from_log_probs(last.log_a, Y)   # ln a from the same forward pass
        elif self._fused and hasattr(self.loss, "value_from_logits"):
            value = self.loss.value_from_logits(z, Y)
        else:
            value = self.loss.value(a, Y)
        return value + self._penalty()

    def _penalty(self):
        if not (self.l1 or self.l2):
            return 0.0
        total = 0.0
        for layer in self.layers:
            for name in layer.penalized():
                W = layer.params[name]
                total += 0.5 * self.l2 * float(np.sum(W * W)) + self.l1 * float(np.sum(np.abs(W)))
        return total

    def _backward(self, a, Y):
        """Backpropagate from the cost to every parameter; gradients land in layer.grads."""
        if self._fused:
            delta = self.loss.delta(a, Y)            # dC/dz of the output layer: (a - y) / n
            layers = self.layers[:-1]
        else:
            delta = self.loss.gradient(a, Y)         # dC/da, then through the output activation
            layers = self.layers
        for layer in reversed(layers):
            delta = layer.backward(delta)
        if self.l1 or self.l2:
            for layer in self.layers:
                for name in layer.penalized():
                    W, dW = layer.params[name], layer.grads[name]
                    if self.l2:
                        dW += self.l2 * W
                    if self.l1:
                        dW += self.l1 * np.sign(W)

    def compute_gradients(self, X, y, training=False):
        """Return (cost, {name: gradient}) for one batch, without updating anything.

        Dropout is off unless training=True. The gradients are copies.
        """
        self._require_compiled()
        X = self._inputs(X)
        Y, _ = self._targets(y, len(X))
        a, z = self._forward(X, training)
        cost = self._cost(a, z, Y)
        self._backward(a, Y)
        self._check_bound()
        return cost, {name: g.copy() for name, g in self.gradients().items()}

    def cost(self, X, y):
        """The cost (with penalties) on data X, y, dropout off."""
        self._require_compiled()
        X = self._inputs(X)
        Y, _ = self._targets(y, len(X))
        a, z = self._forward(X)
        return self._cost(a, z, Y)

    def train_step(self, X, Y):
        """One gradient step on a prepared batch; returns (cost, a). No input checks: fit does them."""
        a, z = self._forward(X, training=True)
        cost = self._cost(a, z, Y)
        self._backward(a, Y)
        self._check_bound()
        self.optimizer.step(self._params, self._grads)
        return cost, a

    # ---------------------------------------------------------------- training
    def fit(self, X, y, epochs=1, batch_size=32, validation_data=None, shuffle=True,
            progress=True, callbacks=()):
        """Train by minibatch gradient descent; return the per-epoch history.

        X : (n, n_inputs). y : integer labels (n,), one-hot (n, k) or targets (n, k).
        The history has 'loss' and, for classifiers, 'accuracy' (running means over
        the epoch's batches, as Keras reports them), 'val_loss' and 'val_accuracy'
        when validation_data=(X_val, y_val) is given, and 'seconds' per epoch.
        Each callback is called as callback(net, epoch, logs) after every epoch;
        setting net.stop_training = True ends training early.
        """
        self._require_compiled()
        X = self._inputs(X)
        Y, labels = self._targets(y, len(X))
        n = len(X)
        check_positive(epochs, "epochs", integer=True, example=10)
        check_positive(batch_size, "batch_size", integer=True, example=32)
        if batch_size > n:
            raise CourseError(f"batch_size={batch_size} is larger than the {n} training examples. "
                              f"Use batch_size <= {n} (batch_size={n} is full-batch descent).")
        if validation_data is not None:
            if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
                raise CourseError("validation_data must be a pair (X_val, y_val).")
            X_val = self._inputs(validation_data[0], "X_val")
            Y_val, labels_val = self._targets(validation_data[1], len(X_val), "y_val")
        callbacks = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
        for cb in callbacks:
            if isinstance(cb, type):
                raise CourseError(f"callbacks holds the class {cb.__name__} itself; pass an object "
                                  f"made from it: callbacks=[{cb.__name__}(...)].")
            if not callable(cb):
                raise CourseError(f"Each callback must be callable as cb(net, epoch, logs); got {cb!r}.")

        self.history = history = {"loss": [], "seconds": []}
        if labels is not None:
            history["accuracy"] = []
        if validation_data is not None:
            history["val_loss"] = []
            if labels_val is not None:
                history["val_accuracy"] = []
        self.stop_training = False
        n_batches = -(-n // batch_size)
        # A cost that grows a thousandfold over its starting value has diverged even while
        # it is still finite (a huge learning rate kills every ReLU long before NaN appears).
        with np.errstate(over="ignore", invalid="ignore"):
            start_cost = self._cost(*self._forward(X[:batch_size]), Y[:batch_size])
        limit = 1e3 * max(start_cost, 1.0) if math.isfinite(start_cost) else math.inf
        bar = tqdm(total=epochs * n_batches, disable=not progress, unit="batch", leave=True)
        try:
            for epoch in range(epochs):
                snapshot = {k: v.copy() for k, v in self._params.items()}
                bar.set_description(f"epoch {epoch + 1}/{epochs}")
                start = time.perf_counter()
                order = self.rng.permutation(n) if shuffle else np.arange(n)
                cost_sum = 0.0
                guesses = np.empty(n, dtype=np.intp)   # predicted classes, compared once per epoch
                with np.errstate(over="ignore", invalid="ignore"):
                    for b in range(n_batches):
                        batch = slice(b * batch_size, (b + 1) * batch_size)
                        idx = order[batch]
                        cost, a = self.train_step(X[idx], Y[idx])
                        if not math.isfinite(cost):
                            self._restore(snapshot)
                            raise TrainingDiverged(self._diverged_message(
                                f"The cost became {cost} at epoch {epoch + 1}, batch {b + 1}", epoch))
                        if cost > limit:
                            self._restore(snapshot)
                            raise TrainingDiverged(self._diverged_message(
                                f"The cost grew from {start_cost:.3g} to {cost:.3g} at epoch "
                                f"{epoch + 1}, batch {b + 1}", epoch))
                        cost_sum += cost * len(idx)
                        if labels is not None:
                            self._classify(a, out=guesses[batch])
                        bar.update(1)
                # The last update can overflow even when its cost was finite; such weights
                # must not become the next epoch's snapshot.
                if not all(np.all(np.isfinite(p)) for p in self._params.values()):
                    self._restore(snapshot)
                    raise TrainingDiverged(self._diverged_message(
                        f"The weights became NaN or infinite in epoch {epoch + 1}", epoch))
                logs = {"loss": cost_sum / n, "seconds": time.perf_counter() - start}
                if labels is not None:
                    logs["accuracy"] = int(np.count_nonzero(guesses == labels[order])) / n
                if validation_data is not None:
                    logs["val_loss"], val_acc = self._evaluate(X_val, Y_val, labels_val)
                    if labels_val is not None:
                        logs["val_accuracy"] = val_acc
                for key, value in logs.items():
                    history[key].append(value)
                bar.set_postfix({k: round(v, 4) for k, v in logs.items() if k != "seconds"})
                for cb in callbacks:
                    cb(self, epoch, logs)
                if self.stop_training:
                    break
        finally:
            bar.close()
        return history

    def _restore(self, snapshot):
        for name, saved in snapshot.items():
            self._params[name][...] = saved
        self.optimizer.reset()

    def _diverged_message(self, what, epoch):
        lr = self.optimizer.learning_rate
        return (f"{what}: training diverged. "
                f"The learning rate ({lr:g}) is the likely cause; try {lr / 10:g}. The weights were "
                f"restored to their values at the start of epoch {epoch + 1}.")

    def _classify(self, a, out=None):
        """Predicted classes of output rows a: argmax, or a > 0.5 for a single output."""
        if a.shape[1] > 1:
            return np.argmax(a, axis=1, out=out)
        guesses = (a[:, 0] > 0.5).astype(np.intp)
        if out is not None:
            out[...] = guesses
        return guesses

    def _evaluate(self, X, Y, labels, batch_size=10_000):
        cost, correct = 0.0, 0
        for i in range(0, len(X), batch_size):
            a, z = self._forward(X[i:i + batch_size])
            cost += self._cost(a, z, Y[i:i + batch_size]) * len(a)
            if labels is not None:
                correct += int(np.sum(self._classify(a) == labels[i:i + batch_size]))
        # Each chunk's cost includes the penalty once, so the weighted mean does too.
        return cost / len(X), (correct / len(X) if labels is not None else None)

    def evaluate(self, X, y):
        """Return (cost, accuracy) on X, y with dropout off; accuracy is None for regression."""
        self._require_compiled()
        X = self._inputs(X)
        Y, labels = self._targets(y, len(X))
        return self._evaluate(X, Y, labels)

    # --------------------------------------------------------------- reporting
    def summary(self) -> str:
        """A Keras-style table of layers, output widths and parameter counts."""
        self._require_layers()
        rows = [("Layer", "Output", "Params")]
        for layer in self.layers:
            width = getattr(layer, "n_out", layer.n_in)
            rows.append((repr(layer), f"(n, {width})", f"{sum(p.size for p in layer.params.values()):,}"))
        w0 = max(len(r[0]) for r in rows) + 2
        lines = [f"{a:<{w0}}{b:<12}{c:>10}" for a, b, c in rows]
        rule = "-" * len(lines[0])
        return "\n".join([lines[0], rule, *lines[1:], rule,
                          f"Total parameters: {self.count_params():,}   dtype: {self.dtype.name}"])

    def __repr__(self):
        if not self.layers:
            return "Sequential([])"
        inner = ",\n    ".join(repr(layer) for layer in self.layers)
        return f"Sequential([\n    {inner},\n])  # {self.count_params():,} parameters"

    # -------------------------------------------------------------- save / load
    def save(self, path):
        """Save layers and weights to an .npz file (no pickle: JSON config plus arrays)."""
        self._require_layers()
        path = Path(path)
        config = {"format": FORMAT, "dtype": self.dtype.name,
                  "layers": [{"type": type(layer).__name__, "config": layer.config()}
                             for layer in self.layers]}
        if self.loss is not None:
            # The loss decides what predict and evaluate return, so a round trip must keep it.
            config.update(loss=self.loss.name, l1=self.l1, l2=self.l2)
        arrays = {f"param:{name}": arr for name, arr in self.parameters().items()}
        if not path.parent.is_dir():
            raise CourseError(f"Cannot save to {path}: the folder {path.parent} does not exist. "
                              f"Create it first, e.g. Path({str(path.parent)!r}).mkdir(parents=True), "
                              f"or save into an existing folder.")
        np.savez(path, config=np.array(json.dumps(config)), **arrays)
        return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")

    @classmethod
    def load(cls, path, rng=None) -> "Sequential":
        """Load a network written by save(). Refuses anything else with a clear message.

        A network saved after compile comes back compiled with the same loss and penalties
        (and a fresh SGD optimizer), so predict and evaluate behave exactly as before.
        """
        path = Path(path)
        if not path.exists() and path.suffix != ".npz" and path.with_name(path.name + ".npz").exists():
            path = path.with_name(path.name + ".npz")   # save() added the suffix
        if not path.exists():
            raise CourseError(f"No model file at {path}. Save one first with net.save({str(path)!r}).")
        try:
            with np.load(path, allow_pickle=False) as data:
                config = json.loads(str(data["config"]))
                arrays = {k[len("param:"):]: data[k] for k in data.files if k.startswith("param:")}
        except (zipfile.BadZipFile, ValueError, KeyError, OSError, TypeError, EOFError,
                json.JSONDecodeError) as exc:   # EOFError: an empty file   # TypeError: a lone .npy array is no archive
            raise CourseError(f"{path} is not a model saved by course_lib's Sequential.save "
                              f"({type(exc).__name__}: {exc}).") from None
        if not isinstance(config, dict) or config.get("format") != FORMAT:
            raise CourseError(f"{path} is not a model saved by course_lib (format marker missing).")
        layers = []
        try:
            for spec in config["layers"]:
                layer_cls = LAYERS.get(spec["type"])
                if layer_cls is None:
                    raise CourseError(f"{path} uses an unknown layer type {spec['type']!r}.")
                layers.append(layer_cls(**_with_saved_inits(spec["config"])))
        except (KeyError, TypeError) as exc:
            raise CourseError(f"{path} has a damaged layer list ({type(exc).__name__}: {exc}).") from None
        net = cls(layers, rng=rng, dtype=config["dtype"])
        params = net.parameters()
        if set(params) != set(arrays):
            raise CourseError(f"{path} does not match its own layer list: expected parameters "
                              f"{sorted(params)}, found {sorted(arrays)}.")
        for name, arr in arrays.items():
            if arr.shape != params[name].shape:
                raise CourseError(f"{path}: parameter {name} has shape {arr.shape}, "
                                  f"expected {params[name].shape}.")
            params[name][...] = arr
        if config.get("loss") in LOSSES:
            net.compile(loss=config["loss"], l1=config.get("l1", 0.0), l2=config.get("l2", 0.0))
        return net


def _rounding_canary(layer):
    """With COURSE_ROUNDING_CANARY=1 (set by make test's second run of the lessons), scale every
    initial parameter by 1 + 1e-6: about how far two CPUs drift apart after a few float32 steps.
    A saved output that depends on a training run's rounding then changes, and nbval says so."""
    if os.environ.get("COURSE_ROUNDING_CANARY", "") not in ("", "0"):
        for p in layer.params.values():
            p *= p.dtype.type(1 + 1e-6)


def _with_saved_inits(config):
    """Layer arguments with initializers that were saved by name only (callables) made loadable.

    The saved weights replace the initial ones anyway, so a stand-in that keeps the name will do.
    """
    def stand_in(name):
        def init(shape, rng=None):
            return np.zeros(shape)
        init.__name__ = name
        return init

    return {k: stand_in(v) if k.endswith("_init") and isinstance(v, str)
            and v.lower().replace("-", "_") not in INITIALIZERS else v
            for k, v in config.items()}


def load_model(path, rng=None) -> Sequential:
    """Load a network saved with Sequential.save."""
    return Sequential.load(path, rng=rng)


def mlp(sizes, activation="sigmoid", output="softmax", *, weight_init="scaled_normal",
        bias_init="zeros", dropout=0.0, rng=None, dtype="float64") -> Sequential:
    """Build a fully connected network from layer sizes, e.g. mlp([784, 16, 16, 10]).

    Hidden layers use ``activation``; the output layer uses ``output``.
    """
    if len(sizes) < 2:
        raise CourseError(f"sizes needs at least an input and an output size, got {list(sizes)}.")
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = i == len(sizes) - 2
        layers.append(Dense(n_in, n_out, weight_init=weight_init, bias_init=bias_init))
        layers.append(activation_layer(output if last else activation))
        if dropout and not last:
            layers.append(Dropout(dropout))
    return Sequential(layers, rng=rng, dtype=dtype)
