"""Exercise checks of lesson 08: right answers (in several valid forms) pass, and the wrong answers
learners really write fail with a hint that names their mistake."""
import numpy as np
import pytest

from course_lib import mlp
from course_lib.checks import check


# ---------------------------------------------------------------- 08.1
def he_normal(shape, rng):
    return rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)


def he_standard_normal(shape, rng):
    fan_in, fan_out = shape
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)


def he_lecun_scale(shape, rng):
    return rng.normal(0.0, np.sqrt(1.0 / shape[0]), size=shape)


def he_xavier_scale(shape, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (shape[0] + shape[1])), size=shape)


def he_variance_as_std(shape, rng):
    return rng.normal(0.0, 2.0 / shape[0], size=shape)


def he_fan_out(shape, rng):
    return rng.normal(0.0, np.sqrt(2.0 / shape[1]), size=shape)


def he_global_random(shape, rng):
    return np.random.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)


# ---------------------------------------------------------------- 08.2
def _net_grads(X, y, depth, activation, init, rng, hidden=None, default_init=False):
    sizes = [X.shape[1]] + [32] * (depth if hidden is None else hidden) + [10]
    kwargs = {} if default_init else {"weight_init": init}
    net = mlp(sizes, activation=activation, rng=rng, **kwargs).compile("categorical_crossentropy")
    return net.compute_gradients(X, y)[1]


def gradient_ratio(X, y, depth, activation, init, rng):
    grads = _net_grads(X, y, depth, activation, init, rng)
    W = [g for name, g in grads.items() if name.endswith(".W")]
    return np.linalg.norm(W[0]) / np.linalg.norm(W[-1])


def gradient_ratio_via_diagnostics(X, y, depth, activation, init, rng):
    from course_lib.diagnostics import gradient_norms
    net = mlp([X.shape[1]] + [32] * depth + [10], activation=activation, output="softmax",
              weight_init=init, rng=rng, dtype="float32").compile()
    norms = list(gradient_norms(net, X, y).values())
    return norms[0] / norms[-1]


def ratio_inverted(X, y, depth, activation, init, rng):
    return 1 / gradient_ratio(X, y, depth, activation, init, rng)


def ratio_last_entry_is_bias(X, y, depth, activation, init, rng):
    norms = [np.linalg.norm(g) for g in _net_grads(X, y, depth, activation, init, rng).values()]
    return norms[0] / norms[-1]


def ratio_last_hidden(X, y, depth, activation, init, rng):
    grads = _net_grads(X, y, depth, activation, init, rng)
    W = [g for name, g in grads.items() if name.endswith(".W")]
    return np.linalg.norm(W[0]) / np.linalg.norm(W[-2])


def ratio_default_init(X, y, depth, activation, init, rng):
    grads = _net_grads(X, y, depth, activation, init, rng, default_init=True)
    W = [g for name, g in grads.items() if name.endswith(".W")]
    return np.linalg.norm(W[0]) / np.linalg.norm(W[-1])


def ratio_one_layer_short(X, y, depth, activation, init, rng):
    grads = _net_grads(X, y, depth, activation, init, rng, hidden=depth - 1)
    W = [g for name, g in grads.items() if name.endswith(".W")]
    return np.linalg.norm(W[0]) / np.linalg.norm(W[-1])


def ratio_fixed_seed(X, y, depth, activation, init, rng):
    return gradient_ratio(X, y, depth, activation, init, np.random.default_rng(0))


# ---------------------------------------------------------------- 08.3
def dropout_forward(a, rate, rng):
    return a * (rng.random(a.shape) >= rate) / (1.0 - rate)


def dropout_where(a, rate, rng):
    keep = rng.random(a.shape) > rate
    return np.where(keep, a / (1 - rate), 0.0)


def dropout_unscaled(a, rate, rng):
    return a * (rng.random(a.shape) >= rate)


def dropout_keep_rate(a, rate, rng):
    if rate == 0:
        return a
    return a * (rng.random(a.shape) < rate) / rate


def dropout_test_time_scaling(a, rate, rng):
    return a * (rng.random(a.shape) >= rate) * (1 - rate)


def dropout_one_mask_per_unit(a, rate, rng):
    return a * (rng.random(a.shape[1]) >= rate) / (1 - rate)


