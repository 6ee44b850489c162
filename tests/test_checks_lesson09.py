"""Lesson 09 checkers: each exercise passes its reference and the other valid ways of writing it,
and every mistake a learner really makes fails with a hint that names that mistake. The graded
hints go from a nudge to the equation, one level per call, and never show code."""
import json
from pathlib import Path

import numpy as np
import pytest

from course_lib import CourseError
from course_lib.activations import log_softmax, sigmoid, sigmoid_prime
from course_lib.checks import check
from course_lib.checks import lesson09 as L
from course_lib.loop_network import update_minibatch_loop

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "09_capstone.ipynb"


# ------------------------------------------------------------------ 09.1 forward
def layers(params, X):
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.maximum(z1, 0)
    return z1, a1, a1 @ params["W2"] + params["b2"]


def naive_softmax_forward(params, X):
    z1, a1, z2 = layers(params, X)
    e = np.exp(z2)
    return e / e.sum(axis=1, keepdims=True), (X, z1, a1)


def global_max_forward(params, X):
    z1, a1, z2 = layers(params, X)
    e = np.exp(z2 - z2.max())                       # one shift for the whole matrix
    return e / e.sum(axis=1, keepdims=True), (X, z1, a1)


def no_keepdims_forward(params, X):
    z1, a1, z2 = layers(params, X)
    e = np.exp(z2 - z2.max(axis=1))
    return e / e.sum(axis=1), (X, z1, a1)


def sigmoid_hidden_forward(params, X):
    z1 = X @ params["W1"] + params["b1"]
    a1 = sigmoid(z1)
    z2 = a1 @ params["W2"] + params["b2"]
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), (X, z1, a1)


def linear_hidden_forward(params, X):
    z1 = X @ params["W1"] + params["b1"]
    z2 = z1 @ params["W2"] + params["b2"]
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), (X, z1, np.maximum(z1, 0))


def relu_on_output_forward(params, X):
    z1, a1, z2 = layers(params, X)
    z2 = np.maximum(z2, 0)
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), (X, z1, a1)


def no_bias_forward(params, X):
    z1 = X @ params["W1"]
    a1 = np.maximum(z1, 0)
    z2 = a1 @ params["W2"]
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), (X, z1 + params["b1"], np.maximum(z1 + params["b1"], 0))


def column_softmax_forward(params, X):
    z1, a1, z2 = layers(params, X)
    e = np.exp(z2 - z2.max(axis=0))
    return e / e.sum(axis=0), (X, z1, a1)


def whole_sum_forward(params, X):
    z1, a1, z2 = layers(params, X)
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    return e / e.sum(), (X, z1, a1)


def log_probs_forward(params, X):
    z1, a1, z2 = layers(params, X)
    return log_softmax(z2), (X, z1, a1)


def in_place_relu_forward(params, X):
    z1 = X @ params["W1"] + params["b1"]
    a1 = z1
    a1[a1 < 0] = 0                                   # also zeroes z1: the same array
    z2 = a1 @ params["W2"] + params["b2"]
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), (X, z1, a1)


def squeezing_forward(params, X):
    probs, cache = L._forward(params, X)
    return np.squeeze(probs), cache


def upcasting_forward(params, X):
    probs, cache = L._forward(params, X)
    return probs.astype(np.float64), cache


def test_forward_reference_passes():
    result = check("09.1", L._forward)
    assert result.passed, result
    assert "stable" in result.message


def where_mask_forward(params, X):
    """Valid: np.where for the ReLU, a list for the cache, the sums without keepdims reshaped."""
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.where(z1 > 0, z1, 0)
    z2 = a1 @ params["W2"] + params["b2"]
    e = np.exp(z2 - z2.max(axis=1)[:, None])
    return e / e.sum(axis=1)[:, None], [X, z1, a1]


def log_sum_exp_forward(params, X):
    """Valid: probabilities as the exponential of the log-softmax."""
    z1, a1, z2 = layers(params, X)
    return np.exp(log_softmax(z2)), (X, z1, a1)


