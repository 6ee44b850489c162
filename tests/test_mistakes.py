"""Plausible learner mistakes that used to be accepted and then gave a wrong result quietly.

Each must now raise a CourseError (or TrainingDiverged) that names the problem and the fix,
or be handled correctly.
"""
import numpy as np
import pytest

import course_lib as cl
from course_lib.network import TrainingDiverged


def _data(n=64, d=4, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, k, size=n)
    return X, y


def test_one_layer_object_used_twice_is_refused():
    a = cl.Tanh()
    with pytest.raises(cl.CourseError, match="already layer 1 .*own layer object"):
        cl.Sequential([cl.Dense(4, 5), a, cl.Dense(5, 5), a, cl.Dense(5, 3), cl.Softmax()], rng=0)
    d = cl.Dense(5, 5)
    with pytest.raises(cl.CourseError, match="already layer 2"):
        cl.Sequential([cl.Dense(4, 5), cl.Tanh(), d, cl.Tanh(), d], rng=0)


def test_a_layer_of_another_network_is_refused():
    shared = cl.Dense(4, 3)
    first = cl.Sequential([shared, cl.Softmax()], rng=0)
    with pytest.raises(cl.CourseError, match="another network"):
        cl.Sequential([shared, cl.Softmax()], rng=1)
    del first   # once the first network is gone, its layer may be used again
    cl.Sequential([shared, cl.Softmax()], rng=1)


def test_one_optimizer_for_two_networks_is_refused():
    opt = cl.Adam(0.01)
    net1 = cl.Sequential([cl.Dense(4, 3), cl.Softmax()], rng=0).compile(optimizer=opt)
    net2 = cl.Sequential([cl.Dense(4, 3), cl.Softmax()], rng=1)
    with pytest.raises(cl.CourseError, match="already trains another network"):
        net2.compile(optimizer=opt)
    net1.compile(optimizer=opt)   # compiling the same network again is fine


def test_a_parameter_replaced_after_compile_is_reported_before_training():
    X, y = _data()
    net = cl.Sequential([cl.Dense(4, 3), cl.Softmax()], rng=0).compile(optimizer="sgd")
    net.layers[0].params["W"] = np.zeros((4, 3))
    with pytest.raises(cl.CourseError, match=r"params\['W'\] was replaced.*\[\.\.\.\] = new_values"):
        net.fit(X, y, epochs=1, progress=False)
    net.compile(optimizer="sgd")   # the fix the message offers: compile again
    before = net.layers[0].params["W"].copy()
    net.fit(X, y, epochs=1, progress=False)
    assert not np.array_equal(before, net.layers[0].params["W"])


def test_writing_in_place_into_a_parameter_trains_normally():
    X, y = _data()
    net = cl.Sequential([cl.Dense(4, 3), cl.Softmax()], rng=0).compile(optimizer="sgd")
    net.layers[0].params["W"][...] = 0.0
    net.fit(X, y, epochs=1, progress=False)
    assert np.abs(net.layers[0].params["W"]).sum() > 0


class OutOfPlaceDense(cl.Dense):
    def backward(self, dz):
        dx = super().backward(dz)
        self.grads["W"] = self.x.T @ dz   # the mistake: a new array instead of writing in place
        return dx


def test_a_gradient_written_out_of_place_is_reported():
    X, y = _data()
    net = cl.Sequential([OutOfPlaceDense(4, 3), cl.Softmax()], rng=0).compile(optimizer="sgd")
    with pytest.raises(cl.CourseError, match=r"grads\['W'\].*in place"):
        net.fit(X, y, epochs=1, progress=False)
    with pytest.raises(cl.CourseError, match="in place"):
        net.compute_gradients(X, y)


@pytest.mark.parametrize("row", [[1, 1, 0], [2, 0, 0], [0.5, 0.2, 0.1], [1.5, -0.5, 0]])
def test_targets_that_are_not_distributions_are_refused_with_softmax(row):
    X, y = _data()
    Y = np.eye(3)[y]
    Y[5] = row
    net = cl.Sequential([cl.Dense(4, 3), cl.Softmax()], rng=0).compile()
    with pytest.raises(cl.CourseError, match="row 5 .*probability distribution.*binary_crossentropy"):
        net.fit(X, Y, epochs=1, progress=False)


