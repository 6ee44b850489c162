"""course_lib.tuning (range test, sweeps, random search, JSON cache) and augment.expand_dataset."""
import json

import numpy as np
import pytest

from course_lib import SGD, CourseError, make_spirals, mlp
from course_lib.augment import expand_dataset, rotate_images, shift_images
from course_lib.tuning import (
    format_table,
    lr_range_test,
    mean_curve,
    mean_std,
    paired_difference,
    pm,
    random_search,
    run_experiment,
    run_seeds,
    sample_config,
    suggest_learning_rate,
    summarize,
    summarize_seeds,
    sweep,
    trim,
)


def _data(n=150, seed=0):
    X, y = make_spirals(n, n_classes=3, rng=seed)
    return X, y


DATA = (*_data(150, 0), *_data(90, 1))


def build(config, rng):
    net = mlp([2, config.get("hidden", 16), 3], activation="relu", output="softmax",
              weight_init="he", dropout=config.get("dropout", 0.0), rng=rng)
    return net.compile("categorical_crossentropy", SGD(config.get("learning_rate", 0.1)),
                       l2=config.get("l2", 0.0))


# ------------------------------------------------------------------ range test
def test_lr_range_test_grows_geometrically_and_restores_the_network():
    X, y = DATA[:2]
    net = build({}, np.random.default_rng(0))
    before = {k: v.copy() for k, v in net.parameters().items()}
    out = lr_range_test(net, X, y, lr_min=1e-3, lr_max=1e3, steps=60, batch_size=16,
                        rng=np.random.default_rng(1))
    lrs = np.array(out["learning_rate"])
    assert len(lrs) == len(out["loss"]) == len(out["smoothed"]) >= 10
    np.testing.assert_allclose(lrs[1:] / lrs[:-1], (1e6) ** (1 / 59), rtol=1e-9)
    assert len(lrs) < 60                       # a rate of 1000 blows the cost up: stopped early
    assert out["smoothed"][-1] > min(out["smoothed"])
    for name, value in net.parameters().items():
        np.testing.assert_array_equal(value, before[name])
    assert net.optimizer.learning_rate == 0.1
    assert 1e-3 <= suggest_learning_rate(out) < lrs[-1]


def test_lr_range_test_rejects_a_backwards_range():
    net = build({}, np.random.default_rng(0))
    with pytest.raises(CourseError, match="lr_min < lr_max"):
        lr_range_test(net, *DATA[:2], lr_min=1.0, lr_max=0.1)


def test_suggest_learning_rate_is_a_tenth_of_the_minimum():
    result = {"learning_rate": [0.01, 0.1, 1.0, 10.0], "smoothed": [2.0, 1.0, 0.5, 3.0]}
    assert suggest_learning_rate(result) == pytest.approx(0.1)
    with pytest.raises(CourseError):
        suggest_learning_rate({"learning_rate": [], "smoothed": []})


# ---------------------------------------------------------------- experiments
def test_run_experiment_is_reproducible_and_json_ready():
    a = run_experiment(build, {"batch_size": 30}, DATA, epochs=4, seed=3)
    b = run_experiment(build, {"batch_size": 30}, DATA, epochs=4, seed=3)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "val_cost"):
        assert len(a[key]) == 4 and a[key] == b[key]
    assert a["diverged"] is False
    json.dumps(a)


def test_val_cost_excludes_the_penalty():
    h = run_experiment(build, {"l2": 1.0}, DATA, epochs=2)
    assert all(loss > cost for loss, cost in zip(h["val_loss"], h["val_cost"]))
    plain = run_experiment(build, {}, DATA, epochs=2)
    np.testing.assert_allclose(plain["val_loss"], plain["val_cost"], rtol=1e-9)


def test_run_experiment_records_divergence_and_measure():
    # A penalty this strong multiplies every weight by about -1e29 in one step: overflow.
    h = run_experiment(build, {"l2": 1e30}, DATA, epochs=3,
                       measure=lambda net: {"w": net.layers[0].W})
    assert h["diverged"] is True and len(h["val_accuracy"]) < 3
    assert np.all(np.isfinite(h["measure"]["w"]))          # weights restored to the last good epoch
    assert np.shape(h["measure"]["w"]) == (2, 16)


def test_sweep_changes_only_the_named_parameter():
    runs = sweep(build, "hidden", [4, 32], DATA, epochs=2, base={"batch_size": 50})
    assert list(runs) == ["4", "32"]
    assert runs["4"]["val_accuracy"] != runs["32"]["val_accuracy"]


def test_summarize_averages_the_last_epochs():
    h = {"accuracy": [0.5, 0.9, 1.0], "val_accuracy": [0.4, 0.8, 0.6]}
    s = summarize(h, last=2)
    assert s["train_accuracy"] == pytest.approx(0.95) and s["val_accuracy"] == pytest.approx(0.7)
    assert s["gap"] == pytest.approx(0.25)
    assert s["best_val_accuracy"] == 0.8 and s["best_epoch"] == 2
    assert np.isnan(summarize({"accuracy": [], "val_accuracy": []})["val_accuracy"])


