"""Bad inputs read as advice: a CourseError that says what was expected and how to fix it.

Every case below is a distinct mistake. Each asserts the exception's type (a CourseError,
never a raw NumPy ValueError/IndexError/TypeError from deep inside a computation) and
the key phrases of its message: what was expected, and the fix.
"""
import json
import os

import numpy as np
import pytest

from course_lib import (
    SGD,
    Adam,
    CourseError,
    Dense,
    Dropout,
    EarlyStopping,
    LearningRateSchedule,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    TrainingDiverged,
    accuracy,
    check_network,
    load_model,
    make_moons,
    mlp,
    numerical_gradient,
    one_hot,
    rel_error,
    train_val_split,
)
from course_lib.activations import get_activation
from course_lib.augment import add_noise, expand_dataset, rotate_images, shift_images
from course_lib.initializers import get_initializer
from course_lib.layers import Activation, LeakyReLU, Maxout, PReLU
from course_lib.losses import get_loss
from course_lib.optimizers import get_optimizer

rng = np.random.default_rng(0)
X = rng.normal(size=(10, 4))
LABELS = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])


def classifier():
    return Sequential([Dense(4, 5), Tanh(), Dense(5, 3), Softmax()], rng=0).compile(
        "categorical_crossentropy", "sgd")


def regressor():
    return Sequential([Dense(4, 5), Tanh(), Dense(5, 2)], rng=0).compile("mse", "sgd")


def with_value(array, index, value):
    out = np.array(array, dtype=float)
    out[index] = value
    return out


def saved_model(tmp_path):
    return mlp([4, 5, 3], rng=0).save(tmp_path / "good.npz")


def random_bytes(tmp_path):
    path = tmp_path / "random.npz"
    path.write_bytes(np.random.default_rng(1).bytes(300))
    return path


def plain_npz(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, W=np.zeros((4, 5)))
    return path


def npz_without_marker(tmp_path):
    path = tmp_path / "nomarker.npz"
    np.savez(path, config=np.array(json.dumps({"layers": []})))
    return path


def lone_npy(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.zeros(3))
    return path


