"""Benchmark: the seed's Keras model trained with course_lib on the full Fashion-MNIST.

    python benchmarks/bench_train.py                 # everything, PyTorch too if installed
    python benchmarks/bench_train.py --no-torch      # course_lib only

Model: 784 -> Dense 128 ReLU -> Dropout 0.2 -> Dense 10 softmax, Adam(1e-3), float32.
It reports, for course_lib at batch 32 (the seed's setting) and at batch 128:

- the median epoch time over the training epochs;
- the test accuracy and loss after ``--epochs`` epochs at batch 32, for the seed's exact
  recipe and for the same network with a cosine learning-rate decay from 1e-3. The exact
  recipe averages 0.870 over ten seeds, in course_lib and in PyTorch alike, below the seed's
  single Keras run of 0.8736; the decay reaches 0.8736 on every seed tried
  (benchmarks/accuracy_spread.py measures this; see also notebooks/07_fashion_mnist.ipynb);
- a roofline: the model's matrix-multiply FLOPs per epoch divided by the float32 GEMM
  speed measured, in this run, on exactly the model's GEMM shapes. An implementation
  with no overhead at all would need roofline_epoch_s per epoch;
- PyTorch's median epoch time for the same model, data and batch size, when torch
  is importable (it is not a dependency of the course: ``pip install torch``), and at
  batch 128 its ratio to the same roofline, as a yardstick for course_lib's;
- the peak memory (resident set) of the course_lib part, measured before torch loads;
- the leanest NumPy loop we could write for the same model (benchmarks/numpy_floor.py) at
  batch 32, in epochs interleaved with course_lib's, and course_lib's time over it: what any
  NumPy implementation pays here, whatever PyTorch's time on the machine;
- every epoch's time at batch 32 and the drift, the slowest epoch over the first: state
  that sinks into subnormal floats slows later epochs on Intel CPUs (course_lib flushes it,
  see course_lib/optimizers.py), and the cost of that flush per epoch, measured.

The last line printed is one JSON object with all the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

# BLAS fixes its thread count when NumPy loads, so --threads must act before that import.
if "--threads" in sys.argv[:-1]:
    _threads = sys.argv[sys.argv.index("--threads") + 1]
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads

import numpy as np  # noqa: E402

import course_lib as cl  # noqa: E402
from course_lib.callbacks import cosine_decay  # noqa: E402
from course_lib.recipes import seed_model  # noqa: E402

HIDDEN, CLASSES, FEATURES = 128, 10, 784


def build(seed):
    """The seed's model, compiled, exactly as lesson 07 builds it (course_lib.recipes.seed_model)."""
    return seed_model(rng=seed)


def gemm_flops_per_step(batch):
    """FLOPs of the matrix products in one training step (2 per multiply-add).

    Forward: X W1 and H W2. Backward: dW1 = X^T delta1, dW2 = H^T delta2 and
    dH = delta2 W2^T. The first layer's dX is never computed (nothing needs it).
    """
    return 2 * batch * (2 * FEATURES * HIDDEN + 3 * HIDDEN * CLASSES)


def measure_gemm_gflops(batch, rng, repeats=300):
    """float32 GEMM speed, in GFLOP/s, on the five products of one step at this batch size."""
    f32 = np.float32
    X = rng.random((batch, FEATURES), dtype=f32)
    W1 = rng.random((FEATURES, HIDDEN), dtype=f32)
    W2 = rng.random((HIDDEN, CLASSES), dtype=f32)
    H = rng.random((batch, HIDDEN), dtype=f32)
    d2 = rng.random((batch, CLASSES), dtype=f32)
    d1 = rng.random((batch, HIDDEN), dtype=f32)
    outs = [np.empty((batch, HIDDEN), f32), np.empty((batch, CLASSES), f32),
            np.empty((FEATURES, HIDDEN), f32), np.empty((HIDDEN, CLASSES), f32),
            np.empty((batch, HIDDEN), f32)]

    def step():
        np.matmul(X, W1, out=outs[0])
        np.matmul(H, W2, out=outs[1])
        np.matmul(X.T, d1, out=outs[2])
        np.matmul(H.T, d2, out=outs[3])
        np.matmul(d2, W2.T, out=outs[4])

    for _ in range(20):
        step()
    best = float("inf")
    for _ in range(5):   # best of five rounds: the roofline is the machine's best, not its average
        start = time.perf_counter()
        for _ in range(repeats):
            step()
        best = min(best, (time.perf_counter() - start) / repeats)
    return gemm_flops_per_step(batch) / best / 1e9


