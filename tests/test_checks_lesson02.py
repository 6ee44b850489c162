"""Exercise checks of lesson 02: a right answer passes, a realistic wrong one gets its hint, a stub is 'not attempted'."""
import numpy as np
import pytest

from course_lib.checks import check


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: student edition")


# ---------------------------------------------------------------- 02.1
def elu_prime(z, alpha=1.0):
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


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


# ---------------------------------------------------------------- 02.2
def dead_fraction(A):
    return float(np.mean(np.all(A <= 0, axis=0)))


def dead_fraction_entries(A):
    return float(np.mean(A <= 0))


def dead_fraction_rows(A):
    return float(np.mean(np.all(A <= 0, axis=1)))


def dead_count(A):
    return int(np.sum(np.all(A <= 0, axis=0)))


# ---------------------------------------------------------------- 02.3
def prelu_alpha_grad(z, dout):
    return np.sum(dout * np.minimum(z, 0.0), axis=0)


def prelu_alpha_grad_full_z(z, dout):
    return np.sum(dout * z, axis=0)


def prelu_alpha_grad_mean(z, dout):
    return np.mean(dout * np.minimum(z, 0.0), axis=0)


def prelu_alpha_grad_unsummed(z, dout):
    return dout * np.minimum(z, 0.0)


def prelu_alpha_grad_indicator(z, dout):
    return np.sum(dout * (z <= 0), axis=0)


CASES = [
    ("02.1", elu_prime, [
        (elu_prime_overflows, "np.minimum(z, 0)"),
        (elu_prime_no_alpha, "multiply by alpha"),
        (elu_prime_is_elu, "which is ELU itself"),
        (elu_prime_slope_z, "slope there is 1"),
        (elu_prime_alpha_ignored_by_default, "alpha = 1.0 by default"),
    ]),
    ("02.2", dead_fraction, [
        (dead_fraction_entries, "fraction of zero *entries*"),
        (dead_fraction_rows, "reduce over the rows, axis=0"),
        (dead_count, "divide by the number of units"),
    ]),
    ("02.3", prelu_alpha_grad, [
        (prelu_alpha_grad_full_z, "np.minimum(z, 0) instead of z"),
        (prelu_alpha_grad_mean, "you averaged over the examples"),
        (prelu_alpha_grad_unsummed, "sum over the batch (axis=0)"),
        (prelu_alpha_grad_indicator, "is z, not 1"),
    ]),
    ("02.4", lambda: "B", [
        (lambda: "A", "never zero-centred"),
        (lambda: "c", "not a probability"),
        (lambda: "D", "single yes/no"),
        (lambda: 2, "one letter"),
    ]),
]


@pytest.mark.parametrize("exercise_id, right, wrongs", CASES, ids=[c[0] for c in CASES])
def test_right_answer_passes(exercise_id, right, wrongs):
    result = check(exercise_id, right)
    assert result.passed, result.message


@pytest.mark.parametrize("exercise_id, wrong, hint",
                         [(c[0], w, h) for c in CASES for w, h in c[2]],
                         ids=[f"{c[0]}-{i}" for c in CASES for i in range(len(c[2]))])
def test_wrong_answer_fails_with_its_hint(exercise_id, wrong, hint):
    result = check(exercise_id, wrong)
    assert result.status == "failed"
    assert hint in result.message, result.message


@pytest.mark.parametrize("exercise_id", [c[0] for c in CASES])
def test_stub_is_not_attempted(exercise_id):
    assert check(exercise_id, stub).status == "not attempted"


def test_a_crashing_answer_is_reported_not_raised():
    def crashes(z, alpha=1.0):
        return z.undefined_attribute
    result = check("02.1", crashes)
    assert result.status == "failed" and "AttributeError" in result.message

