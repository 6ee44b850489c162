"""Live-demo callbacks of lessons 04 and 05, called at their sliders' extremes."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import Adam, CourseError, mlp
from course_lib.descent import QuadraticBowl, make_line_fit
from course_lib.widgets.backprop import draw_example_nudges, draw_loss_slice, example_nudges
from course_lib.widgets.descent import draw_batch_size, draw_double_well, draw_learning_rate, plot_paths


def title_of(fig):
    return fig.get_suptitle() or fig.axes[0].get_title()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("start, learning_rate, steps, verdict", [
    (2.2, 0.001, 1, "still walking"),
    (-2.2, 0.001, 100, "still walking"),
    (2.0, 0.02, 100, "local minimum"),
    (0.0, 0.02, 100, "global minimum"),
    (-2.2, 0.1, 100, "local minimum"),       # a big first step jumps over the hill
    (2.2, 0.2, 100, "left the picture"),
])
def test_double_well_at_extremes(start, learning_rate, steps, verdict):
    fig = draw_double_well(start, learning_rate, steps)
    assert verdict in title_of(fig)
    assert f"after {steps} steps" in title_of(fig) or verdict == "left the picture"


@pytest.mark.parametrize("learning_rate, verdict", [(0.005, "slow"), (0.14, "smooth"),
                                                    (0.27, "oscillates"), (0.32, "diverges")])
def test_learning_rate_demo_at_extremes(learning_rate, verdict):
    bowl = QuadraticBowl([[6, 2], [2, 3]])
    fig = draw_learning_rate(bowl, learning_rate)
    assert verdict in title_of(fig)
    assert "0.286" in title_of(fig)
    loss_line = fig.axes[1].get_lines()[0]
    loss = loss_line.get_ydata()
    assert (loss[-1] > loss[0]) == (verdict == "diverges")


@pytest.fixture(scope="module")
def problem():
    return make_line_fit(2000, rng=0)


@pytest.mark.parametrize("batch_size, learning_rate", [(1, 0.01), (1, 0.5), (2000, 0.01),
                                                       (2000, 0.5)])
def test_batch_size_demo_at_extremes(problem, batch_size, learning_rate):
    fig = draw_batch_size(problem, batch_size, learning_rate, steps=100)
    title = title_of(fig)
    assert f"batch size {batch_size}," in title
    epochs = 100 * batch_size / problem.n
    assert f"{epochs:.3g} epochs" in title
    path = fig.axes[0].get_lines()[0].get_xydata()
    assert len(path) == 101 and np.all(np.isfinite(path))


def test_batch_size_noise_shrinks_with_the_batch(problem):
    fig_sgd = draw_batch_size(problem, 1, 0.3, steps=100)
    fig_full = draw_batch_size(problem, 2000, 0.3, steps=100)
    sgd, full = (np.diff(f.axes[1].get_lines()[0].get_ydata()) for f in (fig_sgd, fig_full))
    assert np.all(full <= 0)                 # full batch: every step goes downhill
    assert np.sum(sgd > 0) > 20              # one example at a time: many steps go uphill


def test_plot_paths_with_arrows_and_a_diverging_path():
    bowl = QuadraticBowl([[6, 2], [2, 3]])
    ax = plot_paths(bowl, {"away": np.array([[0.5, 0.5], [5.0, 5.0]])}, (-1, 1), (-1, 1),
                    arrows=True)
    assert ax.get_xlim() == (-1, 1)
    assert len(ax.collections) > 1       # contour lines and the arrows


@pytest.fixture(scope="module")
def tiny_221():
    net = mlp([2, 2, 1], activation="sigmoid", output="sigmoid", rng=0)
    net.compile(loss="mse", optimizer="sgd")
    return net, np.array([[0.6, 0.1]]), np.array([[1.0]])


@pytest.mark.parametrize("value", [-3.0, 0.0, 3.0])
def test_loss_slice_tangent_touches_the_curve(tiny_221, value):
    net, X, y = tiny_221
    before = net.parameters()["dense_0.W"].copy()
    fig = draw_loss_slice(net, X, y, "dense_0.W", (0, 0), value)
    assert np.array_equal(net.parameters()["dense_0.W"], before)     # the weight is restored
    curve, tangent = fig.axes[0].get_lines()[:2]
    xs, costs = curve.get_data()
    middle = len(xs) // 2
    assert xs[middle] == pytest.approx(value)
    assert tangent.get_ydata()[middle] == pytest.approx(costs[middle])
    slope = (costs[middle + 1] - costs[middle - 1]) / (xs[middle + 1] - xs[middle - 1])
    assert (tangent.get_ydata()[middle + 1] - tangent.get_ydata()[middle - 1]) / \
        (xs[middle + 1] - xs[middle - 1]) == pytest.approx(slope, rel=1e-2, abs=1e-5)


def test_loss_slice_names_the_parameters(tiny_221):
    net, X, y = tiny_221
    with pytest.raises(CourseError, match="dense_0.W"):
        draw_loss_slice(net, X, y, "W1", (0, 0), 0.0)


@pytest.fixture(scope="module")
def fashion_like():
    rng = np.random.default_rng(5)
    X = rng.uniform(size=(6, 784)).astype(np.float32)
    labels = np.array([0, 9, 3, 3, 7, 1])
    net = mlp([784, 16, 10], activation="sigmoid", output="softmax", rng=0, dtype="float32")
    net.compile(loss="categorical_crossentropy", optimizer=Adam(1e-3))
    return net, X, labels


@pytest.mark.parametrize("index, unit", [(0, 0), (5, 15), (0, 15), (5, 0)])
def test_example_nudges_at_extremes(fashion_like, index, unit):
    net, X, labels = fashion_like
    fig = draw_example_nudges(net, X, labels, index, unit)
    assert len(fig.axes) == 4
    assert f"unit {unit}'s 784 weights" in fig.axes[3].get_title()
    bars = [p.get_height() for p in fig.axes[1].patches]
    assert bars[labels[index]] > 0 and sum(b > 0 for b in bars) == 1   # only the true class goes up


def test_example_nudges_are_minus_the_gradient(fashion_like):
    net, X, labels = fashion_like
    nudges = example_nudges(net, X[1], labels[1])
    _, grads = net.compute_gradients(X[1:2], labels[1:2])
    assert np.allclose(nudges["weights"], -grads["dense_0.W"])
    assert np.allclose(nudges["output"].sum(), 0, atol=1e-6)        # y - a sums to 1 - 1
    # The hidden nudge times sigma'(z) is minus the bias gradient of the hidden layer.
    a_hidden = net.layers[1].forward(net.layers[0].forward(X[1:2]))[0]
    assert np.allclose(nudges["hidden"] * a_hidden * (1 - a_hidden), -grads["dense_0.b"],
                       atol=1e-6)


def test_example_nudges_refuse_other_networks(tiny_221, fashion_like):
    net, X, y = tiny_221
    with pytest.raises(CourseError, match="Softmax"):
        example_nudges(net, X[0], 0)
    net, X, labels = fashion_like
    with pytest.raises(CourseError, match="unit must lie"):
        draw_example_nudges(net, X, labels, 0, 16)
    with pytest.raises(CourseError, match="index must lie"):
        draw_example_nudges(net, X, labels, 6, 0)
