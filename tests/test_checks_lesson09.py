"""Lesson 09 checkers: each exercise passes its reference, fails a realistic mistake with the
right hint, and reports a stub as not attempted."""
import numpy as np
import pytest

from course_lib.activations import sigmoid, sigmoid_prime
from course_lib.checks import check
from course_lib.checks import lesson09 as L
from course_lib.loop_network import update_minibatch_loop


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 09.k: ...")


def assert_fails_with(result, *fragments):
    assert result.status == "failed", result
    for fragment in fragments:
        assert fragment in result.message, result.message


@pytest.mark.parametrize("exercise", ["09.1", "09.2", "09.3", "09.4", "09.5"])
def test_stub_is_not_attempted(exercise):
    result = check(exercise, stub)
    assert result.status == "not attempted"
    assert "NotImplementedError" in result.message


# ------------------------------------------------------------------ 09.1 forward
def naive_softmax_forward(params, X):
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.maximum(z1, 0)
    e = np.exp(a1 @ params["W2"] + params["b2"])
    return e / e.sum(axis=1, keepdims=True), (X, z1, a1)


def sigmoid_hidden_forward(params, X):
    z1 = X @ params["W1"] + params["b1"]
    a1 = sigmoid(z1)
    z2 = a1 @ params["W2"] + params["b2"]
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), (X, z1, a1)


def column_softmax_forward(params, X):
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.maximum(z1, 0)
    z2 = a1 @ params["W2"] + params["b2"]
    e = np.exp(z2 - z2.max(axis=0))
    return e / e.sum(axis=0), (X, z1, a1)


def upcasting_forward(params, X):
    probs, cache = L._forward(params, X)
    return probs.astype(np.float64), cache


def test_forward_reference_passes():
    result = check("09.1", L._forward)
    assert result.passed, result
    assert "stable" in result.message


@pytest.mark.parametrize("forward, fragments", [
    (naive_softmax_forward, ["NaN", "row's maximum"]),
    (sigmoid_hidden_forward, ["sigmoid", "relu"]),
    (column_softmax_forward, ["axis=1"]),
    (upcasting_forward, ["float64", "slower"]),
    (lambda params, X: L._forward(params, X)[0], ["return probs, cache"]),
    (lambda params, X: (L._forward(params, X)[0], (X, L._forward(params, X)[1][2], None)),
     ["z1", "cache"]),
])
def test_forward_mistakes_get_their_hint(forward, fragments):
    assert_fails_with(check("09.1", forward), *fragments)


# ------------------------------------------------------------------ 09.2 backward
def backward_twice_averaged(params, cache, probs, y):
    grads = L._backward(params, cache, probs, y)
    return {name: g / len(y) for name, g in grads.items()}


def backward_not_averaged(params, cache, probs, y):
    grads = L._backward(params, cache, probs, y)
    return {name: g * len(y) for name, g in grads.items()}


def backward_without_relu_mask(params, cache, probs, y):
    X, z1, a1 = cache
    delta2 = probs.copy()
    delta2[np.arange(len(y)), y] -= 1
    delta2 /= len(y)
    delta1 = delta2 @ params["W2"].T
    return {"W1": X.T @ delta1, "b1": delta1.sum(axis=0),
            "W2": a1.T @ delta2, "b2": delta2.sum(axis=0)}


def backward_bias_per_example(params, cache, probs, y):
    grads = L._backward(params, cache, probs, y)
    delta2 = probs.copy()
    delta2[np.arange(len(y)), y] -= 1
    grads["b2"] = delta2 / len(y)              # forgot to sum over the batch
    return grads


def backward_flipped_sign(params, cache, probs, y):
    return {name: -g for name, g in L._backward(params, cache, probs, y).items()}


def test_backward_reference_passes():
    result = check("09.2", L._backward)
    assert result.passed, result
    assert "finite differences" in result.message


@pytest.mark.parametrize("backward, fragments", [
    (backward_twice_averaged, ["dW2", "times too small", "average over the batch twice"]),
    (backward_not_averaged, ["dW2", "times too large", "divide by the batch size n once"]),
    (backward_without_relu_mask, ["dW1", "ReLU's derivative", "(z1 > 0)"]),
    (backward_bias_per_example, ["db2", "sum the deltas over the batch", "axis=0"]),
    (backward_flipped_sign, ["dW2", "wrong sign"]),
    (lambda params, cache, probs, y: [1, 2, 3, 4], ["keys 'W1', 'b1', 'W2', 'b2'"]),
])
def test_backward_mistakes_get_their_hint(backward, fragments):
    assert_fails_with(check("09.2", backward), *fragments)


