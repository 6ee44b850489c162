"""Exercise checks of lesson 08: a right answer passes, a realistic wrong one gets its hint, a stub is 'not attempted'."""
import numpy as np
import pytest

from course_lib.checks import check


def stub(*args):
    raise NotImplementedError("Exercise: student edition")


# ---------------------------------------------------------------- 08.1
def he_normal(shape, rng):
    return rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)


def he_lecun_scale(shape, rng):
    return rng.normal(0.0, np.sqrt(1.0 / shape[0]), size=shape)


def he_xavier_scale(shape, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (shape[0] + shape[1])), size=shape)


def he_variance_as_std(shape, rng):
    return rng.normal(0.0, 2.0 / shape[0], size=shape)


def he_global_random(shape, rng):
    return np.random.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)


# ---------------------------------------------------------------- 08.2
def l2_step(W, dW, learning_rate, lmbda, n):
    return (1 - learning_rate * lmbda / n) * W - learning_rate * dW


def l2_step_no_n(W, dW, learning_rate, lmbda, n):
    return (1 - learning_rate * lmbda) * W - learning_rate * dW


def l2_step_double(W, dW, learning_rate, lmbda, n):
    return (1 - 2 * learning_rate * lmbda / n) * W - learning_rate * dW


def l2_step_ignores_lambda(W, dW, learning_rate, lmbda, n):
    return W - learning_rate * dW


# ---------------------------------------------------------------- 08.3
def dropout_forward(a, rate, rng):
    return a * (rng.random(a.shape) >= rate) / (1.0 - rate)


def dropout_unscaled(a, rate, rng):
    return a * (rng.random(a.shape) >= rate)


def dropout_keep_rate(a, rate, rng):
    if rate == 0:
        return a
    return a * (rng.random(a.shape) < rate) / rate


# ---------------------------------------------------------------- 08.4
def early_stopping_epochs(val_accuracy, patience):
    best, best_epoch = -np.inf, 0
    for epoch, value in enumerate(val_accuracy, start=1):
        if value > best:
            best, best_epoch = value, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_accuracy)


def early_stopping_ties_improve(val_accuracy, patience):
    best, best_epoch = -np.inf, 0
    for epoch, value in enumerate(val_accuracy, start=1):
        if value >= best:
            best, best_epoch = value, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_accuracy)


def early_stopping_zero_based(val_accuracy, patience):
    best, stop = early_stopping_epochs(val_accuracy, patience)
    return best - 1, stop - 1


def early_stopping_late(val_accuracy, patience):
    best, best_epoch = -np.inf, 0
    for epoch, value in enumerate(val_accuracy, start=1):
        if value > best:
            best, best_epoch = value, epoch
        elif epoch - best_epoch > patience:
            return best_epoch, epoch
    return best_epoch, len(val_accuracy)


CORRECT = {"08.1": he_normal, "08.2": l2_step, "08.3": dropout_forward, "08.4": early_stopping_epochs}

WRONG = [
    ("08.1", he_lecun_scale, "1/sqrt(n_in)"),
    ("08.1", he_xavier_scale, "Xavier"),
    ("08.1", he_variance_as_std, "square root"),
    ("08.1", he_global_random, "rng argument"),
    ("08.2", l2_step_no_n, "divided by the training-set size n"),
    ("08.2", l2_step_double, "not (2 lambda/n) w"),
    ("08.2", l2_step_ignores_lambda, "ignores lambda"),
    ("08.3", dropout_unscaled, "not scaled"),
    ("08.3", dropout_keep_rate, "fraction DROPPED"),
    ("08.4", early_stopping_ties_improve, "a tie keeps the earlier epoch"),
    ("08.4", early_stopping_zero_based, "count epochs from 1"),
    ("08.4", early_stopping_late, "best + patience"),
]


@pytest.mark.parametrize("exercise_id", sorted(CORRECT))
def test_correct_answer_passes(exercise_id):
    result = check(exercise_id, CORRECT[exercise_id])
    assert result.passed, result.message


@pytest.mark.parametrize("exercise_id, answer, hint", WRONG,
                         ids=[f"{e}-{fn.__name__}" for e, fn, _ in WRONG])
def test_wrong_answer_fails_with_its_hint(exercise_id, answer, hint):
    result = check(exercise_id, answer)
    assert result.status == "failed"
    assert hint in result.message, result.message


@pytest.mark.parametrize("exercise_id", sorted(CORRECT))
def test_stub_is_not_attempted(exercise_id):
    result = check(exercise_id, stub)
    assert result.status == "not attempted"


def test_a_crashing_answer_is_summarised():
    def broken(W, dW, learning_rate, lmbda, n):
        return W @ dW   # shapes (6, 4) @ (6, 4) do not multiply
    result = check("08.2", broken)
    assert result.status == "failed" and "ValueError" in result.message
