"""Checkers for lesson 08, improving learning. Reference answers live here, not in the notebook."""
from __future__ import annotations

import math

import numpy as np

from ..callbacks import EarlyStopping
from ..network import mlp
from .core import Hint, answer_array, call_quietly, exercise


# ----------------------------------------------------------------------- 08.1
@exercise("08.1", "He initialization")
def check_he_normal(he_normal):
    for shape in ((784, 300), (50, 2000), (2000, 60), [1, 20000]):
        fan_in, fan_out = shape
        W = answer_array(call_quietly(he_normal, shape, np.random.default_rng(7)), tuple(shape),
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
            np.sqrt(2.0 / fan_out): "variance 2/fan_out. For W of shape (fan_in, fan_out), fan_in is "
                                    "shape[0], the number of inputs",
            2.0 / fan_in: "2/fan_in as the standard deviation, but that is the variance; "
                          "the standard deviation is its square root",
        }
        for value, message in guesses.items():
            if abs(std / value - 1) < 0.03:
                raise Hint(f"for shape {tuple(shape)} your weights have std {std:.4f}: that is "
                           f"{message}.")
        raise Hint(f"for shape {tuple(shape)} your weights have std {std:.4f}, but He initialization "
                   f"gives std sqrt(2/fan_in) = {want:.4f}.")
    a = np.asarray(call_quietly(he_normal, (30, 20), np.random.default_rng(1)))
    b = np.asarray(call_quietly(he_normal, (30, 20), np.random.default_rng(1)))
    c = np.asarray(call_quietly(he_normal, (30, 20), np.random.default_rng(2)))
    if not np.array_equal(a, b) or np.array_equal(a, c):
        raise Hint("draw the numbers from the rng argument (rng.normal(...)), not from np.random, "
                   "so that the same seed gives the same weights.")
    return "std sqrt(2/fan_in) for four unseen shapes, fan_in = 1 included, reproducible from the rng."


# ----------------------------------------------------------------------- 08.2
HIDDEN_WIDTH = 32


def _deep_gradients(X, y, depth, activation, init, seed, width=HIDDEN_WIDTH):
    """Norms of dC/dW and dC/db of every layer of the plain network the exercise describes."""
    net = mlp([X.shape[1]] + [width] * depth + [10], activation=activation, output="softmax",
              weight_init=init, rng=np.random.default_rng(seed))
    net.compile("categorical_crossentropy")
    _, grads = net.compute_gradients(X, y)
    return {name: float(np.linalg.norm(g)) for name, g in grads.items()}


def _ratio(norms, first="dense_0.W", last=None):
    weights = [k for k in norms if k.endswith(".W")]
    return norms[first] / norms[last or weights[-1]]


