"""Exercise checks of lesson 01: right answers in several forms pass; each wrong answer a learner
really writes fails with a hint that names that mistake. (Stubs: tests/test_checks_all.py.)"""
import numpy as np
import pytest

from course_lib.checks import check


# ---------------------------------------------------------------- 01.1
def standardize_pair(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std


def standardize_pair_in_place_guard(X_train, X_test):
    mean, std = np.mean(X_train, axis=0), np.std(X_train, axis=0)
    std[std == 0] = 1
    return [(X - mean) / std for X in (X_train, X_test)]


def standardize_pair_epsilon(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / (std + 1e-8), (X_test - mean) / (std + 1e-8)


def standardize_pair_maximum(X_train, X_test):
    mean, std = X_train.mean(axis=0), np.maximum(X_train.std(axis=0), 1e-12)
    return (X_train - mean) / std, (X_test - mean) / std


def standardize_pair_own_stats(X_train, X_test):
    def one(X):
        std = X.std(axis=0)
        return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return one(X_train), one(X_test)


def standardize_pair_divides_by_zero(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std


def standardize_pair_minmax(X_train, X_test):
    lo, span = X_train.min(axis=0), np.ptp(X_train, axis=0)
    span = np.where(span > 0, span, 1.0)
    return (X_train - lo) / span, (X_test - lo) / span


def standardize_pair_whole_table(X_train, X_test):
    mean, std = X_train.mean(), X_train.std()
    return (X_train - mean) / std, (X_test - mean) / std


def standardize_pair_sample_std(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std


def standardize_pair_variance(X_train, X_test):
    mean, var = X_train.mean(axis=0), X_train.var(axis=0)
    var = np.where(var > 0, var, 1.0)
    return (X_train - mean) / var, (X_test - mean) / var


def standardize_pair_zeroes_constant_column(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)

    def scale(X):
        return np.divide(X - mean, std, out=np.zeros_like(X), where=std > 0)
    return scale(X_train), scale(X_test)


# ---------------------------------------------------------------- 01.2
def forward(X, params, activation):
    a = X
    for W, b in params:
        a = activation(a @ W + b)
    return a


def forward_recursive(X, params, activation):
    if not params:
        return X
    (W, b), rest = params[0], params[1:]
    return forward_recursive(activation(np.dot(X, W) + b), rest, activation)


def forward_reads_X_every_layer(X, params, activation):
    a = X
    for W, b in params:
        a = activation(X @ W + b)
    return a


def forward_no_last_activation(X, params, activation):
    a = X
    for i, (W, b) in enumerate(params):
        z = a @ W + b
        a = activation(z) if i < len(params) - 1 else z
    return a


def forward_activates_inputs(X, params, activation):
    a = activation(X)
    for W, b in params:
        a = activation(a @ W + b)
    return a


def forward_returns_every_layer(X, params, activation):
    a, outputs = X, []
    for W, b in params:
        a = activation(a @ W + b)
        outputs.append(a)
    return outputs


def forward_starts_at_first_layer(X, params, activation):
    W, b = params[0]
    a = activation(X @ W + b)
    for W, b in params[1:]:
        a = activation(a @ W + b)
    return a


def forward_transposed(X, params, activation):
    a = X
    for W, b in params:
        a = activation(a @ W.T + b)
    return a


def forward_no_bias(X, params, activation):
    a = X
    for W, _ in params:
        a = activation(a @ W)
    return a


# ---------------------------------------------------------------- 01.3
def count_parameters(sizes):
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))  # noqa: RUF007 (as learners write it)


def count_parameters_indexed(sizes):
    total = 0
    for i in range(1, len(sizes)):
        total += sizes[i - 1] * sizes[i] + sizes[i]
    return total


def count_weights_only(sizes):
    return sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))  # noqa: RUF007


def count_stops_one_layer_early(sizes):
    total = 0
    for i in range(len(sizes) - 2):
        total += sizes[i] * sizes[i + 1] + sizes[i + 1]
    return total


def count_skips_first_layer(sizes):
    total = 0
    for i in range(1, len(sizes) - 1):
        total += sizes[i] * sizes[i + 1] + sizes[i + 1]
    return total


def count_with_input_biases(sizes):
    return count_weights_only(sizes) + sum(sizes)


def count_input_side_biases(sizes):
    return sum(n_in * n_out + n_in for n_in, n_out in zip(sizes[:-1], sizes[1:]))  # noqa: RUF007


def count_one_bias_per_layer(sizes):
    return count_weights_only(sizes) + len(sizes) - 1


def count_crashes_without_layers(sizes):
    total = sizes[0] * sizes[1] + sizes[1]
    for n_in, n_out in zip(sizes[1:-1], sizes[2:]):  # noqa: RUF007
        total += n_in * n_out + n_out
    return total


