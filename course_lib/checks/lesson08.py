"""Checkers for lesson 08, improving learning. Reference answers are built from course_lib."""
from __future__ import annotations

import numpy as np

from ..callbacks import EarlyStopping
from ..gradcheck import numerical_gradient, rel_error
from .core import Hint, answer_array, call_quietly, exercise


# ----------------------------------------------------------------------- 08.1
@exercise("08.1", "He initialization")
def check_he_normal(he_normal):
    for fan_in, fan_out in ((784, 300), (50, 2000), (2000, 60)):
        shape = (fan_in, fan_out)
        W = answer_array(call_quietly(he_normal, shape, np.random.default_rng(7)), shape,
                         f"he_normal({shape}, rng)")
        std, n = float(W.std()), W.size
        want = np.sqrt(2.0 / fan_in)
        if abs(std / want - 1) < 0.03:
            if abs(float(W.mean())) > 5 * want / np.sqrt(n):
                raise Hint(f"the weights' mean is {W.mean():.3g}; draw them centred on 0.")
            continue
        guesses = {
            np.sqrt(1.0 / fan_in): "Nielsen's 1/sqrt(n_in) (variance 1/fan_in). ReLU zeroes half "
                                   "its inputs, so He doubles the variance: 2/fan_in",
            np.sqrt(2.0 / (fan_in + fan_out)): "Xavier/Glorot's variance 2/(fan_in + fan_out). He "
                                               "uses fan_in only: 2/fan_in",
            np.sqrt(2.0 / fan_out): "variance 2/fan_out. For W of shape (d_in, d_out), fan_in is "
                                    "shape[0]",
            2.0 / fan_in: "2/fan_in as the standard deviation, but that is the variance; "
                          "the standard deviation is its square root",
        }
        for value, message in guesses.items():
            if abs(std / value - 1) < 0.03:
                raise Hint(f"for shape {shape} your weights have std {std:.4f}: that is {message}.")
        raise Hint(f"for shape {shape} your weights have std {std:.4f}, but He initialization "
                   f"gives std sqrt(2/fan_in) = {want:.4f}.")
    a = np.asarray(call_quietly(he_normal, (30, 20), np.random.default_rng(1)))
    b = np.asarray(call_quietly(he_normal, (30, 20), np.random.default_rng(1)))
    c = np.asarray(call_quietly(he_normal, (30, 20), np.random.default_rng(2)))
    if not np.array_equal(a, b) or np.array_equal(a, c):
        raise Hint("draw the numbers from the rng argument (rng.normal(...)), not from np.random, "
                   "so that the same seed gives the same weights.")
    return "std sqrt(2/fan_in) for three unseen shapes, reproducible from the rng."


# ----------------------------------------------------------------------- 08.2
def _reference_l2_step(W, dW, learning_rate, lmbda, n):
    return (1 - learning_rate * lmbda / n) * W - learning_rate * dW


@exercise("08.2", "one step of gradient descent with L2 weight decay")
def check_l2_step(l2_step):
    rng = np.random.default_rng(8)
    W, dW = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    # The update must be W - eta * d/dW [C0 + lambda/(2n) sum W^2]; check the penalty's
    # gradient by finite differences rather than trusting one formula.
    eta, lmbda, n = 0.5, 5.0, 1000
    Wc = W.copy()
    penalty_grad = numerical_gradient(lambda: lmbda / (2 * n) * float(np.sum(Wc ** 2)), Wc)
    expected = W - eta * (dW + penalty_grad)
    got = answer_array(call_quietly(l2_step, W.copy(), dW.copy(), eta, lmbda, n), W.shape, "l2_step(...)")
    if rel_error(got, expected) > 1e-6:
        plain = W - eta * dW
        if np.allclose(got, plain):
            raise Hint("your step ignores lambda: the penalty lambda/(2n) sum w^2 adds "
                       "(lambda/n) w to the gradient, so W shrinks by the factor (1 - eta lambda/n).")
        if np.allclose(got, (1 - eta * lmbda) * W - eta * dW):
            raise Hint("you shrink W by (1 - eta lambda), but Nielsen's penalty is divided by the "
                       "training-set size n: the factor is (1 - eta lambda / n).")
        if np.allclose(got, (1 - 2 * eta * lmbda / n) * W - eta * dW):
            raise Hint("the derivative of lambda/(2n) w^2 is (lambda/n) w, not (2 lambda/n) w: "
                       "the factor is (1 - eta lambda / n).")
        if np.allclose(got, (1 + eta * lmbda / n) * W - eta * dW):
            raise Hint("your weights grow: weight decay shrinks them, W <- (1 - eta lambda/n) W - eta dW.")
        raise Hint("expected W <- (1 - eta lambda / n) W - eta dW, Nielsen's L2-regularised "
                   "update, but your result differs.")
    for case in ((W, dW, 0.1, 0.0, 50), (W, np.zeros_like(W), 1.0, 10.0, 10)):
        want = _reference_l2_step(*case)
        got = answer_array(call_quietly(l2_step, case[0].copy(), case[1].copy(), *case[2:]), W.shape, "l2_step(...)")
        if not np.allclose(got, want):
            raise Hint(f"wrong for learning_rate={case[2]}, lmbda={case[3]}, n={case[4]}: with "
                       f"lmbda = 0 it must be plain gradient descent, and with dW = 0 it must "
                       f"scale W by exactly (1 - eta lambda/n).")
    return "matches a finite-difference gradient of the penalty, and the lambda = 0 and dW = 0 cases."


