"""Live-demo callbacks of lessons 03 (costs) and 06 (softmax), called at their sliders' extremes."""
import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.single_neuron import train_single_neuron
from course_lib.widgets.costs import (
    cost_curves,
    cost_curves_demo,
    cost_curves_figure,
    slowdown_demo,
    slowdown_figure,
)
from course_lib.widgets.softmax import (
    NIELSEN_Z,
    softmax_bars_figure,
    softmax_demo,
    softmax_with_temperature,
    temperature_demo,
    temperature_figure,
)


def _controls(demo):
    """{keyword: widget} of a live_demo, so the tests use the sliders' real ranges."""
    return demo.controls


def _bar_heights(fig):
    return np.array([p.get_height() for p in fig.axes[0].patches])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------- lesson 03
def test_slowdown_run_at_every_corner_of_the_sliders():
    c = _controls(slowdown_demo())
    corners = list(itertools.product([c["w"].min, c["w"].max], [c["b"].min, c["b"].max],
                                     [c["learning_rate"].min, c["learning_rate"].max],
                                     c["cost"].options, [c["epochs"].min, c["epochs"].max]))
    assert len(corners) == 32
    for w, b, lr, cost, epochs in corners:
        h = train_single_neuron(w, b, lr, cost=cost, epochs=epochs)
        assert np.all(np.isfinite(h["cost"])), (w, b, lr, cost, epochs)
        assert np.all((h["a"] >= 0) & (h["a"] <= 1))
        assert h["cost"][-1] <= h["cost"][0] + 1e-12     # descent never ends above its start here
    for w, b, lr, cost, epochs in (corners[0], corners[-1]):
        fig = slowdown_figure(w, b, lr, cost, epochs)
        cost_line, output_line = fig.axes[0].lines[0], fig.axes[1].lines[0]
        assert len(cost_line.get_xdata()) == epochs + 1
        assert np.allclose(output_line.get_ydata(), train_single_neuron(w, b, lr, cost, epochs)["a"])
        assert f"after {epochs} epochs" in fig.get_suptitle()


def test_slowdown_figure_default_is_nielsens_slow_start():
    fig = slowdown_figure()
    out = fig.axes[1].lines[0].get_ydata()
    assert round(out[0], 2) == 0.98 and out[150] > 0.93 and out[300] < 0.21
    assert "0.982 -> 0.203" in fig.get_suptitle()


@pytest.mark.parametrize("y", [0.0, 0.3, 1.0])
def test_cost_curves_are_lowest_at_the_target(y):
    c = _controls(cost_curves_demo())
    assert (c["y"].min, c["y"].max) == (0.0, 1.0)
    a, quad, ce = cost_curves(y)
    step = a[1] - a[0]
    assert abs(a[np.argmin(quad)] - y) <= step and abs(a[np.argmin(ce)] - y) <= step
    assert np.all(quad >= 0) and np.all(ce >= 0) and np.all(np.isfinite(ce))
    fig = cost_curves_figure(y)
    assert len(fig.axes[0].lines) >= 2


# ---------------------------------------------------------------- lesson 06
def test_softmax_bars_at_both_ends_of_the_z4_slider():
    s = _controls(softmax_demo())["z4"]
    low, high = _bar_heights(softmax_bars_figure(s.min)), _bar_heights(softmax_bars_figure(s.max))
    for a in (low, high):
        assert a.shape == (4,) and np.all(a > 0)
        assert abs(a.sum() - 1.0) < 1e-12
    assert high[3] > 0.7 > 0.01 > low[3]            # a4 rises with z4 ...
    assert np.all(high[:3] < low[:3])               # ... and every other output falls


def test_softmax_bars_keep_the_other_ratios():
    low, high = _bar_heights(softmax_bars_figure(-5.0)), _bar_heights(softmax_bars_figure(5.0))
    assert np.allclose(low[:3] / low[0], high[:3] / high[0])   # z4 rescales a1..a3 together


def test_temperature_at_both_ends_of_the_c_slider():
    s = _controls(temperature_demo())["c"]
    flat = _bar_heights(temperature_figure(s.min))
    sharp = _bar_heights(temperature_figure(s.max))
    assert np.allclose(flat, 0.25)
    assert np.argmax(sharp) == int(np.argmax(NIELSEN_Z)) and sharp.max() > 0.99
    assert abs(sharp.sum() - 1.0) < 1e-12


def test_temperature_softmax_is_stable_for_huge_c():
    a = softmax_with_temperature([1.0, 3.0, 3.0], 1e6)
    assert np.allclose(a, [0.0, 0.5, 0.5])
