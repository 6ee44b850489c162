"""Layers: every backward pass against finite differences, plus Dropout's behaviour."""
import numpy as np
import pytest

from course_lib import layers as Lyr
from course_lib.gradcheck import check_layer, numerical_gradient, rel_error

TOL = 1e-7


def away_from_zero(shape, seed=0):
    """Inputs at least 0.1 from 0, so no finite difference straddles a kink."""
    x = np.random.default_rng(seed).normal(size=shape)
    return np.sign(x) * (np.abs(x) + 0.1)


def built(layer, n_in=5, seed=0):
    layer.build(n_in, np.random.default_rng(seed), np.float64)
    return layer


LAYER_CASES = [
    ("Dense", lambda: built(Lyr.Dense(5, 4, bias_init="he")), {"x", "W", "b"}),
    ("Sigmoid", lambda: built(Lyr.Sigmoid()), {"x"}),
    ("Tanh", lambda: built(Lyr.Tanh()), {"x"}),
    ("ReLU", lambda: built(Lyr.ReLU()), {"x"}),
    ("LeakyReLU", lambda: built(Lyr.LeakyReLU(0.1)), {"x"}),
    ("ELU", lambda: built(Lyr.ELU(0.7)), {"x"}),
    ("Identity", lambda: built(Lyr.Identity()), {"x"}),
    ("Softmax", lambda: built(Lyr.Softmax()), {"x"}),
    ("Activation('softmax')", lambda: built(Lyr.Activation("softmax")), {"x"}),
    ("Activation('tanh')", lambda: built(Lyr.Activation("tanh")), {"x"}),
    ("PReLU", lambda: built(Lyr.PReLU(0.3)), {"x", "alpha"}),
    ("Maxout", lambda: built(Lyr.Maxout(5, 3, pieces=3)), {"x", "W", "b"}),
]


@pytest.mark.parametrize("name, make, keys", LAYER_CASES, ids=[c[0] for c in LAYER_CASES])
def test_backward_matches_finite_differences(name, make, keys):
    layer = make()
    errors = check_layer(layer, away_from_zero((6, 5)))
    assert set(errors) == keys
    assert max(errors.values()) <= TOL, errors


def test_prelu_alpha_gradient_is_nonzero_and_alpha_learns_per_unit():
    layer = built(Lyr.PReLU(0.25))
    x = away_from_zero((8, 5))
    layer.forward(x)
    layer.backward(np.ones_like(x))
    # dC/dalpha_j = sum over the batch of min(z, 0) for C = sum(a)
    np.testing.assert_allclose(layer.grads["alpha"], np.minimum(x, 0).sum(axis=0))
    assert layer.alpha.shape == (5,)


def test_dropout_backward_with_a_fixed_mask():
    layer = built(Lyr.Dropout(0.4), seed=3)
    x = away_from_zero((6, 5))
    layer.forward(x, training=True)
    mask = layer.mask.copy()            # fix the mask drawn by this forward pass
    r = np.random.default_rng(1).normal(size=x.shape)
    dx = layer.backward(r)
    numeric = numerical_gradient(lambda: float(np.sum(x * mask * r)), x)
    assert rel_error(dx, numeric) <= TOL
    np.testing.assert_array_equal(dx, r * mask)


def test_dropout_drops_the_stated_fraction_and_rescales_survivors():
    layer = built(Lyr.Dropout(0.3), n_in=1000)
    x = np.ones((200, 1000))
    out = layer.forward(x, training=True)
    dropped = np.mean(out == 0)
    assert dropped == pytest.approx(0.3, abs=0.01)
    np.testing.assert_allclose(out[out != 0], 1 / 0.7)
    assert out.mean() == pytest.approx(1.0, abs=0.01)   # inverted dropout keeps the expectation


