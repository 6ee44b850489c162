"""Lesson 09's live demo: the perturbation widget on a plain predict_proba function, and
demo_network, which gives the last section the network check 09.4 validated or, while the
learner's is not ready, the reference, with the reason in one line."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from course_lib import recipes
from course_lib._validation import CourseError
from course_lib.checks import lesson09 as L
from course_lib.widgets import fashion


@pytest.fixture(scope="module")
def bands(band_images):
    """The toy band images split into (X, y) to train on and (X, y) to show."""
    X, y = band_images
    return (X[:500], y[:500]), (X[500:], y[500:])


@pytest.fixture(scope="module")
def params(bands):
    (X, y), _ = bands
    return L._train(X, y, np.random.default_rng(1), epochs=3)


def bars(fig):
    return np.array([bar.get_width() for bar in fig.axes[1].patches])


# ------------------------------------------------------------------ a callable model
@pytest.mark.parametrize("index, noise, dx, dy, degrees", [(0, 0.0, 0, 0, 0.0), (99, 1.0, 6, 6, 45.0),
                                                           (0, 1.0, -6, -6, -45.0),
                                                           (99, 0.0, 6, -6, 0.0)])
def test_figure_with_a_callable_at_slider_extremes(bands, params, index, noise, dx, dy, degrees):
    _, (X, y) = bands
    calls = []

    def predict_proba(images):
        calls.append(images.shape)
        return L._forward(params, images)[0]

    fig = fashion.perturbation_figure(predict_proba, X, y, index, noise, dx, dy, degrees)
    assert calls == [(1, 784)]                          # one perturbed image, as a row
    x = fashion.perturb(X[index], noise, dx, dy, degrees)
    expected = L._forward(params, x.reshape(1, -1))[0][0]
    assert np.allclose(bars(fig), expected, atol=1e-6) and abs(bars(fig).sum() - 1) < 1e-4
    assert np.allclose(fig.axes[0].images[0].get_array(), x.reshape(28, 28))
    assert fashion.CLASS_NAMES[y[index]] in fig.axes[0].get_title()
    assert fashion.CLASS_NAMES[int(np.argmax(expected))] in fig.axes[1].get_title()
    plt.close(fig)


def test_callable_shows_a_learned_answer(bands, params):
    _, (X, y) = bands
    fig = fashion.perturbation_figure(lambda images: L._forward(params, images)[0], X, y, 3)
    assert bars(fig)[y[3]] > 0.5                     # the bands are easy
    assert fig.axes[1].patches[y[3]].get_facecolor() == to_rgba("C2")   # the true class, green
    plt.close(fig)


def test_callable_and_network_draw_the_same_bars(bands):
    _, (X, y) = bands
    net = recipes.seed_model(rng=0)
    from_net = fashion.perturbation_figure(net, X, y, 5, noise=0.3, dx=2)
    from_fn = fashion.perturbation_figure(net.predict_proba, X, y, 5, noise=0.3, dx=2)
    assert np.array_equal(bars(from_net), bars(from_fn))
    plt.close("all")


def test_demo_with_a_callable_wires_five_controls(bands, params):
    _, (X, y) = bands
    demo = fashion.perturbation_demo(lambda images: L._forward(params, images)[0], X, y)
    names = {w.description for w in demo.children[:-1]}
    assert names == {"test image", "noise std", "shift right", "shift down", "rotate (degrees)"}
    plt.close("all")


@pytest.mark.parametrize("model", [None, 42, "forward", {"W1": np.zeros((784, 2))}],
                         ids=["None", "int", "str", "params dict"])
def test_neither_network_nor_function_is_refused_clearly(bands, model):
    _, (X, y) = bands
    for call in (lambda: fashion.perturbation_figure(model, X, y),
                 lambda: fashion.perturbation_demo(model, X, y)):   # at once, not in the widget
        with pytest.raises(CourseError) as err:
            call()
        message = str(err.value)
        assert "predict_proba" in message and "lambda X: forward(params, X)[0]" in message
        assert type(model).__name__ in message


def test_function_returning_probs_and_cache_is_refused_clearly(bands, params):
    _, (X, y) = bands
    with pytest.raises(CourseError, match=r"\(probs, cache\), pass lambda X: forward\(params, X\)\[0\]"):
        fashion.perturbation_figure(lambda images: L._forward(params, images), X, y)
    with pytest.raises(CourseError, match=r"shape \(10,\)"):     # one image's row, not (1, 10)
        fashion.perturbation_figure(lambda images: L._forward(params, images)[0][0], X, y)
    plt.close("all")


# ------------------------------------------------------------------ demo_network's fallback
REFERENCE_LINE = "so this section uses the reference network."


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 09.4: Write train(X, y, rng) that returns the params.")


def forward_stub(params, X):
    raise NotImplementedError("Exercise 09.1: Write forward(params, X) that returns (probs, cache).")


def reference_proba(X, y, seed):
    params = L._train(X, y, np.random.default_rng(seed))
    return lambda images: L._forward(params, images)[0]


def only_line(capsys):
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def checked(train, capsys):
    """Run check 09.4 on train, as the lesson does before its last section (cheap for these
    trains: each fails or stops before a real training run)."""
    from course_lib.checks import check
    result = check("09.4", train)
    capsys.readouterr()
    return result


def validated(train, params, accuracy=0.9):
    """What a passed check 09.4 leaves behind, without its minute of training."""
    L._TRAINED[train] = L._Outcome("passed", "validation accuracy ...", params, accuracy)


def test_stub_train_falls_back_to_the_reference(bands, capsys):
    (X, y), (X_show, _) = bands
    checked(stub, capsys)
    predict_proba = fashion.demo_network(stub, L._forward, X, y, np.random.default_rng(0))
    assert only_line(capsys) == ("Your train() is not written yet (Exercise 09.4), "
                                 "so this section uses the reference network.")
    assert np.allclose(predict_proba(X_show), reference_proba(X, y, 0)(X_show))


def test_train_not_checked_falls_back_and_says_to_run_the_check(bands, capsys):
    (X, y), _ = bands
    fashion.demo_network(lambda X, y, rng: L._init(rng), L._forward, X, y, np.random.default_rng(0))
    line = only_line(capsys)
    assert "has not been through check 09.4" in line and line.endswith(REFERENCE_LINE)


def test_stub_forward_inside_a_written_train_is_named(bands, capsys):
    (X, y), _ = bands

    def train(X, y, rng):
        params = L._init(rng, hidden=8)
        forward_stub(params, X[:64])
        return params

    assert checked(train, capsys).status == "not attempted"
    predict_proba = fashion.demo_network(train, forward_stub, X, y, np.random.default_rng(0))
    assert only_line(capsys) == ("Your forward() is not written yet (Exercise 09.1), "
                                 "so this section uses the reference network.")
    assert predict_proba(X[:3]).shape == (3, 10)


def test_buggy_train_falls_back_and_shows_the_error(bands, capsys):
    (X, y), (X_show, _) = bands

    def train(X, y, rng):
        W1 = np.zeros((10, 128))            # a real bug: W1 should have 784 rows
        return X @ W1

    checked(train, capsys)
    predict_proba = fashion.demo_network(train, L._forward, X, y, np.random.default_rng(0))
    line = only_line(capsys)
    assert line.startswith("Your train() raised ValueError: matmul")
    assert "mismatch" in line and "(in train, line " in line and ": return X @ W1)" in line
    assert line.endswith(REFERENCE_LINE)
    assert np.allclose(predict_proba(X_show).sum(axis=1), 1)


def test_train_that_failed_its_check_is_named_with_the_hint(bands, capsys):
    (X, y), _ = bands

    def train(X, y, rng):
        return L._init(rng)                 # never trains

    checked(train, capsys)
    fashion.demo_network(train, L._forward, X, y, np.random.default_rng(0))
    line = only_line(capsys)
    assert line.startswith("Your train() did not pass check 09.4: validation accuracy")
    assert "no better than guessing" in line and line.endswith(REFERENCE_LINE)


def test_buggy_forward_falls_back_and_shows_the_error(bands, capsys, params):
    (X, y), _ = bands

    def forward(params, X):
        raise KeyError("w1")

    def train(X, y, rng):
        return params

    validated(train, params)
    fashion.demo_network(train, forward, X, y, np.random.default_rng(0))
    line = only_line(capsys)
    assert line.startswith("Your forward() raised KeyError: 'w1'") and line.endswith(REFERENCE_LINE)


def test_multi_line_error_stays_on_one_line(bands, capsys):
    (X, y), _ = bands

    def train(X, y, rng):
        raise RuntimeError("first line.\nsecond line.")

    checked(train, capsys)
    fashion.demo_network(train, L._forward, X, y, np.random.default_rng(0))
    assert "raised RuntimeError: first line. second line (in train" in only_line(capsys)


@pytest.mark.parametrize("forward, fragment", [
    (lambda p, X: (np.ones((len(X), 10)), None), "sum to 1"),
    (lambda p, X: (np.full((len(X), 3), 1 / 3), None), "shape (5, 10)"),
], ids=["not normalized", "wrong width"])
def test_unusable_forward_falls_back_with_the_reason(bands, capsys, params, forward, fragment):
    (X, y), _ = bands

    def train(X, y, rng):
        return params

    validated(train, params)
    fashion.demo_network(train, forward, X, y, np.random.default_rng(0))
    line = only_line(capsys)
    assert line.startswith("Your network cannot be shown: ") and fragment in line
    assert line.endswith(REFERENCE_LINE)


def test_a_redefined_train_is_not_the_validated_one(bands, capsys, params):
    (X, y), _ = bands

    def train(X, y, rng):
        return params

    validated(train, params)

    def train(X, y, rng):                  # the learner changed the cell and re-ran it
        return params

    fashion.demo_network(train, L._forward, X, y, np.random.default_rng(0))
    assert "has not been through check 09.4" in only_line(capsys)


def test_validated_network_is_the_learners_own(bands, capsys):
    (X, y), (X_show, _) = bands
    mine = L._train(X, y, np.random.default_rng(0), epochs=2, learning_rate=0.05)
    calls = {"train": 0, "forward": 0}

    def train(X, y, rng):
        calls["train"] += 1
        return mine

    def forward(params, X):
        calls["forward"] += 1
        return L._forward(params, X)

    validated(train, mine, accuracy=0.8774)
    predict_proba = fashion.demo_network(train, forward, X, y, np.random.default_rng(0))
    assert only_line(capsys) == ("This section uses your network: the one check 09.4 trained on "
                                 "the 50,000 fit images and validated (validation accuracy 0.877).")
    assert calls == {"train": 0, "forward": 1}      # no second training run
    assert np.allclose(predict_proba(X_show), L._forward(mine, X_show)[0])
    assert calls["forward"] == 2                    # the demo runs the learner's forward
    assert not np.allclose(predict_proba(X_show), reference_proba(X, y, 0)(X_show))
