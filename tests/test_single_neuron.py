"""The one-neuron gradient-descent run behind Nielsen's learning-slowdown experiment."""
import math
import warnings

import numpy as np
import pytest

from course_lib import CourseError
from course_lib.single_neuron import neuron_cost, neuron_gradients, neuron_output, train_single_neuron


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_nielsens_starting_outputs():
    assert round(neuron_output(0.6, 0.9), 2) == 0.82
    assert round(neuron_output(2.0, 2.0), 2) == 0.98


def test_history_layout_and_first_update_by_hand():
    h = train_single_neuron(0.6, 0.9, 0.15, cost="quadratic", epochs=5)
    assert set(h) == {"epoch", "w", "b", "a", "cost"}
    assert all(v.shape == (6,) for v in h.values())
    assert h["w"][0] == 0.6 and h["b"][0] == 0.9 and list(h["epoch"]) == [0, 1, 2, 3, 4, 5]
    a = _sigmoid(1.5)
    step = 0.15 * a * a * (1 - a)          # eta (a - y) sigma'(z) x with x = 1, y = 0
    assert h["w"][1] == pytest.approx(0.6 - step, abs=1e-15)
    assert h["b"][1] == pytest.approx(0.9 - step, abs=1e-15)
    assert h["cost"][0] == pytest.approx(0.5 * a * a, abs=1e-15)


def test_matches_an_independent_loop_exactly():
    w, b, eta = 2.0, 2.0, 0.005
    h = train_single_neuron(w, b, eta, cost="cross_entropy", epochs=300)
    for _ in range(300):
        a = _sigmoid(w + b)
        w, b = w - eta * a, b - eta * a
    assert h["w"][-1] == pytest.approx(w, abs=1e-12) and h["b"][-1] == pytest.approx(b, abs=1e-12)


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
@pytest.mark.parametrize("w, b, x, y", [(2.0, 2.0, 1.0, 0.0), (-0.7, 0.3, 2.5, 1.0), (1.0, -2.0, -1.5, 0.4)])
def test_gradients_match_finite_differences(cost, w, b, x, y):
    h = 1e-6

    def c(w_, b_):
        return neuron_cost(neuron_output(w_, b_, x), y, cost)

    dw, db = neuron_gradients(w, b, x, y, cost)
    assert dw == pytest.approx((c(w + h, b) - c(w - h, b)) / (2 * h), rel=1e-6, abs=1e-10)
    assert db == pytest.approx((c(w, b + h) - c(w, b - h)) / (2 * h), rel=1e-6, abs=1e-10)


def test_saturation_shrinks_only_the_quadratic_gradient():
    quad = neuron_gradients(2.0, 2.0, 1.0, 0.0, "quadratic")[0]
    ce = neuron_gradients(2.0, 2.0, 1.0, 0.0, "cross_entropy")[0]
    a = _sigmoid(4.0)
    assert ce == pytest.approx(a)                      # (a - y) x: large when badly wrong
    assert quad == pytest.approx(a * a * (1 - a))      # sigma'(4) = 0.018 shrinks it 50-fold
    assert quad < 0.02 * ce


def test_slowdown_numbers():
    slow = train_single_neuron(2.0, 2.0, 0.15, cost="quadratic", epochs=300)
    fast = train_single_neuron(0.6, 0.9, 0.15, cost="quadratic", epochs=300)
    assert slow["a"][150] > 0.93 and slow["a"][300] < 0.21       # stuck, then learns
    assert fast["a"][300] == pytest.approx(0.09, abs=0.005)      # Nielsen: "0.09"
    ce = train_single_neuron(2.0, 2.0, 0.005, cost="cross_entropy", epochs=300)
    drops = -np.diff(ce["cost"])
    assert np.all(np.diff(drops) < 0)      # cross-entropy's cost falls fastest at the start
    assert np.argmax(-np.diff(slow["cost"])) > 150


def test_linear_output_with_quadratic_cost_does_not_slow_down():
    h = train_single_neuron(2.0, 2.0, 0.15, cost="quadratic", epochs=10, activation="linear")
    assert h["a"][0] == 4.0
    assert np.allclose(h["a"][1:] / h["a"][:-1], 0.7)     # z shrinks by 1 - 2 eta each epoch


def test_cost_edge_cases():
    assert neuron_cost(1.0, 1.0, "cross_entropy") == 0.0
    assert neuron_cost(1.0, 0.0, "cross_entropy") == math.inf
    assert neuron_cost(0.3, 0.3, "cross_entropy") == pytest.approx(-(0.3 * math.log(0.3) + 0.7 * math.log(0.7)))


def test_extreme_inputs_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert neuron_output(1000.0, 0.0) == 1.0 and neuron_output(-1000.0, 0.0) == 0.0
        h = train_single_neuron(-500.0, -500.0, 0.1, cost="quadratic", epochs=3)
    assert np.all(np.isfinite(h["cost"]))


def test_helpful_errors():
    with pytest.raises(CourseError, match="'quadratic', 'cross_entropy'"):
        train_single_neuron(1.0, 1.0, 0.1, cost="mse")
    with pytest.raises(CourseError, match="sigmoid"):
        train_single_neuron(1.0, 1.0, 0.1, cost="cross_entropy", activation="linear")
    with pytest.raises(CourseError, match="epochs"):
        train_single_neuron(1.0, 1.0, 0.1, epochs=0)
    with pytest.raises(CourseError, match="learning_rate"):
        train_single_neuron(1.0, 1.0, -0.1)
    with pytest.raises(CourseError, match=r"y in \[0, 1\]"):
        neuron_cost(0.5, 2.0, "cross_entropy")