def test_val_cost_is_the_data_cost_of_the_validation_set():
    X_val, y_val = DATA[2], DATA[3]
    weights = []
    h = run_experiment(build, {"l2": 0.5}, DATA, epochs=3,
                       callbacks=[lambda net, epoch, logs: weights.append(
                           float(net.loss.value(net.predict_proba(X_val), np.eye(3)[y_val])))])
    np.testing.assert_allclose(h["val_cost"], weights, rtol=1e-9)


def test_train_eval_is_measured_in_test_mode_on_the_given_data():
    X, y = DATA[0], DATA[1]
    seen = []

    def spy(net, epoch, logs):
        cost, acc = net.evaluate(X, y)
        seen.append((acc, cost - 0.5 * 0.01 * sum(float(np.sum(W ** 2)) for name, W in
                                                  net.parameters().items() if name.endswith(".W"))))

    h = run_experiment(build, {"dropout": 0.5, "l2": 0.01}, DATA, epochs=4, train_eval=(X, y),
                       callbacks=[spy])
    np.testing.assert_allclose(h["train_eval_accuracy"], [a for a, _ in seen])
    np.testing.assert_allclose(h["train_eval_cost"], [c for _, c in seen], rtol=1e-9)
    # fit's running accuracy is measured with half the units dropped: a different number
    assert h["accuracy"] != h["train_eval_accuracy"]
    assert summarize(h)["train_accuracy"] == pytest.approx(np.mean(h["train_eval_accuracy"][-5:]))
    assert "train_eval_accuracy" not in run_experiment(build, {}, DATA, epochs=1)


def test_run_seeds_runs_once_per_seed_and_trim_keeps_what_a_cache_needs():
    runs = run_seeds(build, {"batch_size": 30}, DATA, 2, seeds=[4, 5])
    assert len(runs) == 2 and runs[0]["val_accuracy"] != runs[1]["val_accuracy"]
    assert runs[1]["val_accuracy"] == run_experiment(build, {"batch_size": 30}, DATA, 2, seed=5)["val_accuracy"]
    small = trim({**runs[0], "measure": {"x": 1}}, keys=("val_accuracy", "missing"), digits=2)
    assert set(small) == {"val_accuracy", "diverged", "seconds", "measure"}
    assert small["val_accuracy"] == [round(v, 2) for v in runs[0]["val_accuracy"]]
    with pytest.raises(CourseError, match="at least one seed"):
        run_seeds(build, {}, DATA, 1, seeds=[])


def test_summarize_reports_the_lowest_validation_cost_and_its_epoch():
    h = {"accuracy": [0.5, 0.9, 1.0], "val_accuracy": [0.4, 0.8, 0.6], "val_cost": [1.0, 0.7, 0.9]}
    s = summarize(h, last=2)
    assert s["min_val_cost"] == 0.7 and s["min_cost_epoch"] == 2 and s["final_val_cost"] == 0.9
    empty = summarize({"accuracy": [], "val_accuracy": [], "val_cost": []})
    assert empty["min_cost_epoch"] == 0 and np.isnan(empty["min_val_cost"])


def test_mean_std_uses_the_sample_std_and_one_run_has_none():
    assert mean_std([1.0, 2.0, 3.0]) == (2.0, 1.0)
    mean, std = mean_std([0.8])
    assert mean == 0.8 and np.isnan(std)
    with pytest.raises(CourseError):
        mean_std([])
    assert pm(0.81234, 0.0049) == "0.812 ± 0.005" and pm(0.102, float("nan")) == "0.102 (1 run)"


def test_summarize_seeds_collects_every_summary_number():
    runs = [{"accuracy": [0.9, 1.0], "val_accuracy": [0.7, v]} for v in (0.8, 0.9)]
    out = summarize_seeds(runs, last=1)
    assert out["val_accuracy"]["values"] == [0.8, 0.9]
    assert out["val_accuracy"]["mean"] == pytest.approx(0.85)
    assert out["gap"]["std"] == pytest.approx(np.std([0.2, 0.1], ddof=1))


def test_paired_difference_removes_what_the_seeds_share():
    shared = np.array([0.70, 0.80, 0.75, 0.85, 0.78])        # seed-to-seed luck, common to both
    a, b = shared + 0.010 + np.array([1, -1, 1, -1, 0]) * 1e-3, shared
    d = paired_difference(a, b)
    assert d["mean"] == pytest.approx(0.010) and d["n"] == 5
    assert d["se"] == pytest.approx(np.std(a - b, ddof=1) / np.sqrt(5))
    unpaired = np.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 5)
    assert d["se"] < unpaired / 10
    with pytest.raises(CourseError, match="equally long"):
        paired_difference([1.0, 2.0], [1.0])
    with pytest.raises(CourseError):
        paired_difference([1.0], [1.0])