# ------------------------------------------------------------------ 09.3 SGD step
def sgd_rebinding(params, grads, velocity, learning_rate, momentum=0.9):
    for name, w in params.items():
        velocity[name] = momentum * velocity[name] - learning_rate * grads[name]
        w = w + velocity[name]                    # noqa: F841 - rebinds, changes nothing


def sgd_without_momentum(params, grads, velocity, learning_rate, momentum=0.9):
    for name in params:
        v = momentum * velocity[name] - learning_rate * grads[name]   # velocity never stored
        params[name] += v


def sgd_uphill(params, grads, velocity, learning_rate, momentum=0.9):
    for name in params:
        velocity[name] = momentum * velocity[name] + learning_rate * grads[name]
        params[name] += velocity[name]


def sgd_old_velocity(params, grads, velocity, learning_rate, momentum=0.9):
    for name in params:
        params[name] += velocity[name]
        velocity[name] = momentum * velocity[name] - learning_rate * grads[name]


def test_sgd_reference_passes():
    assert check("09.3", L._sgd_step).passed


def test_sgd_with_reassigned_dict_entries_passes():
    def reassigning(params, grads, velocity, learning_rate, momentum=0.9):
        for name in params:
            velocity[name] = momentum * velocity[name] - learning_rate * grads[name]
            params[name] = params[name] + velocity[name]
    assert check("09.3", reassigning).passed


@pytest.mark.parametrize("sgd_step, fragments", [
    (sgd_rebinding, ["left params unchanged", "in place"]),
    (sgd_without_momentum, ["ignores the momentum", "velocity[name]"]),
    (sgd_uphill, ["uphill"]),
    (sgd_old_velocity, ["update the velocity first"]),
])
def test_sgd_mistakes_get_their_hint(sgd_step, fragments):
    assert_fails_with(check("09.3", sgd_step), *fragments)


# ------------------------------------------------------------------ 09.4 training
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One real training run through the checker: its result and the params it produced."""
    runs = []

    def train(X, y, rng):
        runs.append(L._train(X, y, rng))
        return runs[-1]

    with pytest.MonkeyPatch.context() as mp:   # module scope: set up before conftest's own patch
        mp.setenv("COURSE_PROGRESS_FILE", str(tmp_path_factory.mktemp("progress") / "p.json"))
        return check("09.4", train), runs[0]


def test_training_reference_reaches_the_target(trained):
    result, params = trained
    assert result.passed, result
    accuracy = float(result.message.split("test accuracy ")[1].split()[0])
    assert accuracy >= 0.85
    assert "s of training" in result.message
    assert params["W1"].dtype == np.float32


def test_training_over_budget_is_reported(trained, monkeypatch):
    _, params = trained
    monkeypatch.setattr(L, "TIME_BUDGET", 0.0)
    assert_fails_with(check("09.4", lambda X, y, rng: params), "is good", "over the 0 s budget")


def test_training_that_never_updates_is_like_guessing():
    assert_fails_with(check("09.4", lambda X, y, rng: L._init(rng)), "no better than guessing",
                      "in place")


def test_training_that_diverged_is_reported():
    def diverged(X, y, rng):
        params = L._init(rng)
        params["W2"][0, 0] = np.nan
        return params
    assert_fails_with(check("09.4", diverged), "NaN", "learning rate")


def test_training_half_done_suggests_settings():
    def undertrained(X, y, rng):
        return L._train(X[:600], y[:600], rng, epochs=1, learning_rate=0.01)
    assert_fails_with(check("09.4", undertrained), "below 0.85", "learning_rate")


def test_training_must_return_params():
    assert_fails_with(check("09.4", lambda X, y, rng: None), "return the trained params")
    bad = lambda X, y, rng: {**L._init(rng), "b2": np.zeros(3, np.float32)}   # noqa: E731
    assert_fails_with(check("09.4", bad), "b2 (10,)")


# ------------------------------------------------------------------ 09.5 vectorize the loop
def vectorized_without_mean(weights, biases, X, Y, learning_rate):
    """Forgot the 1/m: steps by the summed gradient."""
    new_W, new_b = L._update_minibatch(weights, biases, X, Y, learning_rate)
    m = len(X)
    return ([W + m * (V - W) for W, V in zip(weights, new_W)],
            [b + m * (c - b) for b, c in zip(biases, new_b)])


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
    (vectorized_without_output_sigma_prime, ["differs from the loop's", "sigmoid_prime(z)"]),
    (update_minibatch_loop, ["only", "as fast as the loop", "Python loop over the examples"]),
    (lambda weights, biases, X, Y, learning_rate: weights, ["(new_weights, new_biases)"]),
])
def test_vectorized_mistakes_get_their_hint(update, fragments):
    assert_fails_with(check("09.5", update), *fragments)