def test_soft_labels_that_sum_to_one_are_accepted():
    X, y = _data()
    Y = 0.9 * np.eye(3)[y] + 0.1 / 3   # label smoothing
    net = cl.Sequential([cl.Dense(4, 3), cl.Softmax()], rng=0).compile()
    net.fit(X, Y, epochs=1, progress=False)


def test_a_huge_learning_rate_is_reported_as_divergence_while_the_cost_is_still_finite():
    X, y = _data(n=256, d=8)
    net = cl.Sequential([cl.Dense(8, 16), cl.ReLU(), cl.Dense(16, 3), cl.Softmax()], rng=0)
    net.compile(optimizer=cl.SGD(1e6))
    start = {k: v.copy() for k, v in net.parameters().items()}
    with pytest.raises(TrainingDiverged, match="grew from .* learning rate"):
        net.fit(X, y, epochs=3, batch_size=32, progress=False)
    for name, value in net.parameters().items():   # nothing lost: the weights are restored
        np.testing.assert_array_equal(value, start[name])


def test_softmax_over_one_output_is_refused():
    with pytest.raises(cl.CourseError, match="single output is always 1.*Sigmoid"):
        cl.Sequential([cl.Dense(4, 1), cl.Softmax()], rng=0).compile()


def test_inputs_too_large_for_float32_are_named_not_turned_into_nan():
    X, y = _data()
    X[3, 2] = 1e39
    net = cl.Sequential([cl.Dense(4, 3), cl.Softmax()], rng=0, dtype="float32").compile()
    for call in (lambda: net.predict(X), lambda: net.fit(X, y, progress=False)):
        with pytest.raises(cl.CourseError, match="too large for this float32 network.*float64"):
            call()


def test_raw_uint8_pixels_are_refused_with_the_fix():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(32, 4)).astype(np.uint8)
    y = rng.integers(0, 3, size=32)
    net = cl.Sequential([cl.Dense(4, 3), cl.Softmax()], rng=0).compile()
    with pytest.raises(cl.CourseError, match=r"uint8 .* X / 255\.0"):
        net.fit(X, y, progress=False)
    net.fit(X / 255.0, y, progress=False)
    net.fit(X.astype(float), y, progress=False)   # explicitly converted: the learner's choice


def test_binary_cross_entropy_reports_the_true_cost_of_a_confident_mistake():
    net = cl.Sequential([cl.Dense(1, 1), cl.Sigmoid()], rng=0, dtype="float32")
    net.compile(loss="binary_crossentropy")
    net.layers[0].params["W"][...] = 100.0
    net.layers[0].params["b"][...] = 0.0
    X = np.array([[1.0]])
    cost, _ = net.evaluate(X, np.array([0]))
    assert cost == pytest.approx(100.0, rel=1e-5)   # ln(1 + e^100) = 100; clipping gave 15.94


def test_numpy_scalars_are_valid_hyper_parameters():
    cl.SGD(0.1, momentum=np.float32(0.9))
    cl.Adam(np.float32(1e-3), beta1=np.float64(0.9))
    cl.Sequential([cl.Dense(4, 3), cl.Softmax()], rng=0).compile(l2=np.float32(1e-4))


# ----------------------------------------------------------- raw or misleading errors
def test_an_empty_model_file_gets_a_clear_error(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"")
    with pytest.raises(cl.CourseError, match="not a model saved by course_lib"):
        cl.load_model(path)


def test_saving_into_a_missing_folder_names_the_folder(tmp_path):
    net = cl.Sequential([cl.Dense(2, 2), cl.Softmax()], rng=0)
    with pytest.raises(cl.CourseError, match="does not exist.*mkdir"):
        net.save(tmp_path / "nowhere" / "model.npz")


def test_a_negative_seed_gets_a_clear_error():
    with pytest.raises(cl.CourseError, match="non-negative integer.*rng=1"):
        cl.Sequential([cl.Dense(2, 2)], rng=-1)


