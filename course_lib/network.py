"""Sequential: a stack of layers trained by minibatch gradient descent.

    net = Sequential([Dense(784, 128), ReLU(), Dropout(0.2), Dense(128, 10), Softmax()],
                     rng=0, dtype="float32")
    net.compile(loss="categorical_crossentropy", optimizer=Adam(1e-3))
    history = net.fit(X_train, y_train, epochs=5, batch_size=32,
                      validation_data=(X_val, y_val))
    loss, accuracy = net.evaluate(X_test, y_test)

Training is the course's six steps: initialise (when the layers are added), then for
every minibatch forward, cost, backprop and update (``train_step``), and repeat.
Saving and loading live in course_lib.saving; ``net.save`` and ``Sequential.load`` call it.
"""
from __future__ import annotations

import math
import os
import time
import weakref

import numpy as np
from tqdm.auto import tqdm

from ._validation import CourseError, as_generator, as_matrix, check_labels, check_positive, in_range
from .layers import Activation, Dense, Dropout, Layer, activation_layer
from .losses import Loss, get_loss
from .optimizers import FlatParameters, Optimizer, get_optimizer
from .saving import load_model, save_model


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
        self._added: tuple[Layer, ...] = ()      # the layers as add() built them (see _require_layers)
        self._compiled_optimizer = None
        if isinstance(layers, Layer):
            raise CourseError(f"Sequential takes a list of layers, but got the single layer {layers!r}. "
                              f"Wrap it in a list: Sequential([layer, ...]).")
        for layer in layers:
            self.add(layer)

    # ----------------------------------------------------------------- building
    def add(self, layer: Layer) -> Sequential:
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
        self._added = tuple(self.layers)
        if self.optimizer is not None:
            self._share_buffers()   # compiled already: include the new layer's parameters
        return self

    def compile(self, loss="categorical_crossentropy", optimizer="sgd", learning_rate=None,
                l1=0.0, l2=0.0) -> Sequential:
        """Choose the cost, the optimizer and optional L1/L2 weight penalties.

        The penalties add l2/2 * sum(W^2) + l1 * sum(|W|) to the batch-mean cost,
        over weights only (not biases). Nielsen's lambda equals l2 * n_train.
        """
        self._require_layers()
        self.loss = get_loss(loss)
        self._use_optimizer(get_optimizer(optimizer, learning_rate))
        for name, value in (("l1", l1), ("l2", l2)):
            infinite = isinstance(value, float) and value == math.inf   # refused just below, in words
            if not (in_range(value, 0.0, math.inf) or infinite):
                raise CourseError(f"{name} is a penalty strength and must be >= 0, but got {value!r}.")
            if not math.isfinite(value):
                raise CourseError(f"{name} must be a finite penalty strength such as 1e-4, but got "
                                  f"{value!r}: the cost would be infinite.")
        self.l1, self.l2 = float(l1), float(l2)
        self._check_loss_fits()
        self._share_buffers()
        return self

    def _use_optimizer(self, optimizer):
        """Make ``optimizer`` this network's own, refusing one that trains another network."""
        owner = getattr(optimizer, "_network", None)
        if owner is not None and owner() is not None and owner() is not self:
            raise CourseError(
                f"This {type(optimizer).__name__} object already trains another network: its "
                f"moments and step count belong to that network. Give each network its own, "
                f"e.g. compile(..., optimizer={type(optimizer).__name__}(...)) or a name such as "
                f"optimizer='adam'.")
        optimizer._network = weakref.ref(self)
        self.optimizer = self._compiled_optimizer = optimizer

    def _check_loss_fits(self):
        """The loss must suit the last layer. Checked by compile, and again before every use,
        because layers can be added, or net.loss replaced, after compile."""
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
        if not isinstance(self.layers, list) or tuple(self.layers) != self._added:
            # A layer gets its weights, sizes and place in the parameter buffer in add(); one put
            # into the list directly has none of them, and one taken out leaves sizes that lie.
            now, built = list(self.layers), self._added
            i = next((j for j, (a, b) in enumerate(zip(now, built)) if a is not b), min(len(now), len(built)))
            found = repr(now[i]) if i < len(now) else "nothing"
            expected = repr(built[i]) if i < len(built) else "nothing"
            raise CourseError(
                f"net.layers was changed directly: position {i} holds {found}, but the network "
                f"built {expected} there. Layers are sized and given their weights when they are "
                f"added, so add them with net.add(layer), or build a new network with "
                f"Sequential([...]) to remove or replace one.")

    def _require_compiled(self):
        self._require_layers()
        if self.loss is None or self.optimizer is None:
            raise CourseError("Call net.compile(loss=..., optimizer=...) before fit, evaluate or "
                              "compute_gradients, e.g. net.compile('categorical_crossentropy', 'adam').")
        # net.loss = ... or net.optimizer = ... after compile act as compile would have.
        self.loss = get_loss(self.loss)
        if self.optimizer is not self._compiled_optimizer:
            self._use_optimizer(get_optimizer(self.optimizer))
            self._share_buffers()
        self._check_loss_fits()

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
    def prepare_inputs(self, X, name="X") -> np.ndarray:
        """X checked (shape, NaN, raw pixels) and cast to the network's dtype: (n, n_inputs)."""
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

    def prepare_batch(self, X, y):
        """(X, Y) checked and converted as fit does them, ready for train_step.

        X : (n, n_inputs) in the network's dtype. Y : (n, n_outputs); integer labels
        become one-hot rows (or a 0/1 column for a single output).
        """
        self._require_compiled()
        X = self.prepare_inputs(X)
        Y, _ = self._targets(y, len(X))
        return X, Y

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
            if k == 1 and classifying:
                raise CourseError(
                    f"{name} has {Y.shape[1]} columns, but this network has one sigmoid output, for "
                    f"two classes: pass labels 0/1 of shape ({n},), e.g. {name}.argmax(axis=1) for "
                    f"one-hot rows. For more classes end the network with Dense(n, k) + Softmax().")
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
        if getattr(self, "_fused", False) and self.loss.fuses_with == "sigmoid" \
                and (Y.min() < 0 or Y.max() > 1):
            raise CourseError(
                f"{name} has targets from {Y.min():.4g} to {Y.max():.4g}, but sigmoid outputs with "
                f"binary cross-entropy need every target in [0, 1]: 0/1 labels or probabilities. "
                f"For more classes use Dense(n, k) + Softmax() with integer labels; for other "
                f"numbers use loss='mse'.")
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
        return self._forward(self.prepare_inputs(X), training)[0]

    def predict_proba(self, X, batch_size=10_000):
        """Output activations, e.g. class probabilities of shape (n, k), computed in batches."""
        X = self.prepare_inputs(X)
        check_positive(batch_size, "batch_size", integer=True, example=10_000)
        return np.concatenate([self._forward(X[i:i + batch_size])[0]
                               for i in range(0, len(X), batch_size)])

    def predict(self, X, batch_size=10_000):
        """Class labels (n,) for a classifier (argmax, or a > 0.5 for one output); else the outputs."""
        a = self.predict_proba(X, batch_size)
        # Without a loss, several outputs are taken for class scores and one output for a value.
        classifying = self.loss.is_classification if self.loss is not None else a.shape[1] > 1
        return self._classify(a) if classifying else a

    def _classify(self, a, out=None):
        """Predicted classes of output rows a: argmax, or a > 0.5 for a single output."""
        if a.shape[1] > 1:
            return a.argmax(axis=1, out=out)
        guesses = (a[:, 0] > 0.5).astype(np.intp)
        if out is not None:
            out[...] = guesses
        return guesses

    # ---------------------------------------------------------------- the cost
    def _cost(self, a, z, Y):
        last = self.layers[-1]
        if self._fused and getattr(last, "a", None) is a and getattr(last, "log_a", None) is not None:
            value = self.loss.value_from_log_probs(last.log_a, Y)   # ln a from the same forward pass
        elif self._fused and hasattr(self.loss, "value_from_logits"):
            value = self.loss.value_from_logits(z, Y)
        else:
            value = self.loss.value(a, Y)
        return value + self.penalty()

    def penalty(self) -> float:
        """The L1/L2 term of the cost for the current weights (0.0 without penalties)."""
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
        X, Y = self.prepare_batch(X, y)
        a, z = self._forward(X, training)
        cost = self._cost(a, z, Y)
        self._backward(a, Y)
        self._check_bound()
        return cost, {name: g.copy() for name, g in self.gradients().items()}

    def cost(self, X, y):
        """The cost (with penalties) on data X, y, dropout off."""
        X, Y = self.prepare_batch(X, y)
        a, z = self._forward(X)
        return self._cost(a, z, Y)

    def train_step(self, X, Y):
        """One gradient step on a prepared batch (see prepare_batch); returns (cost, a).

        Steps 2 to 5 of the six: forward, cost, backprop, update. No input checks: fit does them.
        """
        a, z = self._forward(X, training=True)                # 2. forward
        cost = self._cost(a, z, Y)                            # 3. cost
        self._backward(a, Y)                                  # 4. backprop
        self._check_bound()
        self.optimizer.step(self._params, self._grads)        # 5. update
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
        setting net.stop_training = True ends training early. If training diverges,
        the weights go back to the start of the epoch and TrainingDiverged is raised.
        """
        # 1. initialise happened when the layers were added; here the data are checked.
        self._require_compiled()
        X = self.prepare_inputs(X)
        Y, labels = self._targets(y, len(X))
        _check_fit_settings(len(X), epochs, batch_size)
        validation = self._validation_arrays(validation_data)
        callbacks = _checked_callbacks(callbacks)
        self.history = _empty_history(labels is not None, validation)
        self.stop_training = False
        guard = _DivergenceGuard(self, X[:batch_size], Y[:batch_size])
        bar = tqdm(total=epochs * math.ceil(len(X) / batch_size), disable=not progress,
                   unit="batch", leave=True)
        try:
            for epoch in range(epochs):                                     # 6. repeat
                guard.start(epoch)
                bar.set_description(f"epoch {epoch + 1}/{epochs}")
                logs = self._train_epoch(X, Y, labels, batch_size, shuffle, guard, bar)
                if validation is not None:
                    self._validate(validation, logs)
                self._record(logs)
                bar.set_postfix({k: round(v, 4) for k, v in logs.items() if k != "seconds"})
                for cb in callbacks:
                    cb(self, epoch, logs)
                if self.stop_training:
                    break
        finally:
            bar.close()
        return self.history

    def _train_epoch(self, X, Y, labels, batch_size, shuffle, guard, bar) -> dict:
        """One pass over X in minibatches; return the epoch's logs: loss, seconds and accuracy."""
        start = time.perf_counter()
        n = len(X)
        order = self.rng.permutation(n) if shuffle else np.arange(n)
        cost_sum = 0.0
        guesses = np.empty(n, dtype=np.intp)   # predicted classes, compared once per epoch
        with np.errstate(over="ignore", invalid="ignore"):
            for b in range(math.ceil(n / batch_size)):
                batch = slice(b * batch_size, (b + 1) * batch_size)
                idx = order[batch]
                cost, a = self.train_step(X[idx], Y[idx])                # steps 2 to 5
                guard.check_cost(cost, b)
                cost_sum += cost * len(idx)
                if labels is not None:
                    self._classify(a, out=guesses[batch])
                bar.update(1)
        guard.check_weights()
        logs = {"loss": cost_sum / n, "seconds": time.perf_counter() - start}
        if labels is not None:
            logs["accuracy"] = int(np.count_nonzero(guesses == labels[order])) / n
        return logs

    def _validation_arrays(self, validation_data):
        """(X_val, Y_val, labels_val) from validation_data=(X_val, y_val), or None."""
        if validation_data is None:
            return None
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise CourseError("validation_data must be a pair (X_val, y_val).")
        X_val = self.prepare_inputs(validation_data[0], "X_val")
        Y_val, labels_val = self._targets(validation_data[1], len(X_val), "y_val")
        return X_val, Y_val, labels_val

    def _validate(self, validation, logs):
        """Add val_loss (and val_accuracy for a classifier) to an epoch's logs."""
        logs["val_loss"], val_acc = self._evaluate(*validation)
        if validation[2] is not None:
            logs["val_accuracy"] = val_acc

    def _record(self, logs):
        for key, value in logs.items():
            self.history[key].append(value)

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
        X = self.prepare_inputs(X)
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
        """Save layers and weights to an .npz file (no pickle: JSON config plus arrays).

        Returns the path written; see course_lib.saving.
        """
        self._require_layers()
        return save_model(self, path)

    @classmethod
    def load(cls, path, rng=None) -> Sequential:
        """Load a network written by save(). Refuses anything else with a clear message.

        A network saved after compile comes back compiled with the same loss and penalties
        (and a fresh SGD optimizer), so predict and evaluate behave exactly as before.
        """
        return load_model(path, rng, network_class=cls)


