"""Optimizers: two steps by hand, Adam against the paper's formula, state visible by name."""
import numpy as np
import pytest

from course_lib import SGD, Adam, Dense, Momentum, Sequential, Softmax, Tanh
from course_lib._validation import CourseError
from course_lib.optimizers import get_optimizer

W0 = np.array([1.0, -2.0])
G1 = np.array([0.5, 1.0])
G2 = np.array([-1.0, 2.0])


def two_steps(opt):
    w = W0.copy()
    opt.step({"w": w}, {"w": G1.copy()})
    after_one = w.copy()
    opt.step({"w": w}, {"w": G2.copy()})
    return after_one, w


def test_sgd_two_steps_by_hand():
    one, two = two_steps(SGD(learning_rate=0.1))
    np.testing.assert_allclose(one, [0.95, -2.1], rtol=1e-15)
    np.testing.assert_allclose(two, [1.05, -2.3], rtol=1e-15)


def test_momentum_two_steps_by_hand():
    opt = SGD(learning_rate=0.1, momentum=0.9)
    one, two = two_steps(opt)
    # v1 = -0.1 g1 = [-0.05, -0.1];  v2 = 0.9 v1 - 0.1 g2 = [0.055, -0.29]
    np.testing.assert_allclose(one, [0.95, -2.1], rtol=1e-15)
    np.testing.assert_allclose(two, [1.005, -2.39], rtol=1e-14)
    np.testing.assert_allclose(opt.state["w"]["velocity"], [0.055, -0.29], rtol=1e-14)


def test_momentum_shortcut():
    opt = Momentum(0.05)
    assert isinstance(opt, SGD) and opt.momentum == 0.9 and opt.learning_rate == 0.05


def textbook_adam(ws, gs, lr, b1, b2, eps):
    """Algorithm 1 of Kingma and Ba (2015), written out independently of course_lib."""
    w, m, v = ws.copy(), np.zeros_like(ws), np.zeros_like(ws)
    out = []
    for t, g in enumerate(gs, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(w)
    return out


def test_adam_first_step_by_hand():
    # With bias correction, the first step moves every weight by lr * sign(g), whatever |g| is.
    one, _ = two_steps(Adam(learning_rate=0.1, epsilon=1e-12))
    np.testing.assert_allclose(one, [0.9, -2.1], rtol=1e-10)


def test_adam_matches_the_textbook_formula():
    # Tiny epsilon: the paper puts epsilon on sqrt(v_hat), course_lib (like Keras) on sqrt(v);
    # apart from epsilon the two are algebraically the same.
    one, two = two_steps(Adam(learning_rate=0.1, epsilon=1e-12))
    exp_one, exp_two = textbook_adam(W0, [G1, G2], 0.1, 0.9, 0.999, 1e-12)
    np.testing.assert_allclose(one, exp_one, rtol=1e-10)
    np.testing.assert_allclose(two, exp_two, rtol=1e-10)


def test_adam_epsilon_is_the_keras_epsilon_hat():
    opt = Adam(learning_rate=0.1, beta1=0.8, beta2=0.99, epsilon=1e-3)
    _, two = two_steps(opt)
    m = 0.8 * (0.2 * G1) + 0.2 * G2
    v = 0.99 * (0.01 * G1 ** 2) + 0.01 * G2 ** 2
    lr_t = 0.1 * np.sqrt(1 - 0.99 ** 2) / (1 - 0.8 ** 2)
    w1 = W0 - 0.1 * np.sqrt(1 - 0.99) / (1 - 0.8) * (0.2 * G1) / (np.sqrt(0.01 * G1 ** 2) + 1e-3)
    np.testing.assert_allclose(two, w1 - lr_t * m / (np.sqrt(v) + 1e-3), rtol=1e-13)
    m_stored, v_stored = opt.moments("w")
    np.testing.assert_allclose(m_stored, m, rtol=1e-14)
    np.testing.assert_allclose(v_stored, v, rtol=1e-14)
    np.testing.assert_allclose(opt.state["w"]["m_sum"], m / 0.2, rtol=1e-14)   # the stored sums
    np.testing.assert_allclose(opt.state["w"]["v_sum"], v / 0.01, rtol=1e-14)
    assert opt.t == 2


def tiny_network(optimizer):
    net = Sequential([Dense(3, 4), Tanh(), Dense(4, 2), Softmax()], rng=0)
    return net.compile("categorical_crossentropy", optimizer)


X = np.random.default_rng(1).normal(size=(5, 3))
Y = np.array([0, 1, 1, 0, 1])


def test_state_is_visible_by_parameter_name():
    net = tiny_network(Adam(learning_rate=0.01))
    _, g = net.compute_gradients(X, Y)
    net.fit(X, Y, epochs=1, batch_size=len(X), shuffle=False, progress=False)   # one step
    state = net.optimizer.state
    assert set(state) == set(net.parameters())
    np.testing.assert_allclose(net.optimizer.moments("dense_0.W")[0], 0.1 * g["dense_0.W"], rtol=1e-12)
    np.testing.assert_allclose(net.optimizer.moments("dense_2.b")[1], 0.001 * g["dense_2.b"] ** 2,
                               rtol=1e-12)
    np.testing.assert_allclose(state["dense_0.W"]["m_sum"], g["dense_0.W"], rtol=1e-12)
    assert state["dense_0.W"]["m_sum"].shape == (3, 4)


def test_momentum_state_is_visible_by_parameter_name():
    net = tiny_network(SGD(learning_rate=0.1, momentum=0.9))
    _, g = net.compute_gradients(X, Y)
    net.fit(X, Y, epochs=1, batch_size=len(X), shuffle=False, progress=False)
    np.testing.assert_allclose(net.optimizer.state["dense_2.W"]["velocity"], -0.1 * g["dense_2.W"],
                               rtol=1e-12)


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: SGD(0.1, momentum=0.9), lambda: Adam(0.01)])
def test_network_updates_match_the_same_rule_applied_per_array(make):
    """However the network hands over its parameters, the update is the textbook one."""
    net = tiny_network(make())
    reference = make()
    expected = {k: v.copy() for k, v in net.parameters().items()}
    for _ in range(2):
        _, g = net.compute_gradients(X, Y)
        reference.step(expected, g)
        net.fit(X, Y, epochs=1, batch_size=len(X), shuffle=False, progress=False)
    for name, value in net.parameters().items():
        np.testing.assert_allclose(value, expected[name], rtol=1e-12, atol=1e-15)


