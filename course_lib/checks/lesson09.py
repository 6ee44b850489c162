"""Checkers for lesson 09, the capstone: an MLP from scratch, and Nielsen's loop vectorized.

The learner's network is 784-h-10: z1 = X @ W1 + b1, a1 = relu(z1), z2 = a1 @ W2 + b2,
probs = softmax(z2), trained on the mean cross-entropy. Parameters live in a dict with
keys W1, b1, W2, b2. The hidden reference answers are the underscored functions below.
``demo_network`` gives the lesson's live demo the learner's network, or the reference one
while theirs is not ready.
"""
from __future__ import annotations

import copy
import time

import numpy as np

from ..activations import log_softmax, relu, sigmoid, sigmoid_prime, softmax
from ..data import load_fashion_mnist, one_hot
from ..gradcheck import numerical_gradient, rel_error
from ..loop_network import init_network, update_minibatch_loop
from .core import Hint, _learner_frame, exercise

NAMES = ("W1", "b1", "W2", "b2")
TIME_BUDGET = 60.0        # seconds that 09.4's training may take
TARGET_ACCURACY = 0.85    # on the 10,000 Fashion-MNIST test images
MIN_SPEEDUP = 2.0         # 09.5: a version that still loops over examples gets about 1x
UPDATE_TOLERANCE = 1e-10  # 09.5: largest allowed difference from the loop's update


# ------------------------------------------------------------------ reference answers
def _forward(params, X):
    z1 = X @ params["W1"] + params["b1"]
    a1 = relu(z1)
    z2 = a1 @ params["W2"] + params["b2"]
    return softmax(z2), (X, z1, a1)


