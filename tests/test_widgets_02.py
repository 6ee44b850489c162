"""Lesson 02's demo maths (vanishing gradients, the ReLU-tanh race, dead and saturated units) and
live-demo callbacks (activation chooser, zig-zag), at their extremes."""
import json

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import (
    CourseError,
    Dense,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    make_spirals,
)
from course_lib.diagnostics import dead_unit_fraction, dead_units, saturated_fraction
from course_lib.widgets.activations import (
    CHOICES,
    activation_and_derivative,
    activation_race,
    gradient_ratio,
    mean_output,
    one_sign_fraction,
    plot_activation,
    plot_zigzag,
    steps_to_reach,
    training_error_curve,
    zigzag_path,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _box_text(fig):
    return "\n".join(t.get_text() for t in fig.axes[0].texts)


# ------------------------------------------------------------ activation chooser
@pytest.mark.parametrize("name", CHOICES)
@pytest.mark.parametrize("alpha", [0.0, 2.0])      # the alpha slider's ends
def test_plot_activation_at_slider_extremes(name, alpha):
    fig = plot_activation(name, alpha)
    ax = fig.axes[0]
    a, slope = (line.get_ydata() for line in ax.lines[:2])
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(slope))
    assert "slope at z = -10, 0, 10" in _box_text(fig)
    assert ("alpha = " in ax.get_title()) == (name in ("leaky_relu", "prelu", "elu"))


def test_the_box_reports_saturation_and_mean():
    text = _box_text(plot_activation("sigmoid"))
    assert "4.5e-05, 0.25, 4.5e-05" in text and "0.500" in text
    assert "0, 0, 1" in _box_text(plot_activation("relu")) and "0.399" in _box_text(plot_activation("relu"))


def test_leak_zero_is_relu_and_leak_one_is_linear():
    z = np.linspace(-3, 3, 13)
    leaky0, _ = activation_and_derivative("leaky_relu", 0.0)
    leaky1, slope1 = activation_and_derivative("leaky_relu", 1.0)
    assert np.array_equal(leaky0(z), np.maximum(z, 0))
    assert np.allclose(leaky1(z), z) and np.allclose(slope1(z), 1.0)
    elu2, _ = activation_and_derivative("elu", 2.0)
    assert elu2(np.array([-50.0]))[0] == pytest.approx(-2.0)


def test_the_choices_come_from_the_registry():
    from course_lib import activations as act
    from course_lib.widgets.neuron import ACTIVATION_CHOICES
    assert set(CHOICES) == {"step", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu"}
    assert ACTIVATION_CHOICES == ("sigmoid", "step", "relu", "tanh", "identity")
    assert all(act.ACTIVATIONS[name].hidden for name in CHOICES)


def test_unknown_activation_lists_the_choices():
    with pytest.raises(CourseError, match="Valid names:.*sigmoid"):
        plot_activation("swish")


def test_mean_output_matches_known_values():
    assert mean_output(lambda z: np.maximum(z, 0)) == pytest.approx(1 / np.sqrt(2 * np.pi), abs=1e-6)
    assert mean_output(np.tanh) == pytest.approx(0.0, abs=1e-12)
    assert mean_output(lambda z: 1 / (1 + np.exp(-z))) == pytest.approx(0.5, abs=1e-9)
    assert mean_output(lambda z: z, mean=3.0, std=2.0) == pytest.approx(3.0, abs=1e-9)


# ------------------------------------------------------------ the zig-zag
def test_all_positive_inputs_give_one_signed_steps():
    steps = np.diff(zigzag_path(input_mean=0.5, steps=200), axis=0)
    assert one_sign_fraction(steps.T) == 1.0
    centred = np.diff(zigzag_path(input_mean=0.0, steps=200), axis=0)
    assert 0.2 < one_sign_fraction(centred.T) < 0.8


def test_zigzag_path_is_seeded_and_starts_at_the_origin():
    a, b = zigzag_path(0.3, seed=4), zigzag_path(0.3, seed=4)
    assert np.array_equal(a, b) and a.shape == (41, 2) and np.array_equal(a[0], [0.0, 0.0])
    assert not np.array_equal(a, zigzag_path(0.3, seed=5))


def test_zigzag_converges_towards_w_star():
    path = zigzag_path(0.5, learning_rate=0.5, steps=400)
    assert np.linalg.norm(path[-1] - [1.0, -1.0]) < 0.05


@pytest.mark.parametrize("input_mean", [0.0, 1.0])          # the input-mean slider's ends
@pytest.mark.parametrize("learning_rate", [0.1, 0.5])       # the learning-rate slider's ends
def test_plot_zigzag_at_slider_extremes(input_mean, learning_rate):
    fig = plot_zigzag(input_mean, learning_rate)
    path = fig.axes[0].lines[0].get_xydata()
    assert np.all(np.isfinite(path)) and np.abs(path).max() < 3
    assert "of steps move" in fig.axes[0].get_title()
    if input_mean >= 0.5:
        assert "100% of steps" in fig.axes[0].get_title()


def test_plot_zigzag_draws_on_a_given_axis():
    fig, axes = plt.subplots(1, 2)
    assert plot_zigzag(0.0, ax=axes[1]) is fig
    assert len(axes[1].lines) >= 3 and len(axes[0].lines) == 0


def test_one_sign_fraction_counts_columns():
    G = np.array([[1.0, -1.0, 2.0, 0.0],
                  [3.0, -2.0, -1.0, 0.0]])
    assert one_sign_fraction(G) == pytest.approx(2 / 3)     # the all-zero column is skipped
    assert one_sign_fraction(np.zeros((3, 2))) == 0.0
    with pytest.raises(CourseError, match="2-D"):
        one_sign_fraction(np.ones(4))


# ------------------------------------------------------------ steps to a target
def test_training_error_curve_and_steps_to_reach():
    X, y = make_spirals(n=150, n_classes=3, rng=0)
    net = Sequential([Dense(2, 32, weight_init="he"), ReLU(), Dense(32, 3), Softmax()], rng=0)
    net.compile("categorical_crossentropy", "adam", learning_rate=0.02)
    steps, errors = training_error_curve(net, X, y, steps=60, every=20, batch_size=16, seed=0)
    assert list(steps) == [20, 40, 60]
    assert np.all((errors >= 0) & (errors <= 1)) and errors[-1] < 2 / 3
    assert steps_to_reach(steps, errors, 1.0) == 20
    assert steps_to_reach(steps, errors, -0.1) is None
    assert steps_to_reach([10, 20, 30], [0.5, 0.2, 0.1], 0.25) == 20


def test_training_error_curve_monitor_is_called_at_every_measurement():
    X, y = make_spirals(n=90, n_classes=3, rng=1)
    net = Sequential([Dense(2, 16, weight_init="he"), ReLU(), Dense(16, 3), Softmax()], rng=1)
    net.compile("categorical_crossentropy", "sgd", learning_rate=0.1)
    calls = []
    steps, errors, seen = training_error_curve(net, X, y, steps=30, every=10, batch_size=8, seed=1,
                                               monitor=lambda n: calls.append(n) or len(calls))
    assert list(steps) == [10, 20, 30] and len(errors) == 3
    assert list(seen) == [1, 2, 3] and all(n is net for n in calls)


# ------------------------------------------------------------ vanishing gradients and the race
def _tiny_images(n=60, d=20, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, d)), rng.integers(0, 10, n)