# ---------------------------------------------------------------- 01.4
def boundary_neuron():
    return np.array([-50.0, 25.0]), 25.0


def boundary_neuron_normalised():
    normal = np.array([-2.0, 1.0]) / np.sqrt(5)
    scale = 10 * np.log(99) * 1.01
    return scale * normal, np.array([scale / np.sqrt(5)])


def boundary_neuron_soft():
    return np.array([-2.0, 1.0]), 1.0


def boundary_neuron_just_too_soft():
    return np.array([-40.0, 20.0]), 20.0


def boundary_neuron_flipped():
    return np.array([50.0, -25.0]), -25.0


def boundary_neuron_bias_sign():
    return np.array([-50.0, 25.0]), -25.0


def boundary_neuron_scaled_weights_only():
    return np.array([-50.0, 25.0]), 1.0


def boundary_neuron_along_the_line():
    return np.array([10.0, 20.0]), 0.0


def boundary_neuron_slope_as_weight():
    return np.array([50.0, 25.0]), 25.0


@pytest.mark.parametrize("ex, answer", [
    ("01.1", standardize_pair), ("01.1", standardize_pair_in_place_guard),
    ("01.2", forward), ("01.2", forward_recursive),
    ("01.3", count_parameters), ("01.3", count_parameters_indexed),
    ("01.4", boundary_neuron), ("01.4", boundary_neuron_normalised),
])
def test_correct_answers_pass(ex, answer):
    result = check(ex, answer)
    assert result.passed, result.message


@pytest.mark.parametrize("ex, answer, fragments", [
    ("01.1", standardize_pair_epsilon, ["std + 1e-8", "1e+08", "swamp", "np.where(std > 0, std, 1)"]),
    ("01.1", standardize_pair_maximum, ["constant in the training set", "swamp"]),
    ("01.1", standardize_pair_own_stats, ["its own mean and std"]),
    ("01.1", standardize_pair_divides_by_zero, ["NaN or infinite", "std 0"]),
    ("01.1", standardize_pair_minmax, ["normalization to [0, 1]"]),
    ("01.1", standardize_pair_whole_table, ["one mean and std for the whole table"]),
    ("01.1", standardize_pair_sample_std, ["ddof=1"]),
    ("01.1", standardize_pair_variance, ["divided by the variance"]),
    ("01.1", standardize_pair_zeroes_constant_column, ["constant in training", "stay visible"]),
    ("01.2", forward_reads_X_every_layer, ["every layer read the input X"]),
    ("01.2", forward_no_last_activation, ["last layer returned z", "the last one included"]),
    ("01.2", forward_activates_inputs, ["activation to the inputs X"]),
    ("01.2", forward_returns_every_layer, ["returned a list of 2 items", "only the last layer"]),
    ("01.2", forward_starts_at_first_layer, ["no layers", "start from a = X"]),
    ("01.2", forward_transposed, ["you used W.T"]),
    ("01.2", forward_no_bias, ["biases are missing"]),
    ("01.3", count_weights_only, ["weights but not the biases"]),
    ("01.3", count_stops_one_layer_early, ["left out the last layer", "gave 6, not 9"]),
    ("01.3", count_skips_first_layer, ["left out the first layer"]),
    ("01.3", count_with_input_biases, ["input layer biases"]),
    ("01.3", count_input_side_biases, ["n_in biases"]),
    ("01.3", count_one_bias_per_layer, ["one bias"]),
    ("01.3", count_crashes_without_layers, ["[7]", "IndexError", "the answer there is 0"]),
    ("01.4", boundary_neuron_soft, ["too soft", "0.1 above the line", "same factor"]),
    ("01.4", boundary_neuron_just_too_soft, ["too soft", "0.9887"]),
    ("01.4", boundary_neuron_flipped, ["Flip the signs"]),
    ("01.4", boundary_neuron_bias_sign, ["crosses the x2-axis at x2 = 1,", "bias slides the line"]),
    ("01.4", boundary_neuron_scaled_weights_only, ["x2 = -0.04", "scale b by the same factor"]),
    ("01.4", boundary_neuron_along_the_line, ["points along the line", "perpendicular"]),
    ("01.4", boundary_neuron_slope_as_weight, ["not parallel", "multiple of (-2, 1)"]),
])
def test_wrong_answers_fail_with_their_hint(assert_hint, ex, answer, fragments):
    assert_hint(ex, answer, *fragments)


def test_no_miscount_is_mistaken_for_another():
    """The issue this replaces: a loop that stops one layer early was told it forgot the
    biases. Every miscount must be told its own mistake, and no other."""
    hints = {name: check("01.3", fn).message for name, fn in [
        ("early", count_stops_one_layer_early), ("weights", count_weights_only),
        ("skip", count_skips_first_layer), ("inputs", count_with_input_biases)]}
    assert "biases" not in hints["early"]
    assert len(set(hints.values())) == len(hints)