def test_standardize_with_statistics_of_the_wrong_width():
    X = np.ones((5, 3))
    _, mean, std = cl.standardize(X)
    with pytest.raises(cl.CourseError, match="mean has shape \\(3,\\), but X has 4 columns"):
        cl.standardize(np.ones((5, 4)), mean, std)


def test_confusion_matrix_with_a_label_beyond_n_classes():
    with pytest.raises(cl.CourseError, match="labels must lie in 0..2"):
        cl.confusion_matrix([0, 1, 5], [0, 1, 2], n_classes=3)


@pytest.mark.parametrize("dtype", ["banana", "int32", np.uint8])
def test_load_fashion_mnist_refuses_a_dtype_that_cannot_hold_fractions(dtype):
    with pytest.raises(cl.CourseError, match="float32"):
        cl.load_fashion_mnist(dtype=dtype, download=False)


def test_a_transposed_X_is_told_to_transpose_not_reshape():
    net = cl.Sequential([cl.Dense(4, 3), cl.Softmax()], rng=0).compile()
    X, y = _data(n=10)
    with pytest.raises(cl.CourseError, match=r"transposed.*X\.T"):
        net.predict(X.T)


def test_a_label_column_is_told_to_flatten():
    net = cl.Sequential([cl.Dense(4, 3), cl.Softmax()], rng=0).compile()
    X, y = _data()
    with pytest.raises(cl.CourseError, match=r"column of labels.*y\.ravel\(\)"):
        net.fit(X, y.reshape(-1, 1), progress=False)


def test_a_callback_class_instead_of_an_object():
    net = cl.Sequential([cl.Dense(4, 3), cl.Softmax()], rng=0).compile()
    X, y = _data()
    with pytest.raises(cl.CourseError, match=r"class EarlyStopping itself.*EarlyStopping\(\.\.\.\)"):
        net.fit(X, y, callbacks=[cl.EarlyStopping], progress=False)


def test_an_unknown_activation_setting_is_refused_when_the_layer_is_made():
    with pytest.raises(cl.CourseError, match="takes no settings, but got alpha.*leaky_relu"):
        cl.Activation("relu", alpha=0.1)
    assert cl.Activation("leaky_relu", alpha=0.1).kwargs == {"alpha": 0.1}


# ----------------------------------------------------------- mutation after compile
def _classifier(**kw):
    return cl.Sequential([cl.Dense(4, 5), cl.Tanh(), cl.Dense(5, 3), cl.Softmax()], rng=0,
                         **kw).compile("categorical_crossentropy", "sgd")


def test_a_layer_added_after_compile_must_still_suit_the_loss():
    X, y = _data()
    net = _classifier()
    net.add(cl.Dense(3, 3))   # the fused softmax shortcut would skip this layer's backward pass
    with pytest.raises(cl.CourseError, match=r"expects softmax outputs, but the last layer is Dense\(3 -> 3\)"):
        net.fit(X, y, progress=False)
    net.add(cl.Softmax())     # ending in Softmax again is fine
    net.fit(X, y, progress=False)


def test_a_loss_assigned_after_compile_is_checked_and_used():
    X, y = _data()
    net = _classifier()
    net.loss = cl.BinaryCrossEntropy()
    with pytest.raises(cl.CourseError, match="BinaryCrossEntropy expects sigmoid outputs"):
        net.fit(X, y, progress=False)
    net.loss = "mse"          # as compile(loss="mse") would do: no fused shortcut
    cost, _ = net.evaluate(X, y)
    assert cost == pytest.approx(cl.mse(net.predict_proba(X), np.eye(3)[y]))


def test_an_optimizer_assigned_after_compile_is_adopted():
    X, y = _data()
    net = _classifier()
    net.optimizer = "adam"
    net.fit(X, y, progress=False)
    assert isinstance(net.optimizer, cl.Adam) and net.optimizer.t == 2


