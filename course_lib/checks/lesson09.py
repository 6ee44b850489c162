"""Checkers for lesson 09, the capstone: an MLP from scratch, and Nielsen's loop vectorized.

The learner's network is d-h-k (784-h-10 on Fashion-MNIST): z1 = X @ W1 + b1, a1 = relu(z1),
z2 = a1 @ W2 + b2, probs = softmax(z2), trained on the mean cross-entropy. Parameters live in
a dict with keys W1, b1, W2, b2. The lesson states this interface and nothing of the backward
pass, the initialization or the settings: the checkers test the learner's answers on networks
and batches the lesson never shows, gradients against finite differences, and name the mistake
when they can. ``hint(exercise_id)`` gives graded help on request, from a nudge to the equation,
never the code. ``course_lib.widgets.fashion.demo_network`` gives the lesson's last section the
network that check 09.4 validated, or the reference one, with the reason, while the learner's is
not ready; ``checked_outcome`` and ``reference_predict_proba`` are its way in.

The hidden reference answers are the underscored functions below.
"""
from __future__ import annotations

import copy
import dis
import time
import weakref
from dataclasses import dataclass

import numpy as np

from .._validation import CourseError
from ..activations import log_softmax, relu, sigmoid, sigmoid_prime, softmax
from ..data import load_fashion_mnist, one_hot, train_val_split
from ..gradcheck import numerical_gradient, rel_error
from ..loop_network import init_network, update_minibatch_loop
from .core import Hint, _learner_frame, call_quietly, exercise

NAMES = ("W1", "b1", "W2", "b2")
VALIDATION_SIZE = 10_000  # the lesson's split of the 60,000 training images: 50,000 fit, 10,000 validation
SPLIT_SEED = 0
VALIDATION_TARGET = 0.86  # 09.4's bar, on the validation images: a point above the test bar of
TEST_TARGET = 0.85        # 0.85, because a score that chose the settings flatters them
BUDGET_FACTOR = 4.0       # 09.4 may take this many times the reference run's time, on the same machine
FIT_SAMPLE = 10_000       # 09.4: fit images on which a failing network's training accuracy is measured
MIN_SPEEDUP = 2.0         # 09.5: a version that still loops over examples gets about 1x
UPDATE_TOLERANCE = 1e-10  # 09.5: largest allowed difference from the loop's update

# The reference's settings, chosen on the validation split: He initialization, SGD with
# momentum, a learning rate that falls linearly to 0 over the run.
REFERENCE = {"hidden": 128, "batch_size": 128, "epochs": 5, "learning_rate": 0.1, "momentum": 0.9}


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
    """He initialization for the ReLU layer, zero biases."""
    return {"W1": (rng.normal(size=(784, hidden)) * np.sqrt(2 / 784)).astype(dtype),
            "b1": np.zeros(hidden, dtype),
            "W2": (rng.normal(size=(hidden, 10)) * np.sqrt(2 / hidden)).astype(dtype),
            "b2": np.zeros(10, dtype)}


