"""Optimizer state that decays for many steps ends up exactly 0, never subnormal (issue 11 §3)."""
import numpy as np
import pytest

import course_lib as cl
from course_lib.optimizers import FLUSH_EVERY, FlatParameters


def _subnormal(a):
    return np.any((a != 0) & (np.abs(a) < np.finfo(a.dtype).tiny))


@pytest.mark.parametrize("make, slots", [(lambda: cl.Adam(1e-3), ("m_sum", "v_sum")),
                                         (lambda: cl.SGD(0.1, momentum=0.9), ("velocity",))])
@pytest.mark.parametrize("flat", [True, False])
def test_decaying_state_is_flushed_to_zero_not_left_subnormal(make, slots, flat):
    opt = make()
    w = {"W": np.ones((4, 3), dtype=np.float32)}
    g = {"W": np.full((4, 3), 0.5, dtype=np.float32)}
    params, grads = (FlatParameters(w, np.float32), FlatParameters(g, np.float32)) if flat else (w, g)
    opt.step(params, grads)                 # one real gradient ...
    zero = grads.flat if flat else g["W"]
    zero[...] = 0.0                         # ... then a pixel that is always black
    for _ in range(3000):                   # enough for beta1^t to pass 1e-38 many times over
        opt.step(params, grads)
        for slot in slots:
            state = opt._flat_state[slot] if flat else opt.state["W"][slot]
            assert not _subnormal(state)
    for slot in slots:
        state = opt._flat_state[slot] if flat else opt.state["W"][slot]
        if slot != "v_sum":   # v decays by 0.999 per step: 3000 steps leave it at 0.05 of its start
            assert np.all(state == 0), f"{slot} should have been flushed to exactly 0"


def test_without_the_flush_the_state_would_have_been_subnormal():
    """The test above proves something: m * 0.9^t passes through the subnormal range."""
    m = np.float32(0.05)
    seen = False
    for _ in range(3000):
        m = np.float32(m * np.float32(0.9))
        seen |= bool(0 < m < np.finfo(np.float32).tiny)
    assert seen


def test_the_flush_does_not_change_training():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(256, 6)), rng.integers(0, 3, 256)
    runs = []
    for every in (FLUSH_EVERY, 10**9):
        import course_lib.optimizers as opt_mod
        saved = opt_mod.FLUSH_EVERY
        opt_mod.FLUSH_EVERY = every
        try:
            net = cl.Sequential([cl.Dense(6, 8), cl.ReLU(), cl.Dense(8, 3), cl.Softmax()], rng=1)
            net.compile(optimizer="adam").fit(X, y, epochs=5, batch_size=8, progress=False)
            runs.append(net.parameters())
        finally:
            opt_mod.FLUSH_EVERY = saved
    for name in runs[0]:
        np.testing.assert_allclose(runs[0][name], runs[1][name], rtol=0, atol=1e-20)
