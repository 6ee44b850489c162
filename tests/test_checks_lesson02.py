"""Exercise checks of lesson 02: right answers (several formulations) pass; the mistakes learners
really make fail with a hint that names that mistake. Stubs are covered by test_checks_all.py."""
import numpy as np
import pytest

from course_lib.checks import check


# ---------------------------------------------------------------- 02.1 the slope of ELU
def elu_prime(z, alpha=1.0):
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def elu_prime_masked(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    out = np.ones_like(z)
    neg = z <= 0
    out[neg] = alpha * np.exp(z[neg])          # exp only where z <= 0: never overflows
    return out


def elu_prime_overflows(z, alpha=1.0):
    return np.where(z > 0, 1.0, alpha * np.exp(z))


def elu_prime_no_alpha(z, alpha=1.0):
    return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0)))


def elu_prime_is_elu(z, alpha=1.0):
    return np.where(z > 0, 1.0, alpha * np.expm1(np.minimum(z, 0.0)))


def elu_prime_slope_z(z, alpha=1.0):
    return np.where(z > 0, z, alpha * np.exp(np.minimum(z, 0.0)))


def elu_prime_alpha_ignored_by_default(z, alpha=0.5):
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def elu_prime_clipped_exp(z, alpha=1.0):
    # Right except far out on the left, where it keeps the value at -2: the hint must name that z.
    return np.where(z > 0, 1.0, alpha * np.exp(np.maximum(np.minimum(z, 0.0), -2.0)))


@pytest.mark.parametrize("right", [elu_prime, elu_prime_masked])
def test_02_1_right_answers_pass(right):
    assert check("02.1", right).passed


@pytest.mark.parametrize("wrong, fragments", [
    (elu_prime_overflows, ["overflowed", "np.minimum(z, 0)"]),
    (elu_prime_no_alpha, ["multiply by alpha"]),
    (elu_prime_is_elu, ["which is ELU itself"]),
    (elu_prime_slope_z, ["slope there is 1"]),
    (elu_prime_alpha_ignored_by_default, ["alpha = 1.0 by default"]),
    (lambda z, alpha=1.0: 1.0, ["returned shape ()"]),
])
def test_02_1_mistakes_get_their_hint(assert_hint, wrong, fragments):
    assert_hint("02.1", wrong, *fragments)


def test_02_1_fallback_hint_points_at_a_wrong_point(assert_hint):
    message = assert_hint("02.1", elu_prime_clipped_exp, "alpha e^z").message
    z_reported = float(message.split("at z = ")[1].split(" ")[0])
    assert z_reported < -2.0          # where the answer is wrong, not the first negative z


# ---------------------------------------------------------------- 02.2 dead units
def dead_fraction(A):
    return float(np.mean(np.all(A <= 0, axis=0)))


def dead_fraction_loop(A):
    dead = [not np.any(A[:, j] > 0) for j in range(A.shape[1])]
    return sum(dead) / len(dead)


@pytest.mark.parametrize("right", [dead_fraction, dead_fraction_loop,
                                   lambda A: float(np.mean(np.max(A, axis=0) == 0))])
def test_02_2_right_answers_pass(right):
    assert check("02.2", right).passed


@pytest.mark.parametrize("wrong, fragment", [
    (lambda A: float(np.mean(A <= 0)), "fraction of zero *entries*"),
    (lambda A: float(np.mean(np.all(A <= 0, axis=1))), "reduce over the rows, axis=0"),
    (lambda A: int(np.sum(np.all(A <= 0, axis=0))), "divide by the number of units"),
    (lambda A: float(np.mean(np.any(A <= 0, axis=0))), "np.all, not np.any"),
    (lambda A: np.all(A <= 0, axis=0), "one number"),
])
def test_02_2_mistakes_get_their_hint(assert_hint, wrong, fragment):
    assert_hint("02.2", wrong, fragment)


# ---------------------------------------------------------------- 02.3 PReLU's alpha gradient
def prelu_alpha_grad(z, dout):
    return np.sum(dout * np.minimum(z, 0.0), axis=0)


@pytest.mark.parametrize("right", [
    prelu_alpha_grad,
    lambda z, dout: np.einsum("nj,nj->j", dout, np.where(z > 0, 0.0, z)),
    lambda z, dout: (dout * z * (z <= 0)).sum(axis=0),
])
def test_02_3_right_answers_pass(right):
    assert check("02.3", right).passed


@pytest.mark.parametrize("wrong, fragment", [
    (lambda z, dout: np.sum(dout * z, axis=0), "np.minimum(z, 0) instead of z"),
    (lambda z, dout: np.mean(dout * np.minimum(z, 0.0), axis=0), "you averaged over the examples"),
    (lambda z, dout: dout * np.minimum(z, 0.0), "sum over the batch (axis=0)"),
    (lambda z, dout: np.sum(dout * (z <= 0), axis=0), "is z, not 1"),
    (lambda z, dout: np.sum(dout * np.minimum(z, 0.0), axis=1), "shape"),
])
def test_02_3_mistakes_get_their_hint(assert_hint, wrong, fragment):
    assert_hint("02.3", wrong, fragment)


# ---------------------------------------------------------------- 02.4 choosing activations
@pytest.mark.parametrize("right", [lambda: "B", lambda: " b "])
def test_02_4_right_answers_pass(right):
    assert check("02.4", right).passed


@pytest.mark.parametrize("letter, fragment", [
    ("A", "need not sum to 1"),
    ("c", "not a probability"),
    ("D", "single yes/no"),
    (2, "one letter"),
])
def test_02_4_wrong_choices_get_their_hint(assert_hint, letter, fragment):
    assert_hint("02.4", lambda: letter, fragment)


# ---------------------------------------------------------------- 02.5 predicting vanishing gradients
# The figures lesson 02 prints: ratio 0.8 at one hidden layer, a factor of about 4.3 per added layer.
R1, FACTOR = 0.8, 4.3


@pytest.mark.parametrize("right", [
    lambda n: R1 / FACTOR ** (n - 1),                 # the lesson's own measurements
    lambda n: 0.8 / 4 ** (n - 1),                     # the bound sigma' <= 1/4 as the factor
    lambda n: 3e-5 * FACTOR ** (8 - n),               # extrapolated from the 8-layer network
])
def test_02_5_reasonable_predictions_pass(right):
    assert check("02.5", right).passed


@pytest.mark.parametrize("wrong, fragments", [
    (lambda n: R1 / FACTOR ** n, ["per-layer factor is right", "too small", "n_hidden - 1"]),
    (lambda n: R1 / (FACTOR * (n - 1) + 1), ["exponentially", "not like 1 / n_hidden"]),
    (lambda n: R1 * FACTOR ** (n - 1), ["grows with depth", "do not multiply"]),
    (lambda n: R1 / 2 ** (n - 1), ["falls by a factor 2 per added hidden layer", "per-layer factor"]),
    (lambda n: 3e-5, ["the same at every depth"]),
    (lambda n: -1.0, ["positive"]),
    (lambda n: None, ["one number"]),
])
def test_02_5_mistakes_get_their_hint(assert_hint, wrong, fragments):
    assert_hint("02.5", wrong, *fragments)