def _train(X, y, rng, hidden=REFERENCE["hidden"], batch_size=REFERENCE["batch_size"],
           epochs=REFERENCE["epochs"], learning_rate=REFERENCE["learning_rate"],
           momentum=REFERENCE["momentum"]):
    params = _init(rng, hidden)
    velocity = {name: np.zeros_like(p) for name, p in params.items()}
    steps, step = epochs * -(-len(X) // batch_size), 0
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            probs, cache = _forward(params, X[batch])
            _sgd_step(params, _backward(params, cache, probs, y[batch]), velocity,
                      learning_rate * (1 - step / steps), momentum)
            step += 1
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


# ------------------------------------------------------------------ graded hints
HINTS = {
    "09.1": (
        ("Write the network's definition one equation per line, z1, a1, z2 and then p, and "
         "compare each result's shape with the table in section 2 before going on. The cache "
         "holds what the backward pass will need again: the input, and the hidden layer before "
         "and after its ReLU."),
        ("The softmax needs care twice. It acts on each row on its own, since a row is an "
         "example. And e^z overflows to inf once z passes about 709 in float64 (88 in float32), "
         "after which inf / inf gives NaN. The softmax of a row does not change if you subtract "
         "the same number from every entry of that row."),
        ("With m_i the largest entry of row i of z2:  p_ij = e^(z_ij - m_i) / Σ_j' e^(z_ij' - m_i). "
         "Every exponent is then at most 0, so nothing overflows, and each row's sum holds a "
         "term equal to 1, so nothing divides by 0. The row maxima and the row sums form a "
         "column of n numbers, one per row, that must line up with the rows of z2."),
    ),
    "09.2": (
        ("Start at the output and work down one layer at a time. First find ∂C/∂z2 for one "
         "example's cost, -ln p_y (lesson 06 derived it), then remember that C is the mean of "
         "n such costs. Every gradient must come out with the shape of its parameter: check "
         "that before anything else."),
        ("Call δ2 = ∂C/∂z2, an (n, k) array. For one example's cost it is p - (the one-hot "
         "label); for the mean over n examples every row also carries a factor 1/n. Through a "
         "layer z = a W + b (lesson 05): ∂C/∂W pairs the layer's input with δ, input transposed "
         "times δ; ∂C/∂b adds up δ's rows, one entry per unit; and ∂C/∂a = δ Wᵀ carries the "
         "error one layer down. Through the ReLU, multiply by its derivative."),
        ("δ2 = (p - Y) / n, with Y the one-hot labels.   ∂C/∂W2 = a1ᵀ δ2,   ∂C/∂b2 = Σ_i δ2[i].   "
         "δ1 = (δ2 W2ᵀ) ⊙ 1[z1 > 0], the ReLU's derivative taken at z1, the hidden layer's "
         "input.   ∂C/∂W1 = Xᵀ δ1,   ∂C/∂b1 = Σ_i δ1[i].   The 1/n enters once, in δ2."),
    ),
    "09.3": (
        ("The velocity is state that must survive from one call to the next. So the arrays "
         "inside params and velocity must themselves change: making a new array and giving it "
         "a local name changes nothing the caller can see."),
        ("An augmented assignment to a dictionary entry changes the array the caller holds. "
         "Update the velocity first and the weights second, so that the weights move by the "
         "new velocity."),
        ("For every parameter name:  v ← μ v - η ∇,  then  w ← w + v.  With μ = 0 this is "
         "plain gradient descent, w ← w - η ∇."),
    ),
    "09.4": (
        ("Get a small run working first: 5,000 fit images, one epoch, printing the mean cost "
         "every hundred steps. With small initial weights it starts near ln 10 ≈ 2.3, the cost "
         "of a uniform guess, and it should fall. Then scale up. "
         "Judge every setting by the accuracy on X_val, never on X_test."),
        ("The initial weights matter most. All-zero (or all-equal) weights make every hidden "
         "unit the same for ever, since nothing breaks the symmetry; weights that are too "
         "large saturate the softmax from the first step. For ReLU layers lesson 08 uses "
         "He's rule: normal weights with variance 2 / fan-in (the layer's number of inputs), "
         "zero biases, all float32. Shuffle the rows afresh every epoch, with rng."),
        ("The reference reaches the bar with a hidden layer of 128 units, minibatches of 128 "
         "rows, momentum 0.9 and a learning rate of 0.1 that falls in a straight line to 0 "
         "over 5 epochs. Treat that as a starting point, not the answer: measure your own "
         "choices on the validation images, and mind the time budget, which grows with the "
         "hidden width times the number of epochs."),
    ),
    "09.5": (
        ("Nielsen's loop runs backprop on one example at a time. Push the whole minibatch "
         "through instead: X is (m, d_in), so every z and a becomes an (m, width) matrix with "
         "one row per example, as in your forward of 09.1."),
        ("What the loop adds up over the examples, one outer product per example, is a single "
         "matrix product of the stacked rows: the identity shown above the exercise. The bias "
         "gradients add up the rows of δ. The 1/m belongs to the step only, as in the loop."),
        ("All rows at once:  Δ_L = (A_L - Y) ⊙ σ'(Z_L);  one layer down,  "
         "Δ_(l-1) = (Δ_l W_lᵀ) ⊙ σ'(Z_(l-1));  ∇W_l = A_(l-1)ᵀ Δ_l;  ∇b_l = the sum of Δ_l's "
         "rows;  then W_l ← W_l - (η/m) ∇W_l and b_l ← b_l - (η/m) ∇b_l. Compute every Δ with "
         "the old weights before changing any of them."),
    ),
}
_HINT_LEVEL_SEEN: dict[str, int] = {}


@dataclass(frozen=True)
class GradedHint:
    """One level of an exercise's graded hints; it displays itself in a notebook."""
    exercise: str
    level: int
    levels: int
    text: str

    def __repr__(self):
        more = ("Call hint again for the next level." if self.level < self.levels else
                "That was the last level: the worked solution is in the solutions page.")
        return f"💡 Exercise {self.exercise}, hint {self.level} of {self.levels}: {self.text}\n{more}"

    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(self))


def hint(exercise_id: str, level: int | None = None) -> GradedHint:
    """The next level of help on exercise ``exercise_id`` ("09.1" to "09.5"): each call goes one
    level further, from a nudge to the equation, and stays at the last. ``level`` (1, 2 or 3)
    shows that level again."""
    if exercise_id not in HINTS:
        raise CourseError(f"No graded hints for {exercise_id!r}: lesson 09 has them for "
                          f"{', '.join(HINTS)}.")
    levels = len(HINTS[exercise_id])
    if level is None:
        level = min(_HINT_LEVEL_SEEN.get(exercise_id, 0) + 1, levels)
    elif isinstance(level, bool) or not isinstance(level, (int, np.integer)) or not 1 <= level <= levels:
        raise CourseError(f"level must be 1 to {levels} (or left out for the next one), got {level!r}.")
    _HINT_LEVEL_SEEN[exercise_id] = max(_HINT_LEVEL_SEEN.get(exercise_id, 0), int(level))
    return GradedHint(exercise_id, int(level), levels, HINTS[exercise_id][level - 1])


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
    if c is None:
        return None
    if abs(c + 1) < 1e-6:
        return f"{what} has the wrong sign: {fix_sign}"
    if n == 1:
        return None
    if abs(c - n) < 1e-6 * n:
        return f"{what} is {n} times too large ({symbol} = {n} here): {fix_large}"
    if abs(c - 1 / n) < 1e-6 / n:
        return f"{what} is {n} times too small ({symbol} = {n} here): {fix_small}"
    return None


def _one_line(text):
    return " ".join(str(text).split())


# ------------------------------------------------------------------ 09.1 forward
def _call_forward(forward, params, X):
    n, k = len(X), params["W2"].shape[1]
    try:   # quietly: a naive softmax overflows, and the hint says so
        out = call_quietly(forward, _copy(params), X.copy())
    except ValueError as exc:
        if "broadcast" in str(exc) and f"({n},{k})" in str(exc).replace(" ", "") \
                and f"({n},)" in str(exc).replace(" ", ""):
            raise Hint(f"your forward raised a broadcasting error ({_one_line(exc)}): a row "
                       f"maximum or row sum of shape ({n},) cannot line up with z2 of shape "
                       f"({n}, {k}). Keep it as a column of shape ({n}, 1), one entry per row "
                       f"(keepdims=True).") from None
        raise
    if not (isinstance(out, tuple) and len(out) == 2):
        raise Hint("forward must return two things, `return probs, cache`, with "
                   "cache = (X, z1, a1).")
    probs, cache = out
    return np.asarray(probs), cache