@exercise("08.2", "Vanishing and exploding gradients, first layer over last")
def check_gradient_ratio(gradient_ratio):
    data = np.random.default_rng(82)
    X = data.normal(0.0, 1.0, size=(64, 20))
    y = data.integers(0, 10, size=64)
    cases = [(6, "sigmoid", "xavier", 3), (4, "relu", "he", 5), (3, "tanh", "large_normal", 11),
             (1, "relu", "scaled_normal", 2)]
    for depth, activation, init, seed in cases:
        shown = f"depth={depth}, activation={activation!r}, init={init!r}"
        result = call_quietly(gradient_ratio, X.copy(), y.copy(), depth, activation, init,
                              np.random.default_rng(seed))
        try:
            got = float(result)
        except (TypeError, ValueError):
            raise Hint(f"gradient_ratio should return one number, |dC/dW| of the first layer divided "
                       f"by |dC/dW| of the output layer, but returned {type(result).__name__}.") from None
        norms = _deep_gradients(X, y, depth, activation, init, seed)
        want = _ratio(norms)
        if math.isclose(got, want, rel_tol=1e-4):
            continue
        weights = [k for k in norms if k.endswith(".W")]
        if math.isclose(got, 1 / want, rel_tol=1e-4):
            raise Hint(f"for {shown} you returned last / first. The task asks for the first "
                       f"layer's norm divided by the output layer's: a vanishing gradient gives a "
                       f"ratio far below 1.")
        if math.isclose(got, norms["dense_0.W"] / list(norms.values())[-1], rel_tol=1e-4):
            raise Hint(f"for {shown} you divided by the last entry of the gradients, which is the "
                       f"output layer's bias gradient (…b), not its weights. Keep only the names "
                       f"ending in '.W'.")
        if len(weights) > 1 and math.isclose(got, _ratio(norms, last=weights[-2]), rel_tol=1e-4):
            raise Hint(f"for {shown} you divided by the last hidden layer's gradient. The task's "
                       f"last weight matrix is the output layer's, the {depth + 1}th.")
        if init != "scaled_normal" and math.isclose(
                got, _ratio(_deep_gradients(X, y, depth, activation, "scaled_normal", seed)), rel_tol=1e-4):
            raise Hint(f"for {shown} your network used mlp's default initializer (1/sqrt(n_in)), not "
                       f"{init!r}: pass weight_init=init.")
        if depth > 1 and math.isclose(
                got, _ratio(_deep_gradients(X, y, depth - 1, activation, init, seed)), rel_tol=1e-4):
            raise Hint(f"for {shown} your network has {depth - 1} hidden layers; it needs `depth` "
                       f"hidden layers of {HIDDEN_WIDTH} units: sizes [n_inputs] + [{HIDDEN_WIDTH}] * "
                       f"depth + [10].")
        a = float(call_quietly(gradient_ratio, X.copy(), y.copy(), depth, activation, init,
                               np.random.default_rng(seed + 1000)))
        if math.isclose(a, got, rel_tol=1e-9):
            raise Hint("your ratio does not change with the rng argument: build the network with "
                       "rng=rng, so the same seed gives the same network.")
        raise Hint(f"for {shown} the ratio should be {want:.4g}, but yours is {got:.4g}. Build "
                   f"mlp([n_inputs] + [{HIDDEN_WIDTH}] * depth + [10], activation=activation, "
                   f"weight_init=init, rng=rng), compile it with the categorical cross-entropy and "
                   f"compare the norms of the first and last '.W' gradients of compute_gradients.")
    return ("right for sigmoid, tanh and ReLU networks of depth 1 to 6 under four initializers. Now run "
            "it at depth 20 and compare with your predictions.")


# ----------------------------------------------------------------------- 08.3
@exercise("08.3", "inverted dropout")
def check_dropout_forward(dropout_forward):
    a = np.random.default_rng(0).uniform(0.5, 2.0, size=(400, 250))
    original = a.copy()
    same = np.asarray(call_quietly(dropout_forward, a, 0.0, np.random.default_rng(1)))
    if same.shape != a.shape or not np.allclose(same, original):
        raise Hint("with rate = 0 nothing is dropped: return a unchanged.")
    for rate in (0.2, 0.5, 0.8):
        out = answer_array(call_quietly(dropout_forward, a, rate, np.random.default_rng(3)), a.shape,
                           f"dropout_forward(a, {rate}, rng)")
        if not np.array_equal(a, original):
            raise Hint("your function changed its input a in place (a *= ...). Return a new array: "
                       "the caller may still need a, e.g. for the backward pass.")
        zero = out == 0
        if np.all(zero == zero[0]) or np.all(zero == zero[:, :1]):
            raise Hint("every row (or every column) has the same mask: you drew one random number "
                       "per unit (or per example) and broadcast it. Draw a separate number for every "
                       "entry, rng.random(a.shape), so each example drops its own units.")
        dropped = float(np.mean(zero))
        if abs(dropped - (1 - rate)) < 0.02 and abs(rate - 0.5) > 0.1:
            raise Hint(f"with rate = {rate} you dropped {dropped:.0%} of the units: rate is the "
                       f"fraction DROPPED (the Keras convention), so keep each unit with "
                       f"probability 1 - rate.")
        if abs(dropped - rate) > 0.02:
            raise Hint(f"with rate = {rate} you dropped {dropped:.0%} of the units; expected about "
                       f"{rate:.0%}. Zero each unit independently with probability rate.")
        kept = ~zero
        if np.allclose(out[kept], a[kept]):
            raise Hint("the surviving units are not scaled. Divide them by (1 - rate) so that each "
                       "unit's expected value is unchanged, and nothing needs to change at test time.")
        if np.allclose(out[kept], a[kept] * (1 - rate)):
            raise Hint(f"you multiplied the survivors by (1 - rate) = {1 - rate:g}: that is what the "
                       f"original dropout does at TEST time. Inverted dropout divides them by "
                       f"(1 - rate) during training instead.")
        if not np.allclose(out[kept], a[kept] / (1 - rate)):
            raise Hint(f"survivors should equal a / (1 - rate) = a / {1 - rate:g}; yours differ.")
    x = np.asarray(call_quietly(dropout_forward, a.copy(), 0.5, np.random.default_rng(5)))
    z = np.asarray(call_quietly(dropout_forward, a.copy(), 0.5, np.random.default_rng(5)))
    if not np.array_equal(x, z):
        raise Hint("draw the mask from the rng argument (rng.random(a.shape)), not from np.random.")
    return "drops the right fraction for rates 0 to 0.8, entry by entry, scales survivors by 1/(1 - rate)."


