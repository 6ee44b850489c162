"""Nielsen's per-example minibatch update (course_lib.loop_network), the reference for exercise 09.5."""
import numpy as np
import pytest

from course_lib import CourseError
from course_lib.activations import sigmoid
from course_lib.gradcheck import numerical_gradient, rel_error
from course_lib.loop_network import backprop, feedforward, init_network, update_minibatch_loop


def quadratic(weights, biases, x, y):
    a = feedforward(weights, biases, x[None, :])[0]
    return 0.5 * float(np.sum((a - y) ** 2))


def test_init_network_shapes_and_seed():
    weights, biases = init_network([5, 4, 3], np.random.default_rng(1))
    assert [W.shape for W in weights] == [(5, 4), (4, 3)]
    assert [b.shape for b in biases] == [(4,), (3,)]
    again, _ = init_network([5, 4, 3], np.random.default_rng(1))
    assert all(np.array_equal(W, V) for W, V in zip(weights, again))
    (big,), _ = init_network([400, 300], np.random.default_rng(2))
    assert abs(big.std() - 1) < 0.01 and abs(big.mean()) < 0.01     # Nielsen's N(0, 1)
    assert init_network([3, 2], np.random.default_rng(0), dtype="float32")[0][0].dtype == np.float32


@pytest.mark.parametrize("sizes", [[3], [3, 0], [3, 2.5], []])
def test_init_network_rejects_bad_sizes(sizes):
    with pytest.raises(CourseError, match="sizes"):
        init_network(sizes, np.random.default_rng(0))


def test_init_network_needs_a_generator():
    with pytest.raises(CourseError, match="Generator"):
        init_network([3, 2], 0)


def test_feedforward_is_sigmoid_at_every_layer():
    rng = np.random.default_rng(3)
    weights, biases = init_network([4, 3, 2], rng)
    X = rng.normal(size=(6, 4))
    by_hand = sigmoid(sigmoid(X @ weights[0] + biases[0]) @ weights[1] + biases[1])
    np.testing.assert_allclose(feedforward(weights, biases, X), by_hand)
    with pytest.raises(CourseError, match="features"):
        feedforward(weights, biases, rng.normal(size=(6, 5)))


def test_backprop_matches_finite_differences():
    rng = np.random.default_rng(4)
    weights, biases = init_network([4, 5, 3, 2], rng)
    x, y = rng.normal(size=4), rng.uniform(size=2)
    nabla_W, nabla_b = backprop(weights, biases, x, y)
    for analytic, params in ((nabla_W, weights), (nabla_b, biases)):
        for g, p in zip(analytic, params):
            assert g.shape == p.shape
            numeric = numerical_gradient(lambda: quadratic(weights, biases, x, y), p)
            assert rel_error(g, numeric) < 1e-7


def test_update_is_the_mean_gradient_step_and_leaves_inputs_alone():
    rng = np.random.default_rng(5)
    weights, biases = init_network([3, 4, 2], rng)
    X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    before = [W.copy() for W in weights], [b.copy() for b in biases]
    new_W, new_b = update_minibatch_loop(weights, biases, X, Y, learning_rate=0.7)
    grads = [backprop(weights, biases, x, y) for x, y in zip(X, Y)]
    for l in range(2):
        mean_W = np.mean([g[0][l] for g in grads], axis=0)
        mean_b = np.mean([g[1][l] for g in grads], axis=0)
        np.testing.assert_allclose(new_W[l], weights[l] - 0.7 * mean_W, atol=1e-14)
        np.testing.assert_allclose(new_b[l], biases[l] - 0.7 * mean_b, atol=1e-14)
        assert np.array_equal(weights[l], before[0][l]) and np.array_equal(biases[l], before[1][l])


def test_a_small_step_lowers_the_minibatch_cost():
    rng = np.random.default_rng(6)
    weights, biases = init_network([6, 5, 3], rng)
    X, Y = rng.normal(size=(8, 6)), rng.uniform(size=(8, 3))

    def cost(W, b):
        return 0.5 * np.sum((feedforward(W, b, X) - Y) ** 2) / len(X)

    new_W, new_b = update_minibatch_loop(weights, biases, X, Y, learning_rate=0.1)
    assert cost(new_W, new_b) < cost(weights, biases)


def test_update_rejects_mismatched_batches():
    weights, biases = init_network([3, 2], np.random.default_rng(0))
    with pytest.raises(CourseError, match="one_hot"):
        update_minibatch_loop(weights, biases, np.zeros((4, 3)), np.zeros(4), 0.1)
    with pytest.raises(CourseError, match="one row per example"):
        update_minibatch_loop(weights, biases, np.zeros((4, 3)), np.zeros((3, 2)), 0.1)