def wrong_shape_model(tmp_path):
    good = saved_model(tmp_path)
    with np.load(good, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["param:dense_0.W"] = np.zeros((5, 4))
    path = tmp_path / "wrong_shape.npz"
    np.savez(path, **arrays)
    return path


def damaged_layer_list(tmp_path):
    good = saved_model(tmp_path)
    with np.load(good, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    config = json.loads(str(arrays["config"]))
    config["layers"][0]["config"]["units"] = 5          # an argument Dense does not take
    arrays["config"] = np.array(json.dumps(config))
    path = tmp_path / "damaged.npz"
    np.savez(path, **arrays)
    return path


# id -> (the mistake, as a function of tmp_path, and regexes its message must match)
CASES = {
    # ---- the shape and content of X
    "wrong feature count": (lambda t: classifier().predict(X[:, :3]),
                            [r"X has 3 features per row, but the network expects 4", r"input size"]),
    "1-D X": (lambda t: classifier().predict(X[0]),
              [r"must be 2-D", r"1-D with shape \(4,\)", r"reshape\(1, -1\)"]),
    "3-D X": (lambda t: classifier().predict(X.reshape(10, 2, 2)),
              [r"must be 2-D", r"shape \(10, 2, 2\)", r"flatten them first"]),
    "NaN in X": (lambda t: classifier().fit(with_value(X, (2, 1), np.nan), LABELS, progress=False),
                 [r"X contains 1 NaN or infinite value", r"nan_to_num"]),
    "inf in X": (lambda t: classifier().predict(with_value(X, (0, 0), np.inf)),
                 [r"X contains 1 NaN or infinite value", r"Remove or impute"]),
    "strings in X": (lambda t: classifier().predict(np.array([["a", "b", "c", "d"]])),
                     [r"X must hold numbers", r"np.asarray\(X, dtype=float\)"]),
    "ragged X": (lambda t: classifier().predict([[1.0, 2.0], [3.0]]),
                 [r"numeric array of shape \(n, d\)", r"converting it failed"]),
    "empty X": (lambda t: classifier().fit(np.zeros((0, 4)), np.zeros(0, dtype=int), progress=False),
                [r"X is empty", r"at least one example"]),
    # ---- labels and targets
    "mismatched X/y lengths": (lambda t: classifier().fit(X, LABELS[:-1], progress=False),
                               [r"X has 10 rows but y has 9 labels", r"one label per example"]),
    "label out of range": (lambda t: classifier().fit(X, with_value(LABELS, 3, 3).astype(int),
                                                      progress=False),
                           [r"labels from 0 to 3", r"must lie in 0\.\.2", r"Re-encode"]),
    "negative label": (lambda t: classifier().evaluate(X, with_value(LABELS, 0, -1).astype(int)),
                       [r"labels from -1 to 2", r"must lie in 0\.\.2"]),
    "float labels": (lambda t: classifier().fit(X, LABELS.astype(float), progress=False),
                     [r"float labels", r"must be integers", r"y\.astype\(int\)"]),
    "string labels": (lambda t: classifier().fit(X, np.array(list("abcabcabca")), progress=False),
                      [r"integer class labels 0\.\.k-1", r"np\.unique\(y, return_inverse=True\)"]),
    "NaN label": (lambda t: classifier().fit(X, with_value(LABELS, 4, np.nan), progress=False),
                  [r"NaN or infinite labels", r"Drop those examples"]),
    "NaN in y targets": (lambda t: regressor().fit(X, with_value(np.ones((10, 2)), (1, 1), np.nan),
                                                   progress=False),
                         [r"y contains 1 NaN or infinite value", r"impute"]),
    "y with wrong number of columns": (lambda t: classifier().fit(X, np.eye(4)[LABELS % 4], progress=False),
                                       [r"y has 4 columns but the network has 3 outputs",
                                        r"integers 0\.\.2, or one-hot rows"]),
    "2-D labels for a regression net": (lambda t: regressor().evaluate(X, np.ones((10, 3))),
                                        [r"y has 3 columns but the network has 2 outputs"]),
    "mismatched validation lengths": (lambda t: classifier().fit(X, LABELS, validation_data=(X, LABELS[:5]),
                                                                 batch_size=5, progress=False),
                                      [r"X has 10 rows but y_val has 5 labels"]),
    # ---- fit's arguments
    "batch_size 0": (lambda t: classifier().fit(X, LABELS, batch_size=0, progress=False),
                     [r"batch_size must be a positive integer, but got 0", r"batch_size=32"]),
    "batch_size negative": (lambda t: classifier().fit(X, LABELS, batch_size=-4, progress=False),
                            [r"batch_size must be a positive integer, but got -4"]),
    "batch_size float": (lambda t: classifier().fit(X, LABELS, batch_size=5.0, progress=False),
                         [r"batch_size must be a positive integer, but got 5\.0"]),
    "batch_size larger than the data": (lambda t: classifier().fit(X, LABELS, batch_size=11, progress=False),
                                        [r"batch_size=11 is larger than the 10 training examples",
                                         r"batch_size <= 10"]),
    "epochs 0": (lambda t: classifier().fit(X, LABELS, epochs=0, progress=False),
                 [r"epochs must be a positive integer, but got 0", r"epochs=10"]),
    "validation_data not a pair": (lambda t: classifier().fit(X, LABELS, validation_data=X, batch_size=5,
                                                                   progress=False),
                                   [r"validation_data must be a pair \(X_val, y_val\)"]),
    "validation_data with wrong features": (lambda t: classifier().fit(X, LABELS, batch_size=5,
                                                                       validation_data=(X[:, :2], LABELS),
                                                                       progress=False),
                                            [r"X_val has 2 features per row, but the network expects 4"]),
    "callback not callable": (lambda t: classifier().fit(X, LABELS, batch_size=5, callbacks=["stop"],
                                                                progress=False),
                              [r"callback must be callable as cb\(net, epoch, logs\)"]),
    "predict batch_size 0": (lambda t: classifier().predict_proba(X, batch_size=0),
                             [r"batch_size must be a positive integer, but got 0"]),
    # ---- optimizers
    "learning_rate 0": (lambda t: SGD(learning_rate=0),
                        [r"learning_rate must be a positive number, but got 0", r"learning_rate=0\.01"]),
    "learning_rate negative": (lambda t: classifier().compile("categorical_crossentropy", "adam",
                                                              learning_rate=-0.1),
                               [r"learning_rate must be a positive number, but got -0\.1"]),
    "learning_rate NaN": (lambda t: Adam(learning_rate=float("nan")),
                          [r"learning_rate must be a positive number, but got nan"]),
    "learning_rate string": (lambda t: SGD(learning_rate="fast"),
                             [r"learning_rate must be a positive number, but got 'fast'"]),
    "schedule giving 0": (lambda t: classifier().fit(X, LABELS, batch_size=5, progress=False,
                                                     callbacks=LearningRateSchedule(lambda e: 0.0)),
                          [r"learning_rate must be a positive number, but got 0\.0"]),
    "momentum 1": (lambda t: SGD(0.1, momentum=1.0), [r"momentum must lie in \[0, 1\)", r"e\.g\. 0\.9"]),
    "momentum negative": (lambda t: SGD(0.1, momentum=-0.5), [r"momentum must lie in \[0, 1\), .*-0\.5"]),
    "Adam beta1 1.5": (lambda t: Adam(beta1=1.5), [r"beta1 must lie in \[0, 1\)"]),
    # ---- dropout
    "dropout 1.0": (lambda t: Dropout(1.0), [r"fraction of units dropped and must lie in \[0, 1\)",
                                             r"but got 1\.0", r"0\.2 to drop 20%"]),
    "dropout -0.1": (lambda t: Dropout(-0.1), [r"must lie in \[0, 1\), but got -0\.1"]),
    "dropout 'a'": (lambda t: Dropout("a"), [r"must lie in \[0, 1\), but got 'a'"]),
    "mlp dropout 1.0": (lambda t: mlp([4, 5, 3], dropout=1.0), [r"must lie in \[0, 1\)"]),
    # ---- unknown names: the valid ones are listed, and the closest suggested
    "unknown activation": (lambda t: Activation("rleu"),
                           [r"Unknown activation 'rleu'\. Did you mean 'relu'\?",
                            r"Valid names: elu, identity, leaky_relu, linear, relu, sigmoid, softmax"]),
    "unknown hidden activation in mlp": (lambda t: mlp([4, 5, 3], activation="sigmod"),
                                         [r"Did you mean 'sigmoid'\?"]),
    "activation not a name": (lambda t: get_activation(3),
                              [r"activation must be given by name \(a str\)", r"Valid names:"]),
    "unknown loss": (lambda t: classifier().compile("categorical_crossentropi"),
                     [r"Unknown loss 'categorical_crossentropi'\. Did you mean 'categorical_crossentropy'\?",
                      r"Valid names: .*binary_crossentropy.*mse"]),
    "unknown initializer": (lambda t: Dense(4, 5, weight_init="glorot_unifrom"),
                            [r"Unknown initializer 'glorot_unifrom'\. Did you mean 'glorot_uniform'\?",
                             r"Valid names: .*he.*xavier"]),
    "unknown optimizer": (lambda t: get_optimizer("adma"),
                          [r"Unknown optimizer 'adma'\. Did you mean 'adam'\?",
                           r"Valid names: adam, adamw, momentum, sgd"]),
    "unknown loss by get_loss": (lambda t: get_loss("hinge"),
                                 [r"Unknown loss 'hinge'", r"Valid names:"]),
    "unknown initializer in get_initializer": (lambda t: get_initializer(None),
                                               [r"initializer must be given by name"]),
    # ---- building networks
    "layer size mismatch": (lambda t: Sequential([Dense(4, 5), ReLU(), Dense(6, 3)]),
                            [r"Layer size mismatch", r"expects 6 inputs, but the layer before it produces 5",
                             r"previous layer's n_out equal this n_in"]),
    "maxout size mismatch": (lambda t: Sequential([Dense(4, 5), Maxout(4, 3)]),
                             [r"Layer size mismatch", r"expects 4 inputs"]),
    "a single layer instead of a list": (lambda t: Sequential(Dense(4, 3)),
                                         [r"takes a list of layers", r"Sequential\(\[layer, \.\.\.\]\)"]),
    "LeakyReLU slope not a number": (lambda t: LeakyReLU("a"),
                                     [r"LeakyReLU alpha must be a finite number such as 0\.01"]),
    "PReLU slope NaN": (lambda t: PReLU(float("nan")), [r"PReLU alpha_init must be a finite number"]),
    "non-layer in Sequential": (lambda t: Sequential([Dense(4, 5), "relu"]),
                                [r"Sequential takes layers such as Dense\(784, 128\)",
                                 r"Activation\('relu'\)"]),
    "first layer does not fix the input size": (lambda t: Sequential([ReLU(), Dense(4, 3)]),
                                                [r"first layer must fix the input size",
                                                 r"like Dense\(784, 128\)"]),
    "Dense with zero units": (lambda t: Dense(4, 0),
                              [r"Dense n_out \(number of units\) must be a positive integer"]),
    "Dense with float size": (lambda t: Dense(4.0, 3), [r"Dense n_in .* must be a positive integer"]),
    "mlp with one size": (lambda t: mlp([784]), [r"needs at least an input and an output size"]),
    "wrong dtype": (lambda t: Sequential([Dense(4, 3)], dtype="int32"),
                    [r"dtype must be 'float64'", r"'float32'", r"'int32'"]),
    "nonsense dtype": (lambda t: Sequential([Dense(4, 3)], dtype="fast"), [r"dtype must be 'float64'"]),
    "bad rng for Sequential": (lambda t: Sequential([Dense(4, 3)], rng="seed"),
                               [r"rng must be a np\.random\.Generator or an int seed",
                                r"rng=np\.random\.default_rng\(0\)"]),
    "bad rng for a data set": (lambda t: make_moons(20, rng=1.5),
                               [r"rng must be a np\.random\.Generator or an int seed"]),
    "bad rng for add_noise": (lambda t: add_noise(np.zeros((2, 784)), 0.1, rng="seed"),
                              [r"rng must be a np\.random\.Generator"]),
    # ---- order of calls
    "predict with no layers": (lambda t: Sequential().predict(X),
                               [r"no layers yet", r"Add some first"]),
    "forward with no layers": (lambda t: Sequential().forward(X), [r"no layers yet"]),
    "summary with no layers": (lambda t: Sequential().summary(), [r"no layers yet"]),
    "compile with no layers": (lambda t: Sequential().compile(), [r"no layers yet"]),
    "fit before compile": (lambda t: Sequential([Dense(4, 3), Softmax()]).fit(X, LABELS),
                           [r"Call net\.compile\(loss=\.\.\., optimizer=\.\.\.\) before fit"]),
    "evaluate before compile": (lambda t: mlp([4, 3]).evaluate(X, LABELS), [r"Call net\.compile"]),
    # ---- a loss that does not fit the output layer
    "categorical cross-entropy without Softmax": (
        lambda t: Sequential([Dense(4, 3), Sigmoid()]).compile("categorical_crossentropy"),
        [r"CategoricalCrossEntropy expects softmax outputs", r"End the network with Softmax\(\)"]),
    "binary cross-entropy without Sigmoid": (
        lambda t: Sequential([Dense(4, 1), Tanh()]).compile("binary_crossentropy"),
        [r"BinaryCrossEntropy expects sigmoid outputs", r"Sigmoid\(\)"]),
    "negative l2": (lambda t: classifier().compile(l2=-0.1), [r"l2 is a penalty strength and must be >= 0"]),
    # ---- saved models
    "load random bytes": (lambda t: load_model(random_bytes(t)),
                          [r"is not a model saved by course_lib's Sequential\.save"]),
    "load a plain npz": (lambda t: load_model(plain_npz(t)),
                         [r"is not a model saved by course_lib's Sequential\.save", r"config"]),
    "load an npz without the marker": (lambda t: load_model(npz_without_marker(t)),
                                       [r"not a model saved by course_lib \(format marker missing\)"]),
    "load a lone .npy": (lambda t: load_model(lone_npy(t)), [r"is not a model saved by course_lib"]),
    "load a missing path": (lambda t: load_model(t / "nowhere.npz"),
                            [r"No model file at .*nowhere\.npz", r"Save one first with net\.save"]),
    "load arrays of the wrong shape": (lambda t: load_model(wrong_shape_model(t)),
                                       [r"parameter dense_0\.W has shape \(5, 4\), expected \(4, 5\)"]),
    "load a damaged layer list": (lambda t: load_model(damaged_layer_list(t)),
                                  [r"damaged layer list", r"units"]),
    # ---- data helpers
    "val_size 1.5": (lambda t: train_val_split(X, LABELS, val_size=1.5),
                     [r"val_size must be a fraction in \(0, 1\) or a count in 1\.\.9", r"1\.5"]),
    "val_size 0": (lambda t: train_val_split(X, LABELS, val_size=0), [r"val_size must be a fraction"]),
    "val_size True": (lambda t: train_val_split(X, LABELS, val_size=True), [r"val_size must be a fraction"]),
    "train_val_split lengths": (lambda t: train_val_split(X, LABELS[:3]), [r"X has 10 rows but y has 3"]),
    "one_hot label >= n_classes": (lambda t: one_hot(np.array([0, 3, 1]), n_classes=3),
                                   [r"labels from 0 to 3", r"must lie in 0\.\.2"]),
    "images of the wrong width": (lambda t: shift_images(np.zeros((2, 100)), 1, 0),
                                  [r"rows of 784 pixels, but X has 100 columns"]),
    "rotating unflattened images": (lambda t: rotate_images(np.zeros((2, 28, 28)), 10),
                                    [r"must be 2-D", r"flatten them first"]),
    "expand_dataset lengths": (lambda t: expand_dataset(np.zeros((3, 784)), [0, 1], rng=0),
                               [r"X has 3 rows but y has 2"]),
    # ---- gradient checking and metrics
    "rel_error on mismatched shapes": (lambda t: rel_error(np.zeros(3), np.zeros((3, 1))),
                                       [r"rel_error compares arrays of one shape", r"\(3,\) and \(3, 1\)"]),
    "numerical_gradient on float32": (lambda t: numerical_gradient(lambda: 0.0, np.zeros(3, np.float32)),
                                      [r"needs x as a float64 ndarray", r"x\.astype\(np\.float64\)"]),
    "check_network on a float32 network": (
        lambda t: check_network(Sequential([Dense(4, 3), Softmax()], dtype="float32").compile(), X, LABELS),
        [r"Gradient checks need a float64 network", r"dtype='float64'"]),
    "accuracy on mismatched shapes": (lambda t: accuracy(LABELS, np.eye(3)[LABELS]),
                                      [r"y_true has shape \(10,\) but y_pred has \(10, 3\)",
                                       r"net\.predict\(X\)"]),
    "EarlyStopping on a missing metric": (
        lambda t: classifier().fit(X, LABELS, batch_size=5, progress=False,
                                   callbacks=EarlyStopping("val_loss")),
        [r"EarlyStopping monitors 'val_loss'", r"Pass validation_data to fit"]),
    "EarlyStopping monitor not a name": (lambda t: EarlyStopping(monitor=3),
                                         [r"monitor names a logged metric"]),
    "LearningRateSchedule of a number": (lambda t: LearningRateSchedule(0.1), [r"needs a function"]),
}


@pytest.mark.parametrize("mistake", list(CASES))
def test_bad_input_gives_advice(mistake, tmp_path):
    make_mistake, phrases = CASES[mistake]
    with pytest.raises(CourseError, match=phrases[0]) as info:
        make_mistake(tmp_path)
    assert isinstance(info.value, CourseError)
    for phrase in phrases[1:]:
        assert info.match(phrase)


def test_there_are_at_least_40_distinct_bad_inputs():
    assert len(CASES) >= 40


def test_loading_a_directory_is_refused(tmp_path):
    (tmp_path / "dir.npz").mkdir()
    with pytest.raises(CourseError, match="is not a model saved by course_lib"):
        load_model(tmp_path / "dir.npz")


def test_divergence_raises_names_the_learning_rate_and_loses_nothing():
    """A huge learning rate on a tiny problem: the cost overflows, training stops, weights survive."""
    X_reg = rng.normal(size=(8, 2))
    y_reg = X_reg[:, :1] * 3
    net = Sequential([Dense(2, 4), ReLU(), Dense(4, 1)], rng=0).compile("mse", SGD(1e-2))
    net.fit(X_reg, y_reg, epochs=2, batch_size=4, progress=False)
    net.optimizer.learning_rate = 1e10
    snapshots = [{k: v.copy() for k, v in net.parameters().items()}]   # then one per finished epoch
    with pytest.raises(TrainingDiverged, match=r"learning rate \(1e\+10\).*try 1e\+09") as info:
        net.fit(X_reg, y_reg, epochs=50, batch_size=4, progress=False,
                callbacks=lambda n, e, logs: snapshots.append({k: v.copy() for k, v in
                                                              n.parameters().items()}))
    assert isinstance(info.value, CourseError) and isinstance(info.value, FloatingPointError)
    assert "restored to their values at the start of epoch" in str(info.value)
    assert all(np.all(np.isfinite(p)) for p in net.parameters().values())
    for name, value in net.parameters().items():
        np.testing.assert_array_equal(value, snapshots[-1][name])   # the last good epoch's weights
    assert len(net.history["loss"]) == len(snapshots) - 1          # the finished epochs are kept


def test_divergence_in_the_last_update_of_an_epoch_is_caught():
    """The cost was still finite, but the update that followed it overflowed the weights."""
    X_reg = rng.normal(size=(8, 2))
    net = Sequential([Dense(2, 4), Dense(4, 1)], rng=0).compile("mse", SGD(1e150))
    net.parameters()["dense_1.W"][...] = 1e150
    before = {k: v.copy() for k, v in net.parameters().items()}
    with pytest.raises(TrainingDiverged, match=r"weights became NaN or infinite.*learning rate"):
        net.fit(X_reg, X_reg[:, :1], epochs=3, batch_size=8, progress=False)
    for name, value in net.parameters().items():
        np.testing.assert_array_equal(value, before[name])


def test_training_can_continue_after_divergence():
    X_reg = rng.normal(size=(8, 2))
    net = Sequential([Dense(2, 4), Tanh(), Dense(4, 1)], rng=0).compile("mse", SGD(1e10))
    with pytest.raises(TrainingDiverged):
        net.fit(X_reg, X_reg[:, :1], epochs=50, batch_size=4, progress=False)
    net.optimizer.learning_rate = 0.05
    history = net.fit(X_reg, X_reg[:, :1], epochs=5, batch_size=4, progress=False)
    assert np.all(np.isfinite(history["loss"]))


def test_bad_inputs_do_not_touch_the_network():
    net = classifier()
    before = {k: v.copy() for k, v in net.parameters().items()}
    for bad in (dict(batch_size=11), dict(epochs=0)):
        with pytest.raises(CourseError):
            net.fit(X, LABELS, progress=False, **bad)
    with pytest.raises(CourseError):
        net.fit(with_value(X, (0, 0), np.nan), LABELS, progress=False)
    for name, value in net.parameters().items():
        np.testing.assert_array_equal(value, before[name])
    assert os.environ.get("COURSE_PROGRESS_FILE")   # conftest keeps check records out of the repo


def test_one_range_validator_for_every_hyper_parameter():
    import math

    from course_lib._validation import in_range
    for ok in (0, 0.0, 0.5, np.float32(0.9), np.int64(0)):
        assert in_range(ok)
    for bad in (1, 1.0, -0.1, True, np.nan, np.inf, "0.5", None, np.array([0.5])):
        assert not in_range(bad)
    assert in_range(10.0, 0, math.inf) and not in_range(-1e-9, 0, math.inf)
    assert in_range(-3.0, -math.inf, math.inf)
    assert not in_range(-math.inf, -math.inf, math.inf) and not in_range(math.inf, 0, math.inf)
    for make, phrase in ((lambda: SGD(0.1, momentum=True), r"momentum must lie in \[0, 1\)"),
                         (lambda: Adam(beta2=np.nan), r"beta2 must lie in \[0, 1\)"),
                         (lambda: Adam(weight_decay=1.0), r"weight_decay is the fraction"),
                         (lambda: Dropout(np.inf), r"fraction of units dropped")):
        with pytest.raises(CourseError, match=phrase):
            make()