@pytest.mark.parametrize("forward", [L._forward, where_mask_forward, log_sum_exp_forward])
def test_forward_valid_variants_pass(forward):
    assert check("09.1", forward).passed


@pytest.mark.parametrize("forward, fragments", [
    (naive_softmax_forward, ["NaN", "overflows", "row's maximum"]),
    (global_max_forward, ["maximum of the whole matrix", "each row's own"]),
    (no_keepdims_forward, ["broadcasting", "(7, 1)", "keepdims=True"]),
    (sigmoid_hidden_forward, ["sigmoid", "relu(z1)"]),
    (linear_hidden_forward, ["no ReLU"]),
    (relu_on_output_forward, ["ReLU to the output logits"]),
    (no_bias_forward, ["ignore the biases"]),
    (column_softmax_forward, ["each column", "axis=1"]),
    (whole_sum_forward, ["whole matrix"]),
    (log_probs_forward, ["log-probabilities"]),
    (in_place_relu_forward, ["in-place ReLU", "overwrote z1"]),
    (squeezing_forward, ["single example", "(1, 5)"]),
    (upcasting_forward, ["float64", "slower"]),
    (lambda params, X: L._forward(params, X)[0], ["return probs, cache"]),
    (lambda params, X: (L._forward(params, X)[0], (X, L._forward(params, X)[1][2], None)),
     ["z1", "cache"]),
], ids=["naive softmax", "global max", "no keepdims", "sigmoid hidden", "no hidden ReLU",
        "ReLU on logits", "no biases", "column softmax", "whole-matrix sum", "log-probs",
        "in-place ReLU", "squeeze", "float64", "no cache", "wrong cache"])
def test_forward_mistakes_get_their_hint(assert_hint, forward, fragments):
    assert_hint("09.1", forward, *fragments)


# ------------------------------------------------------------------ 09.2 backward
def backward_from(delta2_of, delta1_of=None, a_for_W2=None, bias=lambda d: d.sum(axis=0)):
    """A backward pass built from a (possibly wrong) output error and hidden error."""
    def backward(params, cache, probs, y):
        X, z1, a1 = cache
        delta2 = delta2_of(probs, y)
        back = delta2 @ params["W2"].T
        delta1 = back * (z1 > 0) if delta1_of is None else delta1_of(back, z1, a1)
        return {"W1": X.T @ delta1, "b1": bias(delta1),
                "W2": (a1 if a_for_W2 is None else a_for_W2(cache)).T @ delta2, "b2": bias(delta2)}
    return backward


def one_hot_of(probs, y):
    Y = np.zeros_like(probs)
    Y[np.arange(len(y)), y] = 1
    return Y


def right_delta2(probs, y):
    return (probs - one_hot_of(probs, y)) / len(y)


def backward_mutating_probs(params, cache, probs, y):
    X, z1, a1 = cache
    delta2 = probs                                   # no copy: the caller's probs change
    delta2[np.arange(len(y)), y] -= 1
    delta2 /= len(y)
    delta1 = (delta2 @ params["W2"].T) * (z1 > 0)
    return {"W1": X.T @ delta1, "b1": delta1.sum(axis=0), "W2": a1.T @ delta2,
            "b2": delta2.sum(axis=0)}


def backward_float64_one_hot(params, cache, probs, y):
    X, z1, a1 = cache
    delta2 = (probs - np.eye(probs.shape[1])[y]) / len(y)      # np.eye is float64
    delta1 = (delta2 @ params["W2"].T) * (z1 > 0)
    return {"W1": X.T @ delta1, "b1": delta1.sum(axis=0), "W2": a1.T @ delta2,
            "b2": delta2.sum(axis=0)}


def backward_mean_at_the_end(params, cache, probs, y):
    """Valid: the 1/n applied to each gradient instead of to delta2."""
    X, _, a1 = cache
    n = len(y)
    delta2 = probs - np.eye(probs.shape[1], dtype=probs.dtype)[y]
    delta1 = (delta2 @ params["W2"].T) * (a1 > 0)
    return {"W1": X.T @ delta1 / n, "b1": delta1.mean(axis=0), "W2": a1.T @ delta2 / n,
            "b2": delta2.mean(axis=0)}