def test_gradient_ratio_vanishes_with_sigmoid_depth_but_not_with_relu():
    X, y = _tiny_images()
    shallow = gradient_ratio(X, y, 1, "sigmoid", "scaled_normal", width=16, seed=0)
    deep = gradient_ratio(X, y, 6, "sigmoid", "scaled_normal", width=16, seed=0)
    assert deep < shallow / 100                      # about a factor 4 per added sigmoid layer
    relu_deep = gradient_ratio(X, y, 6, "relu", "he", width=16, seed=0)
    assert 0.05 < relu_deep < 50
    assert gradient_ratio(X, y, 3, seed=5) == gradient_ratio(X, y, 3, seed=5)      # seeded
    with pytest.raises(CourseError, match="n_hidden"):
        gradient_ratio(X, y, 0)


def test_activation_race_records_curves_and_tanh_saturation():
    X, y = _tiny_images(n=80, d=100, seed=1)
    race = activation_race(X.astype(np.float32), y, seeds=[0, 1],
                           setups=(("tanh", "large_normal"), ("relu", "he")), learning_rates=(0.05,),
                           sizes=(100, 8, 10), steps=20, every=10, n_eval=40)
    assert race["steps"] == [10, 20] and len(race["runs"]) == 4
    for run in race["runs"]:
        assert set(run) >= {"activation", "init", "learning_rate", "seed", "errors"}
        assert len(run["errors"]) == 2 and all(0 <= e <= 1 for e in run["errors"])
        assert ("saturated" in run) == (run["activation"] == "tanh")
    tanh_runs = [r for r in race["runs"] if r["activation"] == "tanh"]
    assert all(min(r["saturated"]) > 0.3 for r in tanh_runs)       # large weights saturate tanh
    json.dumps(race)                                                 # cacheable as JSON


# ------------------------------------------------------------ diagnostics used by lesson 02
def test_dead_units_marks_the_columns_that_no_example_activates():
    net = Sequential([Dense(3, 4), ReLU(), Dense(4, 2), Softmax()], rng=0)
    net.layers[0].params["W"][...] = 0.0
    net.layers[0].params["b"][...] = [-1.0, 0.5, 0.0, -0.2]
    net.layers[0].params["W"][0, 3] = 1.0            # unit 3 fires when x0 > 0.2
    X = np.array([[0.0, 1.0, 2.0], [0.5, 0.0, 0.0]])
    assert dead_units(net, X, 1).tolist() == [True, False, True, False]
    assert dead_unit_fraction(net, X, 1) == 0.5
    assert dead_units(net, X[:1], 1).tolist() == [True, False, True, True]


def test_saturated_fraction_for_tanh_and_sigmoid_layers():
    X = np.ones((5, 2))
    # tanh(3) = 0.995 and sigma(6) = 0.9975 (|2a - 1| = 0.995): the same point on the two curves.
    for kind, z_flat in ((Tanh(), 3.0), (Sigmoid(), 6.0)):
        net = Sequential([Dense(2, 2), kind, Dense(2, 2), Softmax()], rng=0)
        net.layers[0].params["W"][...] = 0.0
        net.layers[0].params["b"][...] = [z_flat, 0.1]     # unit 0 on a flat end, unit 1 in the middle
        assert saturated_fraction(net, X) == 0.5, kind
        assert saturated_fraction(net, X, threshold=0.9999) == 0.0
    with pytest.raises(CourseError, match="tanh or sigmoid"):
        saturated_fraction(Sequential([Dense(2, 2), ReLU(), Dense(2, 2), Softmax()], rng=0), X)
