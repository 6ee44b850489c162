"""Widget callbacks of lessons 00 and 01, called at their sliders' extremes."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import CourseError, make_linearly_separable, mlp
from course_lib.perceptron import train_adaline, train_perceptron
from course_lib.widgets.neuron import (
    ACTIVATION_CHOICES,
    draw_activations,
    draw_example,
    draw_neuron,
    hidden_and_output_activations,
    neuron_grid,
)
from course_lib.widgets.perceptron import draw_epoch


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def runs():
    X, y = make_linearly_separable(60, 0.3, rng=np.random.default_rng(0))
    X = X + np.array([1.0, 0.5])
    return X, y, {"perceptron": train_perceptron(X, y, 20), "ADALINE": train_adaline(X, y, 12, 0.5)}


@pytest.mark.parametrize("epoch", [0, 20])
def test_draw_epoch_extremes(runs, epoch):
    X, y, r = runs
    fig = draw_epoch(X, y, r, epoch)
    axes = fig.get_axes()
    assert len(axes) == 3
    p = r["perceptron"]
    assert axes[0].get_title() == f"perceptron, epoch {epoch}: {p.mistakes[epoch]} mistakes"
    shown = min(epoch, r["ADALINE"].epochs)     # the shorter run stops at its last epoch
    assert axes[1].get_title().startswith(f"ADALINE, epoch {shown}:")
    assert len(axes[2].get_lines()) == 3       # two curves and the epoch marker


def test_draw_epoch_single_run_and_bounds(runs):
    X, y, r = runs
    assert len(draw_epoch(X, y, r["perceptron"], 0).get_axes()) == 2
    with pytest.raises(CourseError):
        draw_epoch(X, y, r, 21)
    with pytest.raises(CourseError):
        draw_epoch(X, y, r, -1)


def test_neuron_grid_values():
    _, _, a = neuron_grid(0, 0, 0, "sigmoid")
    assert np.allclose(a, 0.5)
    x1, x2, a = neuron_grid(5, 5, -5, "step")
    assert set(np.unique(a)) == {0.0, 1.0}
    assert np.array_equal(a, (5 * x1 + 5 * x2 - 5 >= 0).astype(float))
    x1, x2, a = neuron_grid(-5, 5, 5, "identity")
    assert np.allclose(a, -5 * x1 + 5 * x2 + 5)
    _, _, a = neuron_grid(-5, -5, -5, "relu")
    assert a.min() == 0 and a.max() == pytest.approx(35.0)


@pytest.mark.parametrize("activation", ACTIVATION_CHOICES)
@pytest.mark.parametrize("w1, w2, b", [(-5, -5, -5), (5, 5, 5), (0, 0, 0)])
def test_draw_neuron_extremes(w1, w2, b, activation):
    fig = draw_neuron(w1, w2, b, activation)
    assert isinstance(fig, plt.Figure)
    assert activation in fig.get_axes()[0].get_title()


def test_activations_figure():
    net = mlp([784, 16, 16, 10], rng=0)
    X = np.random.default_rng(1).random((3, 784))
    acts = hidden_and_output_activations(net, X[0])
    assert [len(a) for a in acts] == [16, 16, 10]
    assert np.isclose(acts[-1].sum(), 1.0)
    names = [f"class {i}" for i in range(10)]
    for index in (0, 2):
        fig = draw_example(net, X, np.array([0, 5, 9]), names, index)
        assert fig.get_axes()[0].get_title() == f"example {index}: class {[0, 5, 9][index]}"
    best = names[int(np.argmax(acts[-1]))]
    texts = [t for t in draw_activations(net, X[0], names).get_axes()[1].texts
             if t.get_text().startswith(best)]
    assert texts and texts[0].get_fontweight() == "bold"