def _cost(params, X, y):
    """Mean cross-entropy, from the logits through log-softmax."""
    z2 = relu(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    return -float(np.mean(log_softmax(z2)[np.arange(len(y)), y]))


def _backward(params, cache, probs, y):
    X, z1, a1 = cache
    n = len(y)
    delta2 = probs.copy()
    delta2[np.arange(n), y] -= 1          # probs - one_hot(y), without building one_hot
    delta2 /= n                           # the mean cost's 1/n, applied once
    delta1 = (delta2 @ params["W2"].T) * (z1 > 0)
    return {"W1": X.T @ delta1, "b1": delta1.sum(axis=0),
            "W2": a1.T @ delta2, "b2": delta2.sum(axis=0)}


def _sgd_step(params, grads, velocity, learning_rate, momentum=0.9):
    for name, w in params.items():
        v = velocity[name]
        v *= momentum
        v -= learning_rate * grads[name]
        w += v


def _init(rng, hidden=128, dtype=np.float32):
    """He initialisation for the ReLU layer, zero biases."""
    return {"W1": (rng.normal(size=(784, hidden)) * np.sqrt(2 / 784)).astype(dtype),
            "b1": np.zeros(hidden, dtype),
            "W2": (rng.normal(size=(hidden, 10)) * np.sqrt(2 / hidden)).astype(dtype),
            "b2": np.zeros(10, dtype)}


def _train(X, y, rng, epochs=4, batch_size=64, learning_rate=0.02, momentum=0.9):
    params = _init(rng)
    velocity = {name: np.zeros_like(p) for name, p in params.items()}
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            probs, cache = _forward(params, X[batch])
            _sgd_step(params, _backward(params, cache, probs, y[batch]), velocity,
                      learning_rate, momentum)
    return params


def _update_minibatch(weights, biases, X, Y, learning_rate):
    activations, zs = [X], []
    for W, b in zip(weights, biases):
        zs.append(activations[-1] @ W + b)
        activations.append(sigmoid(zs[-1]))
    m = len(X)
    nabla_W, nabla_b = [None] * len(weights), [None] * len(biases)
    delta = (activations[-1] - Y) * sigmoid_prime(zs[-1])     # (m, d_out): one row per example
    for l in range(len(weights) - 1, -1, -1):
        nabla_W[l] = activations[l].T @ delta                  # the sum of m outer products
        nabla_b[l] = delta.sum(axis=0)
        if l > 0:
            delta = (delta @ weights[l].T) * sigmoid_prime(zs[l - 1])
    return ([W - (learning_rate / m) * g for W, g in zip(weights, nabla_W)],
            [b - (learning_rate / m) * g for b, g in zip(biases, nabla_b)])


# ------------------------------------------------------------------ helpers
def _random_net(rng, d=5, h=4, k=3, scale=1.0, dtype=np.float64):
    return {"W1": (scale * rng.normal(size=(d, h))).astype(dtype),
            "b1": (scale * rng.normal(size=h)).astype(dtype),
            "W2": (scale * rng.normal(size=(h, k))).astype(dtype),
            "b2": (scale * rng.normal(size=k)).astype(dtype)}


def _copy(params):
    return {name: p.copy() for name, p in params.items()}


def _close(a, b, tol=1e-7):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and rel_error(a, b) < tol


def _scale_of(mine, ref):
    """The factor c with mine = c * ref, if there is one, else None."""
    mine, ref = np.asarray(mine, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if mine.shape != ref.shape or not np.any(ref) or not np.all(np.isfinite(mine)):
        return None
    c = float(np.sum(mine * ref) / np.sum(ref * ref))
    return c if rel_error(mine, c * ref) < 1e-6 else None


def _scale_hint(what, c, n, fix_large, fix_small, fix_sign, symbol="n"):
    """A hint for an answer that is the right one times a constant c (n, 1/n or -1), or None."""
    if c is None or n == 1:
        return None
    if abs(c - n) < 1e-6 * n:
        return f"{what} is {n} times too large ({symbol} = {n} here): {fix_large}"
    if abs(c - 1 / n) < 1e-6 / n:
        return f"{what} is {n} times too small ({symbol} = {n} here): {fix_small}"
    if abs(c + 1) < 1e-6:
        return f"{what} has the wrong sign: {fix_sign}"
    return None


# ------------------------------------------------------------------ 09.1 forward
def _call_forward(forward, params, X):
    with np.errstate(all="ignore"):   # a naive softmax overflows; the hint says so
        out = forward(_copy(params), X.copy())
    if not (isinstance(out, tuple) and len(out) == 2):
        raise Hint("forward must return two things, `return probs, cache`, with "
                   "cache = (X, z1, a1).")
    probs, cache = out
    return np.asarray(probs), cache


@exercise("09.1", "forward pass of the 784-h-10 network")
def check_forward(forward):
    rng = np.random.default_rng(901)
    params = _random_net(rng)
    n, k = 7, params["W2"].shape[1]
    X = rng.normal(size=(n, params["W1"].shape[0]))
    probs, cache = _call_forward(forward, params, X)
    ref, (_, z1, a1) = _forward(params, X)
    if probs.shape != ref.shape:
        raise Hint(f"probs has shape {probs.shape}, expected (n, k) = {ref.shape}: one row per "
                   f"example, one column per class.")
    if not np.allclose(probs.sum(axis=1), 1):
        if np.allclose(probs.sum(axis=0), 1):
            raise Hint("each column of probs sums to 1, but each row should: take the softmax "
                       "along axis=1 (rows are examples), with keepdims=True.")
        raise Hint("the rows of probs do not sum to 1: the output layer needs a softmax, "
                   "exp(z2) divided by its row sum.")
    if not _close(probs, ref):
        if _close(probs, softmax(sigmoid(z1) @ params["W2"] + params["b2"])):
            raise Hint("your hidden layer uses a sigmoid: this network uses a1 = relu(z1) = "
                       "np.maximum(z1, 0).")
        if _close(probs, softmax(relu(X @ params["W1"]) @ params["W2"])):
            raise Hint("your probabilities ignore the biases: z1 = X @ W1 + b1 and "
                       "z2 = a1 @ W2 + b2.")
        raise Hint(f"probs differs from the right answer (relative error "
                   f"{rel_error(probs, ref):.1e}). Check z1 = X @ W1 + b1, a1 = relu(z1), "
                   f"z2 = a1 @ W2 + b2, probs = softmax(z2).")
    if not (isinstance(cache, (tuple, list)) and len(cache) == 3):
        raise Hint("cache must be the tuple (X, z1, a1): backward() reads exactly these.")
    for name, mine, right in zip(("X", "z1", "a1"), cache, (X, z1, a1)):
        if not _close(np.asarray(mine), right):
            raise Hint(f"the {name} in your cache is not right: cache must be (X, z1, a1), with "
                       f"z1 = X @ W1 + b1 before the ReLU and a1 = relu(z1) after it.")

    big = _random_net(np.random.default_rng(902), scale=1.0)
    big["W2"] *= 400.0                          # logits up to about 770: exp overflows
    probs, _ = _call_forward(forward, big, X)
    if not np.all(np.isfinite(probs)):
        raise Hint("with logits of several hundred your probs contain NaN: np.exp overflows "
                   "above about 709 in float64 (88 in float32). Subtract each row's maximum, "
                   "z2 - z2.max(axis=1, keepdims=True), before np.exp; the softmax does not "
                   "change.")
    if not _close(probs, _forward(big, X)[0], 1e-6):
        raise Hint("with large logits your probs are wrong: subtract each row's maximum "
                   "(keepdims=True) before np.exp.")

    one = rng.normal(size=(1, X.shape[1]))
    probs, _ = _call_forward(forward, params, one)
    if probs.shape != (1, k) or not _close(probs, _forward(params, one)[0]):
        raise Hint(f"with a single example X of shape (1, d) probs should have shape (1, {k}), "
                   f"got {probs.shape}. Avoid squeeze() and sums without axis=.")

    p32 = {name: p.astype(np.float32) for name, p in params.items()}
    probs, _ = _call_forward(forward, p32, X.astype(np.float32))
    if probs.dtype != np.float32:
        raise Hint(f"with float32 inputs and weights your probs are {probs.dtype}: something "
                   f"upcasts to float64, which makes the training in 09.4 slower. "
                   f"Build arrays from the inputs' dtype.")
    return ("probabilities and cache match on unseen inputs; rows sum to 1; stable with logits "
            "of several hundred; one example and float32 work.")


# ------------------------------------------------------------------ 09.2 backward
def _gradcheck_case(seed, n, d=5, h=4, k=3):
    """A small float64 net and batch whose z1 stays clear of the ReLU's kink at 0."""
    rng = np.random.default_rng(seed)
    while True:
        params = _random_net(rng, d, h, k)
        X = rng.normal(size=(n, d))
        y = rng.integers(0, k, size=n)
        if np.min(np.abs(X @ params["W1"] + params["b1"])) > 1e-3:
            return params, X, y


def _call_backward(backward, params, X, y):
    probs, cache = _forward(params, X)
    grads = backward(_copy(params), tuple(c.copy() for c in cache), probs.copy(), y.copy())
    if not isinstance(grads, dict) or set(NAMES) - set(grads):
        raise Hint("backward must return a dict with the keys 'W1', 'b1', 'W2', 'b2', e.g. "
                   "{'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}.")
    return {name: np.asarray(grads[name]) for name in NAMES}


def _shape_hint(name, got, want, n):
    if name.startswith("b") and got == (n, want[0]):
        return (f"d{name} has shape {got}, one row per example: sum the deltas over the batch, "
                f"delta.sum(axis=0), to get shape {want}.")
    if len(got) == 2 and got == want[::-1]:
        return (f"d{name} has shape {got} but {name} is {want}: it is transposed. "
                f"Use inputs.T @ delta, e.g. dW1 = X.T @ delta1.")
    return f"d{name} has shape {got}, but it must have the shape of {name}, {want}."


def _diagnose_gradient(name, mine, right, params, X, y):
    n = len(X)
    hint = _scale_hint(f"your d{name}", _scale_of(mine, right), n,
                       "divide by the batch size n once: delta2 = (probs - Y) / n.",
                       "did you average over the batch twice? Divide by n once: either in "
                       "delta2 = (probs - Y) / n or in dW = X.T @ delta / n, not both.",
                       "the output error is delta2 = (probs - Y) / n, not (Y - probs) / n.")
    if hint:
        return hint
    if name in ("W2", "b2"):
        return (f"your d{name} is wrong. The output error is delta2 = (probs - Y) / n with Y the "
                f"one-hot labels; then dW2 = a1.T @ delta2 and db2 = delta2.sum(axis=0).")
    z1 = X @ params["W1"] + params["b1"]
    delta2 = (_forward(params, X)[0] - one_hot(y, params["W2"].shape[1])) / n
    unmasked = delta2 @ params["W2"].T
    no_mask = {"W1": X.T @ unmasked, "b1": unmasked.sum(axis=0)}[name]
    if _close(mine, no_mask, 1e-6):
        return (f"your d{name} misses the ReLU's derivative: delta1 = (delta2 @ W2.T) * (z1 > 0).")
    with_a1 = delta2 @ params["W2"].T * relu(z1)
    if _close(mine, {"W1": X.T @ with_a1, "b1": with_a1.sum(axis=0)}[name], 1e-6):
        return (f"your d{name} multiplies by a1 = relu(z1) instead of relu'(z1): use the mask "
                f"(z1 > 0), which is 1 or 0.")
    return (f"your d{name} is wrong, though dW2 and db2 are right. Backpropagate: "
            f"delta1 = (delta2 @ W2.T) * (z1 > 0), then dW1 = X.T @ delta1 and "
            f"db1 = delta1.sum(axis=0).")


@exercise("09.2", "backward pass: gradients of the mean cross-entropy")
def check_backward(backward):
    params, X, y = _gradcheck_case(911, n=6)
    grads = _call_backward(backward, params, X, y)
    for name in ("W2", "b2", "W1", "b1"):          # output layer first: errors flow backwards
        mine = grads[name]
        if mine.shape != params[name].shape:
            raise Hint(_shape_hint(name, mine.shape, params[name].shape, len(X)))
        numeric = numerical_gradient(lambda: _cost(params, X, y), params[name])
        err = rel_error(mine, numeric) if np.all(np.isfinite(mine)) else np.inf
        if err > 1e-6:
            raise Hint(f"d{name} disagrees with finite differences (relative error {err:.1e}): "
                       + _diagnose_gradient(name, mine, numeric, params, X, y))
    for seed, n in ((912, 1), (913, 50)):
        params, X, y = _gradcheck_case(seed, n=n)
        grads = _call_backward(backward, params, X, y)
        probs, cache = _forward(params, X)
        right = _backward(params, cache, probs, y)
        for name in ("W2", "b2", "W1", "b1"):
            if grads[name].shape != params[name].shape:
                raise Hint(f"with a batch of n = {n}: "
                           + _shape_hint(name, grads[name].shape, params[name].shape, n))
            if not _close(grads[name], right[name], 1e-6):
                raise Hint(f"with a batch of n = {n}, d{name} is wrong: "
                           + _diagnose_gradient(name, grads[name], right[name], params, X, y))
    return ("all four gradients agree with finite differences (relative errors below 1e-6) "
            "and stay right for batches of 1 and 50.")


# ------------------------------------------------------------------ 09.3 SGD step
@exercise("09.3", "SGD step with momentum, in place")
def check_sgd_step(sgd_step):
    rng = np.random.default_rng(921)
    start = _random_net(rng, 4, 3, 2)
    grads = [_random_net(rng, 4, 3, 2) for _ in range(3)]
    lr, mu = 0.1, 0.9
    mine, ref = _copy(start), _copy(start)
    v_mine = {name: np.zeros_like(p) for name, p in start.items()}
    v_ref = _copy(v_mine)
    for step, g in enumerate(grads, start=1):
        before = _copy(mine)
        sgd_step(mine, _copy(g), v_mine, lr, mu)
        _sgd_step(ref, g, v_ref, lr, mu)
        if all(np.array_equal(mine[k], before[k]) for k in NAMES):
            if step == 1 and any(np.any(v_mine[k]) for k in NAMES):
                sgd_step(mine, _copy(grads[1]), v_mine, lr, mu)   # moves only if v is used late
            if step == 1 and not all(np.array_equal(mine[k], before[k]) for k in NAMES):
                raise Hint("the first step left params unchanged although the velocity moved: "
                           "update the velocity first, v = momentum * v - learning_rate * grad, "
                           "then add the new v to the weights.")
            raise Hint("sgd_step left params unchanged. Update the arrays in place, e.g. "
                       "params[name] += velocity[name]: a line like `w = w - ...` inside the "
                       "loop makes a new array and leaves params untouched.")
        if all(_close(mine[k], ref[k], 1e-9) for k in NAMES):
            continue
        if step == 1:
            if all(_close(mine[k], before[k] + lr * g[k], 1e-9) for k in NAMES):
                raise Hint("your step goes uphill: the velocity gets -learning_rate * grad, "
                           "v = momentum * v - learning_rate * grad, then w += v.")
            raise Hint("after one step from zero velocity, params should be "
                       "w - learning_rate * grad. Check: v = momentum * v - learning_rate * grad; "
                       "w += v.")
        if all(_close(mine[k], before[k] - lr * g[k], 1e-9) for k in NAMES):
            raise Hint(f"step {step} ignores the momentum: keep each velocity in "
                       f"velocity[name] (update it in place with *= and -=) so that the next "
                       f"call starts from it.")
        raise Hint(f"the first step is right but step {step} is not. Update the velocity first, "
                   f"v = momentum * v - learning_rate * grad, then add the new v to the weights.")
    plain = _copy(start)
    sgd_step(plain, _copy(grads[0]), {k: np.zeros_like(p) for k, p in start.items()}, lr, 0.0)
    if not all(_close(plain[k], start[k] - lr * grads[0][k], 1e-9) for k in NAMES):
        raise Hint("with momentum=0 the step should be plain SGD, w - learning_rate * grad.")
    return "three momentum steps and a plain SGD step (momentum=0) match the update rule."


# ------------------------------------------------------------------ 09.4 training
def _accuracy(params, X, y):
    return float(np.mean(_forward(params, X)[0].argmax(axis=1) == y))


def _check_trained_params(params):
    if not isinstance(params, dict) or set(NAMES) - set(params):
        raise Hint("train must return the trained params: a dict with keys 'W1', 'b1', 'W2', "
                   "'b2'.")
    shapes = {name: np.shape(params[name]) for name in NAMES}
    h = shapes["W1"][1] if len(shapes["W1"]) == 2 else None
    want = {"W1": (784, h), "b1": (h,), "W2": (h, 10), "b2": (10,)}
    if h is None or shapes != want:
        raise Hint(f"the parameters have shapes {shapes}; a 784-h-10 network needs "
                   f"W1 (784, h), b1 (h,), W2 (h, 10), b2 (10,).")
    if not all(np.all(np.isfinite(params[name])) for name in NAMES):
        raise Hint("the trained weights contain NaN or inf: training diverged. Lower the "
                   "learning rate (0.01 to 0.05 with momentum 0.9) and check that softmax "
                   "subtracts the row maximum.")


@exercise("09.4", "train on Fashion-MNIST to 85% test accuracy in under a minute")
def check_training(train):
    (X_train, y_train), (X_test, y_test), _ = load_fashion_mnist()
    start = time.perf_counter()
    params = train(X_train, y_train, np.random.default_rng(0))
    seconds = time.perf_counter() - start
    _check_trained_params(params)
    params = {name: np.asarray(params[name]) for name in NAMES}
    acc = _accuracy(params, X_test, y_test)
    if acc < TARGET_ACCURACY:
        if acc < 0.2:
            raise Hint(f"test accuracy {acc:.3f} is no better than guessing: the network has not "
                       f"learned. Does sgd_step change params in place, and does train return "
                       f"those params?")
        raise Hint(f"test accuracy {acc:.3f} is below {TARGET_ACCURACY}. Try He initialisation "
                   f"(W1 ~ N(0, 2/784)), minibatches of 32 to 128, learning_rate 0.01 to 0.05 "
                   f"with momentum 0.9, and 3 to 5 epochs, reshuffling every epoch.")
    if seconds > TIME_BUDGET:
        slow = (" Your W1 is float64: keep float32, as loaded." if params["W1"].dtype != np.float32
                else "")
        raise Hint(f"test accuracy {acc:.3f} is good, but training took {seconds:.0f} s, over "
                   f"the {TIME_BUDGET:.0f} s budget.{slow} Use minibatches of 32 to 128 rows and "
                   f"matrix products (no loop over examples), and fewer epochs.")
    return (f"test accuracy {acc:.3f} on the 10,000 test images (target {TARGET_ACCURACY}), "
            f"after {seconds:.1f} s of training (budget {TIME_BUDGET:.0f} s).")


# ------------------------------------------------------------------ the live demo's network
_ANSWERS = {"09.1": "forward", "09.2": "backward", "09.3": "sgd_step", "09.4": "train"}


def _check_probabilities(probs, n):
    probs = np.asarray(probs, dtype=np.float64)
    if probs.shape != (n, 10):
        raise Hint(f"forward(params, X)[0] should be probabilities of shape ({n}, 10), but it "
                   f"has shape {probs.shape}")
    if not (np.all(np.isfinite(probs)) and np.allclose(probs.sum(axis=1), 1, atol=1e-3)):
        raise Hint("the rows of forward(params, X)[0] should be probabilities that sum to 1, "
                   "but they do not (is the softmax right?)")


def _why_not_yours(exc, stage):
    """One line on why the learner's network is not used, naming the error."""
    if isinstance(exc, NotImplementedError):
        return "Your " + next((f"{name}() is not written yet (Exercise {ex})"
                               for ex, name in _ANSWERS.items() if f"Exercise {ex}" in str(exc)),
                              f"{stage}() is not written yet")
    message = " ".join(str(exc).split()).rstrip(".")     # one line, even from a long message
    if isinstance(exc, Hint):
        return f"Your network cannot be shown: {message}"
    return f"Your {stage}() raised {type(exc).__name__}: {message}{_learner_frame(exc)}"


def demo_network(train, forward, X, y, rng, epochs=2):
    """predict_proba(X) -> (n, 10) for lesson 09's live demo: the learner's own network,
    trained by their ``train(X, y, rng, epochs=epochs)`` on X (n, 784), y (n,), run by
    their ``forward``.

    If theirs cannot be used (a stub raises NotImplementedError, their code raises another
    error, or returns parameters or probabilities of the wrong shape), the reference network
    is trained instead. Either way one printed line says whose network the demo shows and,
    if not theirs, why not, with the error's type and message: a bug is never hidden.
    """
    stage = "train"
    try:
        params = train(X, y, rng, epochs=epochs)
        _check_trained_params(params)
        stage = "forward"
        _check_probabilities(forward(params, X[:5])[0], len(X[:5]))
    except Exception as exc:   # any failure falls back to the reference, and is named
        print(f"{_why_not_yours(exc, stage)}, so this demo uses the reference network.")
        reference = _train(X, y, rng, epochs=epochs)
        return lambda images: _forward(reference, images)[0]
    print(f"This demo uses your network, trained by your train() on {len(X):,} images for "
          f"{epochs} epochs.")
    return lambda images: forward(params, images)[0]


# ------------------------------------------------------------------ 09.5 vectorize the loop
def _call_update(update_minibatch, weights, biases, X, Y, learning_rate):
    out = update_minibatch(copy.deepcopy(weights), copy.deepcopy(biases), X.copy(), Y.copy(),
                           learning_rate)
    if not (isinstance(out, tuple) and len(out) == 2 and len(out[0]) == len(weights)
            and len(out[1]) == len(biases)):
        raise Hint(f"update_minibatch must return (new_weights, new_biases): two lists with one "
                   f"array per layer ({len(weights)} here), like update_minibatch_loop.")
    return [np.asarray(W) for W in out[0]], [np.asarray(b) for b in out[1]]


def _compare_updates(mine, ref, start, m, where):
    """Raise a Hint unless every array of `mine` equals `ref` to UPDATE_TOLERANCE."""
    worst = 0.0
    n_layers = len(ref[0])
    for l in reversed(range(n_layers)):        # output layer first: errors flow backwards
        for kind, mine_list, ref_list, start_list in zip(("weights", "biases"), mine, ref, start):
            a, r, s = mine_list[l], ref_list[l], start_list[l]
            if a.shape != r.shape:
                raise Hint(f"{where}: your new {kind}[{l}] has shape {a.shape}, expected "
                           f"{r.shape}. Weight gradients are activations.T @ delta; bias "
                           f"gradients are delta.sum(axis=0).")
            diff = float(np.max(np.abs(a - r))) if np.all(np.isfinite(a)) else np.inf
            if diff > UPDATE_TOLERANCE:
                hint = _scale_hint(f"your step on {kind}[{l}]", _scale_of(a - s, r - s), m,
                                   "the step uses the mean gradient, (learning_rate / m) times "
                                   "the batch sum.",
                                   "you divided by the batch size twice; the step is "
                                   "(learning_rate / m) times the batch sum.",
                                   "the output error is (a - Y) * sigmoid_prime(z), and the "
                                   "step subtracts it.", symbol="m")
                hint = hint and hint[0].upper() + hint[1:]
                raise Hint(f"{where}: your new {kind}[{l}] differs from the loop's by up to "
                           f"{diff:.1e} (allowed {UPDATE_TOLERANCE:.0e}). " + (hint or
                           "Stack the examples as rows: delta = (a - Y) * sigmoid_prime(z) at "
                           "the output, delta = (delta @ W.T) * sigmoid_prime(z) going back, "
                           "nabla_W = a_prev.T @ delta, nabla_b = delta.sum(axis=0)."))
            worst = max(worst, diff)
    return worst


def _best_time(fn, batches, weights, biases, learning_rate, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for X, Y in batches:
            fn(weights, biases, X, Y, learning_rate)
        best = min(best, time.perf_counter() - start)
    return best


@exercise("09.5", "vectorize Nielsen's per-example minibatch update")
def check_vectorized(update_minibatch):
    rng = np.random.default_rng(931)
    worst = 0.0
    for sizes, m in (([5, 4, 3, 2], 7), ([5, 4, 3, 2], 1), ([6, 3], 4)):
        weights, biases = init_network(sizes, rng)
        X, Y = rng.normal(size=(m, sizes[0])), rng.uniform(size=(m, sizes[-1]))
        mine = _call_update(update_minibatch, weights, biases, X, Y, 0.5)
        ref = update_minibatch_loop(weights, biases, X, Y, 0.5)
        worst = max(worst, _compare_updates(mine, ref, (weights, biases), m,
                                            f"network {sizes}, minibatch of {m}"))

    (pixels, labels), _, _ = load_fashion_mnist(scale=False)   # uint8: a small copy
    weights, biases = init_network([784, 30, 10], rng)
    order = rng.permutation(len(pixels))
    factors = {}
    for m, n_batches in ((10, 20), (100, 5)):
        idx = order[:m * n_batches].reshape(n_batches, m)
        batches = [(pixels[i] / 255.0, one_hot(labels[i], 10)) for i in idx]
        mine = _call_update(update_minibatch, weights, biases, *batches[0], 3.0)
        ref = update_minibatch_loop(weights, biases, *batches[0], 3.0)
        worst = max(worst, _compare_updates(mine, ref, (weights, biases), m,
                                            f"784-30-10 network on Fashion-MNIST, minibatch of {m}"))
        t_loop = _best_time(update_minibatch_loop, batches, weights, biases, 3.0, 2)
        t_mine = _best_time(update_minibatch, batches, weights, biases, 3.0, 3)
        factors[m] = t_loop / t_mine
    if factors[10] < MIN_SPEEDUP:
        raise Hint(f"your updates are right, but only {factors[10]:.1f}x as fast as the loop "
                   f"(needed: {MIN_SPEEDUP:.0f}x). Is there still a Python loop over the examples? "
                   f"Push the whole minibatch X (m, d) through each layer at once.")
    return (f"identical updates (largest difference {worst:.0e}); speed-up over the loop on the "
            f"same minibatches: {factors[10]:.1f}x with minibatches of 10, {factors[100]:.1f}x "
            f"with minibatches of 100.")
