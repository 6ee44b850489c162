"""Live-demo callbacks of lesson 08 (regularization slider, initialization chooser), at their extremes."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import CourseError
from course_lib.widgets.regularization import (
    draw_depth,
    draw_depth_overview,
    draw_initialization,
    draw_sweep,
    nearest_key,
    saturated_fraction,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _history(final_train, final_val, epochs=12):
    ramp = np.linspace(0.3, 1.0, epochs)
    return {"accuracy": list(final_train * ramp), "val_accuracy": list(final_val * ramp),
            "val_cost": list(1.5 - ramp)}


CURVES = {"0": _history(0.99, 0.80), "1": _history(0.97, 0.81), "30": _history(0.85, 0.78)}


def test_saturated_fraction_counts_flat_regions():
    z = np.array([-10.0, -4.5, -1.0, 0.0, 1.0, 4.5, 10.0, 3.9])
    assert saturated_fraction(z, "sigmoid") == pytest.approx(4 / 8)
    assert saturated_fraction(z, "relu") == pytest.approx(4 / 8)    # z <= 0, zero included
    assert saturated_fraction(np.zeros((3, 3)), "sigmoid") == 0.0
    with pytest.raises(CourseError, match="activation"):
        saturated_fraction(z, "softmax")


def test_nearest_key_snaps_to_a_precomputed_value():
    assert nearest_key(CURVES, 0.4) == "0"
    assert nearest_key(CURVES, 12) == "1"
    assert nearest_key(CURVES, 1e9) == "30"
    with pytest.raises(CourseError):
        nearest_key({}, 1)


@pytest.mark.parametrize("value, n_lines", [(0.0, 3), (30.0, 6)])
def test_draw_sweep_at_slider_extremes(value, n_lines):
    fig = draw_sweep(CURVES, value, parameter="λ")
    left, right = fig.axes
    # At lambda = 0 only the baseline is drawn; otherwise baseline (grey) plus the chosen run.
    assert len(left.lines) + len(right.lines) == n_lines
    chosen = left.lines[-1]                      # validation accuracy of the selected run
    key = "0" if value == 0 else "30"
    np.testing.assert_allclose(chosen.get_ydata(), CURVES[key]["val_accuracy"])
    gap = np.mean(CURVES[key]["accuracy"][-5:]) - np.mean(CURVES[key]["val_accuracy"][-5:])
    assert f"gap {gap:.3f}" in fig.get_suptitle()


def _init_inputs():
    rng = np.random.default_rng(0)
    z_samples = {"sigmoid": {"large_normal": [rng.normal(0, 12, (50, 20)), rng.normal(0, 6, (50, 20))],
                             "he": [rng.normal(0, 0.5, (50, 20)), rng.normal(0, 0.5, (50, 20))]},
                 "relu": {"large_normal": [rng.normal(0, 12, (50, 20)), rng.normal(0, 80, (50, 20))],
                          "he": [rng.normal(0, 0.5, (50, 20)), rng.normal(0, 0.5, (50, 20))]}}
    histories = {act: {"large_normal": {"val_accuracy": [0.1, 0.2, 0.3]},
                       "he": {"val_accuracy": [0.7, 0.8, 0.85]}} for act in ("sigmoid", "relu")}
    return z_samples, histories


@pytest.mark.parametrize("init", ["large_normal", "he"])
@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_draw_initialization_every_choice(init, activation):
    z_samples, histories = _init_inputs()
    fig = draw_initialization(init, activation, z_samples, histories)
    left, right = fig.axes
    labels = [t.get_text() for t in left.get_legend().get_texts()]
    expected = saturated_fraction(z_samples[activation][init][0], activation)
    assert labels[0].startswith(f"hidden layer 1: {expected:.0%}")
    assert len(labels) == 2
    widths = {line.get_label(): line.get_linewidth() for line in right.lines}
    assert widths[init] > max(w for name, w in widths.items() if name != init)


def test_draw_initialization_unknown_choice():
    z_samples, histories = _init_inputs()
    with pytest.raises(CourseError, match="No precomputed"):
        draw_initialization("xavier", "sigmoid", z_samples, histories)


def _profiles(n_layers=6, seeds=2):
    rng = np.random.default_rng(1)
    def run(scale, slope):
        return [{"z_std": list(scale * slope ** np.arange(n_layers) * rng.uniform(0.9, 1.1, n_layers)),
                 "grad_norm": list(scale * slope ** -np.arange(n_layers))} for _ in range(seeds)]
    return {"sigmoid": {"xavier": run(0.5, 1.0), "he": run(0.7, 1.0)},
            "relu": {"large_normal": run(10.0, 7.0), "scaled_normal": run(0.5, 0.7), "he": run(0.7, 1.0)}}


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_draw_depth_draws_one_line_per_initializer(activation):
    profiles = _profiles()
    fig = draw_depth(activation, profiles)
    left, right = fig.axes
    assert [line.get_label() for line in left.lines] == list(profiles[activation])
    for line, runs in zip(right.lines, profiles[activation].values()):
        np.testing.assert_allclose(line.get_ydata(), runs[0]["grad_norm"])   # the first seed
    assert left.get_yscale() == right.get_yscale() == "log"


def test_draw_depth_unknown_activation_names_the_known_ones():
    with pytest.raises(CourseError, match="relu"):
        draw_depth("tanh", _profiles())


def test_draw_depth_overview_one_panel_per_activation_with_seed_bands():
    profiles = _profiles(seeds=3)
    fig = draw_depth_overview(profiles)
    assert [ax.get_title() for ax in fig.axes] == ["sigmoid", "relu"]
    relu = fig.axes[1]
    assert len(relu.lines) == 3 and len(relu.collections) == 3     # a band per initializer
    one_seed = {act: {init: runs[:1] for init, runs in by.items()} for act, by in profiles.items()}
    assert all(not ax.collections for ax in draw_depth_overview(one_seed).axes)
    with pytest.raises(CourseError):
        draw_depth_overview({})


def test_draw_sweep_prefers_the_test_mode_training_accuracy():
    curves = {"0": {**_history(0.99, 0.80), "train_eval_accuracy": [0.5] * 12}}
    fig = draw_sweep(curves, 0.0)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), 0.5)
    gap = 0.5 - np.mean(curves["0"]["val_accuracy"][-5:])
    assert f"gap {gap:.3f}" in fig.get_suptitle()