def test_backward_reference_passes():
    result = check("09.2", L._backward)
    assert result.passed, result
    assert "finite differences" in result.message and "float32" in result.message


@pytest.mark.parametrize("backward", [
    L._backward,
    backward_mean_at_the_end,
    backward_from(right_delta2, lambda back, z1, a1: back * (z1 >= 0)),
    backward_from(right_delta2, lambda back, z1, a1: np.where(a1 > 0, back, 0)),
], ids=["reference", "mean at the end", "z1 >= 0", "where a1 > 0"])
def test_backward_valid_variants_pass(backward):
    assert check("09.2", backward).passed


@pytest.mark.parametrize("backward, fragments", [
    (backward_from(lambda p, y: p - one_hot_of(p, y)), ["dW2", "6 times too large", "divide by n, once"]),
    (backward_from(lambda p, y: (p - one_hot_of(p, y)) / len(y) ** 2),
     ["dW2", "6 times too small", "divide by n twice"]),
    (backward_from(lambda p, y: (one_hot_of(p, y) - p) / len(y)), ["dW2", "wrong sign", "uphill"]),
    (backward_from(lambda p, y: p / len(y)), ["dW2", "subtracts 1 at each example's true class"]),
    (backward_from(lambda p, y: (p - y[:, None]) / len(y)), ["dW2", "label y_i itself", "one-hot"]),
    (backward_from(right_delta2, a_for_W2=lambda cache: cache[1]), ["dW2", "pairs δ2 with z1"]),
    (backward_from(right_delta2, lambda back, z1, a1: back), ["dW1", "misses the ReLU's derivative"]),
    (backward_from(right_delta2, lambda back, z1, a1: back * a1), ["dW1", "multiplies", "a1 = relu(z1)"]),
    (backward_from(right_delta2, lambda back, z1, a1: np.maximum(back, 0)),
     ["dW1", "applies the ReLU to the gradient", "depends on the unit's input z1"]),
    (backward_from(right_delta2, bias=lambda d: d), ["db2", "one row per example", "(3,)"]),
    (backward_from(right_delta2, bias=lambda d: d.sum(axis=1)), ["db2", "one entry per example",
                                                                "over the examples"]),
    (backward_mutating_probs, ["changed probs in place", "copy"]),
    (backward_float64_one_hot, ["float32", "float64", "dtype of probs"]),
    (lambda params, cache, probs, y: [1, 2, 3, 4], ["keys 'W1', 'b1', 'W2', 'b2'"]),
], ids=["not divided by n", "divided twice", "sign", "no minus Y", "label subtracted", "z1 for a1",
        "no ReLU mask", "times a1", "ReLU of the gradient", "bias not summed", "bias over units",
        "mutates probs", "float64 one-hot", "not a dict"])
def test_backward_mistakes_get_their_hint(assert_hint, backward, fragments):
    assert_hint("09.2", backward, *fragments)


def test_backward_transposed_when_the_shapes_agree(assert_hint):
    """On the 4-4-4 network a transposed dW has the right shape; the values give it away."""
    def transposed_when_square(params, cache, probs, y):
        grads = L._backward(params, cache, probs, y)
        return {k: g.T if g.ndim == 2 and g.shape[0] == g.shape[1] else g for k, g in grads.items()}
    assert_hint("09.2", transposed_when_square, "4-4-4 network", "transpose of the right one")
    assert_hint("09.2", lambda *a: {k: g.T for k, g in L._backward(*a).items()},
                "dW2 has shape (3, 4) but W2 is (4, 3)", "transposed")


def test_backward_unknown_mistake_gets_graded_help_not_the_equations(assert_hint):
    def wrong_hidden(params, cache, probs, y):
        grads = L._backward(params, cache, probs, y)
        grads["W1"] = grads["W1"] + 0.1
        return grads
    result = assert_hint("09.2", wrong_hidden, "dW1", "dW2 and db2 are right", 'hint("09.2")')
    assert "z1 > 0" not in result.message and "X.T" not in result.message