# ----------------------------------------------------------------------- 08.4
def _reference_early_stop(val_accuracy, patience, ties_improve=False):
    """(best_epoch, stop_epoch), 1-based, exactly as course_lib.EarlyStopping decides.

    ties_improve=True gives the common mistake of counting a tie as an improvement.
    """
    if ties_improve:
        # the tiny nudge turns every tie with the running best into a strict improvement
        val_accuracy = [v + 1e-12 * i for i, v in enumerate(val_accuracy)]
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
        result = call_quietly(early_stopping_epochs, list(values), patience)
        try:
            got = tuple(int(v) for v in result)
        except (TypeError, ValueError):
            raise Hint("return a pair of epoch numbers (best_epoch, stop_epoch), counting from 1.") \
                from None
        if got == want:
            continue
        shown = f"val_accuracy = {values}, patience = {patience}"
        if got == (want[0] - 1, want[1] - 1):
            raise Hint(f"for {shown} you returned {got}; count epochs from 1, not 0.")
        if got == _reference_early_stop(values, patience, ties_improve=True):
            raise Hint(f"for {shown} you returned {got}, counting a tie with the best accuracy as "
                       f"an improvement. Only a strictly higher accuracy counts: a tie keeps the "
                       f"earlier epoch, and the patience clock keeps running.")
        if got[0] == int(np.argmax(values)) + 1 and got[0] != want[0]:
            raise Hint(f"for {shown} you returned epoch {got[0]}, the best of the whole list, but "
                       f"training stopped at epoch {want[1]} and never saw it. The best epoch is the "
                       f"best among the epochs actually trained.")
        if got[0] != want[0]:
            raise Hint(f"for {shown} the best epoch is {want[0]}, but you returned {got[0]}. Only "
                       f"a strictly higher accuracy counts as an improvement: a tie keeps the "
                       f"earlier epoch.")
        raise Hint(f"for {shown} training stops at epoch {want[1]}, but you returned {got[1]}. "
                   f"Stop once `patience` epochs have passed since the best one (best + patience), "
                   f"or at the last epoch if that never happens.")
    return "agrees with course_lib.EarlyStopping on five unseen histories, ties included."


