"""The NumPy floor: how close to the GEMM roofline can any NumPy training loop get here?

    python benchmarks/numpy_floor.py --threads 1            # batch 128, 3 epochs
    python benchmarks/numpy_floor.py --threads 1 --batch 32

bench_train.py compares course_lib's epoch time with a roofline: the model's matrix-product
FLOPs at the GEMM speed this machine reaches on the model's shapes. This script times the
leanest loop we could write for the same model and update (784 -> 128 ReLU -> dropout 0.2 ->
10 softmax, cross-entropy, Adam 1e-3, float32, all parameters in one flat buffer): integer
labels, preallocated Adam scratch, no cost, no accuracy, no checks. It is not a library; it
marks what NumPy itself costs per step on this machine (the gather of random rows, Adam's
elementwise passes, dropout's random numbers), so course_lib's ratio can be read against it.
Each epoch is timed right after its own GEMM measurement, as in bench_train.py. The last
line printed is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

# BLAS fixes its thread count when NumPy loads, so --threads must act before that import.
if "--threads" in sys.argv[:-1]:
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = sys.argv[sys.argv.index("--threads") + 1]

import numpy as np  # noqa: E402
from bench_train import CLASSES, FEATURES, HIDDEN, gemm_flops_per_step, measure_gemm_gflops, steps  # noqa: E402

import course_lib as cl  # noqa: E402

f32 = np.float32


class LeanNet:
    """The seed model's parameters, gradients and Adam moments, each one flat float32 buffer."""

    shapes = {"W1": (FEATURES, HIDDEN), "b1": (HIDDEN,), "W2": (HIDDEN, CLASSES), "b2": (CLASSES,)}

    def __init__(self, rng):
        sizes = [int(np.prod(s)) for s in self.shapes.values()]
        self.flat, self.grad = np.zeros(sum(sizes), f32), np.zeros(sum(sizes), f32)
        self.m, self.v, self.tmp = (np.zeros_like(self.flat) for _ in range(3))
        self.p, self.g, offset = {}, {}, 0
        for (name, shape), size in zip(self.shapes.items(), sizes):
            self.p[name] = self.flat[offset:offset + size].reshape(shape)
            self.g[name] = self.grad[offset:offset + size].reshape(shape)
            offset += size
        for name, (n_in, n_out) in (("W1", (FEATURES, HIDDEN)), ("W2", (HIDDEN, CLASSES))):
            limit = np.sqrt(6 / (n_in + n_out))          # Glorot uniform, as Keras
            self.p[name][...] = rng.uniform(-limit, limit, (n_in, n_out))
        self.t = 0

    def step(self, x, labels, rng):
        p, g, n = self.p, self.g, len(x)
        z1 = x @ p["W1"]
        z1 += p["b1"]
        h = np.maximum(z1, 0)
        keep = rng.random(h.shape, dtype=f32)
        np.greater_equal(keep, f32(0.2), out=keep)
        keep *= f32(1.25)
        h *= keep
        z2 = h @ p["W2"]
        z2 += p["b2"]
        z2 -= z2.max(axis=1, keepdims=True)
        np.exp(z2, out=z2)
        z2 /= z2.sum(axis=1, keepdims=True)               # z2 now holds the probabilities
        z2[np.arange(n), labels] -= 1
        z2 *= f32(1 / n)                                  # delta2 = (a - y) / n
        np.matmul(h.T, z2, out=g["W2"])
        z2.sum(axis=0, out=g["b2"])
        d1 = z2 @ p["W2"].T
        d1 *= keep
        d1 *= z1 > 0
        np.matmul(x.T, d1, out=g["W1"])
        d1.sum(axis=0, out=g["b1"])
        self.adam()

    def adam(self, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
        """Adam with the moments kept as decaying sums, as course_lib keeps them: ten passes."""
        self.t += 1
        lr_t = lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        step, eps = f32(lr_t * (1 - b1) / np.sqrt(1 - b2)), f32(eps / np.sqrt(1 - b2))
        m, v, tmp, g = self.m, self.v, self.tmp, self.grad
        m *= f32(b1)
        m += g
        v *= f32(b2)
        np.multiply(g, g, out=tmp)
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += eps
        np.divide(m, tmp, out=tmp)
        tmp *= step
        self.flat -= tmp


def lean_epoch(net, X, y, batch, rng):
    """One shuffled epoch of the lean loop; returns its time in seconds."""
    order = rng.permutation(len(X))
    start = time.perf_counter()
    for b in range(steps(len(X), batch)):
        idx = order[b * batch:(b + 1) * batch]
        net.step(X[idx], y[idx], rng)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads")
    args = parser.parse_args(argv)
    if args.batch < 1 or args.epochs < 1:
        parser.error("--batch and --epochs must be at least 1")

    (X, y), (X_test, y_test), _ = cl.load_fashion_mnist(dtype="float32")
    rng = np.random.default_rng(args.seed)
    net, n_steps = LeanNet(rng), steps(len(X), args.batch)
    times, rooflines = [], []
    for _ in range(args.epochs):
        rate = measure_gemm_gflops(args.batch, rng, repeats=100)
        rooflines.append(n_steps * gemm_flops_per_step(args.batch) / (rate * 1e9))
        times.append(lean_epoch(net, X, y, args.batch, rng))
    hidden = np.maximum(X_test @ net.p["W1"] + net.p["b1"], 0)
    accuracy = float(np.mean((hidden @ net.p["W2"] + net.p["b2"]).argmax(axis=1) == y_test))
    print(json.dumps({
        "batch_size": args.batch, "epochs": args.epochs,
        "numpy_floor_epoch_s": round(statistics.median(times), 4),
        "roofline_epoch_s": round(statistics.median(rooflines), 4),
        "numpy_floor_ratio_vs_roofline": round(statistics.median(
            [t / r for t, r in zip(times, rooflines)]), 3),
        "test_accuracy": round(accuracy, 4),   # a sanity check that the loop really trains
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
    }))


if __name__ == "__main__":
    main()
