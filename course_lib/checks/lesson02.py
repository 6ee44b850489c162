"""Checkers for lesson 02, activation functions. Reference answers are built from course_lib."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..activations import elu, elu_prime, leaky_relu
from ..gradcheck import numerical_gradient, rel_error
from ..widgets.activations import gradient_ratio
from .core import Hint, answer_array, call_quietly, exercise


def _away_from_zero(rng, shape, scale=3.0):
    """Points for slope checks, kept away from the kink at 0 where the slope jumps."""
    z = rng.normal(0.0, scale, size=shape)
    return np.where(np.abs(z) < 0.05, z + 0.1, z)


# ----------------------------------------------------------------------- 02.1
@exercise("02.1", "The slope of ELU")
def check_elu_prime(answer):
    rng = np.random.default_rng(21)
    z = _away_from_zero(rng, (6, 5))
    for alpha in (1.0, 0.5, 2.0):
        got = answer_array(call_quietly(answer, z, alpha=alpha), z.shape,
                           f"elu_prime(z, alpha={alpha}) for z of shape (6, 5)")
        want = elu_prime(z, alpha)
        if np.allclose(got, want, rtol=1e-6, atol=1e-9):
            continue
        pos, neg = z > 0, z <= 0
        if not np.allclose(got[pos], 1.0):
            raise Hint("for z > 0 ELU is z itself, so its slope there is 1.")
        if np.allclose(got[neg], np.exp(z[neg])) and alpha != 1.0:
            raise Hint(f"with alpha = {alpha} your slope for z <= 0 is e^z, but ELU there is "
                       f"alpha (e^z - 1), whose slope is alpha e^z: multiply by alpha.")
        if np.allclose(got[neg], alpha * np.exp(z[neg]) - alpha):
            raise Hint("for z <= 0 you returned alpha (e^z - 1), which is ELU itself; its slope is "
                       "alpha e^z (the -1 is a constant and disappears).")
        i = np.argmax(np.where(neg, np.abs(got - want), -1.0))     # the worst point, never a right one
        raise Hint(f"for z <= 0 (alpha = {alpha}) the slope of alpha (e^z - 1) is alpha e^z; "
                   f"at z = {z.flat[i]:.3f} you returned {got.flat[i]:.4g}, expected {want.flat[i]:.4g}.")
    # Default alpha; the slope must also agree with finite differences of ELU itself.
    z_mid = _away_from_zero(rng, (4, 4), scale=1.5)
    numeric = (elu(z_mid + 1e-6) - elu(z_mid - 1e-6)) / 2e-6
    if rel_error(answer_array(answer(z_mid), z_mid.shape, "elu_prime(z)"), numeric) > 1e-6:
        raise Hint("called as elu_prime(z) your function should use alpha = 1.0 by default.")
    big = np.array([[-1000.0, -30.0, 0.5, 30.0, 1000.0]])
    try:
        with np.errstate(over="raise", invalid="raise"):
            got = answer_array(answer(big, alpha=1.0), big.shape, "elu_prime at z = +-1000")
    except FloatingPointError:
        raise Hint("np.exp overflowed at z = 1000: np.where computes both branches for every z, so "
                   "np.exp(z) runs on the large positive z too. Exponentiate np.minimum(z, 0) "
                   "instead; the answer is unchanged where z <= 0.") from None
    if not np.allclose(got, elu_prime(big)):
        raise Hint("at z = -1000, -30, 0.5, 30, 1000 the slopes should be 0, e^-30, 1, 1, 1.")
    return ("right for alpha = 0.5, 1 and 2, agrees with finite differences of ELU, and stays finite "
            "at z = +-1000.")


# ----------------------------------------------------------------------- 02.2
def _dead(A):
    return float(np.mean(np.all(np.asarray(A) <= 0, axis=0)))


@exercise("02.2", "Counting dead ReLUs")
def check_dead_fraction(answer):
    rng = np.random.default_rng(22)
    A = np.maximum(rng.normal(size=(40, 12)), 0)
    A[:, [1, 4, 9]] = 0.0                      # three dead units
    A[:, 6] = 0.0
    A[17, 6] = 0.3                             # alive: one example switches it on
    A[5, :] = 0.0                              # an example that activates nothing
    cases = [(A, "40 examples, 12 units"),
             (np.zeros((3, 5)), "all units silent"),
             (np.ones((2, 4)), "all units active"),
             (np.array([[0.0, 2.0, 0.0]]), "a single example")]
    for M, what in cases:
        try:
            got = float(answer(M.copy()))
        except (TypeError, ValueError):
            raise Hint("dead_fraction should return one number, the fraction of dead units.") from None
        want = _dead(M)
        if abs(got - want) < 1e-12:
            continue
        if abs(got - float(np.mean(M <= 0))) < 1e-12:
            raise Hint(f"on {what} you returned the fraction of zero *entries* ({got:.3f}). A unit "
                       f"is dead only if its whole column is zero: use np.all(A <= 0, axis=0), "
                       f"then take the mean over units.")
        if abs(got - float(np.mean(np.all(M <= 0, axis=1)))) < 1e-12:
            raise Hint(f"on {what} you returned the fraction of examples that activate no unit. "
                       f"Units are the columns of A: reduce over the rows, axis=0.")
        if abs(got - float(np.mean(np.any(M <= 0, axis=0)))) < 1e-12:
            raise Hint(f"on {what} you returned the fraction of units that are zero on *some* example "
                       f"({got:.3f}). A unit is dead only if it is zero on every example: np.all, not "
                       f"np.any.")
        if abs(got - float(np.sum(np.all(M <= 0, axis=0)))) < 1e-12 and want not in (0.0, 1.0):
            raise Hint(f"on {what} you returned the number of dead units ({got:g}); divide by the "
                       f"number of units to get a fraction.")
        raise Hint(f"on {what} the dead fraction is {want:.3f}, but you returned {got:.3f}.")
    return "right on four unseen layers, including one unit that a single example keeps alive."


# ----------------------------------------------------------------------- 02.3
@exercise("02.3", "PReLU's gradient for alpha")
def check_prelu_alpha_grad(answer):
    rng = np.random.default_rng(23)
    for n, units in ((7, 4), (1, 3), (50, 6)):
        z = rng.normal(size=(n, units))
        dout = rng.normal(size=(n, units))
        alpha = rng.uniform(0.05, 0.4, size=units)
        result = call_quietly(answer, z.copy(), dout.copy())
        try:
            got = np.asarray(result, dtype=np.float64)
        except (TypeError, ValueError):
            raise Hint(f"prelu_alpha_grad should return an array, not {type(result).__name__}.") from None
        if got.shape == z.shape:
            raise Hint(f"you returned shape {got.shape}, one number per example and unit. Each unit "
                       f"has one alpha shared by all examples, so sum over the batch (axis=0) to "
                       f"get shape ({units},).")
        got = answer_array(got, (units,), f"prelu_alpha_grad for z of shape {z.shape}")

        def cost(z=z, alpha=alpha, dout=dout):
            return float(np.sum(leaky_relu(z, alpha) * dout))

        numeric = numerical_gradient(cost, alpha)
        if rel_error(got, numeric) < 1e-7:
            continue
        if np.allclose(got, np.sum(dout * z, axis=0)):
            raise Hint("alpha multiplies only the negative part of z (for z > 0 the output is z, "
                       "whatever alpha is): use np.minimum(z, 0) instead of z.")
        if np.allclose(got, np.mean(dout * np.minimum(z, 0), axis=0)) and n > 1:
            raise Hint("you averaged over the examples. The cost here is the sum of dout * a, so "
                       "every example adds its share: sum over axis=0.")
        if np.allclose(got, np.sum(dout * (z <= 0), axis=0)):
            raise Hint("for z <= 0 the output is alpha * z, whose derivative with respect to alpha "
                       "is z, not 1: multiply dout by np.minimum(z, 0).")
        raise Hint(f"for z of shape {z.shape} your gradient differs from finite differences "
                   f"(relative error {rel_error(got, numeric):.1e}). dC/dalpha_j is the sum over "
                   f"examples of dout * min(z, 0) in column j.")
    return "matches finite differences of the PReLU cost for three unseen batches, one of size 1."


# ----------------------------------------------------------------------- 02.4
_CHOICE_HINTS = {
    "A": "ten separate sigmoid outputs need not sum to 1 across the classes, as the probabilities of "
         "ten mutually exclusive classes must. (In the hidden layer a sigmoid would work in a network "
         "this shallow, but its outputs are never zero-centred and ReLU is the usual first choice.)",
    "C": "a ReLU output is not a probability (it is unbounded and need not sum to 1), and tanh in "
         "the hidden layer still saturates.",
    "D": "a sigmoid output suits a single yes/no (0/1) answer; ten mutually exclusive classes need "
         "outputs that are positive and sum to 1.",
}


@exercise("02.4", "Choosing activations")
def check_choice(answer):
    choice = answer()
    if not isinstance(choice, str) or choice.strip().upper() not in ("A", "B", "C", "D"):
        raise Hint(f"answer() should return one letter, 'A', 'B', 'C' or 'D', but returned {choice!r}.")
    choice = choice.strip().upper()
    if choice != "B":
        raise Hint(f"not {choice}: {_CHOICE_HINTS[choice]}")
    return "ReLU in the hidden layer, softmax over the ten classes."


# ----------------------------------------------------------------------- 02.5
_DEPTHS = (3, 6, 12)
_TOLERANCE = 3.0        # a prediction within this factor of the measurement passes


@lru_cache(maxsize=1)
def _measured_ratios():
    """First/last gradient ratio of sigmoid networks at _DEPTHS, each the geometric mean of three
    seeds, on 500 Fashion-MNIST training images that lesson 02 does not use for this."""
    from ..data import load_fashion_mnist

    (X_train, y_train), _, _ = load_fashion_mnist(scale=False)     # uint8: no copy of all 60,000 in float
    rows = np.random.default_rng(2025).choice(len(X_train), size=500, replace=False)
    X, y = X_train[rows] / 255.0, y_train[rows]
    return {d: float(np.exp(np.mean([np.log(gradient_ratio(X, y, d, "sigmoid", "scaled_normal", seed=s))
                                     for s in (101, 102, 103)])))
            for d in _DEPTHS}


@exercise("02.5", "Predicting a deeper network's vanishing gradient")
def check_predicted_ratio(answer):
    got = {}
    for d in _DEPTHS:
        value = answer(d)
        try:
            got[d] = float(value)
        except (TypeError, ValueError):
            raise Hint(f"predicted_ratio({d}) should return one number, but returned "
                       f"{type(value).__name__}.") from None
        if not np.isfinite(got[d]) or got[d] <= 0:
            raise Hint(f"predicted_ratio({d}) returned {got[d]}, but a ratio of two gradient norms is a "
                       f"positive, finite number.")
    measured = _measured_ratios()
    off = {d: got[d] / measured[d] for d in _DEPTHS}
    if all(1 / _TOLERANCE <= f <= _TOLERANCE for f in off.values()):
        return "within a factor of 3 of the measured ratio at 3, 6 and 12 hidden layers."
    if np.isclose(got[3], got[12], rtol=1e-3):
        raise Hint("your prediction is the same at every depth. Each added sigmoid layer multiplies the "
                   "gradient by another factor below 1, so the deeper the network, the smaller the ratio.")
    if got[12] > got[3]:
        raise Hint("your prediction grows with depth, but the first layer's gradient falls further behind "
                   "the last layer's as layers are added: divide by the per-layer factor, do not multiply.")
    # Measured per added layer, the ratio falls by a constant factor: log(ratio) is linear in depth.
    fall_short = np.log(got[3] / got[6]) / 3      # the prediction's log-fall per layer, 3 -> 6
    fall_long = np.log(got[6] / got[12]) / 6      # and 6 -> 12
    fall_true = np.log(measured[3] / measured[12]) / 9
    if abs(fall_short - fall_long) > 0.25 * max(fall_short, fall_long):
        raise Hint(f"your prediction falls by a factor {np.exp(fall_short):.2g} per layer from 3 to 6 hidden "
                   f"layers, but only {np.exp(fall_long):.2g} per layer from 6 to 12. The factors multiply: "
                   f"every added layer divides the ratio by the same factor, so the ratio falls "
                   f"exponentially with depth (factor ** (n_hidden - 1)), not like 1 / n_hidden.")
    fall = np.log(got[3] / got[12]) / 9
    if abs(fall - fall_true) > np.log(_TOLERANCE) / 9:
        raise Hint(f"your prediction falls by a factor {np.exp(fall):.2g} per added hidden layer, but the "
                   f"measurement falls by more like {np.exp(fall_true):.1f}: use the per-layer factor that "
                   f"section 3.1 printed for the 64 x 64 layers.")
    ratio = np.exp(np.mean(np.log(list(off.values()))))
    raise Hint(f"your per-layer factor is right, but every prediction is off by the same factor, about "
               f"{max(ratio, 1 / ratio):.1f} ({'too large' if ratio > 1 else 'too small'}). Check the "
               f"starting point and the count: at n_hidden = 1 the ratio is the one section 3.1 measured "
               f"for one hidden layer, and each of the other n_hidden - 1 layers divides it once.")
