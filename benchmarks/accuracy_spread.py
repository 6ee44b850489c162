"""How far the seed's 0.8736 is from what its recipe gives on average, in course_lib and PyTorch.

    python benchmarks/accuracy_spread.py --seeds 10        # about 6 minutes on 2 cores
    python benchmarks/accuracy_spread.py --seeds 10 --no-torch
    COURSE_RESULTS_DIR=course_lib/results python benchmarks/accuracy_spread.py --seeds 10 --save
                        # record the figures, with how they were made, for lesson 07

The seed note reports one Keras run of 784 -> Dense 128 ReLU -> Dropout 0.2 -> Dense 10
softmax, Adam(1e-3), batch 32, 5 epochs: test accuracy 0.8736. One run is one draw: the
initial weights, the shuffling and the dropout masks all depend on the seed. This script
trains the same recipe over several seeds, in course_lib and (when it is installed) in
PyTorch, plus course_lib with a cosine learning-rate decay from 1e-3, and reports the mean,
the spread and how many runs reach 0.8736. The last line printed is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

# BLAS fixes its thread count when NumPy loads, so --threads must act before that import.
if "--threads" in sys.argv[:-1]:
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = sys.argv[sys.argv.index("--threads") + 1]

from bench_train import train_course_lib, train_torch  # noqa: E402

import course_lib as cl  # noqa: E402

KERAS_ACCURACY = 0.8736


def spread(accuracies):
    """Mean, standard deviation, range and the share of runs at or above the seed's figure."""
    return {"mean": round(statistics.mean(accuracies), 4),
            "std": round(statistics.stdev(accuracies), 4) if len(accuracies) > 1 else 0.0,
            "min": round(min(accuracies), 4), "max": round(max(accuracies), 4),
            "at_least_keras": sum(a >= KERAS_ACCURACY for a in accuracies),
            "runs": len(accuracies), "accuracies": [round(a, 4) for a in accuracies]}


def cpu_model():
    """The processor's name (Linux), or what platform knows."""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform
    return platform.processor() or platform.machine()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (default 10)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    parser.add_argument("--threads", type=int, default=None, help="threads for BLAS and torch")
    parser.add_argument("--save", action="store_true",
                        help="also save the figures as the results file 'accuracy_spread' "
                             "(course_lib.cache: $COURSE_RESULTS_DIR first), which lesson 07 reads")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.epochs < 1:
        parser.error("--seeds and --epochs must be at least 1")

    def compute():
        (X, y), (X_test, y_test), _ = cl.load_fashion_mnist(dtype="float32")
        data = ((X, y), (X_test, y_test))
        runs = {"course_lib": [], "course_lib_cosine_decay": [], "torch": []}
        torch_version = None
        for seed in range(args.seeds):
            runs["course_lib"].append(train_course_lib(data, 32, args.epochs, seed)[2])
            runs["course_lib_cosine_decay"].append(
                train_course_lib(data, 32, args.epochs, seed, cosine=True)[2])
            if not args.no_torch:
                result = train_torch(data, 32, args.epochs, seed, args.threads)
                if result:
                    runs["torch"].append(result["accuracy"])
                    torch_version = result["version"]
            print(f"seed {seed}: " + ", ".join(f"{k} {v[-1]:.4f}" for k, v in runs.items() if v),
                  file=sys.stderr, flush=True)
        result = {name: spread(accs) if accs else None for name, accs in runs.items()}
        result.update(keras_single_run=KERAS_ACCURACY, epochs=args.epochs, batch_size=32,
                      torch_version=torch_version, cpu=cpu_model())
        return result

    if args.save:
        from course_lib.cache import load_or_compute
        result, record = load_or_compute("accuracy_spread", compute, recompute=True,
                                         seeds=list(range(args.seeds)))
        print(f"saved {record['path']}", file=sys.stderr)
    else:
        result = compute()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
