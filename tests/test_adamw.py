"""AdamW: decoupled weight decay on the weights, none on the biases; weight_decay=0 is Adam."""
import numpy as np
import pytest

import course_lib as cl


def _net(opt, dtype="float64", seed=0):
    net = cl.Sequential([cl.Dense(6, 5), cl.Tanh(), cl.Dense(5, 3), cl.Softmax()], rng=seed,
                        dtype=dtype)
    return net.compile("categorical_crossentropy", opt)


def _data(seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(20, 6)), rng.integers(0, 3, 20)


def _reference_adamw(params, grads_of, steps, lr, wd, b1=0.9, b2=0.999, eps=1e-7, decayed=()):
    """Plain NumPy AdamW (Keras epsilon-hat form), one array at a time."""
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    for t in range(1, steps + 1):
        grads = grads_of(params)
        lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        for k in params:
            m[k] = b1 * m[k] + (1 - b1) * grads[k]
            v[k] = b2 * v[k] + (1 - b2) * grads[k] ** 2
            params[k] = params[k] - lr_t * m[k] / (np.sqrt(v[k]) + eps)
            if k in decayed:
                params[k] = params[k] - lr * wd * params[k]
    return params


def test_adamw_matches_a_plain_numpy_reference_step_by_step():
    X, y = _data()
    net = _net(cl.AdamW(0.01, weight_decay=0.1))
    start = {k: p.copy() for k, p in net.parameters().items()}
    probe = _net(cl.SGD(0.1))

    def grads_of(params):
        for k, p in probe.parameters().items():
            p[...] = params[k]
        return probe.compute_gradients(X, y)[1]

    for _ in range(5):
        net.train_step(X, np.eye(3)[y])
    expected = _reference_adamw(start, grads_of, 5, 0.01, 0.1, decayed={"dense_0.W", "dense_2.W"})
    for k, p in net.parameters().items():
        np.testing.assert_allclose(p, expected[k], rtol=1e-12, atol=1e-14)


def test_zero_weight_decay_is_bit_identical_to_adam():
    X, y = _data()
    a, b = _net(cl.Adam(0.01), "float32"), _net(cl.AdamW(0.01, weight_decay=0.0), "float32")
    a.fit(X, y, epochs=3, batch_size=5, progress=False)
    b.fit(X, y, epochs=3, batch_size=5, progress=False)
    for k, p in a.parameters().items():
        assert np.array_equal(p, b.parameters()[k])


def test_biases_are_not_decayed_and_weights_shrink_by_the_fraction():
    net = _net(cl.AdamW(0.1, weight_decay=0.5))
    before = {k: p.copy() for k, p in net.parameters().items()}
    net.optimizer.step(net._params, net._grads)   # zero gradients: only the decay acts
    after = net.parameters()
    for k in before:
        factor = 1 - 0.1 * 0.5 if k.endswith(".W") else 1.0
        np.testing.assert_allclose(after[k], before[k] * factor, rtol=1e-15)


def test_decay_without_the_flat_buffer_follows_the_same_rule():
    opt = cl.AdamW(0.1, weight_decay=0.5)
    opt.decayed = {"w"}
    params = {"w": np.ones(3), "b": np.ones(2)}
    opt.step(params, {"w": np.zeros(3), "b": np.zeros(2)})
    assert np.allclose(params["w"], 0.95) and np.allclose(params["b"], 1.0)


@pytest.mark.parametrize("bad", [-0.1, 1.0, 2, "0.01", True, None])
def test_weight_decay_is_validated(bad):
    with pytest.raises(cl.CourseError, match="weight_decay"):
        cl.AdamW(weight_decay=bad)


def test_repr_and_name_lookup():
    assert "weight_decay=0.01" in repr(cl.AdamW())
    net = _net("adamw")
    assert isinstance(net.optimizer, cl.AdamW)