def measure_flush(net, steps_per_epoch, repeats=200):
    """Seconds per epoch that the optimizer's subnormal flush costs (one every FLUSH_EVERY steps)."""
    from course_lib.optimizers import FLUSH_EVERY, flush_tiny
    state = [np.full(net._params.flat.size, 1e-3, np.float32) for _ in net.optimizer.slots]
    start = time.perf_counter()
    for _ in range(repeats):
        flush_tiny(state)
    return (time.perf_counter() - start) / repeats * (steps_per_epoch / FLUSH_EVERY)


def steps(n, batch):
    """Minibatches per epoch."""
    return -(-n // batch)


def roofline_run(data, batch, epochs, seed, rng):
    """Train epoch by epoch, measuring the GEMM speed right before each epoch.

    A shared machine's speed drifts by tens of percent within a minute, so each epoch is
    compared with a roofline measured under the same conditions. Returns the medians of
    the epoch times, the rooflines and their ratios, and the median GEMM GFLOP/s.
    """
    (X, y), _ = data
    net = build(seed)
    net.fit(X[:batch * 50], y[:batch * 50], epochs=1, batch_size=batch, progress=False)   # warm-up
    times, rooflines, rates = [], [], []
    for _ in range(epochs):
        rates.append(measure_gemm_gflops(batch, rng, repeats=100))
        rooflines.append(steps(len(X), batch) * gemm_flops_per_step(batch) / (rates[-1] * 1e9))
        times.append(net.fit(X, y, epochs=1, batch_size=batch, progress=False)["seconds"][0])
    ratios = [t / r for t, r in zip(times, rooflines)]
    return (statistics.median(times), statistics.median(rooflines), statistics.median(ratios),
            statistics.median(rates))


def per_array(net):
    """The same network, but its optimizer updates each parameter array on its own instead of
    the one flat buffer that Sequential.compile builds: the comparison that decides whether
    the flat buffer pays for itself."""
    net._params, net._grads = net.parameters(), net.gradients()
    net.optimizer.reset()
    return net


def flat_buffer_comparison(data, batch, epochs, seed):
    """Median epoch times with the flat buffer, with per-array updates, and of the leanest NumPy
    loop for the same model (benchmarks/numpy_floor.py), epochs interleaved so that all three
    see the same machine load."""
    import numpy_floor  # imported here: it imports this module's helpers in turn

    (X, y), _ = data
    flat, arrays = build(seed), per_array(build(seed))
    lean, lean_rng = numpy_floor.LeanNet(np.random.default_rng(seed)), np.random.default_rng(seed)
    times = {"flat": [], "per_array": [], "numpy_floor": []}
    for _ in range(epochs):
        for name, net in (("flat", flat), ("per_array", arrays)):
            times[name].append(net.fit(X, y, epochs=1, batch_size=batch, progress=False)["seconds"][0])
        times["numpy_floor"].append(numpy_floor.lean_epoch(lean, X, y, batch, lean_rng))
    return {name: statistics.median(t) for name, t in times.items()}


def train_course_lib(data, batch, epochs, seed, cosine=False):
    """Train the seed model; with cosine=True the learning rate decays from 1e-3 along a half cosine."""
    (X, y), (X_test, y_test) = data
    net = build(seed)
    callbacks = [cl.LearningRateSchedule(cosine_decay(1e-3, epochs))] if cosine else []
    history = net.fit(X, y, epochs=epochs, batch_size=batch, progress=False, callbacks=callbacks)
    loss, acc = net.evaluate(X_test, y_test)
    return statistics.median(history["seconds"]), loss, acc, history["seconds"]


def train_torch(data, batch, epochs, seed, threads=None):
    """The same model in PyTorch, with the simplest fast loop: shuffled index batches on tensors."""
    try:
        import torch
    except ImportError:
        return None
    # PyTorch's default is one thread per core, unless OMP_NUM_THREADS says otherwise; this
    # script (and the Makefile) set that variable for NumPy's BLAS, so restore the default here.
    torch.set_num_threads(threads or os.cpu_count())
    (X, y), (X_test, y_test) = data
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(FEATURES, HIDDEN), torch.nn.ReLU(),
                                torch.nn.Dropout(0.2), torch.nn.Linear(HIDDEN, CLASSES))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    times = []
    for _ in range(epochs):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(Xt))
        for i in range(0, len(Xt), batch):
            idx = order[i:i + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(X_test))
        acc = float((logits.argmax(1).numpy() == y_test).mean())
    return {"median": statistics.median(times), "accuracy": acc, "version": torch.__version__,
            "threads": torch.get_num_threads()}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark course_lib on the seed's Keras model.")
    parser.add_argument("--epochs", type=int, default=5, help="epochs at batch 32 (default 5)")
    parser.add_argument("--roofline-epochs", type=int, default=3, help="epochs at batch 128")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="PyTorch's threads (default: one per core, its own default)")
    parser.add_argument("--flat-epochs", type=int, default=3,
                        help="epochs of each variant in the flat-buffer comparison")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for NumPy's BLAS (make bench: 1, as the lessons run)")
    args = parser.parse_args(argv)

    (X, y), (X_test, y_test), _ = cl.load_fashion_mnist(dtype="float32")
    data = ((X, y), (X_test, y_test))
    rng = np.random.default_rng(args.seed)

    print(f"course_lib: {args.epochs} epochs at batch 32 ...", file=sys.stderr, flush=True)
    epoch_s, test_loss, test_acc, epochs_32 = train_course_lib(data, 32, args.epochs, args.seed)
    print(f"  epochs {[round(t, 3) for t in epochs_32]} s; test accuracy {test_acc:.4f}",
          file=sys.stderr, flush=True)

    print("course_lib: the same with a cosine learning-rate decay ...", file=sys.stderr, flush=True)
    _, cos_loss, cos_acc, _ = train_course_lib(data, 32, args.epochs, args.seed, cosine=True)

    print(f"course_lib: {args.roofline_epochs} epochs at batch 128, each beside a GEMM "
          "measurement ...", file=sys.stderr, flush=True)
    epoch_s_128, roofline_128, ratio_128, gflops_128 = roofline_run(
        data, 128, args.roofline_epochs, args.seed, rng)
    print(f"  epoch {epoch_s_128:.3f} s, roofline {roofline_128:.3f} s, ratio {ratio_128:.2f}",
          file=sys.stderr, flush=True)
    print("course_lib: flat parameter buffer against per-array updates, batch 32 ...",
          file=sys.stderr, flush=True)
    flat_vs = flat_buffer_comparison(data, 32, args.flat_epochs, args.seed)
    print(f"  flat {flat_vs['flat']:.3f} s, per array {flat_vs['per_array']:.3f} s, NumPy floor "
          f"{flat_vs['numpy_floor']:.3f} s", file=sys.stderr, flush=True)
    flush_s = measure_flush(build(args.seed), steps(len(X), 32))
    gflops_32 = measure_gemm_gflops(32, rng)
    roofline_32 = steps(len(X), 32) * gemm_flops_per_step(32) / (gflops_32 * 1e9)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # before torch loads

    torch_result = None if args.no_torch else train_torch(data, 32, args.epochs, args.seed,
                                                          args.torch_threads)
    torch_s = torch_result["median"] if torch_result else None
    # PyTorch at batch 128 too: how close a compiled framework gets to the same roofline.
    torch_128 = train_torch(data, 128, args.roofline_epochs, args.seed, args.torch_threads) \
        if torch_result else None

    result = {
        "course_lib_epoch_s": round(epoch_s, 4),
        "course_lib_epochs_s": [round(t, 4) for t in epochs_32],
        "drift": round(max(epochs_32) / epochs_32[0], 3),
        "flush_s_per_epoch": round(flush_s, 5),
        "flat_buffer_epoch_s": round(flat_vs["flat"], 4),
        "per_array_epoch_s": round(flat_vs["per_array"], 4),
        "flat_buffer_speedup": round(flat_vs["per_array"] / flat_vs["flat"], 3),
        "numpy_floor_epoch_s": round(flat_vs["numpy_floor"], 4),
        "ratio_vs_numpy_floor": round(flat_vs["flat"] / flat_vs["numpy_floor"], 3),
        "flush_share_of_epoch": round(flush_s / epoch_s, 4),
        "test_accuracy": round(test_acc, 4),
        "test_loss": round(test_loss, 4),
        "test_accuracy_cosine_decay": round(cos_acc, 4),
        "test_loss_cosine_decay": round(cos_loss, 4),
        "epochs": args.epochs,
        "batch_size": 32,
        "course_lib_epoch_s_batch128": round(epoch_s_128, 4),
        "roofline_epoch_s": round(roofline_128, 4),
        "roofline_batch_size": 128,
        "ratio_vs_roofline": round(ratio_128, 3),
        "roofline_epoch_s_batch32": round(roofline_32, 4),
        "ratio_vs_roofline_batch32": round(epoch_s / roofline_32, 3),
        "gemm_gflops_batch128": round(gflops_128, 1),
        "gemm_gflops_batch32": round(gflops_32, 1),
        "torch_epoch_s": round(torch_s, 4) if torch_s else None,
        "torch_test_accuracy": round(torch_result["accuracy"], 4) if torch_result else None,
        "torch_version": torch_result["version"] if torch_result else None,
        "torch_threads": torch_result["threads"] if torch_result else None,
        "ratio_vs_torch": round(epoch_s / torch_s, 3) if torch_s else None,
        "torch_epoch_s_batch128": round(torch_128["median"], 4) if torch_128 else None,
        "torch_ratio_vs_roofline": round(torch_128["median"] / roofline_128, 3) if torch_128 else None,
        "peak_memory_mb": round(peak_mb, 1),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