def dropout_in_place(a, rate, rng):
    a *= (rng.random(a.shape) >= rate) / (1 - rate)
    return a


def dropout_global_random(a, rate, rng):
    return a * (np.random.random(a.shape) >= rate) / (1 - rate)


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


def early_stopping_global_best(val_accuracy, patience):
    _, stop = early_stopping_epochs(val_accuracy, patience)
    return int(np.argmax(val_accuracy)) + 1, stop


# ---------------------------------------------------------------- 08.5
def paired_gain(remedy, baseline):
    if len(remedy) != len(baseline) or len(remedy) < 2:
        raise ValueError("need two equally long lists of at least two seeds")
    d = np.asarray(remedy) - np.asarray(baseline)
    return d.mean(), d.std(ddof=1) / np.sqrt(len(d))


def paired_gain_by_hand(remedy, baseline):
    if len(remedy) != len(baseline) or len(remedy) < 2:
        raise ValueError("unequal or too short")
    d = [r - b for r, b in zip(remedy, baseline)]
    n = len(d)
    mean = sum(d) / n
    var = sum((x - mean) ** 2 for x in d) / (n - 1)
    return mean, (var / n) ** 0.5


def gain_unpaired(remedy, baseline):
    paired_gain(remedy, baseline)
    n = len(remedy)
    return (np.mean(remedy) - np.mean(baseline),
            np.sqrt(np.var(remedy, ddof=1) / n + np.var(baseline, ddof=1) / n))


def gain_std_not_se(remedy, baseline):
    paired_gain(remedy, baseline)
    d = np.asarray(remedy) - np.asarray(baseline)
    return d.mean(), d.std(ddof=1)


def gain_ddof0(remedy, baseline):
    paired_gain(remedy, baseline)
    d = np.asarray(remedy) - np.asarray(baseline)
    return d.mean(), d.std() / np.sqrt(len(d))


def gain_divided_by_n(remedy, baseline):
    paired_gain(remedy, baseline)
    d = np.asarray(remedy) - np.asarray(baseline)
    return d.mean(), d.std(ddof=1) / len(d)


def gain_reversed(remedy, baseline):
    return paired_gain(baseline, remedy)


def gain_no_validation(remedy, baseline):
    d = np.asarray(remedy[:len(baseline)]) - np.asarray(baseline[:len(remedy)])
    return d.mean(), d.std(ddof=1) / np.sqrt(len(d))