# ------------------------------------------------------------------ 09.3 SGD step
def sgd_rebinding(params, grads, velocity, learning_rate, momentum=0.9):
    for name, w in params.items():
        velocity[name] = momentum * velocity[name] - learning_rate * grads[name]
        w = w + velocity[name]                    # rebinds w, changes nothing


def sgd_without_momentum(params, grads, velocity, learning_rate, momentum=0.9):
    for name in params:
        v = momentum * velocity[name] - learning_rate * grads[name]   # velocity never stored
        params[name] += v


def sgd_uphill(params, grads, velocity, learning_rate, momentum=0.9):
    for name in params:
        velocity[name] = momentum * velocity[name] + learning_rate * grads[name]
        params[name] += velocity[name]


def sgd_subtracting_velocity(params, grads, velocity, learning_rate, momentum=0.9):
    for name in params:
        velocity[name] = momentum * velocity[name] - learning_rate * grads[name]
        params[name] -= velocity[name]


def sgd_old_velocity(params, grads, velocity, learning_rate, momentum=0.9):
    for name in params:
        params[name] += velocity[name]
        velocity[name] = momentum * velocity[name] - learning_rate * grads[name]


def sgd_momentum_sign(params, grads, velocity, learning_rate, momentum=0.9):
    for name in params:
        velocity[name] = -momentum * velocity[name] - learning_rate * grads[name]
        params[name] += velocity[name]


def sgd_upcasting(params, grads, velocity, learning_rate, momentum=0.9):
    for name in params:
        velocity[name] = momentum * velocity[name] - learning_rate * grads[name].astype(float)
        params[name] = params[name] + velocity[name]


def sgd_torch_form(params, grads, velocity, learning_rate, momentum=0.9):
    """Valid for a fixed learning rate: PyTorch keeps v = mu v + g and steps by -lr v."""
    for name in params:
        velocity[name] *= momentum
        velocity[name] += grads[name]
        params[name] -= learning_rate * velocity[name]


def sgd_positive_velocity(params, grads, velocity, learning_rate, momentum=0.9):
    for name in params:
        velocity[name] = momentum * velocity[name] + learning_rate * grads[name]
        params[name] -= velocity[name]


def sgd_reassigning(params, grads, velocity, learning_rate, momentum=0.9):
    for name in params:
        velocity[name] = momentum * velocity[name] - learning_rate * grads[name]
        params[name] = params[name] + velocity[name]


@pytest.mark.parametrize("sgd_step", [L._sgd_step, sgd_torch_form, sgd_positive_velocity,
                                      sgd_reassigning])
def test_sgd_valid_variants_pass(sgd_step):
    assert check("09.3", sgd_step).passed


@pytest.mark.parametrize("sgd_step, fragments", [
    (sgd_rebinding, ["left params unchanged", "in place"]),
    (sgd_without_momentum, ["ignores the momentum", "velocity[name]"]),
    (sgd_uphill, ["uphill", "sign"]),
    (sgd_subtracting_velocity, ["uphill", "sign"]),
    (sgd_old_velocity, ["old velocity", "Update the velocity first"]),
    (sgd_momentum_sign, ["momentum term has the wrong sign"]),
    (sgd_upcasting, ["float32", "float64"]),
], ids=["rebinding", "no momentum", "uphill", "w -= v", "old velocity", "momentum sign", "upcast"])
def test_sgd_mistakes_get_their_hint(assert_hint, sgd_step, fragments):
    assert_hint("09.3", sgd_step, *fragments)


# ------------------------------------------------------------------ 09.4 training
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One real training run through the checker: its result, and the reference train."""
    def train(X, y, rng):
        return L._train(X, y, rng)

    with pytest.MonkeyPatch.context() as mp:   # module scope: set up before conftest's own patch
        mp.setenv("COURSE_PROGRESS_FILE", str(tmp_path_factory.mktemp("progress") / "p.json"))
        return check("09.4", train), train


def test_training_reference_passes_on_the_validation_split(trained):
    result, train = trained
    assert result.passed, result
    accuracy = float(result.message.split("validation accuracy ")[1].split()[0])
    assert accuracy >= L.VALIDATION_TARGET
    assert "s of training" in result.message and "the budget here" in result.message
    params = L._TRAINED[train].params
    assert params["W1"].dtype == np.float32 and abs(L._TRAINED[train].accuracy - accuracy) < 5e-4


def test_the_validated_reference_meets_the_test_bar(trained):
    """The lesson's last section scores this network on the test set once: it clears 0.85."""
    from course_lib import load_fashion_mnist
    _, train = trained
    _, (X_test, y_test), _ = load_fashion_mnist()
    assert L._accuracy(L._TRAINED[train].params, X_test, y_test) >= L.TEST_TARGET