# ----------------------------------------------------------------------- 08.3
@exercise("08.3", "inverted dropout")
def check_dropout_forward(dropout_forward):
    a = np.random.default_rng(0).uniform(0.5, 2.0, size=(400, 250))
    same = np.asarray(call_quietly(dropout_forward, a.copy(), 0.0, np.random.default_rng(1)))
    if same.shape != a.shape or not np.allclose(same, a):
        raise Hint("with rate = 0 nothing is dropped: return a unchanged.")
    for rate in (0.2, 0.5, 0.8):
        out = answer_array(call_quietly(dropout_forward, a.copy(), rate, np.random.default_rng(3)), a.shape,
                     f"dropout_forward(a, {rate}, rng)")
        dropped = float(np.mean(out == 0))
        if abs(dropped - (1 - rate)) < 0.02 and abs(rate - 0.5) > 0.1:
            raise Hint(f"with rate = {rate} you dropped {dropped:.0%} of the units: rate is the "
                       f"fraction DROPPED (the Keras convention), so keep each unit with "
                       f"probability 1 - rate.")
        if abs(dropped - rate) > 0.02:
            raise Hint(f"with rate = {rate} you dropped {dropped:.0%} of the units; expected about "
                       f"{rate:.0%}. Zero each unit independently with probability rate.")
        kept = out != 0
        if np.allclose(out[kept], a[kept]):
            raise Hint("the surviving units are not scaled. Divide them by (1 - rate) so that each "
                       "unit's expected value is unchanged, and nothing needs to change at test time.")
        if not np.allclose(out[kept], a[kept] / (1 - rate)):
            raise Hint(f"survivors should equal a / (1 - rate) = a / {1 - rate:g}; yours differ.")
    x = np.asarray(call_quietly(dropout_forward, a.copy(), 0.5, np.random.default_rng(5)))
    z = np.asarray(call_quietly(dropout_forward, a.copy(), 0.5, np.random.default_rng(5)))
    if not np.array_equal(x, z):
        raise Hint("draw the mask from the rng argument (rng.random(a.shape)), not from np.random.")
    return "drops the right fraction for rates 0 to 0.8, scales survivors by 1/(1 - rate), uses the rng."


# ----------------------------------------------------------------------- 08.4
def _reference_early_stop(val_accuracy, patience):
    """(best_epoch, stop_epoch), 1-based, exactly as course_lib.EarlyStopping decides."""
    stopper = EarlyStopping("val_accuracy", patience=patience, restore_best=False)

    class _Net:
        stop_training = False

    net = _Net()
    for epoch, value in enumerate(val_accuracy):
        stopper(net, epoch, {"val_accuracy": value})
        if net.stop_training:
            return stopper.best_epoch + 1, epoch + 1
    return stopper.best_epoch + 1, len(val_accuracy)


@exercise("08.4", "when early stopping stops")
def check_early_stopping(early_stopping_epochs):
    cases = [
        ([0.70, 0.75, 0.78, 0.77, 0.78, 0.76, 0.79], 2),   # a tie is not an improvement
        ([0.50, 0.60, 0.70, 0.80], 1),                     # never stops
        ([0.80, 0.70, 0.70, 0.70, 0.90], 3),               # stops before the late rise
        ([0.60, 0.61, 0.60, 0.62, 0.61, 0.60, 0.59, 0.58], 3),
        ([0.9], 5),
    ]
    for values, patience in cases:
        want = _reference_early_stop(values, patience)
        try:
            got = tuple(int(v) for v in call_quietly(early_stopping_epochs, list(values), patience))
        except (TypeError, ValueError):
            raise Hint("return a pair of epoch numbers (best_epoch, stop_epoch), counting from 1.") \
                from None
        if got == want:
            continue
        shown = f"val_accuracy = {values}, patience = {patience}"
        if got == (want[0] - 1, want[1] - 1):
            raise Hint(f"for {shown} you returned {got}; count epochs from 1, not 0.")
        if got[0] != want[0]:
            raise Hint(f"for {shown} the best epoch is {want[0]}, but you returned {got[0]}. Only "
                       f"a strictly higher accuracy counts as an improvement: a tie keeps the "
                       f"earlier epoch.")
        raise Hint(f"for {shown} training stops at epoch {want[1]}, but you returned {got[1]}. "
                   f"Stop once `patience` epochs have passed since the best one (best + patience), "
                   f"or at the last epoch if that never happens.")
    return "agrees with course_lib.EarlyStopping on five unseen histories, ties included."