# ---------------------------------------------------------------- 08.6
def adam_step(w, g, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def adam_uncorrected(w, g, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v


def adam_eps_hat(w, g, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    lr_t = learning_rate * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return w - lr_t * m / (np.sqrt(v) + epsilon), m, v


def adam_eps_inside(w, g, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - learning_rate * m_hat / np.sqrt(v_hat + epsilon), m, v


def adam_t_from_zero(w, g, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat, v_hat = m / (1 - beta1 ** (t - 1)), v / (1 - beta2 ** (t - 1))
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def adam_abs_gradient(w, g, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * np.abs(g)
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def adam_returns_corrected(w, g, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    m = (beta1 * m + (1 - beta1) * g) / (1 - beta1 ** t)
    v = (beta2 * v + (1 - beta2) * g ** 2) / (1 - beta2 ** t)
    return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v


def adam_in_place(w, g, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g ** 2
    w -= learning_rate * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + epsilon)
    return w, m, v


CORRECT = [("08.1", he_normal), ("08.1", he_standard_normal),
           ("08.2", gradient_ratio), ("08.2", gradient_ratio_via_diagnostics),
           ("08.3", dropout_forward), ("08.3", dropout_where),
           ("08.4", early_stopping_epochs),
           ("08.5", paired_gain), ("08.5", paired_gain_by_hand),
           ("08.6", adam_step)]

WRONG = [
    ("08.1", he_lecun_scale, ["1/sqrt(n_in)", "2/fan_in"]),
    ("08.1", he_xavier_scale, ["Xavier", "fan_in only"]),
    ("08.1", he_variance_as_std, ["that is the variance", "square root"]),
    ("08.1", he_fan_out, ["2/fan_out", "fan_in is shape[0]"]),
    ("08.1", he_global_random, ["rng argument"]),
    ("08.2", ratio_inverted, ["last / first"]),
    ("08.2", ratio_last_entry_is_bias, ["bias gradient", "'.W'"]),
    ("08.2", ratio_last_hidden, ["last hidden layer", "output layer"]),
    ("08.2", ratio_default_init, ["default initializer", "weight_init=init"]),
    ("08.2", ratio_one_layer_short, ["hidden layers", "[32] * depth"]),
    ("08.2", ratio_fixed_seed, ["rng=rng"]),
    ("08.3", dropout_unscaled, ["not scaled"]),
    ("08.3", dropout_keep_rate, ["fraction DROPPED"]),
    ("08.3", dropout_test_time_scaling, ["TEST time", "divides them"]),
    ("08.3", dropout_one_mask_per_unit, ["same mask", "rng.random(a.shape)"]),
    ("08.3", dropout_in_place, ["in place"]),
    ("08.3", dropout_global_random, ["rng argument"]),
    ("08.4", early_stopping_ties_improve, ["a tie keeps the earlier epoch"]),
    ("08.4", early_stopping_zero_based, ["count epochs from 1"]),
    ("08.4", early_stopping_late, ["best + patience"]),
    ("08.4", early_stopping_global_best, ["never saw it"]),
    ("08.5", gain_unpaired, ["independent", "Pair them by seed"]),
    ("08.5", gain_std_not_se, ["ONE seed", "sqrt(n)"]),
    ("08.5", gain_ddof0, ["ddof=1"]),
    ("08.5", gain_divided_by_n, ["divided by n"]),
    ("08.5", gain_reversed, ["wrong sign"]),
    ("08.5", gain_no_validation, ["should raise ValueError"]),
    ("08.6", adam_uncorrected, ["bias correction", "3.16"]),
    ("08.6", adam_eps_hat, ["eps-hat", "sqrt(v_hat)"]),
    ("08.6", adam_eps_inside, ["inside the square root"]),
    ("08.6", adam_t_from_zero, ["NaN or inf", "t - 1"]),
    ("08.6", adam_abs_gradient, ["|g|", "g**2"]),
    ("08.6", adam_returns_corrected, ["bias-corrected", "raw moments"]),
    ("08.6", adam_in_place, ["in place"]),
]


@pytest.mark.parametrize("exercise_id, answer", CORRECT, ids=[f"{e}-{fn.__name__}" for e, fn in CORRECT])
def test_correct_answers_pass(exercise_id, answer):
    result = check(exercise_id, answer)
    assert result.passed, result.message


@pytest.mark.parametrize("exercise_id, answer, fragments", WRONG,
                         ids=[f"{e}-{fn.__name__}" for e, fn, _ in WRONG])
def test_wrong_answer_gets_the_hint_that_names_it(exercise_id, answer, fragments, assert_hint):
    assert_hint(exercise_id, answer, *fragments)


def test_every_exercise_has_at_least_three_diagnosed_mistakes():
    ids = {e for e, _ in CORRECT}
    for exercise_id in ids:
        assert sum(e == exercise_id for e, _, _ in WRONG) >= 3, exercise_id


def test_a_crashing_answer_is_summarised():
    def broken(remedy, baseline):
        return np.asarray(remedy) @ np.ones((3, 3))   # (6,) @ (3, 3) does not multiply
    result = check("08.5", broken)
    assert result.status == "failed" and "ValueError" in result.message


def test_the_early_stopping_reference_agrees_with_a_real_training_run():
    """The 08.4 reference replays EarlyStopping on a list; a real fit with the callback must stop
    at the same epoch and keep the same best epoch."""
    from course_lib import SGD, EarlyStopping, make_spirals
    from course_lib.checks.lesson08 import _reference_early_stop
    X, y = make_spirals(120, n_classes=3, rng=0)
    Xv, yv = make_spirals(60, n_classes=3, rng=1)
    net = mlp([2, 8, 3], activation="relu", weight_init="he", rng=0).compile(optimizer=SGD(0.5))
    stopper = EarlyStopping("val_accuracy", patience=3, restore_best=False)
    history = net.fit(X, y, epochs=60, batch_size=20, validation_data=(Xv, yv), progress=False,
                      callbacks=[stopper])
    best, stop = _reference_early_stop(history["val_accuracy"], 3)
    assert stop == len(history["val_accuracy"]) and best == stopper.best_epoch + 1