def test_reset_forgets_the_state():
    opt = Adam(0.1)
    two_steps(opt)
    opt.reset()
    assert opt.state == {} and opt.t == 0
    one, _ = two_steps(opt)
    np.testing.assert_allclose(one, [0.9, -2.1], rtol=1e-5)


def test_float32_parameters_stay_float32():
    for opt in (SGD(0.1), SGD(0.1, momentum=0.5), Adam(0.1)):
        w = W0.astype(np.float32)
        opt.step({"w": w}, {"w": G1.astype(np.float32)})
        assert w.dtype == np.float32


def test_repr_shows_the_hyper_parameters():
    assert repr(SGD(0.1)) == "SGD(learning_rate=0.1)"
    assert repr(SGD(0.1, momentum=0.9)) == "SGD(learning_rate=0.1, momentum=0.9)"
    assert repr(Adam()) == "Adam(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-07)"


def test_get_optimizer():
    assert isinstance(get_optimizer("Adam"), Adam)
    assert get_optimizer("sgd", learning_rate=0.5).learning_rate == 0.5
    assert get_optimizer("momentum").momentum == 0.9
    opt = SGD(0.1)
    assert get_optimizer(opt, learning_rate=0.2) is opt and opt.learning_rate == 0.2


def test_learning_rate_setter_validates():
    opt = Adam(0.1)
    opt.learning_rate = 0.05
    assert opt.learning_rate == 0.05
    with pytest.raises(CourseError, match="learning_rate must be a positive number"):
        opt.learning_rate = 0.0


def test_float32_adam_computes_in_float32():
    # The step must round like float32 arithmetic with float32 constants (a float64 scalar would
    # silently compute the update in float64, five times slower). Compare against that recipe.
    rng = np.random.default_rng(3)
    w = rng.standard_normal(1000).astype(np.float32)
    grads = [rng.standard_normal(1000).astype(np.float32) for _ in range(3)]
    opt, expected = Adam(1e-3), w.copy()
    f = np.float32
    m_sum, v_sum = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        opt.step({"w": w}, {"w": g})
        lr_t = 1e-3 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        step, eps = f(lr_t * 0.1 / np.sqrt(0.001)), f(1e-7 / np.sqrt(0.001))
        m_sum = f(0.9) * m_sum + g
        v_sum = f(0.999) * v_sum + g * g
        expected -= step * (m_sum / (np.sqrt(v_sum) + eps))
    assert w.dtype == np.float32 and opt.state["w"]["m_sum"].dtype == np.float32
    np.testing.assert_array_equal(w, expected)


def test_moments_of_an_unknown_parameter_name_the_known_ones():
    opt = Adam(0.1)
    with pytest.raises(CourseError, match="has not taken a step"):
        opt.moments("dense_0.W")
    two_steps(opt)
    with pytest.raises(CourseError, match="no moments for 'W'.*'w'"):
        opt.moments("W")