def test_the_lesson_makes_the_split_the_check_uses():
    from course_lib import load_fashion_mnist
    from course_lib.data import train_val_split
    cells = ["".join(c["source"]) for c in json.loads(LESSON.read_text())["cells"]]
    call = (f"(X_fit, y_fit), (X_val, y_val) = train_val_split(X_train, y_train, "
            f"{L.VALIDATION_SIZE:_}, rng={L.SPLIT_SEED})")
    assert any(call in cell for cell in cells), call
    (X, y), _, _ = load_fashion_mnist()
    ours = L.fit_and_validation(X, y)
    theirs = train_val_split(X, y, L.VALIDATION_SIZE, rng=L.SPLIT_SEED)
    assert all(np.array_equal(a, b) for a, b in zip(ours[1], theirs[1]))


def test_training_over_budget_is_reported(trained, monkeypatch, assert_hint):
    _, train = trained
    monkeypatch.setattr(L, "BUDGET_FACTOR", 0.0)
    params = L._TRAINED[train].params
    assert_hint("09.4", lambda X, y, rng: params, "is good", "over the budget", "reference run")


def test_training_that_never_updates_is_like_guessing(assert_hint):
    assert_hint("09.4", lambda X, y, rng: L._init(rng), "no better than guessing", "in place")


def test_zero_initial_weights_are_named(assert_hint):
    def zero_start(X, y, rng):
        params = {"W1": np.zeros((784, 32), np.float32), "b1": np.zeros(32, np.float32),
                  "W2": np.zeros((32, 10), np.float32), "b2": np.zeros(10, np.float32)}
        velocity = {k: np.zeros_like(p) for k, p in params.items()}
        for start in range(0, 2000, 100):
            probs, cache = L._forward(params, X[start:start + 100])
            L._sgd_step(params, L._backward(params, cache, probs, y[start:start + 100]),
                        velocity, 0.1)
        return params
    assert_hint("09.4", zero_start, "same weights", "all-zero", "rng")


def test_training_that_diverged_is_reported(assert_hint):
    def diverged(X, y, rng):
        params = L._init(rng)
        params["W2"][0, 0] = np.nan
        return params
    assert_hint("09.4", diverged, "NaN", "learning rate")


def test_float64_parameters_are_refused(assert_hint):
    def float64_params(X, y, rng):
        return {k: p.astype(np.float64) for k, p in L._init(rng).items()}
    assert_hint("09.4", float64_params, "must be float32", "W1 float64")


def test_undertrained_network_is_told_it_underfits(assert_hint):
    def undertrained(X, y, rng):
        return L._train(X[:2000], y[:2000], rng, epochs=1, learning_rate=0.01)
    assert_hint("09.4", undertrained, "below the bar of 0.86", "underfits", 'hint("09.4")')


def test_overfitted_network_is_told_it_overfits(assert_hint, monkeypatch):
    def memorised(X, y, rng):
        return L._train(X[:300], y[:300], rng, hidden=256, epochs=60, batch_size=50,
                        learning_rate=0.05)
    monkeypatch.setattr(L, "FIT_SAMPLE", 300)    # the fit report looks at the images it memorised
    assert_hint("09.4", memorised, "below the bar", "overfits", "fewer epochs")


