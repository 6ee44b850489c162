"""Losses: values by hand, dC/da and the fused dC/dz = (a - y)/n against finite differences."""
import numpy as np
import pytest

from course_lib import losses as L
from course_lib.activations import sigmoid, softmax
from course_lib.gradcheck import check_loss, numerical_gradient, rel_error

TOL = 1e-7
rng = np.random.default_rng(0)
Z = rng.normal(size=(4, 3))                                   # logits
Y_ONE_HOT = np.eye(3)[[0, 2, 1, 2]]
Y_BINARY = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
Y_REAL = rng.normal(size=(4, 3))


def test_values_by_hand():
    a = np.array([[0.5, 0.25], [1.0, 0.0]])
    y = np.array([[1.0, 0.0], [1.0, 1.0]])
    # quadratic: (1/n) sum 1/2 ||a - y||^2 = (0.5 * (0.25 + 0.0625) + 0.5 * 1) / 2
    assert L.quadratic_cost(a, y) == pytest.approx((0.5 * 0.3125 + 0.5) / 2)
    assert L.mse(a, y) == pytest.approx((0.25 + 0.0625 + 0 + 1) / 4)
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    t = np.array([[1.0, 0, 0], [0, 0, 1.0]])
    assert L.cross_entropy(p, t) == pytest.approx(-(np.log(0.7) + np.log(0.8)) / 2)
    assert L.log_likelihood(p, np.array([0, 2])) == pytest.approx(L.cross_entropy(p, t))
    q = np.array([[0.9], [0.2]])
    assert L.binary_cross_entropy(q, np.array([[1.0], [0.0]])) == pytest.approx(
        -(np.log(0.9) + np.log(0.8)) / 2)


def test_value_from_logits_equals_value_of_softmax():
    cce = L.CategoricalCrossEntropy()
    assert cce.value_from_logits(Z, Y_ONE_HOT) == pytest.approx(cce.value(softmax(Z), Y_ONE_HOT))
    # ...and stays exact where softmax underflows to 0 and the clipped value would saturate
    z = np.array([[0.0, 1000.0]])
    assert cce.value_from_logits(z, np.array([[1.0, 0.0]])) == pytest.approx(1000.0)


CASES = [
    (L.Quadratic(), lambda: sigmoid(Z), Y_REAL),
    (L.MSE(), lambda: Z.copy(), Y_REAL),
    (L.BinaryCrossEntropy(), lambda: sigmoid(Z), Y_BINARY),
    (L.CategoricalCrossEntropy(), lambda: softmax(Z), Y_ONE_HOT),
]


@pytest.mark.parametrize("loss, make_a, y", CASES, ids=lambda c: repr(c) if isinstance(c, L.Loss) else "")
def test_gradient_matches_finite_differences(loss, make_a, y):
    assert check_loss(loss, make_a(), y) <= TOL


@pytest.mark.parametrize("loss, make_a, y", CASES, ids=lambda c: repr(c) if isinstance(c, L.Loss) else "")
def test_call_returns_value_and_gradient(loss, make_a, y):
    a = make_a()
    value, grad = loss(a, y)
    assert value == loss.value(a, y)
    np.testing.assert_array_equal(grad, loss.gradient(a, y))
    assert grad.shape == a.shape


def test_fused_sigmoid_cross_entropy_delta():
    """delta = (a - y)/n is dC/dz when a = sigmoid(z)."""
    bce = L.BinaryCrossEntropy()
    z = Z.copy()
    numeric = numerical_gradient(lambda: bce.value(sigmoid(z), Y_BINARY), z)
    assert rel_error(bce.delta(sigmoid(z), Y_BINARY), numeric) <= TOL


def test_fused_softmax_cross_entropy_delta():
    """delta = (a - y)/n is dC/dz when a = softmax(z), via both cost formulas."""
    cce = L.CategoricalCrossEntropy()
    z = Z.copy()
    delta = cce.delta(softmax(z), Y_ONE_HOT)
    assert rel_error(delta, numerical_gradient(lambda: cce.value_from_logits(z, Y_ONE_HOT), z)) <= TOL
    assert rel_error(delta, numerical_gradient(lambda: cce.value(softmax(z), Y_ONE_HOT), z)) <= TOL


def test_fused_delta_with_soft_targets():
    """The shortcut holds for any target rows that sum to 1, not just one-hot ones."""
    cce = L.CategoricalCrossEntropy()
    y = softmax(rng.normal(size=(4, 3)))
    z = Z.copy()
    numeric = numerical_gradient(lambda: cce.value_from_logits(z, y), z)
    assert rel_error(cce.delta(softmax(z), y), numeric) <= TOL


def test_quadratic_and_sigmoid_learn_slowly():
    """Nielsen's point: with the quadratic cost, dC/dz carries sigma'(z), which vanishes when saturated."""
    z, y = np.array([[6.0]]), np.array([[0.0]])
    a = sigmoid(z)
    quad_dz = L.Quadratic().gradient(a, y) * a * (1 - a)
    ce_dz = L.BinaryCrossEntropy().delta(a, y)
    assert abs(quad_dz[0, 0]) < 0.01 * abs(ce_dz[0, 0])


@pytest.mark.parametrize("name, cls", [
    ("quadratic", L.Quadratic), ("mse", L.MSE), ("mean_squared_error", L.MSE),
    ("binary_crossentropy", L.BinaryCrossEntropy), ("Binary-Cross-Entropy", L.BinaryCrossEntropy),
    ("categorical_crossentropy", L.CategoricalCrossEntropy),
    ("sparse_categorical_crossentropy", L.CategoricalCrossEntropy),
    ("log_likelihood", L.CategoricalCrossEntropy),
])
def test_get_loss_by_name(name, cls):
    assert type(L.get_loss(name)) is cls


def test_get_loss_passes_instances_and_classes_through():
    mse = L.MSE()
    assert L.get_loss(mse) is mse
    assert isinstance(L.get_loss(L.Quadratic), L.Quadratic)
    assert repr(mse) == "MSE()"


def test_fusion_and_classification_flags():
    assert L.BinaryCrossEntropy.fuses_with == "sigmoid"
    assert L.CategoricalCrossEntropy.fuses_with == "softmax"
    assert L.MSE.fuses_with is None and L.Quadratic.fuses_with is None
    assert L.CategoricalCrossEntropy.is_classification and not L.MSE.is_classification


def test_float32_stays_float32():
    a = softmax(Z.astype(np.float32))
    y = Y_ONE_HOT.astype(np.float32)
    for loss in (L.Quadratic(), L.MSE(), L.CategoricalCrossEntropy()):
        assert loss.gradient(a, y).dtype == np.float32
        assert loss.delta(a, y).dtype == np.float32
    assert L.BinaryCrossEntropy().gradient(a, y).dtype == np.float32