def test_mean_curve_averages_epoch_by_epoch_over_the_common_length():
    runs = [{"v": [1.0, 2.0, 3.0]}, {"v": [3.0, 4.0]}, {"v": []}]
    mean, std = mean_curve(runs, "v")
    assert mean == [2.0, 3.0] and std == pytest.approx([np.sqrt(2), np.sqrt(2)])
    with pytest.raises(CourseError, match="'w'"):
        mean_curve(runs, "w")


# --------------------------------------------------------------- random search
def test_sample_config_respects_every_kind_of_range():
    space = {"lr": ("log", 1e-4, 1e-1), "p": ("uniform", 0.2, 0.3), "k": ("int", 2, 4),
             "act": ["relu", "tanh"]}
    rng = np.random.default_rng(0)
    draws = [sample_config(space, rng) for _ in range(300)]
    lrs = np.array([d["lr"] for d in draws])
    assert lrs.min() >= 1e-4 and lrs.max() <= 1e-1
    assert abs(np.mean(lrs < 1e-2) - 2 / 3) < 0.08       # log-uniform: 2 of 3 decades lie below 1e-2
    assert all(0.2 <= d["p"] <= 0.3 for d in draws)
    assert {d["k"] for d in draws} == {2, 3, 4} and {d["act"] for d in draws} == {"relu", "tanh"}
    with pytest.raises(CourseError, match="Search-space entry 'bad'"):
        sample_config({"bad": (1, 2)}, rng)


def test_random_search_sorts_best_first_and_is_reproducible():
    space = {"learning_rate": ("log", 0.01, 1.0), "hidden": [4, 16]}
    rows = random_search(build, space, DATA, n_trials=4, epochs=3, rng=np.random.default_rng(5))
    again = random_search(build, space, DATA, n_trials=4, epochs=3, rng=np.random.default_rng(5))
    assert [r["trial"] for r in rows] == [r["trial"] for r in again]
    vals = [r["val_accuracy"] for r in rows]
    assert vals == sorted(vals, reverse=True) and sorted(r["trial"] for r in rows) == [1, 2, 3, 4]
    assert {"learning_rate", "hidden", "gap", "seconds"} <= set(rows[0])


def test_format_table_aligns_columns():
    text = format_table([{"name": "a", "x": 0.12345, "n": 3}, {"name": "bbb", "x": 1e-5, "n": 10}])
    lines = text.splitlines()
    assert lines[0].split() == ["name", "x", "n"]
    assert "0.123" in lines[2] and "1e-05" in lines[3]
    assert len({len(line) for line in lines}) == 1
    assert format_table([]) == "(no rows)"


# ------------------------------------------------------------------- augment
def _images(n=6, seed=0):
    X = np.zeros((n, 784), dtype=np.float32)
    rng = np.random.default_rng(seed)
    X.reshape(n, 28, 28)[:, 8:20, 10:18] = rng.uniform(0.2, 1.0, (n, 12, 8))
    return X


def test_expand_dataset_distorts_each_image_independently():
    X, y = _images(40), np.arange(40) % 10
    Xe, ye = expand_dataset(X, y, np.random.default_rng(0), copies=3, shifts=1, max_degrees=0.0)
    assert Xe.shape == (160, 784) and Xe.dtype == np.float32
    np.testing.assert_array_equal(Xe[:40], X)
    np.testing.assert_array_equal(ye, np.tile(y, 4))
    # With no rotation each copy must be one of the 9 one-pixel shifts of its own original ...
    shifts = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    used = set()
    for i in range(40, 160):
        src = X[i % 40:i % 40 + 1]
        match = [s for s in shifts if np.array_equal(shift_images(src, *s)[0], Xe[i])]
        assert match, f"row {i} is not a shifted copy of its original"
        used.add(match[0])
    assert len(used) >= 5            # ... and different images get different shifts


def test_expand_dataset_is_reproducible_and_rotates_per_image():
    X, y = _images(10), np.arange(10)
    a, _ = expand_dataset(X, y, np.random.default_rng(3), copies=1, shifts=0, max_degrees=10.0)
    b, _ = expand_dataset(X, y, np.random.default_rng(3), copies=1, shifts=0, max_degrees=10.0)
    np.testing.assert_array_equal(a, b)
    angles = np.random.default_rng(3).uniform(-10, 10, size=10)
    for i in (0, 7):
        np.testing.assert_allclose(a[10 + i], rotate_images(X[i:i + 1], angles[i])[0], atol=1e-6)


def test_rotate_images_per_image_angles_and_chunks():
    X = _images(5)
    angles = np.array([0.0, 90.0, -30.0, 5.0, 180.0])
    out = rotate_images(X, angles)
    np.testing.assert_allclose(out[0], X[0], atol=1e-6)
    for i in range(1, 5):
        np.testing.assert_allclose(out[i], rotate_images(X[i:i + 1], angles[i])[0], atol=1e-6)
    with pytest.raises(CourseError, match="one per image"):
        rotate_images(X, [1.0, 2.0])
    big = np.tile(X, (500, 1))                       # 2,500 images: more than one chunk
    np.testing.assert_allclose(rotate_images(big, 7.0)[-5:], rotate_images(X, 7.0), atol=1e-6)