def _check_fit_settings(n, epochs, batch_size):
    check_positive(epochs, "epochs", integer=True, example=10)
    check_positive(batch_size, "batch_size", integer=True, example=32)
    if batch_size > n:
        raise CourseError(f"batch_size={batch_size} is larger than the {n} training examples. "
                          f"Use batch_size <= {n} (batch_size={n} is full-batch descent).")


def _checked_callbacks(callbacks) -> list:
    if callbacks is None:
        return []   # callbacks=None, as in Keras: none
    callbacks = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
    for cb in callbacks:
        if isinstance(cb, type):
            raise CourseError(f"callbacks holds the class {cb.__name__} itself; pass an object "
                              f"made from it: callbacks=[{cb.__name__}(...)].")
        if not callable(cb):
            raise CourseError(f"Each callback must be callable as cb(net, epoch, logs); got {cb!r}.")
    return callbacks


def _empty_history(classifying, validation) -> dict[str, list]:
    """fit's history, one empty list per number logged each epoch, in the order they are logged."""
    history = {"loss": [], "seconds": []}
    if classifying:
        history["accuracy"] = []
    if validation is not None:
        history["val_loss"] = []
        if validation[2] is not None:
            history["val_accuracy"] = []
    return history


class _DivergenceGuard:
    """Stops training that has diverged, with the weights restored to the start of the epoch.

    Diverged means: the cost is not finite; or it has grown a thousandfold over its value before
    training, which counts even while it is still finite (a huge learning rate kills every ReLU
    long before NaN appears); or an update left a weight NaN or infinite.
    """

    def __init__(self, net, X, Y):
        self.net = net
        with np.errstate(over="ignore", invalid="ignore"):
            self.start_cost = net._cost(*net._forward(X), Y)
        self.limit = 1e3 * max(self.start_cost, 1.0) if math.isfinite(self.start_cost) else math.inf

    def start(self, epoch):
        """Remember the weights at the start of ``epoch``, to go back to if it diverges."""
        self.epoch = epoch
        self.snapshot = {k: v.copy() for k, v in self.net._params.items()}

    def check_cost(self, cost, batch):
        if not math.isfinite(cost):
            self._stop(f"The cost became {cost} at epoch {self.epoch + 1}, batch {batch + 1}")
        if cost > self.limit:
            self._stop(f"The cost grew from {self.start_cost:.3g} to {cost:.3g} at epoch "
                       f"{self.epoch + 1}, batch {batch + 1}")

    def check_weights(self):
        # The last update can overflow even when its cost was finite; such weights
        # must not become the next epoch's snapshot.
        if not all(np.all(np.isfinite(p)) for p in self.net._params.values()):
            self._stop(f"The weights became NaN or infinite in epoch {self.epoch + 1}")

    def _stop(self, what):
        net = self.net
        for name, saved in self.snapshot.items():
            net._params[name][...] = saved
        net.optimizer.reset()
        lr = net.optimizer.learning_rate
        raise TrainingDiverged(
            f"{what}: training diverged. "
            f"The learning rate ({lr:g}) is the likely cause; try {lr / 10:g}. The weights were "
            f"restored to their values at the start of epoch {self.epoch + 1}.")


def _rounding_canary(layer):
    """With COURSE_ROUNDING_CANARY=1 (set by make test's second run of the lessons), scale every
    initial parameter by 1 + 1e-6: about how far two CPUs drift apart after a few float32 steps.
    A saved output that depends on a training run's rounding then changes, and nbval says so."""
    if os.environ.get("COURSE_ROUNDING_CANARY", "") not in ("", "0"):
        for p in layer.params.values():
            p *= p.dtype.type(1 + 1e-6)


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
