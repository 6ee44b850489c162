"""The gradient checker itself, and whole networks checked end to end with it."""
import numpy as np
import pytest

from course_lib import (
    ELU,
    Dense,
    Dropout,
    Identity,
    Maxout,
    PReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    check_network,
    numerical_gradient,
    rel_error,
)
from course_lib.gradcheck import check_function, check_layer
from course_lib.layers import ReLU

TOL = 1e-7
rng = np.random.default_rng(0)
X = rng.normal(size=(6, 4))
LABELS = rng.integers(0, 3, size=6)


def test_rel_error_basics():
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert rel_error([1.0], [3.0]) == pytest.approx(0.5)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(np.zeros((0, 2)), np.zeros((0, 2))) == 0.0
    assert rel_error([1e6], [1e6 + 1]) == pytest.approx(1 / (2e6 + 1))   # scale-free


def test_numerical_gradient_of_a_known_function_restores_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    original = x.copy()
    grad = numerical_gradient(lambda: float(np.sum(x ** 3)), x)
    assert rel_error(grad, 3 * original ** 2) <= 1e-9
    np.testing.assert_array_equal(x, original)


def test_check_function_catches_a_wrong_derivative():
    z = np.linspace(-2, 2, 9)
    assert check_function(np.sin, np.cos, z) <= TOL
    assert check_function(np.sin, lambda t: np.cos(t) * 1.01, z) > 1e-3


def test_check_layer_catches_a_wrong_backward():
    class BrokenTanh(Tanh):
        def backward(self, da):
            return da * (1 - self.a)          # forgot to square

    layer = BrokenTanh()
    layer.build(4, rng, np.float64)
    assert check_layer(layer, X)["x"] > 1e-2


def three_layer_net(hidden=(Tanh, Sigmoid), output=Softmax, k=3, seed=1):
    return Sequential([Dense(4, 5, bias_init=0.1), hidden[0](), Dense(5, 4, bias_init=0.1), hidden[1](),
                       Dense(4, k), output()], rng=seed)


@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.01, 0.0), (0.0, 0.1), (0.01, 0.1)])
def test_three_layer_softmax_network(l1, l2):
    net = three_layer_net().compile("categorical_crossentropy", "sgd", l1=l1, l2=l2)
    errors = check_network(net, X, LABELS)
    assert set(errors) == {"dense_0.W", "dense_0.b", "dense_2.W", "dense_2.b", "dense_4.W", "dense_4.b"}
    assert max(errors.values()) <= TOL, errors


def test_penalties_enter_the_gradient():
    """Without the penalty term in backward, the check would fail: make sure it really is tested."""
    plain = three_layer_net().compile("categorical_crossentropy", "sgd")
    penalized = three_layer_net().compile("categorical_crossentropy", "sgd", l2=0.5, l1=0.1)
    _, g0 = plain.compute_gradients(X, LABELS)
    _, g1 = penalized.compute_gradients(X, LABELS)
    W = penalized.parameters()["dense_0.W"]
    np.testing.assert_allclose(g1["dense_0.W"] - g0["dense_0.W"], 0.5 * W + 0.1 * np.sign(W))
    np.testing.assert_array_equal(g1["dense_0.b"], g0["dense_0.b"])   # biases are not penalized
    assert penalized.cost(X, LABELS) == pytest.approx(
        plain.cost(X, LABELS) + sum(0.25 * np.sum(W_ ** 2) + 0.1 * np.sum(np.abs(W_))
                                    for name, W_ in penalized.parameters().items() if name.endswith(".W")))


def test_three_layer_sigmoid_output_network():
    net = three_layer_net(output=Sigmoid, k=1).compile("binary_crossentropy", l2=0.05)
    assert max(check_network(net, X, (LABELS > 0).astype(int)).values()) <= TOL


@pytest.mark.parametrize("loss", ["mse", "quadratic"])
def test_three_layer_regression_network(loss):
    net = three_layer_net(output=Identity, k=2).compile(loss, l1=0.01)
    assert max(check_network(net, X, rng.normal(size=(6, 2))).values()) <= TOL


def test_softmax_with_mse_backpropagates_through_the_jacobian():
    # rel_error is elementwise, so a seed whose gradient has an entry near 1e-7 of the largest
    # one reads ~1e-7 from rounding alone; seed 7 has none.
    net = three_layer_net(seed=7).compile("mse")
    assert max(check_network(net, X, LABELS).values()) <= TOL


def test_network_with_every_parametric_layer():
    net = Sequential([Dense(4, 5), PReLU(), Maxout(5, 4, pieces=2), ELU(), Dropout(0.5), Dense(4, 3),
                      Softmax()], rng=1).compile("categorical_crossentropy")
    errors = check_network(net, X, LABELS)
    assert "prelu_1.alpha" in errors and "maxout_2.W" in errors
    assert max(errors.values()) <= TOL, errors


def test_relu_network():
    net = Sequential([Dense(4, 6, bias_init=0.1), ReLU(), Dense(6, 3), Softmax()], rng=2)
    net.compile("categorical_crossentropy", l2=0.1)
    assert max(check_network(net, X, LABELS).values()) <= TOL


def test_check_network_catches_a_broken_layer():
    class BrokenSigmoid(Sigmoid):
        def backward(self, da):
            return da * self.a                # dropped the (1 - a) factor

    net = three_layer_net(hidden=(Tanh, BrokenSigmoid)).compile("categorical_crossentropy")
    assert check_network(net, X, LABELS)["dense_0.W"] > 1e-2


def test_compute_gradients_leaves_weights_alone():
    net = three_layer_net().compile("categorical_crossentropy", "adam")
    before = {k: v.copy() for k, v in net.parameters().items()}
    net.compute_gradients(X, LABELS)
    for name, value in net.parameters().items():
        np.testing.assert_array_equal(value, before[name])