def _forward_diagnosis(probs, params, X):
    """Name the mistake behind wrong probabilities whose rows do sum to 1, or None."""
    z1 = X @ params["W1"] + params["b1"]
    a1 = relu(z1)
    z2 = a1 @ params["W2"] + params["b2"]
    known = [
        (softmax(sigmoid(z1) @ params["W2"] + params["b2"]),
         ("your hidden layer uses a sigmoid: this network's hidden layer is a1 = relu(z1), "
          "the elementwise max(z1, 0).")),
        (softmax(z1 @ params["W2"] + params["b2"]),
         "your hidden layer has no ReLU: a1 = relu(z1), the elementwise max(z1, 0), not z1."),
        (softmax(relu(z2)),
         ("you applied the ReLU to the output logits z2 as well: the softmax takes z2 as it is "
          "(a logit may be negative).")),
        (softmax(relu(X @ params["W1"]) @ params["W2"]),
         "your probabilities ignore the biases: z1 = X @ W1 + b1 and z2 = a1 @ W2 + b2."),
    ]
    for candidate, message in known:
        if _close(probs, candidate, 1e-6):
            return message
    return None


@exercise("09.1", "forward pass of the d-h-k network")
def check_forward(forward):
    rng = np.random.default_rng(901)
    for d, h, k, n in ((5, 4, 3, 7), (6, 5, 4, 4)):      # the second: n = k, a square z2
        params = _random_net(rng, d, h, k)
        X = rng.normal(size=(n, d))
        probs, cache = _call_forward(forward, params, X)
        ref, (_, z1, a1) = _forward(params, X)
        where = f"for a {d}-{h}-{k} network and n = {n} examples"
        if probs.shape != ref.shape:
            raise Hint(f"{where}, probs has shape {probs.shape}, expected (n, k) = {ref.shape}: "
                       f"one row per example, one column per class.")
        if not (np.all(np.isfinite(probs)) and np.allclose(probs.sum(axis=1), 1)):
            if np.all(np.isfinite(probs)) and np.allclose(probs.sum(axis=0), 1):
                raise Hint("each column of probs sums to 1, but each row should: rows are "
                           "examples, so take the softmax along axis=1, with keepdims=True.")
            if np.all(np.isfinite(probs)) and np.isclose(probs.sum(), 1):
                raise Hint("all the entries of probs together sum to 1, but each row should: "
                           "divide by each row's own sum (axis=1, keepdims=True), not by the "
                           "sum of the whole matrix.")
            with np.errstate(all="ignore"):
                if _close(np.exp(probs), ref, 1e-6):
                    raise Hint("you returned log-probabilities (the log-softmax): forward must "
                               "return the probabilities themselves, which lie in [0, 1].")
            raise Hint(f"{where}, the rows of probs do not sum to 1: the output layer needs a "
                       f"softmax, exp(z2) divided by its row sum.")
        if not _close(probs, ref):
            raise Hint(_forward_diagnosis(probs, params, X) or
                       f"{where}, probs differs from the right answer (relative error "
                       f"{rel_error(probs, ref):.1e}). Check z1 = X @ W1 + b1, a1 = relu(z1), "
                       f"z2 = a1 @ W2 + b2, probs = softmax(z2).")
        if not (isinstance(cache, (tuple, list)) and len(cache) == 3):
            raise Hint("cache must be the tuple (X, z1, a1): backward() reads exactly these.")
        mine = [np.asarray(c) for c in cache]
        if _close(mine[1], a1) and not _close(a1, z1):
            raise Hint("the z1 in your cache equals a1: an in-place ReLU (one that writes its "
                       "zeros into z1 itself) overwrote z1. Make a1 a new array and keep z1 "
                       "as it was before the ReLU.")
        for name, got, right in zip(("X", "z1", "a1"), mine, (X, z1, a1)):
            if not _close(got, right):
                raise Hint(f"the {name} in your cache is not right: cache must be (X, z1, a1), "
                           f"with z1 = X @ W1 + b1 before the ReLU and a1 = relu(z1) after it.")

    # Row 0's logits are 800, 0 and -800 (plus small biases): np.exp(800) overflows. Row 1's
    # hidden units are all idle, so its logits are the small biases, far below row 0's
    # maximum: a shift by the whole matrix's maximum underflows that row to 0 / 0.
    big = _random_net(np.random.default_rng(902), d=5, h=4, k=3)
    big["W1"][:, 0] = [1.0, 0.0, 0.0, 0.0, 0.0]
    big["W1"][0, 1:] = -1.0
    big["b1"][:] = -1.0
    big["W2"][:] = 0.0
    big["W2"][0] = [400.0, 0.0, -400.0]
    X = np.array([[3.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    right = _forward(big, X)[0]
    probs, _ = _call_forward(forward, big, X)
    if probs.shape == right.shape and not np.all(np.isfinite(probs)):
        if np.all(np.isfinite(probs[0])):
            raise Hint("a row whose logits all lie far below another row's gets NaN: you "
                       "subtracted the maximum of the whole matrix, so every exponent of that "
                       "row underflows to 0 and the row divides 0 by 0. Subtract each row's own "
                       "maximum.")
        raise Hint("with logits of several hundred your probs contain NaN: np.exp overflows "
                   "above about 709 in float64 (88 in float32), and inf / inf is NaN. The "
                   "softmax of a row does not change if you subtract the row's maximum from "
                   "every entry first.")
    if not _close(probs, right, 1e-6):
        raise Hint("with large logits your probs are wrong: subtract each row's own maximum "
                   "before exponentiating (keepdims=True).")

    params = _random_net(rng, 7, 6, 5)
    one = rng.normal(size=(1, 7))
    probs, _ = _call_forward(forward, params, one)
    if probs.shape != (1, 5) or not _close(probs, _forward(params, one)[0]):
        raise Hint(f"with a single example X of shape (1, d) probs should have shape (1, 5), "
                   f"got {probs.shape}. Avoid squeeze() and sums without axis=.")

    p32 = {name: p.astype(np.float32) for name, p in params.items()}
    X32 = rng.normal(size=(9, 7)).astype(np.float32)
    probs, _ = _call_forward(forward, p32, X32)
    if probs.dtype != np.float32:
        raise Hint(f"with float32 inputs and weights your probs are {probs.dtype}: something "
                   f"upcasts to float64, which makes the training in 09.4 slower. "
                   f"Build arrays from the inputs' dtype.")
    return ("probabilities and cache match on unseen networks; rows sum to 1; stable with "
            "logits of several hundred and with rows far apart; one example and float32 work.")


# ------------------------------------------------------------------ 09.2 backward
def _gradcheck_case(seed, n, d=5, h=4, k=3, dtype=np.float64):
    """A small net and batch whose z1 stays clear of the ReLU's kink at 0, and in which every
    hidden unit is active for some example and idle for another (so a missing mask shows)."""
    rng = np.random.default_rng(seed)
    while True:
        params = _random_net(rng, d, h, k)
        X = rng.normal(size=(n, d))
        y = rng.integers(0, k, size=n)
        z1 = X @ params["W1"] + params["b1"]
        if np.min(np.abs(z1)) > 1e-3 and (n == 1 or np.all((z1 > 0).any(0) & (z1 < 0).any(0))) \
                and np.any(z1 < 0):
            return ({name: p.astype(dtype) for name, p in params.items()}, X.astype(dtype), y)


def _call_backward(backward, params, X, y):
    probs, cache = _forward(params, X)
    given = (_copy(params), tuple(c.copy() for c in cache), probs.copy(), y.copy())
    grads = backward(*given)
    if not isinstance(grads, dict) or set(NAMES) - set(grads):
        raise Hint("backward must return a dict with the keys 'W1', 'b1', 'W2', 'b2', e.g. "
                   "{'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}.")
    if not np.array_equal(given[2], probs):
        raise Hint("your backward changed probs in place (the caller's array): work on a copy "
                   "of probs, since the caller may still need the probabilities.")
    if any(not np.array_equal(a, b) for a, b in zip(given[1], cache)):
        raise Hint("your backward changed the cache's arrays in place: leave X, z1 and a1 as "
                   "they are, and build new arrays for the deltas.")
    return {name: np.asarray(grads[name]) for name in NAMES}


def _shape_hint(name, got, want, n):
    if name.startswith("b") and got == (n, want[0]):
        return (f"d{name} has shape {got}, one row per example: a bias is added to every row, "
                f"so its gradient adds up the deltas of all n rows, one entry per unit, {want}.")
    if name.startswith("b") and got == (n,):
        return (f"d{name} has shape {got}, one entry per example: you added up each row over "
                f"the units. The bias gradient adds up over the examples (the rows), one entry "
                f"per unit, {want}.")
    if len(got) == 2 and got == want[::-1]:
        return (f"d{name} has shape {got} but {name} is {want}: it is transposed. The weight "
                f"gradient pairs the layer's inputs (rows of dW) with its deltas (columns).")
    return f"d{name} has shape {got}, but it must have the shape of {name}, {want}."


def _wrong_backwards(params, X, y):
    """{mistake: (grads, hint)} for the mistakes learners make, computed in float64."""
    n, k = len(X), params["W2"].shape[1]
    z1 = X @ params["W1"] + params["b1"]
    a1 = relu(z1)
    probs = softmax(a1 @ params["W2"] + params["b2"])
    W2 = params["W2"]

    def grads(delta2, delta1=None, a_for_W2=a1, bias=lambda d: d.sum(axis=0)):
        if delta1 is None:
            delta1 = (delta2 @ W2.T) * (z1 > 0)
        return {"W1": X.T @ delta1, "b1": bias(delta1), "W2": a_for_W2.T @ delta2,
                "b2": bias(delta2)}

    delta2 = (probs - one_hot(y, k)) / n
    back = delta2 @ W2.T
    return {
        "no one-hot": (grads(probs / n),
                       ("it matches an output error of p / n: for the softmax with the "
                        "cross-entropy, ∂C/∂z2 also subtracts 1 at each example's true class "
                        "(p - Y, with Y one-hot).")),
        "label subtracted": (grads((probs - y[:, None]) / n),
                             ("it matches subtracting the label y_i itself (a class number) from "
                              "every entry of row i. Y is one-hot: row i holds a 1 in column y_i "
                              "and 0 elsewhere.")),
        "z1 for a1": (grads(delta2, a_for_W2=z1),
                      ("it pairs δ2 with z1, the hidden layer before its ReLU. W2 multiplies "
                       "a1, the ReLU's output, so dW2 pairs δ2 with a1.")),
        "no mask": (grads(delta2, back),
                    ("it misses the ReLU's derivative on the way down: δ1 is the error that "
                     "comes back through W2, times relu'(z1), which is 1 where z1 > 0 and 0 "
                     "elsewhere.")),
        "times a1": (grads(delta2, back * a1),
                     ("it multiplies the error coming back through W2 by a1 = relu(z1), the "
                      "ReLU's value. Use its derivative: 1 where z1 > 0, 0 elsewhere.")),
        "relu of gradient": (grads(delta2, relu(back)),
                             ("it applies the ReLU to the gradient coming back through W2, which "
                              "keeps the positive gradients. The ReLU's derivative depends on the "
                              "unit's input z1, not on the gradient: keep the gradient where "
                              "z1 > 0, whatever its sign, and zero it elsewhere.")),
        "transposed": ({name: g.T for name, g in grads(delta2).items()},
                       ("it is the transpose of the right one (here the shapes happen to agree): "
                        "dW pairs the layer's inputs, one per row, with its deltas, one per "
                        "column.")),
        "bias over units": (grads(delta2, bias=lambda d: d.sum(axis=1)),
                            ("it adds up each example's row over the units (n happens to equal "
                             "the width here). The bias gradient adds up over the examples, the "
                             "rows, one entry per unit.")),
    }


def _diagnose_gradient(name, mine, right, params, X, y):
    n = len(X)
    hint = _scale_hint(f"your d{name}", _scale_of(mine, right), n,
                       "C is the mean over the n examples, so divide by n, once.",
                       "did you divide by n twice, say in δ2 and again in dW, or by taking "
                       "the mean of a δ that already holds 1/n? Divide once.",
                       "the gradient points uphill, the direction in which C grows. Check "
                       "the sign of ∂C/∂z2 (lesson 06).")
    if hint:
        return hint
    for wrong, message in _wrong_backwards(params, X, y).values():
        candidate = wrong[name]
        if candidate.shape == mine.shape and not _close(candidate, right, 1e-6) \
                and _close(mine, candidate, 1e-6):
            return f"your d{name} is wrong: {message}"
    if name in ("W2", "b2"):
        return (f"your d{name} is wrong. Check ∂C/∂z2 first, on paper, for one example and "
                f"then for the mean over n; hint(\"09.2\") gives graded help.")
    return (f"your d{name} is wrong, though dW2 and db2 are right, so δ2 is: the mistake is in "
            f"how the error flows back through W2 and the ReLU. hint(\"09.2\") gives graded "
            f"help.")


def _gradient_error(mine, numeric):
    """max |mine - numeric| over the array, relative to the arrays' largest entries: 0 when they
    agree, about 1 when a gradient is wrong, and blind to the finite differences' noise on
    entries near 0."""
    mine, numeric = np.asarray(mine, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    if not np.all(np.isfinite(mine)):
        return np.inf
    scale = max(float(np.max(np.abs(mine))) + float(np.max(np.abs(numeric))), 1e-12)
    return float(np.max(np.abs(mine - numeric))) / scale


def _check_gradients(backward, params, X, y, where, tol=1e-6):
    """Compare the learner's gradients with centred finite differences of the float64 cost."""
    p64 = {name: p.astype(np.float64) for name, p in params.items()}
    X64 = X.astype(np.float64)
    grads = _call_backward(backward, params, X, y)
    exact = _backward(p64, _forward(p64, X64)[1], _forward(p64, X64)[0], y)
    for name in ("W2", "b2", "W1", "b1"):          # output layer first: errors flow backwards
        mine = grads[name]
        if mine.shape != params[name].shape:
            raise Hint(f"{where}: " + _shape_hint(name, mine.shape, params[name].shape, len(X)))
        numeric = numerical_gradient(lambda: _cost(p64, X64, y), p64[name])
        err = _gradient_error(mine, numeric)
        if err > tol:
            raise Hint(f"{where}, d{name} disagrees with finite differences (relative error "
                       f"{err:.1e}): "
                       + _diagnose_gradient(name, mine, exact[name], p64, X64, y))
    return grads


@exercise("09.2", "backward pass: gradients of the mean cross-entropy")
def check_backward(backward):
    cases = ((911, 6, 5, 4, 3), (912, 1, 6, 5, 4), (913, 4, 4, 4, 4), (914, 50, 3, 7, 5))
    for seed, n, d, h, k in cases:      # (913: every dimension 4, so a transpose keeps its shape)
        params, X, y = _gradcheck_case(seed, n, d, h, k)
        _check_gradients(backward, params, X, y, f"for a {d}-{h}-{k} network and n = {n}")
    params, X, y = _gradcheck_case(915, 32, 8, 16, 10, dtype=np.float32)
    grads = _check_gradients(backward, params, X, y, "in float32 (n = 32)", tol=1e-4)
    upcast = [f"d{name}" for name in NAMES if grads[name].dtype != np.float32]
    if upcast:
        raise Hint(f"with float32 inputs your {', '.join(upcast)} come out as "
                   f"{grads[upcast[0][1:]].dtype}: an array built without a dtype (zeros, eye, "
                   f"one-hot rows) is float64 and upcasts everything it touches. Build it with "
                   f"the dtype of probs.")
    return ("all four gradients agree with finite differences on networks of four sizes, for "
            "batches of 1 to 50 examples, and stay float32 in float32.")


# ------------------------------------------------------------------ 09.3 SGD step
def _momentum_sign_flipped(params, grads, velocity, learning_rate, momentum):
    for name in params:
        velocity[name] = -momentum * velocity[name] - learning_rate * grads[name]
        params[name] = params[name] + velocity[name]


@exercise("09.3", "SGD step with momentum, in place")
def check_sgd_step(sgd_step):
    rng = np.random.default_rng(921)
    start = _random_net(rng, 4, 3, 2)
    grads = [_random_net(rng, 4, 3, 2) for _ in range(3)]
    lr, mu = 0.1, 0.9
    mine, ref, flipped = _copy(start), _copy(start), _copy(start)
    v_mine = {name: np.zeros_like(p) for name, p in start.items()}
    v_ref, v_flipped = _copy(v_mine), _copy(v_mine)
    for step, g in enumerate(grads, start=1):
        before = _copy(mine)
        sgd_step(mine, _copy(g), v_mine, lr, mu)
        _sgd_step(ref, g, v_ref, lr, mu)
        _momentum_sign_flipped(flipped, g, v_flipped, lr, mu)
        if all(np.array_equal(mine[k], before[k]) for k in NAMES):
            if step == 1 and any(np.any(v_mine[k]) for k in NAMES):
                sgd_step(mine, _copy(grads[1]), v_mine, lr, mu)   # moves only if v is used late
            if step == 1 and not all(np.array_equal(mine[k], before[k]) for k in NAMES):
                raise Hint("the first step left params unchanged although the velocity moved: "
                           "you moved the weights by the old velocity. Update the velocity "
                           "first, then add the new velocity to the weights.")
            raise Hint("sgd_step left params unchanged. Update the arrays in place, e.g. "
                       "params[name] += velocity[name]: a line like `w = w - ...` inside the "
                       "loop makes a new array and leaves params untouched.")
        if all(_close(mine[k], ref[k], 1e-9) for k in NAMES):
            continue
        if step == 1:
            if all(_close(mine[k], before[k] + lr * g[k], 1e-9) for k in NAMES):
                raise Hint("your step goes uphill, to w + learning_rate * grad: a sign is "
                           "flipped, in the velocity or where the weights take it. The step "
                           "must go against the gradient.")
            raise Hint("after one step from zero velocity, params should be "
                       "w - learning_rate * grad. Check: v = momentum * v - learning_rate * grad; "
                       "w += v.")
        if all(_close(mine[k], before[k] - lr * g[k], 1e-9) for k in NAMES):
            raise Hint(f"step {step} ignores the momentum: keep each velocity in "
                       f"velocity[name] (update it in place with *= and -=) so that the next "
                       f"call starts from it.")
        if all(_close(mine[k], flipped[k], 1e-9) for k in NAMES):
            raise Hint(f"step {step} subtracts the old velocity instead of carrying it on: the "
                       f"momentum term has the wrong sign. v = momentum * v - learning_rate * "
                       f"grad keeps +momentum times the previous velocity.")
        raise Hint(f"the first step is right but step {step} is not. Update the velocity first, "
                   f"v = momentum * v - learning_rate * grad, then add the new v to the weights.")
    plain = _copy(start)
    sgd_step(plain, _copy(grads[0]), {k: np.zeros_like(p) for k, p in start.items()}, lr, 0.0)
    if not all(_close(plain[k], start[k] - lr * grads[0][k], 1e-9) for k in NAMES):
        raise Hint("with momentum=0 the step should be plain SGD, w - learning_rate * grad.")
    p32 = {k: p.astype(np.float32) for k, p in start.items()}
    sgd_step(p32, {k: g.astype(np.float32) for k, g in grads[0].items()},
             {k: np.zeros_like(p) for k, p in p32.items()}, lr, mu)
    upcast = [k for k in NAMES if np.asarray(p32[k]).dtype != np.float32]
    if upcast:
        raise Hint(f"float32 parameters came back as {np.asarray(p32[upcast[0]]).dtype} "
                   f"({', '.join(upcast)}): keep the parameters' dtype, as an in-place update "
                   f"does.")
    return ("three momentum steps, a plain SGD step (momentum=0) and a float32 step match the "
            "update rule.")


# ------------------------------------------------------------------ 09.4 training
_TRAINED = weakref.WeakKeyDictionary()   # train -> what its last check found (checked_outcome)


@dataclass
class _Outcome:
    status: str                 # "passed", "failed" or "not attempted"
    reason: str = ""
    params: dict | None = None
    accuracy: float = float("nan")


def fit_and_validation(X_train, y_train):
    """The lesson's split of the 60,000 training images: ((X_fit, y_fit), (X_val, y_val)),
    50,000 to learn from and 10,000 to choose by (the split lesson 09 makes, and 09.4 checks on)."""
    return train_val_split(X_train, y_train, VALIDATION_SIZE, rng=SPLIT_SEED)


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
                   "learning rate, and check that your softmax subtracts each row's maximum.")
    dtypes = {name: np.asarray(params[name]).dtype for name in NAMES}
    if any(d != np.float32 for d in dtypes.values()):
        wrong = ", ".join(f"{name} {d}" for name, d in dtypes.items() if d != np.float32)
        raise Hint(f"the trained parameters must be float32, but here {wrong}: create them as "
                   f"float32 (half the memory of float64, and faster products with the float32 "
                   f"images).")


def _loaded_names(code):
    """(global names read, attribute chains such as ('np', 'random', 'randn')) in code and in
    the code nested in it (comprehensions, inner functions)."""
    names, chains, chain = set(), set(), None
    for ins in dis.get_instructions(code):
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            names.add(ins.argval)
            chain = (ins.argval,)
        elif ins.opname in ("LOAD_ATTR", "LOAD_METHOD") and chain is not None:
            chain += (ins.argval,)
            chains.add(chain)
        else:
            chain = None
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            inner_names, inner_chains = _loaded_names(const)
            names |= inner_names
            chains |= inner_chains
    return names, chains


def _refuse_what_train_must_not_read(train):
    """Names in train's own code that mean it reads the test set, the whole training set, or
    NumPy's global random state; a Hint for the first, else nothing."""
    code = getattr(train, "__code__", None)
    if code is None:
        return
    names, chains = _loaded_names(code)
    peeked = sorted(names & {"X_test", "y_test"})
    if "load_fashion_mnist" in names:
        peeked.append("load_fashion_mnist(), which loads the test set too")
    if peeked:
        raise Hint(f"your train reads {', '.join(peeked)}: it looks at the test set. Every "
                   f"choice, early stopping included, is made on the validation split "
                   f"(X_val, y_val); the test set is scored once, at the end, or its figure "
                   f"no longer says how the network does on new images.")
    whole = sorted(names & {"X_train", "y_train"})
    if whole:
        raise Hint(f"your train reads the notebook's {', '.join(whole)}, which hold the "
                   f"validation images too, instead of the X and y it is given. Learn only "
                   f"from the arguments: the check gives train the 50,000 fit images.")
    numpy_random = sorted(".".join(c) for c in chains
                          if len(c) == 3 and c[:2] in (("np", "random"), ("numpy", "random")))
    if numpy_random:
        made = numpy_random[0].endswith((".default_rng", ".Generator", ".RandomState"))
        raise Hint(f"your train calls {numpy_random[0]}: it "
                   + ("makes a generator of its own" if made else "draws from NumPy's global "
                      "random state")
                   + ". Use the rng it is given, rng.normal(...) and rng.permutation(...), so "
                     "that the same rng gives the same network and a run can be repeated.")


def _reference_seconds(X, y, steps=60):
    """How long the reference run would take on this machine now: the time of `steps` of its
    minibatch steps, scaled to its full number of steps."""
    rng = np.random.default_rng(1)
    params = _init(rng, REFERENCE["hidden"])
    velocity = {name: np.zeros_like(p) for name, p in params.items()}
    b = REFERENCE["batch_size"]
    rows = rng.permutation(len(X))[:steps * b]
    start = time.perf_counter()
    for s in range(steps):
        batch = rows[s * b:(s + 1) * b]
        probs, cache = _forward(params, X[batch])
        _sgd_step(params, _backward(params, cache, probs, y[batch]), velocity, 0.01, 0.9)
    per_step = (time.perf_counter() - start) / steps
    return per_step * REFERENCE["epochs"] * -(-len(X) // b)


def _fit_report(params, X_fit, y_fit, val_acc):
    """Underfitting or overfitting, as the fit and validation accuracies show it."""
    fit_acc = _accuracy(params, X_fit[:FIT_SAMPLE], y_fit[:FIT_SAMPLE])
    if fit_acc - val_acc > 0.05:
        return (f"On images it trained on it reaches {fit_acc:.3f}, far more: it overfits, so "
                f"train for fewer epochs or with fewer hidden units.")
    return (f"On images it trained on it reaches only {fit_acc:.3f}, so it underfits: it needs "
            f"more or better steps (the learning rate, the momentum, the number of epochs) or a "
            f"better start (the scale of the initial weights).")


@exercise("09.4", "train on Fashion-MNIST to the validation bar within the time budget")
def check_training(train):
    try:
        outcome = _check_training(train)
    except NotImplementedError as exc:
        _remember(train, _Outcome("not attempted", why_not_yours(exc, "train")))
        raise
    except Hint as exc:
        _remember(train, _Outcome("failed", f"Your train() did not pass check 09.4: "
                                            f"{_one_line(exc)}"))
        raise
    except Exception as exc:   # the learner's code raised: the check reports it, and so will the demo
        _remember(train, _Outcome("failed", why_not_yours(exc, "train")))
        raise
    _remember(train, outcome)
    return outcome.reason


def _remember(train, outcome):
    try:
        _TRAINED[train] = outcome
    except TypeError:           # not weak-referenceable (a builtin): nothing to remember
        pass


def _check_training(train):
    _refuse_what_train_must_not_read(train)
    (X_train, y_train), _, _ = load_fashion_mnist()
    (X_fit, y_fit), (X_val, y_val) = fit_and_validation(X_train, y_train)
    del X_train
    reference = _reference_seconds(X_fit, y_fit)
    start = time.perf_counter()
    params = train(X_fit, y_fit, np.random.default_rng(0))
    seconds = time.perf_counter() - start
    reference = max(reference, _reference_seconds(X_fit, y_fit))   # the load may have grown
    _check_trained_params(params)
    params = {name: np.asarray(params[name]) for name in NAMES}
    if np.all(params["W1"] == params["W1"][:, :1]):
        raise Hint("every hidden unit has the same weights (all columns of W1 are equal): with "
                   "all-zero or all-equal initial weights every unit gets the same gradient, "
                   "so they stay copies of one another for ever. Start from small random "
                   "weights, drawn with rng.")
    acc = _accuracy(params, X_val, y_val)
    if acc < 0.2:
        raise Hint(f"validation accuracy {acc:.3f} is no better than guessing: the network has "
                   f"not learned. Does sgd_step change params in place, and does train return "
                   f"those params?")
    if acc < VALIDATION_TARGET:
        raise Hint(f"validation accuracy {acc:.3f} is below the bar of {VALIDATION_TARGET}. "
                   + _fit_report(params, X_fit, y_fit, acc)
                   + " hint(\"09.4\") gives graded help.")
    budget = BUDGET_FACTOR * reference
    if seconds > budget:
        raise Hint(f"validation accuracy {acc:.3f} is good, but training took {seconds:.1f} s, "
                   f"over the budget of {budget:.1f} s on this machine ({BUDGET_FACTOR:g} times "
                   f"the reference run's {reference:.1f} s). Use fewer epochs or hidden units, "
                   f"larger minibatches, and matrix products with no loop over the examples.")
    return _Outcome("passed",
                    f"validation accuracy {acc:.3f} (the bar: {VALIDATION_TARGET}), after "
                    f"{seconds:.1f} s of training (the budget here: {budget:.1f} s).",
                    params, acc)


# ------------------------------------------------------------------ the last section's network
_ANSWERS = {"09.1": "forward", "09.2": "backward", "09.3": "sgd_step", "09.4": "train"}


def why_not_yours(exc, stage):
    """One line on why the learner's network is not used, naming the error."""
    if isinstance(exc, NotImplementedError):
        return "Your " + next((f"{name}() is not written yet (Exercise {ex})"
                               for ex, name in _ANSWERS.items() if f"Exercise {ex}" in str(exc)),
                              f"{stage}() is not written yet")
    message = _one_line(exc).rstrip(".")
    if isinstance(exc, Hint):
        return f"Your network cannot be shown: {message}"
    return f"Your {stage}() raised {type(exc).__name__}: {message}{_learner_frame(exc)}"


def checked_outcome(train):
    """What check 09.4 last found for this very ``train`` function (status, reason, params and
    validation accuracy), or None if it has not checked it since ``train`` was last defined."""
    try:
        return _TRAINED.get(train)
    except TypeError:           # not weak-referenceable: never checked
        return None


def reference_predict_proba(X, y, rng):
    """predict_proba(images) -> (n, 10) of the reference network trained on X (n, 784), y (n,)."""
    reference = _train(X, y, rng)
    return lambda images: _forward(reference, images)[0]


# ------------------------------------------------------------------ 09.5 vectorize the loop
def _call_update(update_minibatch, weights, biases, X, Y, learning_rate):
    out = update_minibatch(copy.deepcopy(weights), copy.deepcopy(biases), X.copy(), Y.copy(),
                           learning_rate)
    if not (isinstance(out, tuple) and len(out) == 2 and len(out[0]) == len(weights)
            and len(out[1]) == len(biases)):
        raise Hint(f"update_minibatch must return (new_weights, new_biases): two lists with one "
                   f"array per layer ({len(weights)} here), like update_minibatch_loop.")
    return [np.asarray(W) for W in out[0]], [np.asarray(b) for b in out[1]]


def _updated_too_early(weights, biases, X, Y, learning_rate):
    """The update of a backward loop that steps each layer's weights before it sends the
    error further down, so that the lower deltas see the new weights."""
    weights, biases = [W.copy() for W in weights], [b.copy() for b in biases]
    activations, zs = [X], []
    for W, b in zip(weights, biases):
        zs.append(activations[-1] @ W + b)
        activations.append(sigmoid(zs[-1]))
    m = len(X)
    delta = (activations[-1] - Y) * sigmoid_prime(zs[-1])
    for l in range(len(weights) - 1, -1, -1):
        weights[l] -= (learning_rate / m) * (activations[l].T @ delta)
        biases[l] -= (learning_rate / m) * delta.sum(axis=0)
        if l > 0:
            delta = (delta @ weights[l].T) * sigmoid_prime(zs[l - 1])
    return weights, biases


def _compare_updates(mine, ref, start, m, where, early):
    """Raise a Hint unless every array of `mine` equals `ref` to UPDATE_TOLERANCE."""
    worst = 0.0
    n_layers = len(ref[0])
    for l in reversed(range(n_layers)):        # output layer first: errors flow backwards
        for kind, mine_list, ref_list, start_list, early_list in zip(
                ("weights", "biases"), mine, ref, start, early):
            a, r, s = mine_list[l], ref_list[l], start_list[l]
            if a.shape != r.shape:
                bias_rows = kind == "biases" and a.shape == (m, r.shape[0])
                raise Hint(f"{where}: your new {kind}[{l}] has shape {a.shape}, expected "
                           f"{r.shape}. " + (
                               "It holds one row per example: the bias gradient adds up the "
                               "rows of δ over the minibatch, one entry per unit." if bias_rows
                               else "Every gradient has the shape of its parameter."))
            diff = float(np.max(np.abs(a - r))) if np.all(np.isfinite(a)) else np.inf
            if diff > UPDATE_TOLERANCE:
                hint = _scale_hint(f"your step on {kind}[{l}]", _scale_of(a - s, r - s), m,
                                   "the step uses the mean gradient, (learning_rate / m) times "
                                   "the sum over the minibatch.",
                                   "you divided by the batch size twice; the step is "
                                   "(learning_rate / m) times the sum over the minibatch.",
                                   "the output error is (a - Y) * sigmoid_prime(z), and the "
                                   "step subtracts it.", symbol="m")
                if hint is None and np.max(np.abs(a - early_list[l])) <= UPDATE_TOLERANCE:
                    hint = ("the layers above are right, but this one matches a backward loop "
                            "that changed the weights of the layer above before sending the "
                            "error down through them. Compute every δ with the old weights, "
                            "then step.")
                hint = hint and hint[0].upper() + hint[1:]
                raise Hint(f"{where}: your new {kind}[{l}] differs from the loop's by up to "
                           f"{diff:.1e} (allowed {UPDATE_TOLERANCE:.0e}). " + (
                               hint or "Compare your forward and backward passes, row by row, "
                               "with backprop() above; hint(\"09.5\") gives graded help."))
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


def _speedup(update, batches, weights, biases, learning_rate, rounds=5):
    """The loop's time over ``update``'s, each the best of ``rounds`` runs taken in turn, so
    that a busy moment of the machine slows both alike and the best runs compare quiet ones."""
    t_loop = t_mine = np.inf
    for _ in range(rounds):
        t_loop = min(t_loop, _best_time(update_minibatch_loop, batches, weights, biases, learning_rate, 1))
        t_mine = min(t_mine, _best_time(update, batches, weights, biases, learning_rate, 1))
    return t_loop / t_mine


@exercise("09.5", "vectorize Nielsen's per-example minibatch update")
def check_vectorized(update_minibatch):
    rng = np.random.default_rng(931)
    worst = 0.0
    for sizes, m in (([5, 4, 3, 2], 7), ([5, 4, 3, 2], 1), ([6, 3], 4)):
        weights, biases = init_network(sizes, rng)
        X, Y = rng.normal(size=(m, sizes[0])), rng.uniform(size=(m, sizes[-1]))
        mine = _call_update(update_minibatch, weights, biases, X, Y, 0.5)
        ref = update_minibatch_loop(weights, biases, X, Y, 0.5)
        early = _updated_too_early(weights, biases, X, Y, 0.5)
        worst = max(worst, _compare_updates(mine, ref, (weights, biases), m,
                                            f"network {sizes}, minibatch of {m}", early))

    (pixels, labels), _, _ = load_fashion_mnist(scale=False)   # uint8: a small copy
    weights, biases = init_network([784, 30, 10], rng)
    order = rng.permutation(len(pixels))
    factors = {}
    for m, n_batches in ((10, 20), (100, 5)):
        idx = order[:m * n_batches].reshape(n_batches, m)
        batches = [(pixels[i] / 255.0, one_hot(labels[i], 10)) for i in idx]
        mine = _call_update(update_minibatch, weights, biases, *batches[0], 3.0)
        ref = update_minibatch_loop(weights, biases, *batches[0], 3.0)
        early = _updated_too_early(weights, biases, *batches[0], 3.0)
        worst = max(worst, _compare_updates(mine, ref, (weights, biases), m,
                                            f"784-30-10 network on Fashion-MNIST, minibatch of {m}",
                                            early))
        factors[m] = _speedup(update_minibatch, batches, weights, biases, 3.0)
    if factors[10] < MIN_SPEEDUP:
        raise Hint(f"your updates are right, but only {factors[10]:.1f}x as fast as the loop "
                   f"(needed: {MIN_SPEEDUP:.0f}x). Is there still a Python loop over the examples? "
                   f"Push the whole minibatch X (m, d) through each layer at once.")
    return (f"identical updates (largest difference {worst:.0e}); speed-up over the loop on the "
            f"same minibatches: {factors[10]:.1f}x with minibatches of 10, {factors[100]:.1f}x "
            f"with minibatches of 100.")