# ----------------------------------------------------------------------- 08.5
@exercise("08.5", "a paired comparison over seeds")
def check_paired_gain(paired_gain):
    remedy = [0.8016, 0.7990, 0.8043, 0.7981, 0.8022, 0.8007]
    baseline = [0.7921, 0.7935, 0.7950, 0.7899, 0.7941, 0.7930]
    cases = [(remedy, baseline), ([0.5, 0.7], [0.4, 0.9]), (baseline[:4], remedy[:4])]
    for a, b in cases:
        result = call_quietly(paired_gain, list(a), list(b))
        try:
            got = tuple(float(v) for v in result)
        except (TypeError, ValueError):
            raise Hint(f"return a pair of numbers (mean, se), not {result!r}.") from None
        if len(got) != 2:
            raise Hint(f"return two numbers (mean, se), not {len(got)}.")
        d = np.asarray(a) - np.asarray(b)
        n = len(d)
        mean, se = float(d.mean()), float(d.std(ddof=1) / np.sqrt(n))
        shown = f"for remedy = {list(a)} and baseline = {list(b)}"
        if math.isclose(got[0], -mean, rel_tol=1e-9) and not math.isclose(mean, 0.0, abs_tol=1e-12):
            raise Hint(f"{shown} your mean has the wrong sign: a gain is remedy minus baseline.")
        if not math.isclose(got[0], mean, rel_tol=1e-9, abs_tol=1e-12):
            raise Hint(f"{shown} the mean difference is {mean:.5f}, but yours is {got[0]:.5f}: "
                       f"average remedy_i - baseline_i over the seeds.")
        if math.isclose(got[1], se, rel_tol=1e-9):
            continue
        s_a, s_b = np.std(a, ddof=1), np.std(b, ddof=1)
        wrong = {
            float(np.sqrt((s_a ** 2 + s_b ** 2) / n)): "you treated the two lists as independent "
                "samples (sqrt(s_a^2/n + s_b^2/n)). Pair them by seed: take the n differences "
                "first, then the standard error of their mean",
            float(d.std(ddof=1)): "that is the standard deviation of the differences, the spread "
                "of ONE seed's difference. The error of their mean is that divided by sqrt(n)",
            float(d.std(ddof=0) / np.sqrt(n)): "you used np.std with its default ddof=0. With a "
                "handful of seeds use the sample standard deviation, ddof=1",
            float(d.std(ddof=1) / n): "you divided by n; the standard error divides the standard "
                "deviation by sqrt(n)",
        }
        for value, message in wrong.items():
            if math.isclose(got[1], value, rel_tol=1e-9):
                raise Hint(f"{shown} your se is {got[1]:.5f}: {message}.")
        raise Hint(f"{shown} the standard error is {se:.5f}, but yours is {got[1]:.5f}: the sample "
                   f"std (ddof=1) of the differences divided by sqrt(n).")
    for a, b, why in (([0.8, 0.81, 0.79], [0.8, 0.8], "lists of different lengths"),
                      ([0.8], [0.79], "a single seed")):
        try:
            call_quietly(paired_gain, a, b)
        except ValueError:
            continue
        except (IndexError, ZeroDivisionError, FloatingPointError, TypeError):
            pass
        raise Hint(f"paired_gain({a}, {b}) should raise ValueError: {why} cannot be paired into a "
                   f"standard error. Check len(remedy) == len(baseline) >= 2 first.")
    return "paired by seed, ddof=1, divided by sqrt(n); unequal lists and one seed are refused."


# ----------------------------------------------------------------------- 08.6
def _adam_reference(w, g, m, v, t, learning_rate, beta1, beta2, epsilon, variant="paper"):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    if variant == "uncorrected":
        return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v
    if variant == "eps_hat":
        lr_t = learning_rate * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        return w - lr_t * m / (np.sqrt(v) + epsilon), m, v
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    if variant == "eps_inside":
        return w - learning_rate * m_hat / np.sqrt(v_hat + epsilon), m, v
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def _run_adam(adam_step, g_seq, w0, hp):
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    path = []
    for t, g in enumerate(g_seq, start=1):
        args = (w.copy(), g.copy(), m.copy(), v.copy(), t)
        w, m, v = (np.asarray(x, dtype=float) for x in call_quietly(adam_step, *args, *hp))
        path.append((w.copy(), m.copy(), v.copy()))
    return path


def _run_reference(g_seq, w0, hp, variant="paper"):
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    path = []
    for t, g in enumerate(g_seq, start=1):
        w, m, v = _adam_reference(w, g, m, v, t, *hp, variant=variant)
        path.append((w.copy(), m.copy(), v.copy()))
    return path


def _same(path_a, path_b, rtol=1e-9):
    return all(np.allclose(x, y, rtol=rtol, atol=1e-15) for a, b in zip(path_a, path_b)
               for x, y in zip(a, b))