@pytest.mark.parametrize("change, found", [
    (lambda layers: layers.append(cl.Dense(3, 3)), r"position 4 holds Dense\(3 -> 3\)"),
    (lambda layers: layers.pop(), r"position 3 holds nothing"),
    (lambda layers: layers.__setitem__(1, cl.ReLU()), r"position 1 holds ReLU\(\), but the network built Tanh\(\)"),
])
def test_net_layers_changed_directly_is_refused(change, found):
    X, y = _data()
    net = _classifier()
    change(net.layers)
    with pytest.raises(cl.CourseError, match=found + r".*net\.add\(layer\)"):
        net.fit(X, y, progress=False)


def test_changing_the_width_of_a_built_layer_is_refused():
    net = _classifier()
    with pytest.raises(cl.CourseError, match=r"built already: its W has shape \(4, 5\).*Dense\(4, 7\)"):
        net.layers[0].n_out = 7
    layer = cl.Dense(4, 5)
    layer.n_out = 7           # before it is built, the width may still change
    assert cl.Sequential([layer], rng=0).layers[0].W.shape == (4, 7)


def test_a_dropout_rate_changed_later_is_checked_too():
    net = cl.Sequential([cl.Dense(4, 5), cl.Dropout(0.2), cl.Dense(5, 3), cl.Softmax()], rng=0).compile()
    with pytest.raises(cl.CourseError, match=r"Dropout rate .* must lie in \[0, 1\), but got 1\.0"):
        net.layers[1].rate = 1.0
    net.layers[1].rate = 0.5
    net.fit(*_data(), progress=False)


def test_momentum_switched_on_after_compile_trains_as_if_given_at_the_start():
    X, y = _data()
    later = _classifier().compile(optimizer=cl.SGD(0.1))
    later.optimizer.momentum = 0.9
    later.fit(X, y, epochs=2, shuffle=False, progress=False)
    first = _classifier().compile(optimizer=cl.SGD(0.1, momentum=0.9))
    first.fit(X, y, epochs=2, shuffle=False, progress=False)
    assert later.history["loss"] == first.history["loss"]
    with pytest.raises(cl.CourseError, match=r"momentum must lie in \[0, 1\)"):
        later.optimizer.momentum = 1.0


# ----------------------------------------------------------- dtypes and containers
@pytest.mark.parametrize("call", [
    lambda net, X, y: net.predict(X + 1j),
    lambda net, X, y: net.fit(X.astype(complex), y, progress=False),
    lambda net, X, y: cl.standardize(X + 0j),
])
def test_complex_inputs_are_refused_not_stripped_of_their_imaginary_part(call):
    X, y = _data()
    with pytest.raises(cl.CourseError, match=r"X holds complex numbers.*X\.real"):
        call(_classifier(), X, y)


def test_the_whole_result_of_standardize_passed_as_X():
    X, y = _data()
    with pytest.raises(cl.CourseError, match=r"X is a tuple of 3 items.*X_std, mean, std = standardize\(X\)"):
        _classifier().fit(cl.standardize(X), y, progress=False)


def test_boolean_labels_are_the_classes_0_and_1():
    X, y = _data()
    is_two = y == 2
    nets = [cl.Sequential([cl.Dense(4, 1), cl.Sigmoid()], rng=0).compile("binary_crossentropy")
            for _ in range(2)]
    nets[0].fit(X, is_two, shuffle=False, progress=False)
    nets[1].fit(X, is_two.astype(int), shuffle=False, progress=False)
    assert nets[0].history["loss"] == nets[1].history["loss"]
    np.testing.assert_array_equal(cl.one_hot(is_two), np.eye(2)[is_two.astype(int)])


@pytest.mark.parametrize("n_classes", [3.0, 0])
def test_one_hot_with_a_bad_number_of_classes(n_classes):
    with pytest.raises(cl.CourseError, match="n_classes must be a positive integer"):
        cl.one_hot(np.array([0, 1, 2]), n_classes=n_classes)


# ----------------------------------------------------------- metrics and data helpers
def test_accuracy_of_one_hot_rows_is_refused_not_counted_entry_by_entry():
    y_true = np.eye(3)[[0, 1, 2, 0]]
    y_pred = np.eye(3)[[0, 1, 2, 1]]   # 3 of 4 right; entry by entry it would say 10/12
    with pytest.raises(cl.CourseError, match=r"labels of shape \(n,\), but got shape \(4, 3\).*argmax\(axis=1\)"):
        cl.accuracy(y_true, y_pred)
    assert cl.accuracy(y_true.argmax(axis=1), y_pred.argmax(axis=1)) == 0.75


