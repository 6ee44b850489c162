"""Activations: values at known points, derivatives against finite differences, dtypes."""
import numpy as np
import pytest

from course_lib import activations as act
from course_lib.gradcheck import check_function, numerical_gradient, rel_error

TOL = 1e-7
# Points well away from 0, where relu, leaky_relu, elu and step have a kink or a jump.
Z = np.array([-3.0, -1.7, -0.9, -0.31, 0.27, 0.8, 1.6, 2.9])

ELEMENTWISE = [
    ("step", act.step, act.step_prime),
    ("sigmoid", act.sigmoid, act.sigmoid_prime),
    ("tanh", act.tanh, act.tanh_prime),
    ("relu", act.relu, act.relu_prime),
    ("leaky_relu", act.leaky_relu, act.leaky_relu_prime),
    ("leaky_relu alpha=0.2", lambda z: act.leaky_relu(z, 0.2), lambda z: act.leaky_relu_prime(z, 0.2)),
    ("elu", act.elu, act.elu_prime),
    ("elu alpha=0.5", lambda z: act.elu(z, alpha=0.5), lambda z: act.elu_prime(z, alpha=0.5)),
    ("identity", act.identity, act.identity_prime),
]


@pytest.mark.parametrize("name, fn, prime", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_derivative_matches_finite_differences(name, fn, prime):
    assert check_function(fn, prime, Z) <= TOL


@pytest.mark.parametrize("name, fn, prime", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_shape_is_kept(name, fn, prime):
    z = np.linspace(-2, 2, 12).reshape(3, 4)
    assert fn(z).shape == z.shape and prime(z).shape == z.shape


def test_known_values():
    assert act.sigmoid(0.0) == 0.5
    assert act.sigmoid_prime(0.0) == 0.25
    np.testing.assert_allclose(act.sigmoid(np.log(3.0)), 0.75)
    np.testing.assert_array_equal(act.step(np.array([-1e-9, 0.0, 2.0])), [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(act.step_prime(Z), np.zeros_like(Z))
    np.testing.assert_array_equal(act.relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])
    assert act.relu_prime(np.array([0.0]))[0] == 0.0   # the convention at the kink
    np.testing.assert_allclose(act.leaky_relu(np.array([-2.0, 3.0])), [-0.02, 3.0])
    np.testing.assert_allclose(act.elu(np.array([-np.inf, 0.0, 2.0])), [-1.0, 0.0, 2.0])
    np.testing.assert_allclose(act.elu_prime(np.array([-1.0, 1.0]), alpha=2.0), [2 * np.exp(-1), 1.0])


def test_tanh_is_a_rescaled_sigmoid():
    np.testing.assert_allclose(act.tanh(Z), 2 * act.sigmoid(2 * Z) - 1, atol=1e-15)


def test_sigmoid_is_exact_at_the_extremes():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_array_equal(act.sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])
    assert 0.0 < act.sigmoid(-700.0) < 1e-300   # the stable form keeps tiny values


def test_softmax_rows_are_distributions():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-5.0, 10.0, 0.5]])
    a = act.softmax(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    np.testing.assert_allclose(a[1], 1 / 3)
    np.testing.assert_allclose(a[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    np.testing.assert_allclose(np.exp(act.log_softmax(z)), a)


def test_softmax_jacobian_matches_finite_differences():
    z = np.random.default_rng(0).normal(size=(3, 4))
    jac = act.softmax_jacobian(z)
    assert jac.shape == (3, 4, 4)
    for i in range(3):
        for j in range(4):
            row = z[i].copy()
            numeric = numerical_gradient(lambda: act.softmax(row)[j], row)
            assert rel_error(jac[i, j], numeric) <= TOL


def test_softmax_backward_is_the_jacobian_vector_product():
    rng = np.random.default_rng(1)
    z, da = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    a = act.softmax(z)
    expected = np.einsum("nk,nkj->nj", da, act.softmax_jacobian(z))
    assert rel_error(act.softmax_backward(a, da), expected) <= 1e-12
    # and against finite differences of the scalar sum(softmax(z) * da)
    numeric = numerical_gradient(lambda: float(np.sum(act.softmax(z) * da)), z)
    assert rel_error(act.softmax_backward(a, da), numeric) <= TOL


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "identity"])
def test_dtype_is_kept(name, dtype):
    fn, prime = act.get_activation(name)
    z = np.linspace(-2, 2, 7, dtype=dtype)
    assert fn(z).dtype == dtype
    assert prime(z).dtype == dtype


def test_softmax_keeps_float32():
    z = np.ones((2, 3), dtype=np.float32)
    assert act.softmax(z).dtype == np.float32
    assert act.log_softmax(z).dtype == np.float32
    assert act.softmax_jacobian(z).dtype == np.float32


def test_lists_are_accepted():
    np.testing.assert_allclose(act.sigmoid([0.0, 0.0]), [0.5, 0.5])
    np.testing.assert_allclose(act.step([-1, 1]), [0.0, 1.0])
    np.testing.assert_allclose(act.softmax([[0.0, 0.0]]), [[0.5, 0.5]])


def test_registry_lookup():
    assert act.get_activation("ReLU") == (act.relu, act.relu_prime)
    assert act.get_activation("leaky-relu") == (act.leaky_relu, act.leaky_relu_prime)
    assert act.get_activation("linear") == (act.identity, act.identity_prime)
    fn, prime = act.get_activation("softmax")
    assert fn is act.softmax and prime is None


@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_the_registry_names_a_layer_that_computes_the_same_thing(name):
    from course_lib.layers import LAYERS, activation_layer
    spec = act.ACTIVATIONS[name]
    layer = activation_layer(name)
    assert type(layer) is LAYERS[spec.layer]
    layer.build(4, np.random.default_rng(0), np.float64)
    assert bool(layer.params) == spec.learned
    z = Z.reshape(2, 4)
    settings = {"alpha": float(layer.params["alpha"][0])} if spec.learned else {}
    np.testing.assert_allclose(layer.forward(z), spec.fn(z, **settings))
    if spec.prime is not None:
        np.testing.assert_allclose(layer.backward(np.ones_like(z)), spec.prime(z, **settings))


def test_softmax_and_log_equal_the_separate_functions_exactly():
    z = np.random.default_rng(0).normal(scale=30.0, size=(64, 10)).astype(np.float32)
    a, log_a = act.softmax_and_log(z)
    np.testing.assert_array_equal(a, act.softmax(z))
    np.testing.assert_array_equal(log_a, act.log_softmax(z))
    assert a.dtype == log_a.dtype == np.float32