@exercise("08.6", "Adam, as in the paper")
def check_adam_step(adam_step):
    rng = np.random.default_rng(86)
    w0 = rng.normal(size=(3, 4))
    hp = (0.01, 0.9, 0.999, 1e-8)
    # gradients that span ten orders of magnitude, including exact zeros and tiny values near eps
    scales = np.array([[1e-9, 1e-8, 1e-6, 1e-3], [1e-1, 1.0, 10.0, 1e3], [0.0, 2e-8, 5.0, 0.3]])
    g_seq = [scales * rng.normal(size=(3, 4)) for _ in range(6)]
    g_seq[0][2, 0] = g_seq[1][2, 0] = 0.0
    # inputs must come back untouched
    w, g, m, v = w0.copy(), g_seq[0].copy(), np.zeros_like(w0), np.zeros_like(w0)
    out = call_quietly(adam_step, w, g, m, v, 1, *hp)
    try:
        w1, _, _ = (answer_array(x, w0.shape, "adam_step(...)", "an array") for x in out)
    except (TypeError, ValueError):
        raise Hint("adam_step should return three arrays (w, m, v) of w's shape.") from None
    if not (np.array_equal(w, w0) and np.array_equal(m, 0 * w0) and np.array_equal(v, 0 * w0)):
        raise Hint("your function changed its inputs in place (w -= ..., m *= ...). Return new "
                   "arrays: w - ..., beta1 * m + ...")
    if not np.all(np.isfinite(w1)):
        raise Hint("at step t = 1 your new w holds NaN or inf. If you raised beta to the power "
                   "t - 1, the correction 1 - beta**0 is 0: t counts from 1, so divide by "
                   "1 - beta1**t and 1 - beta2**t. (A gradient of exactly 0 gives 0 / (0 + eps) = 0.)")
    path = _run_adam(adam_step, g_seq, w0, hp)
    want = _run_reference(g_seq, w0, hp)
    if _same(path, want):
        return ("matches Kingma and Ba's Adam for six steps, gradients from 0 to 1e3 in one array: "
                "a first step has length about learning_rate for any gradient well above eps.")
    m_ok = all(np.allclose(p[1], r[1], rtol=1e-9) for p, r in zip(path, want))
    v_ok = all(np.allclose(p[2], r[2], rtol=1e-9) for p, r in zip(path, want))
    if not m_ok:
        if np.allclose(path[0][1], want[0][1] / (1 - 0.9), rtol=1e-9):
            raise Hint("you returned the bias-corrected m_hat as the new m. Keep the raw moments "
                       "m and v as the state; the correction is recomputed from them at every step.")
        raise Hint("your first moment m is off: m <- beta1 * m + (1 - beta1) * g.")
    if not v_ok:
        if np.allclose(path[0][2], (1 - 0.999) * np.abs(g_seq[0]), rtol=1e-9):
            raise Hint("your v averages |g|; Adam's second moment averages the squared gradient: "
                       "v <- beta2 * v + (1 - beta2) * g**2.")
        if np.allclose(path[0][2], want[0][2] / (1 - 0.999), rtol=1e-9):
            raise Hint("you returned the bias-corrected v_hat as the new v. Keep the raw moments "
                       "m and v as the state; the correction is recomputed from them at every step.")
        raise Hint("your second moment v is off: v <- beta2 * v + (1 - beta2) * g**2.")
    step1 = np.abs(path[0][0] - w0) / hp[0]
    tiny = f"{np.array2string(step1[0], precision=3)} for gradients of about 1e-9, 1e-8, 1e-6, 1e-3"
    large = f"{np.array2string(step1[1], precision=3)} for gradients of about 0.1, 1, 10, 1000"
    for variant, message, shown in (
            ("uncorrected", ("your steps skip the bias correction: at t = 1, m = 0.1 g and "
                             "v = 0.001 g^2, so m / sqrt(v) = 3.16 and the first step is 3.16 times "
                             "too long. Divide by 1 - beta1**t and 1 - beta2**t"), large),
            ("eps_hat", ("you folded the correction into the learning rate and added eps to "
                         "sqrt(v): that is course_lib's and Keras' eps-hat form, where eps acts "
                         "1/sqrt(1 - beta2**t) times larger. The paper and PyTorch add eps to "
                         "sqrt(v_hat)"), tiny),
            ("eps_inside", ("you put eps inside the square root, sqrt(v_hat + eps), which acts like "
                            "a far larger eps (sqrt(1e-8) = 1e-4). Adam adds it outside: "
                            "sqrt(v_hat) + eps"), tiny)):
        if _same(path, _run_reference(g_seq, w0, hp, variant), rtol=1e-7):
            raise Hint(f"{message}. Your first step, in units of learning_rate, was {shown}.")
    raise Hint("m and v are right, but the new w is not w - learning_rate * m_hat / (sqrt(v_hat) + eps) "
               "with m_hat = m / (1 - beta1**t) and v_hat = v / (1 - beta2**t).")
