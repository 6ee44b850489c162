"""Exercise checks of lesson 03: right answers (several formulations) pass; the mistakes learners
really make fail with a hint that names that mistake. Stubs are covered by test_checks_all.py."""
import numpy as np
import pytest

from course_lib import sigmoid
from course_lib.checks import check


# ---------------------------------------------------------------- 03.1 sigma'(z)
@pytest.mark.parametrize("right", [
    lambda z: sigmoid(z) * (1 - sigmoid(z)),
    lambda z: sigmoid(z) * sigmoid(-z),
    lambda z: np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))) ** 2,   # symmetric, never overflows
])
def test_03_1_right_answers_pass(right):
    result = check("03.1", right)
    assert result.passed and "finite differences" in result.message


@pytest.mark.parametrize("wrong, fragments", [
    (lambda z: sigmoid(z), ["returned sigma(z) itself"]),
    (lambda z: z * (1 - z), ["applied the formula to z"]),
    (lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, ["overflows", "z = -800"]),
    (lambda z: float(np.mean(z)), ["shape"]),
    # sigma(z)^2 is right at z = 0 (0.25): the hint must name a point where it is wrong.
    (lambda z: sigmoid(z) ** 2, ["at z = 40", "4.248e-18", "yours gives 1"]),
    (lambda z: sigmoid(z) * (1 + sigmoid(z)), ["at z = 40", "yours gives 2"]),
])
def test_03_1_mistakes_get_their_hint(assert_hint, wrong, fragments):
    assert_hint("03.1", wrong, *fragments)


# ---------------------------------------------------------------- 03.2 cross-entropy, right way round
@pytest.mark.parametrize("right", [
    lambda a, y: -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)),
    lambda a, y: float(np.sum(-(y * np.log(a) + (1 - y) * np.log1p(-a))) / len(a)),
])
def test_03_2_right_answers_pass(right):
    assert check("03.2", right).passed


@pytest.mark.parametrize("wrong, fragment", [
    (lambda a, y: -np.mean(a * np.log(y) + (1 - a) * np.log(1 - y)), "a and y are swapped"),
    (lambda a, y: np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)), "minus sign"),
    (lambda a, y: -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)), "the cost is their mean"),
    (lambda a, y: -np.mean(y * np.log(a)), "(1 - y) ln(1 - a)"),
    (lambda a, y: -np.mean(y * np.log10(a) + (1 - y) * np.log10(1 - a)), "np.log10"),
    (lambda a, y: np.mean(0.5 * (a - y) ** 2), "should be"),
])
def test_03_2_mistakes_get_their_hint(assert_hint, wrong, fragment):
    assert_hint("03.2", wrong, fragment)


# ---------------------------------------------------------------- 03.3 both costs' gradients
def gradients(w, b, x, y, cost):
    a = sigmoid(np.float64(w * x + b))
    delta = (a - y) * a * (1 - a) if cost == "quadratic" else a - y
    return delta * x, delta


def gradients_via_chain_rule(w, b, x, y, cost):
    a = sigmoid(w * x + b)
    dC_da = a - y if cost == "quadratic" else (a - y) / (a * (1 - a))
    dC_dz = dC_da * a * (1 - a)
    return float(dC_dz * x), float(dC_dz)


@pytest.mark.parametrize("right", [gradients, gradients_via_chain_rule])
def test_03_3_right_answers_pass(right):
    assert check("03.3", right).passed


def ce_keeps_prime(w, b, x, y, cost):
    a = sigmoid(np.float64(w * x + b))
    delta = (a - y) * a * (1 - a)
    return delta * x, delta


def quad_without_prime(w, b, x, y, cost):
    a = sigmoid(np.float64(w * x + b))
    return (a - y) * x, a - y


def no_x(w, b, x, y, cost):
    _, db = gradients(w, b, x, y, cost)
    return db, db


def flipped(w, b, x, y, cost):
    dw, db = gradients(w, b, x, y, cost)
    return -dw, -db


def swapped_pair(w, b, x, y, cost):
    dw, db = gradients(w, b, x, y, cost)
    return db, dw


def hyphenated_cost_name(w, b, x, y, cost):
    # Tests cost == "cross-entropy", which never matches, so both costs get the quadratic formula.
    a = sigmoid(np.float64(w * x + b))
    delta = a - y if cost == "cross-entropy" else (a - y) * a * (1 - a)
    return delta * x, delta


@pytest.mark.parametrize("wrong, fragment", [
    (ce_keeps_prime, "still has the sigma'(z) factor"),
    (hyphenated_cost_name, "still has the sigma'(z) factor"),
    (quad_without_prime, "missing sigma'(z)"),
    (no_x, "dC/dw = x dC/db"),
    (flipped, "wrong sign"),
    (swapped_pair, "the other way round"),
    (lambda w, b, x, y, cost: 0.1, "a pair"),
    (lambda w, b, x, y, cost: (w, b), "finite differences give"),
])
def test_03_3_mistakes_get_their_hint(assert_hint, wrong, fragment):
    assert_hint("03.3", wrong, fragment)


# ---------------------------------------------------------------- 03.4 binary entropy
def entropy(y):
    y = np.asarray(y, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -(np.where(y > 0, y * np.log(y), 0.0) + np.where(y < 1, (1 - y) * np.log(1 - y), 0.0))


def clipped(eps):
    def binary_entropy(y):
        c = np.clip(y, eps, 1 - eps)
        return -(c * np.log(c) + (1 - c) * np.log(1 - c))
    return binary_entropy


@pytest.mark.parametrize("right", [
    entropy,
    lambda y: np.nan_to_num(-(y * np.log(y) + (1 - y) * np.log(1 - y))),
    lambda y: -(y * np.log(np.where(y > 0, y, 1.0)) + (1 - y) * np.log(np.where(y < 1, 1 - y, 1.0))),
])
def test_03_4_right_answers_pass(right):
    result = check("03.4", right)
    assert result.passed and "grid search" in result.message


@pytest.mark.parametrize("wrong, fragments", [
    (lambda y: -(y * np.log(y) + (1 - y) * np.log(1 - y)), ["0 ln 0", "y = 0 and y = 1"]),
    (lambda y: -(np.where(y > 0, y * np.log(y), 0.0) + (1 - y) * np.log(1 - y)), ["nan at y = 1."]),
    # The case: right at y = 0.5, wrong only at the ends. The hint must say so.
    (clipped(1e-12), ["at y = 0 ", "2.86e-11", "everywhere else you are right", "np.clip"]),
    (clipped(1e-7), ["at y = 0 ", "np.clip"]),
    (lambda y: -(y * np.log(y + 1e-12) + (1 - y) * np.log(1 - y + 1e-12)), ["at y = 0 ", "inside a log"]),
    (lambda y: -entropy(y), ["negative"]),
    (lambda y: entropy(y) / np.log(2), ["base 2"]),
    (lambda y: y * (1 - y), ["at y = 0.5 ", "0.693147", "yours is 0.25"]),
])
def test_03_4_mistakes_get_their_hint(assert_hint, wrong, fragments):
    assert_hint("03.4", wrong, *fragments)


def test_03_4_hint_never_quotes_a_point_where_the_answer_is_right(assert_hint):
    message = assert_hint("03.4", clipped(1e-12)).message
    assert "y = 0.5" not in message and "0.69315" not in message
