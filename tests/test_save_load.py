"""Saving and loading: exact round trips, no pickle anywhere in the file."""
import json

import numpy as np
import pytest

from course_lib import (
    ELU,
    Adam,
    Dense,
    Dropout,
    Identity,
    LeakyReLU,
    Maxout,
    PReLU,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    load_model,
    mlp,
)
from course_lib.layers import Activation, Step

rng = np.random.default_rng(0)
X = rng.normal(size=(30, 6))
LABELS = rng.integers(0, 4, size=30)


def every_layer_net(dtype="float64"):
    return Sequential([Dense(6, 8, weight_init="he", bias_init=0.01), PReLU(0.2), Maxout(8, 6, pieces=3),
                       ELU(0.5), Dropout(0.3), Dense(6, 6), LeakyReLU(0.05), Dense(6, 5), Tanh(),
                       Dense(5, 5), Sigmoid(), Dense(5, 5), ReLU(), Activation("elu", alpha=2.0),
                       Dense(5, 4), Softmax()], rng=1, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_round_trip_is_exact(tmp_path, dtype):
    net = every_layer_net(dtype).compile("categorical_crossentropy", Adam(0.01))
    net.fit(X, LABELS, epochs=2, batch_size=10, progress=False)
    path = net.save(tmp_path / "model.npz")
    loaded = load_model(path)
    assert repr(loaded) == repr(net)
    assert loaded.dtype == net.dtype
    for name, value in net.parameters().items():
        np.testing.assert_array_equal(loaded.parameters()[name], value)
        assert loaded.parameters()[name].dtype == value.dtype
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))


def test_the_file_holds_no_object_arrays(tmp_path):
    path = mlp([6, 5, 4], rng=0).save(tmp_path / "model.npz")
    with np.load(path, allow_pickle=False) as data:
        for key in data.files:
            assert data[key].dtype != object, key
        config = json.loads(str(data["config"]))
    assert config["format"] == "course_lib.Sequential/1"
    assert [spec["type"] for spec in config["layers"]] == ["Dense", "Sigmoid", "Dense", "Softmax"]


def test_save_adds_the_npz_suffix_and_load_finds_it(tmp_path):
    net = mlp([6, 3, 2], rng=0)
    path = net.save(tmp_path / "model")
    assert path == tmp_path / "model.npz" and path.exists()
    np.testing.assert_array_equal(load_model(tmp_path / "model").predict_proba(X), net.predict_proba(X))


def test_regression_model_round_trip_keeps_its_predictions(tmp_path):
    net = Sequential([Dense(6, 4), Tanh(), Dense(4, 3), Identity()], rng=0).compile("mse", Adam(0.01))
    y = X[:, :3] * 2
    net.fit(X, y, epochs=2, batch_size=10, progress=False)
    loaded = load_model(net.save(tmp_path / "reg.npz"))
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))   # outputs, not an argmax
    assert loaded.evaluate(X, y) == net.evaluate(X, y)


def test_loaded_classifier_can_be_evaluated_and_trained_again(tmp_path):
    net = mlp([6, 5, 4], activation="tanh", rng=0).compile("categorical_crossentropy", "adam", l2=1e-3)
    loaded = load_model(net.save(tmp_path / "m.npz"))
    assert loaded.evaluate(X, LABELS) == net.evaluate(X, LABELS)
    loaded.compile("categorical_crossentropy", Adam(0.01))
    history = loaded.fit(X, LABELS, epochs=2, batch_size=10, progress=False)
    assert len(history["loss"]) == 2


def test_loading_keeps_training_reproducible(tmp_path):
    net = mlp([6, 5, 4], rng=0, dropout=0.2)
    a = load_model(net.save(tmp_path / "m.npz"), rng=3).compile("categorical_crossentropy", "adam")
    b = load_model(tmp_path / "m.npz", rng=3).compile("categorical_crossentropy", "adam")
    assert a.fit(X, LABELS, epochs=2, batch_size=10, progress=False)["loss"] == \
        b.fit(X, LABELS, epochs=2, batch_size=10, progress=False)["loss"]


def test_step_and_callable_initializers_are_saved_by_name(tmp_path):
    def ones(shape, rng):
        return np.ones(shape)

    net = Sequential([Dense(6, 3, weight_init=ones), Step(), Dense(3, 2), Softmax()], rng=0)
    loaded = load_model(net.save(tmp_path / "m.npz"))
    np.testing.assert_array_equal(loaded.parameters()["dense_0.W"], np.ones((6, 3)))
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))


def test_the_saving_module_is_what_save_and_load_call(tmp_path):
    from course_lib import saving
    net = mlp([6, 5, 4], rng=0).compile("categorical_crossentropy", l2=0.01)
    path = saving.save_model(net, tmp_path / "m")
    assert path == tmp_path / "m.npz"
    for loaded in (saving.load_model(path), Sequential.load(tmp_path / "m"), load_model(path)):
        assert type(loaded) is Sequential and loaded.l2 == 0.01
        np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))