@pytest.mark.parametrize("train, fragments", [
    (lambda X, y, rng: X_test, ["reads X_test", "test set", "validation split"]),
    (lambda X, y, rng: load_fashion_mnist()[0], ["load_fashion_mnist()", "test set too"]),
    (lambda X, y, rng: L._train(X_train, y_train, rng), ["X_train", "validation images too"]),
    (lambda X, y, rng: np.random.randn(3), ["np.random.randn", "global random state", "rng"]),
    (lambda X, y, rng: np.random.default_rng(0), ["np.random.default_rng", "generator of its own"]),
], ids=["test set", "loads the data", "whole training set", "global random state",
        "own generator"])
def test_what_train_must_not_read_is_named_before_training(assert_hint, train, fragments):
    assert_hint("09.4", train, *fragments)


def test_test_set_read_in_a_comprehension_is_found(assert_hint):
    def early_stopping_on_test(X, y, rng):
        params = L._init(rng)
        return next(params for _ in range(1) if L._accuracy(params, X_test, y_test) > 0)
    assert_hint("09.4", early_stopping_on_test, "X_test", "y_test")


def test_training_must_return_params(assert_hint):
    assert_hint("09.4", lambda X, y, rng: None, "return the trained params")
    assert_hint("09.4", lambda X, y, rng: {**L._init(rng), "b2": np.zeros(3, np.float32)},
                "b2 (10,)")


X_test = y_test = X_train = y_train = load_fashion_mnist = None   # the notebook's names, read above


# ------------------------------------------------------------------ graded hints
@pytest.fixture(autouse=True)
def fresh_hints(monkeypatch):
    monkeypatch.setattr(L, "_HINT_LEVEL_SEEN", {})


def test_hints_go_one_level_further_per_call_and_stay_at_the_last():
    shown = [L.hint("09.2") for _ in range(4)]
    assert [h.level for h in shown] == [1, 2, 3, 3]
    assert repr(shown[0]).startswith("💡 Exercise 09.2, hint 1 of 3: ")
    assert "Call hint again" in repr(shown[1]) and "last level" in repr(shown[2])
    assert L.hint("09.1").level == 1                 # each exercise counts on its own


def test_a_level_can_be_asked_for_and_counts_as_seen():
    assert L.hint("09.4", level=2).level == 2
    assert L.hint("09.4").level == 3
    assert L.hint("09.4", level=1).level == 1 and L.hint("09.4").level == 3


@pytest.mark.parametrize("exercise_id, level", [("05.1", None), ("9.2", None), ("09.2", 0),
                                                ("09.2", 4), ("09.2", "2"), ("09.2", True)])
def test_bad_hint_requests_are_refused_clearly(exercise_id, level):
    with pytest.raises(CourseError, match="09.1, 09.2, 09.3, 09.4, 09.5|level must be 1 to 3"):
        L.hint(exercise_id, level)


def test_every_exercise_has_three_levels_and_none_shows_code():
    assert sorted(L.HINTS) == ["09.1", "09.2", "09.3", "09.4", "09.5"]
    code = ["np.", "axis=", "keepdims", ".T", " @ ", "+=", "-=", "*=", "def ", "return ",
            "arange", "[:,", "params[", "sum(", "max("]
    for exercise_id, levels in L.HINTS.items():
        assert len(levels) == 3
        for text in levels:
            assert not [c for c in code if c in text], (exercise_id, text)


def test_hints_go_from_a_nudge_to_the_equation():
    """The equations the lesson leaves to the learner appear at the last level only."""
    for exercise_id, equation in [("09.2", "δ1 = (δ2 W2ᵀ) ⊙ 1[z1 > 0]"), ("09.2", "δ2 = (p - Y) / n"),
                                  ("09.3", "v ← μ v - η ∇"), ("09.5", "∇W_l = A_(l-1)ᵀ Δ_l"),
                                  ("09.1", "e^(z_ij - m_i)")]:
        first, second, last = L.HINTS[exercise_id]
        assert equation in last and equation not in first + second


# ------------------------------------------------------------------ 09.5 vectorize the loop
def vectorized_without_mean(weights, biases, X, Y, learning_rate):
    """Forgot the 1/m: steps by the summed gradient."""
    new_W, new_b = L._update_minibatch(weights, biases, X, Y, learning_rate)
    m = len(X)
    return ([W + m * (V - W) for W, V in zip(weights, new_W)],
            [b + m * (c - b) for b, c in zip(biases, new_b)])


