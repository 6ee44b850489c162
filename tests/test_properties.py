"""Property tests (Hypothesis): invariants that must hold for every input, not just chosen ones."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_lib import Dense, Dropout, ReLU, Sequential, Softmax, Tanh, mlp
from course_lib import activations as act
from course_lib import losses as L
from course_lib.initializers import INITIALIZERS, get_initializer
from course_lib.optimizers import Adam

FAST = settings(max_examples=40, deadline=None)
finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
logits = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 6)), elements=finite)


def strict():
    """Any overflow, invalid operation or division by zero, and any warning, becomes an error."""
    return np.errstate(over="raise", invalid="raise", divide="raise")


@FAST
@given(logits)
def test_softmax_rows_sum_to_one(z):
    a = act.softmax(z)
    assert np.all((a >= 0) & (a <= 1))
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-12)


@FAST
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 6)),
              elements=st.floats(-100, 100)), st.floats(-1e3, 1e3))
def test_softmax_is_invariant_to_adding_a_constant(z, c):
    np.testing.assert_allclose(act.softmax(z + c), act.softmax(z), atol=1e-10)
    np.testing.assert_allclose(act.log_softmax(z + c), act.log_softmax(z), atol=1e-9)


@FAST
@given(logits, st.sampled_from([np.float32, np.float64]))
def test_activations_do_not_overflow_anywhere_up_to_1e4(z, dtype):
    z = z.astype(dtype)
    with warnings.catch_warnings(), strict():
        warnings.simplefilter("error")
        for name in ("step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "identity"):
            fn, prime = act.get_activation(name)
            a, d = fn(z), prime(z)
            assert np.all(np.isfinite(a)) and np.all(np.isfinite(d)), name
            assert a.dtype == dtype
        assert np.all(np.isfinite(act.softmax(z))) and np.all(np.isfinite(act.log_softmax(z)))
        assert np.all(np.isfinite(act.softmax_jacobian(z)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_at_exactly_plus_and_minus_1e4(dtype):
    z = np.array([[-1e4, -1.0, 0.0, 1.0, 1e4]], dtype=dtype)
    with warnings.catch_warnings(), strict():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(act.sigmoid(z)[0, [0, 4]], [0.0, 1.0])
        np.testing.assert_array_equal(act.tanh(z)[0, [0, 4]], [-1.0, 1.0])
        np.testing.assert_array_equal(act.elu(z)[0, [0, 4]], [-1.0, 1e4])
        np.testing.assert_array_equal(act.softmax(z)[0, 4], 1.0)
        assert act.log_softmax(z)[0, 0] == pytest.approx(-2e4, rel=1e-6)


binary_outputs = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 4)),
                        elements=st.sampled_from([0.0, 1.0, 0.5, 1e-300, 1 - 1e-16]))


@FAST
@given(binary_outputs, st.data())
def test_losses_are_finite_when_outputs_are_exactly_0_or_1(a, data):
    y = data.draw(arrays(np.float64, a.shape, elements=st.sampled_from([0.0, 1.0])))
    with warnings.catch_warnings(), strict():
        warnings.simplefilter("error")
        for loss in (L.Quadratic(), L.MSE(), L.BinaryCrossEntropy(), L.CategoricalCrossEntropy()):
            value, grad = loss(a, y)
            assert np.isfinite(value) and value >= 0, loss
            assert np.all(np.isfinite(grad)), loss
            assert np.all(np.isfinite(loss.delta(a, y)))


@FAST
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 5)),
              elements=st.sampled_from([-1e4, -1.0, 0.0, 1.0, 1e4])), st.data())
def test_losses_are_finite_for_logits_of_plus_minus_1e4(z, data):
    n, k = z.shape
    labels = data.draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    y = np.eye(k)[labels]
    with warnings.catch_warnings(), strict():
        warnings.simplefilter("error")
        cce = L.CategoricalCrossEntropy()
        exact = cce.value_from_logits(z, y)
        assert np.isfinite(exact) and exact >= 0
        a = act.softmax(z)
        assert np.isfinite(cce.value(a, y))
        assert np.all(np.isfinite(cce.delta(a, y)))
        s = act.sigmoid(z)
        for loss in (L.BinaryCrossEntropy(), L.Quadratic(), L.MSE()):
            value, grad = loss(s, y)
            assert np.isfinite(value) and np.all(np.isfinite(grad))


def test_a_network_with_huge_inputs_stays_finite():
    net = Sequential([Dense(3, 4), Tanh(), Dense(4, 3), Softmax()], rng=0).compile()
    X = np.array([[1e4, -1e4, 1e4], [-1e4, 1e4, 0.0]])
    with warnings.catch_warnings(), strict():
        warnings.simplefilter("error")
        cost, grads = net.compute_gradients(X, np.array([0, 2]))
    assert np.isfinite(cost) and all(np.all(np.isfinite(g)) for g in grads.values())


# ---------------------------------------------------------------- reproducibility
seeds = st.integers(0, 2 ** 32 - 1)


@settings(max_examples=10, deadline=None)
@given(seeds, st.sampled_from(sorted(INITIALIZERS)))
def test_same_seed_same_weights(seed, init):
    a = mlp([5, 4, 3], weight_init=init, rng=seed)
    b = mlp([5, 4, 3], weight_init=init, rng=np.random.default_rng(seed))
    for name, value in a.parameters().items():
        np.testing.assert_array_equal(value, b.parameters()[name])
    w = get_initializer(init)((5, 4), np.random.default_rng(seed))
    np.testing.assert_array_equal(w, get_initializer(init)((5, 4), np.random.default_rng(seed)))


def _trained(seed, dtype):
    rng = np.random.default_rng(123)
    X = rng.normal(size=(40, 5))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    net = Sequential([Dense(5, 8), ReLU(), Dropout(0.3), Dense(8, 3), Softmax()], rng=seed, dtype=dtype)
    net.compile("categorical_crossentropy", Adam(0.01))
    history = net.fit(X, y, epochs=3, batch_size=8, validation_data=(X[:10], y[:10]), progress=False)
    return net, history


@settings(max_examples=5, deadline=None)
@given(seeds, st.sampled_from(["float32", "float64"]))
def test_same_seed_same_training(seed, dtype):
    a, ha = _trained(seed, dtype)
    b, hb = _trained(seed, dtype)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert ha[key] == hb[key], key
    for name, value in a.parameters().items():
        np.testing.assert_array_equal(value, b.parameters()[name])


def test_different_seeds_train_differently():
    (a, _), (b, _) = _trained(1, "float64"), _trained(2, "float64")
    assert not np.array_equal(a.parameters()["dense_0.W"], b.parameters()["dense_0.W"])


@settings(max_examples=10, deadline=None)
@given(seeds, st.floats(0.05, 0.95))
def test_same_seed_same_dropout_masks(seed, rate):
    masks = []
    for _ in range(2):
        layer = Dropout(rate)
        layer.build(6, np.random.default_rng(seed), np.float64)
        layer.forward(np.ones((4, 6)), training=True)
        first = layer.mask.copy()
        layer.forward(np.ones((4, 6)), training=True)
        masks.append((first, layer.mask.copy()))
    np.testing.assert_array_equal(masks[0][0], masks[1][0])
    np.testing.assert_array_equal(masks[0][1], masks[1][1])
    assert set(np.unique(masks[0][0])) <= {0.0, 1 / (1 - rate)}


@settings(max_examples=10, deadline=None)
@given(seeds)
def test_same_seed_same_forward_pass_in_training_mode(seed):
    X = np.ones((3, 5))
    outs = [mlp([5, 6, 2], dropout=0.5, rng=seed).forward(X, training=True) for _ in range(2)]
    np.testing.assert_array_equal(outs[0], outs[1])
