"""The benchmark scripts' own arithmetic: FLOP counts, the lean loop, the accuracy summary."""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import accuracy_spread  # noqa: E402
import bench_train  # noqa: E402
import numpy_floor  # noqa: E402


def test_gemm_flops_and_steps():
    # Forward X W1 and H W2; backward X^T d1, H^T d2, d2 W2^T: 2 FLOPs per multiply-add.
    by_hand = 2 * 128 * (784 * 128 + 128 * 10 + 784 * 128 + 128 * 10 + 10 * 128)
    assert bench_train.gemm_flops_per_step(128) == by_hand
    assert bench_train.steps(60_000, 128) == 469 and bench_train.steps(60_000, 32) == 1875


def test_lean_loop_has_the_seed_model_and_learns(band_images):
    X, y = band_images
    rng = np.random.default_rng(0)
    net = numpy_floor.LeanNet(rng)
    assert net.flat.size == 101_770 and net.flat.dtype == np.float32
    assert all(np.shares_memory(net.p[k], net.flat) for k in net.p)

    def accuracy():
        hidden = np.maximum(X @ net.p["W1"] + net.p["b1"], 0)
        return np.mean((hidden @ net.p["W2"] + net.p["b2"]).argmax(axis=1) == y)

    before = accuracy()
    for _ in range(3):
        for start in range(0, len(X), 50):
            net.step(X[start:start + 50], y[start:start + 50], rng)
    assert before < 0.3 and accuracy() > 0.9


def test_accuracy_spread_summary():
    summary = accuracy_spread.spread([0.8700, 0.8740, 0.8660])
    assert summary["mean"] == pytest.approx(0.87) and summary["std"] == pytest.approx(0.004)
    assert (summary["min"], summary["max"]) == (0.866, 0.874)
    assert summary["at_least_keras"] == 1 and summary["runs"] == 3


@pytest.mark.parametrize("main, args", [(accuracy_spread.main, ["--seeds", "0"]),
                                        (numpy_floor.main, ["--batch", "0"])])
def test_scripts_refuse_nonsense_counts(main, args, capsys):
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2 and "must be at least 1" in capsys.readouterr().err


def test_the_flush_cost_is_measured_per_epoch():
    seconds = bench_train.measure_flush(bench_train.build(0), bench_train.steps(60_000, 32), repeats=3)
    assert 0 < seconds < 1.0


def test_the_per_array_variant_trains_the_same_network():
    rng = np.random.default_rng(0)
    X = rng.random((64, 784), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    flat, arrays = bench_train.build(0), bench_train.per_array(bench_train.build(0))
    for net in (flat, arrays):
        net.fit(X, y, epochs=2, batch_size=16, progress=False, shuffle=False)
    for name, value in flat.parameters().items():
        np.testing.assert_allclose(arrays.parameters()[name], value, rtol=1e-5, atol=1e-6)


def test_the_lean_loop_updates_exactly_as_course_libs_adam():
    # The floor is only a floor if it does the same work: same Adam, same rounding.
    rng = np.random.default_rng(2)
    lean = numpy_floor.LeanNet(rng)
    w = {"w": lean.flat.copy()}
    adam = bench_train.cl.Adam(1e-3)
    for _ in range(3):
        lean.grad[...] = rng.standard_normal(lean.grad.size, dtype=np.float32)
        adam.step(w, {"w": lean.grad.copy()})
        lean.adam()
    np.testing.assert_array_equal(lean.flat, w["w"])


def test_a_lean_epoch_visits_every_batch_and_returns_its_time():
    rng = np.random.default_rng(0)
    X = rng.random((96, 784), dtype=np.float32)
    y = rng.integers(0, 10, 96)
    net = numpy_floor.LeanNet(rng)
    before = net.flat.copy()
    seconds = numpy_floor.lean_epoch(net, X, y, 32, rng)
    assert seconds > 0 and net.t == 3 and not np.array_equal(net.flat, before)