def test_accuracy_of_nothing_is_an_error_not_nan():
    with pytest.raises(cl.CourseError, match="empty: accuracy needs at least one example"):
        cl.accuracy([], [])


@pytest.mark.parametrize("fn, kwargs, match", [
    (cl.standardize, {"mean": 0}, "standardize got mean but not std"),
    (cl.standardize, {"std": 1}, "standardize got std but not mean"),
    (cl.normalize, {"low": 0}, r"normalize got low but not high.*normalize\(X_test, low, high\)"),
])
def test_half_of_the_training_statistics_is_refused(fn, kwargs, match):
    X, _ = _data()
    _, first, second = fn(X)
    stats = {k: (first if i == 0 else second) for i, k in enumerate(kwargs)}
    with pytest.raises(cl.CourseError, match=match):
        fn(3 * X, **stats)


@pytest.mark.parametrize("cost", [cl.mse, cl.quadratic_cost, cl.binary_cross_entropy, cl.cross_entropy])
def test_a_cost_of_a_column_against_a_flat_array_is_refused_not_broadcast(cost):
    a = np.array([[0.2], [0.7], [0.9]])     # net.predict of a one-output network: (n, 1)
    y = np.array([0.0, 1.0, 1.0])           # the targets as loaded: (n,)
    with pytest.raises(cl.CourseError, match=r"shape \(3, 1\) but targets y have shape \(3,\).*y\.reshape\(a\.shape\)"):
        cost(a, y)
    assert np.isfinite(cost(a, y.reshape(a.shape)))


@pytest.mark.parametrize("targets", [[0.0, 2.0], [-1.0, 1.0]])
def test_binary_cross_entropy_targets_outside_0_1_are_refused(targets):
    X, y = _data()
    Y = np.array(targets)[y % 2].reshape(-1, 1)
    net = cl.Sequential([cl.Dense(4, 1), cl.Sigmoid()], rng=0).compile("binary_crossentropy")
    with pytest.raises(cl.CourseError, match=r"targets from .* need every target in \[0, 1\]"):
        net.fit(X, Y, progress=False)
    net.fit(X, (y % 2).reshape(-1, 1).astype(float), progress=False)   # 0/1 as floats: fine


def test_one_hot_rows_for_a_single_sigmoid_output_get_advice_that_fits():
    X, y = _data()
    net = cl.Sequential([cl.Dense(4, 1), cl.Sigmoid()], rng=0).compile("binary_crossentropy")
    with pytest.raises(cl.CourseError, match=r"one sigmoid output.*labels 0/1 of shape \(64,\).*argmax\(axis=1\)"):
        net.fit(X, np.eye(2)[y % 2], progress=False)


@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_an_infinite_penalty_is_refused_at_compile(penalty):
    with pytest.raises(cl.CourseError, match=f"{penalty} must be a finite penalty strength"):
        _classifier().compile(**{penalty: float("inf")})


def test_schedules_over_zero_epochs_are_refused_when_made():
    from course_lib.callbacks import cosine_decay, step_decay
    with pytest.raises(cl.CourseError, match="epochs must be a positive integer, but got 0"):
        cosine_decay(0.1, 0)
    with pytest.raises(cl.CourseError, match="every must be a positive integer, but got 0"):
        step_decay(0.1, every=0)


def test_callbacks_none_means_no_callbacks():
    X, y = _data()
    assert len(_classifier().fit(X, y, epochs=2, callbacks=None, progress=False)["loss"]) == 2


