"""Lesson 07's demo functions: IDX headers, the models, the sweep helpers and the perturbation widget."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.widgets import fashion


@pytest.fixture(scope="module")
def tiny(band_images):
    """A small, quickly trained seed model on the toy band images."""
    X, y = band_images
    net = fashion.seed_model(rng=0)
    net.fit(X[:500], y[:500], epochs=3, progress=False)
    return net, X[500:], y[500:]


def test_idx_header_of_real_files():
    labels = fashion.idx_header(fashion.raw_idx_bytes("t10k-labels-idx1-ubyte.gz"))
    assert labels == {"magic": 2049, "type_code": 8, "ndim": 1, "dims": [10000], "header_bytes": 8}
    images = fashion.idx_header(fashion.raw_idx_bytes("train-images-idx3-ubyte.gz"))
    assert images["magic"] == 2051 and images["dims"] == [60000, 28, 28]
    assert images["header_bytes"] == 16
    assert len(fashion.raw_idx_bytes(n=20)) == 20


def test_models_have_the_documented_sizes():
    assert fashion.seed_model().count_params() == 101_770
    assert fashion.small_model().count_params() == 13_002
    assert fashion.small_model().optimizer.learning_rate == 1e-3
    assert fashion.wide_model((256, 256)).count_params() == 784 * 256 + 256 + 256 * 256 + 256 + 2570
    assert fashion.seed_model(epsilon=1e-8).optimizer.epsilon == 1e-8
    assert fashion.seed_model().dtype == np.float32


def test_train_recipe_variants(tiny):
    rng = np.random.default_rng(1)
    X = rng.random((200, 784), dtype=np.float32)
    y = rng.integers(0, 10, 200)
    data = ((X[:150], y[:150]), (X[150:], y[150:]))
    _, plain = fashion.train_recipe(data, seed=3, epochs=1)
    net, varied = fashion.train_recipe(data, seed=3, epochs=2, val_fraction=0.2, cosine=True,
                                       standardized=True)
    assert set(plain) == {"seed", "test_loss", "test_accuracy", "seconds"}
    assert 0 <= plain["test_accuracy"] <= 1 and plain["test_loss"] > 0
    assert net.optimizer.learning_rate < 1e-3           # the cosine schedule lowered it
    assert fashion.train_recipe(data, seed=3, epochs=1)[1]["test_loss"] == plain["test_loss"]


def test_sweep_and_summary():
    rng = np.random.default_rng(2)
    X = rng.random((120, 784), dtype=np.float32)
    y = rng.integers(0, 10, 120)
    data = ((X[:100], y[:100]), (X[100:], y[100:]))
    recipes = {"a": {"epochs": 1}, "b": {"epochs": 1, "cosine": True}}
    calls = []

    def compute():
        calls.append(1)
        return fashion.seed_sweep(data, seeds=[0, 1], recipes=recipes, progress=False)

    sweep = compute()
    assert calls == [1] and set(sweep) == {"a", "b"}
    rows = fashion.summarize_sweep(sweep, target=0.0)
    assert [r["recipe"] for r in rows] == ["a", "b"]
    assert all(r["runs"] == 2 and r["reach"] == 2 and r["min"] <= r["mean"] <= r["max"] for r in rows)
    assert fashion.summarize_sweep(sweep, target=1.01)[0]["reach"] == 0


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
    with pytest.raises(ValueError, match="uniform"):
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
    net, record = fashion.train_best(data, hidden=(16, 8), epochs=2, batch_size=50,
                                     callbacks=[lambda net, epoch, logs: seen.append(epoch)])
    assert record["parameters"] == net.count_params() == 784 * 16 + 16 + 16 * 8 + 8 + 90
    assert record["epochs"] == 2 and len(record["history"]["loss"]) == 2 and seen == [0, 1]
    assert record["seconds"] >= 0 and record["hidden"] == [16, 8]
    assert net.optimizer.learning_rate < 2e-3                 # the cosine schedule ran
    Xs = (X[250:] - X[:250].mean(0)) / X[:250].std(0)        # the training set's statistics
    assert abs(net.evaluate(Xs.astype(np.float32), y[250:])[1] - record["test_accuracy"]) < 1e-4