def vectorized_mean_twice(weights, biases, X, Y, learning_rate):
    return L._update_minibatch(weights, biases, X, Y, learning_rate / len(X))


def vectorized_without_output_sigma_prime(weights, biases, X, Y, learning_rate):
    activations, zs = [X], []
    for W, b in zip(weights, biases):
        zs.append(activations[-1] @ W + b)
        activations.append(sigmoid(zs[-1]))
    delta = activations[-1] - Y                      # sigma'(z) forgotten at the output
    nabla_W, nabla_b = [None] * len(weights), [None] * len(biases)
    for l in range(len(weights) - 1, -1, -1):
        nabla_W[l], nabla_b[l] = activations[l].T @ delta, delta.sum(axis=0)
        if l > 0:
            delta = (delta @ weights[l].T) * sigmoid_prime(zs[l - 1])
    m = len(X)
    return ([W - learning_rate / m * g for W, g in zip(weights, nabla_W)],
            [b - learning_rate / m * g for b, g in zip(biases, nabla_b)])


def vectorized_updating_too_early(weights, biases, X, Y, learning_rate):
    """Steps each layer in place inside the backward loop, before sending delta down."""
    activations, zs = [X], []
    for W, b in zip(weights, biases):
        zs.append(activations[-1] @ W + b)
        activations.append(sigmoid(zs[-1]))
    m = len(X)
    delta = (activations[-1] - Y) * sigmoid_prime(zs[-1])
    for l in range(len(weights) - 1, -1, -1):
        weights[l] -= learning_rate / m * (activations[l].T @ delta)
        biases[l] -= learning_rate / m * delta.sum(axis=0)
        if l > 0:
            delta = (delta @ weights[l].T) * sigmoid_prime(zs[l - 1])
    return weights, biases


def vectorized_bias_per_example(weights, biases, X, Y, learning_rate):
    new_W, new_b = L._update_minibatch(weights, biases, X, Y, learning_rate)
    activations, zs = [X], []
    for W, b in zip(weights, biases):
        zs.append(activations[-1] @ W + b)
        activations.append(sigmoid(zs[-1]))
    delta = (activations[-1] - Y) * sigmoid_prime(zs[-1])
    new_b[-1] = biases[-1] - learning_rate / len(X) * delta     # not summed over the rows
    return new_W, new_b


def vectorized_in_place(weights, biases, X, Y, learning_rate):
    new_W, new_b = L._update_minibatch(weights, biases, X, Y, learning_rate)
    for W, V in zip(weights, new_W):
        W[...] = V
    for b, c in zip(biases, new_b):
        b[...] = c
    return weights, biases


def test_vectorized_reference_passes_and_reports_the_speedup():
    result = check("09.5", L._update_minibatch)
    assert result.passed, result
    assert "identical updates" in result.message
    factor = float(result.message.split("same minibatches: ")[1].split("x")[0])
    assert factor >= L.MIN_SPEEDUP


def test_vectorized_in_place_variant_passes():
    assert check("09.5", vectorized_in_place).passed


@pytest.mark.parametrize("update, fragments", [
    (vectorized_without_mean, ["times too large", "learning_rate / m"]),
    (vectorized_mean_twice, ["times too small", "divided by the batch size twice"]),
    (vectorized_without_output_sigma_prime, ["differs from the loop's", 'hint("09.5")']),
    (vectorized_updating_too_early, ["weights[1]", "changed the weights of the layer above",
                                     "old weights"]),
    (vectorized_bias_per_example, ["biases[2]", "one row per example", "adds up the rows"]),
    (update_minibatch_loop, ["only", "as fast as the loop", "Python loop over the examples"]),
    (lambda weights, biases, X, Y, learning_rate: weights, ["(new_weights, new_biases)"]),
], ids=["no mean", "mean twice", "no output sigma'", "updated too early", "bias per example",
        "still a loop", "wrong return"])
def test_vectorized_mistakes_get_their_hint(assert_hint, update, fragments):
    assert_hint("09.5", update, *fragments)