def test_an_early_stopping_object_reused_for_a_second_fit_starts_afresh():
    X, y = _data()
    stop = cl.EarlyStopping("loss", patience=1)
    first = _classifier().compile(optimizer=cl.SGD(0.5))
    first.fit(X, y, epochs=2, callbacks=[stop], progress=False)
    second = cl.Sequential([cl.Dense(4, 5), cl.Tanh(), cl.Dense(5, 3), cl.Softmax()], rng=5)
    second.compile(optimizer=cl.SGD(1e-6))
    second.fit(X, y, epochs=4, callbacks=[stop], progress=False)
    # It used to stop at once and copy the first network's weights into the second.
    assert len(second.history["loss"]) == 4
    assert not np.array_equal(second.layers[0].W, first.layers[0].W)


# ----------------------------------------------------------- file-system faults
@pytest.mark.parametrize("target", ["folder", "folder.npz"])
def test_saving_onto_a_folder_is_refused(tmp_path, target):
    (tmp_path / target).mkdir()
    net = _classifier()
    with pytest.raises(cl.CourseError, match=rf"{target}: it is a folder.*{target}/model\.npz"):
        net.save(tmp_path / target)
    assert not (tmp_path / "folder.npz").is_file()   # numpy used to write beside the folder


def test_saving_into_a_read_only_folder_names_the_problem(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):   # root ignores file modes, so the refusal is simulated
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(np, "savez", refuse)
    with pytest.raises(cl.CourseError, match=r"Cannot save to .*model\.npz: Permission denied.*can write to"):
        _classifier().save(tmp_path / "model.npz")


@pytest.mark.parametrize("call", [lambda net: net.save(None), lambda net: cl.load_model(net)])
def test_a_path_that_is_not_a_file_name(call):
    with pytest.raises(cl.CourseError, match=r"path must be a file name such as 'model\.npz'"):
        call(_classifier())


def test_a_home_folder_tilde_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    net = _classifier()
    assert net.save("~/model.npz") == tmp_path / "model.npz"
    assert (tmp_path / "model.npz").is_file()
    np.testing.assert_array_equal(cl.load_model("~/model.npz").layers[0].W, net.layers[0].W)


# ----------------------------------------------------------- gradient checking
def test_numerical_gradient_of_a_function_that_takes_x():
    x = np.zeros(3)
    with pytest.raises(cl.CourseError, match=r"calls f\(\) with no arguments, but f needs x.*lambda: cost\(x\)"):
        cl.numerical_gradient(lambda x: np.sum(x ** 2), x)


def test_numerical_gradient_of_a_function_that_returns_an_array():
    x = np.zeros(3)
    with pytest.raises(cl.CourseError, match=r"must return one number.*shape \(3,\).*np\.sum"):
        cl.numerical_gradient(lambda: x ** 2, x)
    np.testing.assert_allclose(cl.numerical_gradient(lambda: np.sum((x - 1) ** 2), x), -2.0)


def test_check_layer_of_an_unbuilt_layer():
    with pytest.raises(cl.CourseError,
                       match=r"no weights yet.*layer\.build\(4, np\.random\.default_rng\(0\), np\.float64\)"):
        cl.check_layer(cl.Dense(4, 3), np.ones((2, 4)))


def test_check_layer_with_inputs_of_the_wrong_width():
    layer = cl.Dense(4, 3)
    layer.build(4, np.random.default_rng(0), np.float64)
    with pytest.raises(cl.CourseError,
                       match=r"x has shape \(2, 5\), but Dense\(4 -> 3\) takes inputs of shape \(n, 4\)"):
        cl.check_layer(layer, np.ones((2, 5)))
    assert max(cl.check_layer(layer, np.ones((2, 4))).values()) < 1e-7


# ----------------------------------------------------------- custom initializers
def test_an_initializer_returning_the_wrong_shape_is_refused():
    with pytest.raises(cl.CourseError,
                       match=r"initializer for W returned an array of shape \(3,\), but W has shape \(4, 3\)"):
        cl.Sequential([cl.Dense(4, 3, weight_init=lambda shape, rng: np.zeros(3))], rng=0)


def test_an_initializer_without_the_rng_argument_is_explained():
    with pytest.raises(cl.CourseError, match=r"initializer for W failed when called as f\(shape, rng\)"):
        cl.Sequential([cl.Dense(4, 3, weight_init=lambda shape: np.zeros(shape))], rng=0)
