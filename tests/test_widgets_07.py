"""Lesson 07's demo functions: IDX headers (course_lib.data), the models and the sweep helpers
(course_lib.recipes), and the perturbation widget (course_lib.widgets.fashion)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import course_lib.data
from course_lib import recipes
from course_lib._validation import CourseError
from course_lib.widgets import fashion


@pytest.fixture(scope="module")
def tiny(band_images):
    """A small, quickly trained seed model on the toy band images."""
    X, y = band_images
    net = recipes.seed_model(rng=0)
    net.fit(X[:500], y[:500], epochs=3, progress=False)
    return net, X[500:], y[500:]


def test_idx_header_of_real_files():
    labels = course_lib.data.idx_header(course_lib.data.raw_idx_bytes("t10k-labels-idx1-ubyte.gz"))
    assert labels == {"magic": 2049, "type_code": 8, "ndim": 1, "dims": [10000], "header_bytes": 8}
    images = course_lib.data.idx_header(course_lib.data.raw_idx_bytes("train-images-idx3-ubyte.gz"))
    assert images["magic"] == 2051 and images["dims"] == [60000, 28, 28]
    assert images["header_bytes"] == 16
    assert len(course_lib.data.raw_idx_bytes(n=20)) == 20


def test_models_have_the_documented_sizes():
    assert recipes.seed_model().count_params() == 101_770
    assert recipes.small_model().count_params() == 13_002
    assert recipes.small_model().optimizer.learning_rate == 1e-3
    assert recipes.wide_model((256, 256)).count_params() == 784 * 256 + 256 + 256 * 256 + 256 + 2570
    assert recipes.seed_model(epsilon=1e-8).optimizer.epsilon == 1e-8
    assert recipes.seed_model().dtype == np.float32


def test_train_recipe_variants(tiny):
    rng = np.random.default_rng(1)
    X = rng.random((200, 784), dtype=np.float32)
    y = rng.integers(0, 10, 200)
    data = ((X[:150], y[:150]), (X[150:], y[150:]))
    _, plain = recipes.train_recipe(data, seed=3, epochs=1)
    net, varied = recipes.train_recipe(data, seed=3, epochs=2, val_fraction=0.2, cosine=True,
                                       standardized=True)
    assert set(plain) == set(varied) == {"seed", "test_loss", "test_accuracy", "seconds"}
    assert 0 <= plain["test_accuracy"] <= 1 and plain["test_loss"] > 0
    assert net.optimizer.learning_rate < 1e-3           # the cosine schedule lowered it
    assert recipes.train_recipe(data, seed=3, epochs=1)[1]["test_loss"] == plain["test_loss"]


def test_sweep_and_summary():
    rng = np.random.default_rng(2)
    X = rng.random((120, 784), dtype=np.float32)
    y = rng.integers(0, 10, 120)
    data = ((X[:100], y[:100]), (X[100:], y[100:]))
    variants = {"a": {"epochs": 1}, "b": {"epochs": 1, "cosine": True}}
    calls = []

    def compute():
        calls.append(1)
        return recipes.seed_sweep(data, seeds=[0, 1], recipes=variants, progress=False)

    sweep = compute()
    assert calls == [1] and set(sweep) == {"a", "b"}
    rows = recipes.summarize_sweep(sweep, target=0.0)
    assert [r["recipe"] for r in rows] == ["a", "b"]
    assert all(r["runs"] == 2 and r["reach"] == 2 and r["min"] <= r["mean"] <= r["max"] for r in rows)
    assert recipes.summarize_sweep(sweep, target=1.01)[0]["reach"] == 0


def test_confident_mistakes_orders_by_confidence():
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    y = np.array([1, 1, 1, 0])            # rows 0, 2 and 3 are wrong, with confidence 0.9, 0.6, 0.7
    assert fashion.confident_mistakes(proba, y, 10).tolist() == [0, 3, 2]
    assert fashion.confident_mistakes(proba, y, 1).tolist() == [0]
    assert fashion.confident_mistakes(proba, np.array([0, 1, 0, 1]), 5).size == 0


def test_noise_images_and_confidence(tiny):
    net, _, _ = tiny
    rng = np.random.default_rng(0)
    for kind in ("uniform", "blobs"):
        noise = fashion.noise_images(50, rng, kind)
        assert noise.shape == (50, 784) and noise.dtype == np.float32
        assert noise.min() >= 0 and noise.max() <= 1 and noise.std() > 0.2
    blobs = fashion.noise_images(1, rng, "blobs").reshape(28, 28)
    assert np.all(blobs[:4, :4] == blobs[0, 0])    # constant 4x4 blocks
    conf = fashion.max_probability(net, fashion.noise_images(20, rng))
    assert conf.shape == (20,) and np.all((conf >= 0.1) & (conf <= 1))
    with pytest.raises(CourseError, match="uniform"):
        fashion.noise_images(2, rng, "stripes")


def test_weight_images_scaled_per_unit():
    W = np.arange(784 * 3, dtype=float).reshape(784, 3) - 1000
    images = fashion.weight_images(W, [0, 2])
    assert images.shape == (2, 784)
    assert np.allclose(np.abs(images).max(axis=1), 1.0)
    assert np.allclose(images[1], W[:, 2] / np.abs(W[:, 2]).max())
    assert np.all(fashion.weight_images(np.zeros((784, 2)), [1]) == 0)


def test_perturb_shifts_and_noises():
    x = np.zeros(784, dtype=np.float32)
    x[28 * 10 + 10] = 1.0
    moved = fashion.perturb(x, dx=3, dy=-2)
    assert moved.reshape(28, 28)[8, 13] == 1.0 and moved.sum() == 1.0
    assert np.array_equal(fashion.perturb(x), x)
    noisy = fashion.perturb(x, noise=1.0, seed=4)
    assert np.array_equal(noisy, fashion.perturb(x, noise=1.0, seed=4))
    assert noisy.min() >= 0 and noisy.max() <= 1 and noisy.std() > 0.2
    assert fashion.perturb(x, dx=28).sum() == 0           # shifted out of the frame
    bar = np.zeros((28, 28), dtype=np.float32)
    bar[4:24, 13:15] = 1.0                                # a vertical bar through the centre
    turned = fashion.perturb(bar.ravel(), degrees=90).reshape(28, 28)
    assert turned[13:15, 6:22].mean() > 0.9 and turned[4:10, 13:15].mean() < 0.1


@pytest.mark.parametrize("index, noise, dx, dy, degrees", [(0, 0.0, 0, 0, 0.0), (99, 1.0, 6, 6, 45.0),
                                                           (0, 1.0, -6, -6, -45.0),
                                                           (99, 0.0, 6, -6, 0.0)])
def test_perturbation_figure_at_slider_extremes(tiny, index, noise, dx, dy, degrees):
    net, X, y = tiny
    fig = fashion.perturbation_figure(net, X, y, index, noise, dx, dy, degrees)
    ax_img, ax_bar = fig.axes
    probs = [bar.get_width() for bar in ax_bar.patches]
    assert len(probs) == 10 and abs(sum(probs) - 1) < 1e-4
    assert fashion.CLASS_NAMES[y[index]] in ax_img.get_title()
    guess = int(np.argmax(probs))
    assert fashion.CLASS_NAMES[guess] in ax_bar.get_title()
    assert np.allclose(ax_img.images[0].get_array(),
                       fashion.perturb(X[index], noise, dx, dy, degrees).reshape(28, 28))
    plt.close(fig)


def test_perturbation_figure_shows_a_learned_answer(tiny):
    net, X, y = tiny
    assert np.mean(net.predict(X) == y) > 0.9        # the bands are easy
    fig = fashion.perturbation_figure(net, X, y, 0)
    correct = fig.axes[1].patches[y[0]]
    assert correct.get_width() > 0.5
    plt.close(fig)


def test_perturbation_demo_wires_five_controls(tiny):
    net, X, y = tiny
    demo = fashion.perturbation_demo(net, X, y)
    names = {w.description for w in demo.children[:-1]}
    assert names == {"test image", "noise std", "shift right", "shift down", "rotate (degrees)"}
    index = next(w for w in demo.children if getattr(w, "description", "") == "test image")
    assert (index.min, index.max) == (0, len(X) - 1)
    plt.close("all")


def test_train_best_records():
    rng = np.random.default_rng(5)
    X = rng.random((300, 784), dtype=np.float32)
    y = rng.integers(0, 10, 300)
    data = ((X[:250], y[:250]), (X[250:], y[250:]))
    seen = []
    net, record = recipes.train_best(data, hidden=(16, 8), epochs=2, batch_size=50,
                                     callbacks=[lambda net, epoch, logs: seen.append(epoch)])
    assert record["parameters"] == net.count_params() == 784 * 16 + 16 + 16 * 8 + 8 + 90
    assert record["epochs"] == 2 and len(record["history"]["loss"]) == 2 and seen == [0, 1]
    assert record["seconds"] >= 0 and record["hidden"] == [16, 8]
    assert net.optimizer.learning_rate < 2e-3                 # the cosine schedule ran
    Xs = (X[250:] - X[:250].mean(0)) / X[:250].std(0)        # the training set's statistics
    assert abs(net.evaluate(Xs.astype(np.float32), y[250:])[1] - record["test_accuracy"]) < 1e-4


# ------------------------------------------------------------------ lesson 07's measured claims
def _toy_data(seed, n=300, split=250):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, n)
    return ((X[:split], y[:split]), (X[split:], y[split:]))


def test_standardized_pair_uses_the_training_statistics_in_float32():
    rng = np.random.default_rng(0)
    X_train = rng.random((40, 784), dtype=np.float32)
    X_train[:, 0] = 0.0                                   # a pixel that is always background
    X_other = rng.random((7, 784), dtype=np.float32) * 3
    A, B, mean, std = recipes.standardized_pair(X_train, X_other)
    assert A.dtype == B.dtype == np.float32 and A.shape == X_train.shape and B.shape == X_other.shape
    assert std[0] == 1.0 and np.all(A[:, 0] == 0)
    assert np.allclose(mean, X_train.mean(axis=0), atol=1e-6)
    assert np.allclose(A[:, 1:].mean(axis=0), 0, atol=1e-5) and np.allclose(A[:, 1:].std(axis=0), 1, atol=1e-4)
    assert np.allclose(B, (X_other - X_train.mean(0)) / np.where(X_train.std(0) > 0, X_train.std(0), 1),
                       atol=1e-4)
    assert np.array_equal(X_train[:, 0], np.zeros(40))     # the inputs are left alone


def test_train_best_levers_and_validation_watch():
    data = _toy_data(5)
    _, plain = recipes.train_best(data, hidden=(16,), epochs=2, batch_size=50, standardized=False,
                                  cosine=False, on="val")
    assert plain["standardized"] is False and plain["cosine"] is False
    assert len(plain["history"]["val_accuracy"]) == 2 and plain["history"]["val_accuracy"][-1] == \
        pytest.approx(plain["val_accuracy"], abs=1e-4)
    assert "test_accuracy" not in plain
    net, _ = recipes.train_best(data, hidden=(16,), epochs=2, batch_size=50, cosine=False)
    assert net.optimizer.learning_rate == 2e-3          # no schedule ran
    with pytest.raises(CourseError, match="validation"):
        recipes.train_best(data, hidden=(16,), epochs=1, on="validation")


def test_compare_to_pairs_runs_by_seed():
    def runs(accs, losses, seeds=(0, 1, 2)):
        return [{"seed": s, "test_accuracy": a, "test_loss": l} for s, a, l in zip(seeds, accs, losses)]

    sweep = {"base": runs([0.80, 0.82, 0.84], [0.5, 0.4, 0.3]),
             "better": runs([0.81, 0.84, 0.85], [0.6, 0.3, 0.35]),
             "shuffled": runs([0.84, 0.80, 0.82], [0.3, 0.5, 0.4], seeds=(2, 0, 1))}
    rows = {r["recipe"]: r for r in recipes.compare_to(sweep, "base")}
    better = rows["better"]
    d = np.array([0.01, 0.02, 0.01])
    assert better["diff"] == pytest.approx(d.mean())
    assert better["t_paired"] == pytest.approx(d.mean() / (d.std(ddof=1) / np.sqrt(3)))
    a, b = np.array([0.81, 0.84, 0.85]), np.array([0.80, 0.82, 0.84])
    assert better["t"] == pytest.approx(d.mean() / np.sqrt(a.var(ddof=1) / 3 + b.var(ddof=1) / 3))
    assert better["loss_higher"] == 2 and better["loss_diff"] == pytest.approx(0.05 / 3)
    same = rows["shuffled"]                 # the same runs in another order: paired by seed, not position
    assert same["diff"] == 0 and same["t_paired"] == 0 and same["loss_higher"] == 0
    sweep["other seeds"] = runs([0.8, 0.8, 0.8], [0.5, 0.5, 0.5], seeds=(3, 4, 5))
    with pytest.raises(CourseError, match="different seeds"):
        recipes.compare_to(sweep, "base")


def test_summarize_sweep_reads_validation_results():
    sweep = {"a": [{"val_accuracy": 0.9, "val_loss": 0.3}, {"val_accuracy": 0.8, "val_loss": 0.5}]}
    row = recipes.summarize_sweep(sweep, target=0.85, key="val")[0]
    assert row["mean"] == pytest.approx(0.85) and row["reach"] == 1 and row["mean_loss"] == pytest.approx(0.4)


def test_architecture_and_ablation_sweeps_record_what_the_lesson_reads():
    data = _toy_data(6, n=200, split=160)
    arch = recipes.architecture_sweep(data, seeds=[0, 1], epochs=2, progress=False)
    assert set(arch) == set(recipes.ARCHITECTURES)
    for runs in arch.values():
        assert [r["seed"] for r in runs] == [0, 1]
        assert all(len(r["val_accuracy"]) == 2 and len(r["val_loss"]) == 2 for r in runs)
    assert {runs[0]["parameters"] for runs in arch.values()} == {101_770, 13_002}
    ablations = {"a": {"hidden": (8,)}, "b": {"hidden": (8,), "dropout": 0.0}}
    out = recipes.ablation_sweep(data, seeds=[0], ablations=ablations, epochs=2, progress=False)
    assert set(out) == {"a", "b"} and out["b"][0]["dropout"] == 0.0
    assert set(out["a"][0]["history"]) == {"val_loss", "val_accuracy"}     # training curves dropped
    with pytest.raises(CourseError, match="at least two seeds"):
        recipes.compare_to(out, "a", key="val")         # one seed has no standard error


def test_epoch_seconds_times_each_batch_size():
    (X, y), _ = _toy_data(7, n=256, split=128)
    times = recipes.epoch_seconds(X, y, batch_sizes=(32, 64), repeats=2, hidden=(8,))
    assert set(times) == {32, 64} and all(len(v) == 2 and min(v) >= 0 for v in times.values())


def test_dead_units_counts_units_that_never_fire():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W = np.array([[1.0, -1.0, 0.0], [1.0, -1.0, -1.0]])
    b = np.array([0.0, 0.5, 0.0])
    assert fashion.dead_units(W, b, X).tolist() == [False, True, True]   # z = 0 counts as dead
    rng = np.random.default_rng(3)
    X, W, b = rng.normal(size=(50, 784)), rng.normal(size=(784, 20)) * 0.01, rng.normal(size=20) - 0.3
    expected = np.all(X @ W + b <= 0, axis=0)
    assert np.array_equal(fashion.dead_units(W, b, X, chunk=7), expected)


def test_pytorch_reference_reads_the_recorded_runs(tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("course_lib.cache.PACKAGE_RESULTS", tmp_path / "none")
    assert recipes.pytorch_reference() is None                      # no file: no figure
    path = tmp_path / "accuracy_spread.json"
    torch = {"mean": 0.8705, "std": 0.0029, "runs": 10, "at_least_keras": 1}
    path.write_text(json.dumps({"made": {"date": "2026-12-01"}, "results": {"torch": torch}}))
    ref = recipes.pytorch_reference()
    assert ref["mean"] == 0.8705 and ref["runs"] == 10 and ref["made"]["date"] == "2026-12-01"
    assert ref["file"] == "accuracy_spread.json"
    path.write_text(json.dumps({"torch": {"mean": 0.87, "accuracies": [0.86, 0.88]}}))   # bare layout
    assert recipes.pytorch_reference()["runs"] == 2
    path.write_text(json.dumps({"results": {"torch": None, "course_lib": {"mean": 0.87}}}))
    assert recipes.pytorch_reference() is None                      # run without PyTorch
    path.write_text("{not json")
    with pytest.raises(CourseError, match="accuracy_spread"):
        recipes.pytorch_reference()


def test_peak_memory_is_reported_in_megabytes():
    peak = recipes.peak_memory_mb()
    assert peak is None or 10 < peak < 100_000


def test_lesson_07_finds_every_name_it_calls_as_fashion():
    """The models and recipes moved to course_lib.recipes and the IDX reader to course_lib.data;
    lesson 07 still calls them as fashion.<name>, through the re-exports."""
    import json
    import re
    from pathlib import Path

    lesson = Path(__file__).resolve().parents[1] / "notebooks" / "07_fashion_mnist.ipynb"
    code = "".join("".join(cell["source"]) for cell in json.loads(lesson.read_text())["cells"]
                   if cell["cell_type"] == "code")
    names = set(re.findall(r"\bfashion\.(\w+)", code))
    assert {"seed_model", "train_best", "idx_header"} <= names
    assert [name for name in sorted(names) if not hasattr(fashion, name)] == []
    assert fashion.seed_model is recipes.seed_model
    assert fashion.idx_header is course_lib.data.idx_header