def test_dropout_is_the_identity_at_test_time():
    layer = built(Lyr.Dropout(0.5))
    x = away_from_zero((4, 5))
    assert layer.forward(x, training=False) is x
    assert layer.backward(x) is x
    zero = built(Lyr.Dropout(0.0))
    assert zero.forward(x, training=True) is x


def test_dropout_keeps_float32():
    layer = Lyr.Dropout(0.5)
    layer.build(5, np.random.default_rng(0), np.float32)
    out = layer.forward(np.ones((3, 5), dtype=np.float32), training=True)
    assert out.dtype == np.float32


def test_dense_shapes_and_first_layer_skips_input_gradient():
    layer = built(Lyr.Dense(5, 3))
    assert layer.W.shape == (5, 3) and layer.b.shape == (3,)
    x = away_from_zero((4, 5))
    z = layer.forward(x)
    np.testing.assert_allclose(z, x @ layer.W + layer.b)
    layer.needs_input_grad = False
    assert layer.backward(np.ones((4, 3))) is None
    np.testing.assert_allclose(layer.grads["W"], x.T @ np.ones((4, 3)))
    np.testing.assert_allclose(layer.grads["b"], [4.0, 4.0, 4.0])


def test_maxout_picks_the_largest_piece():
    layer = built(Lyr.Maxout(5, 2, pieces=3))
    x = away_from_zero((4, 5))
    z = (x @ layer.params["W"] + layer.params["b"]).reshape(4, 2, 3)
    np.testing.assert_allclose(layer.forward(x), z.max(axis=2))
    assert layer.params["W"].shape == (5, 6)


def test_step_layer_has_zero_gradient():
    layer = built(Lyr.Step())
    x = away_from_zero((3, 5))
    np.testing.assert_array_equal(layer.forward(x), (x >= 0).astype(float))
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.zeros_like(x))


def test_activation_layer_by_name_uses_the_specialised_class():
    assert type(Lyr.activation_layer("relu")) is Lyr.ReLU
    assert type(Lyr.activation_layer("Softmax")) is Lyr.Softmax
    assert type(Lyr.activation_layer("linear")) is Lyr.Identity
    leaky = Lyr.activation_layer("leaky_relu", alpha=0.2)
    assert type(leaky) is Lyr.LeakyReLU and leaky.kwargs == {"alpha": 0.2}


@pytest.mark.parametrize("layer, text", [
    (Lyr.Dense(784, 128), "Dense(784 -> 128)"),
    (Lyr.Maxout(10, 4, pieces=3), "Maxout(10 -> 4, pieces=3)"),
    (Lyr.Dropout(0.2), "Dropout(rate=0.2)"),
    (Lyr.ReLU(), "ReLU()"),
    (Lyr.LeakyReLU(0.1), "LeakyReLU(alpha=0.1)"),
    (Lyr.ELU(), "ELU(alpha=1.0)"),
    (Lyr.PReLU(0.3), "PReLU(alpha_init=0.3)"),
    (Lyr.Activation("tanh"), "Activation('tanh')"),
])
def test_repr_is_readable(layer, text):
    assert repr(layer) == text


def test_config_rebuilds_an_equivalent_layer():
    for layer in (Lyr.Dense(3, 2, weight_init="he", bias_init=0.1), Lyr.Maxout(3, 2, pieces=4),
                  Lyr.Dropout(0.25), Lyr.LeakyReLU(0.3), Lyr.PReLU(0.2), Lyr.Activation("elu", alpha=2.0)):
        clone = type(layer)(**layer.config())
        assert clone.config() == layer.config()


@pytest.mark.parametrize("name, make, keys", LAYER_CASES, ids=[c[0] for c in LAYER_CASES])
def test_backward_writes_gradients_into_the_arrays_build_made(name, make, keys):
    layer = make()
    before = dict(layer.grads)
    x = away_from_zero((6, 5))
    layer.backward(np.ones_like(layer.forward(x)))
    assert all(layer.grads[k] is before[k] for k in before)
    assert all(np.any(g != 0) for g in layer.grads.values())
