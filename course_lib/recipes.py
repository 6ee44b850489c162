"""Lesson 07's Fashion-MNIST models and how they are trained.

The model builders return compiled networks (the seed tutorial's Keras model, 3Blue1Brown's small
one and the course's wider best one); the recipes train one of them once and return its scores;
the sweeps train them over seeds, recipes, architectures and ablations and return plain dicts,
which the lesson caches as JSON with ``course_lib.cache.load_or_compute``.

Images are rows of 784 pixels in [0, 1]: X has shape (n, 784), labels y have shape (n,).
"""
from __future__ import annotations

import json
import time

import numpy as np

from ._validation import CourseError
from .cache import find_result
from .callbacks import LearningRateSchedule, cosine_decay
from .data import train_val_split
from .layers import Dense, Dropout, ReLU, Sigmoid, Softmax
from .network import Sequential
from .optimizers import Adam


# ------------------------------------------------------------------ the models
def seed_model(rng=0, epsilon=1e-7) -> Sequential:
    """The seed tutorial's Keras model: Dense(784,128) ReLU Dropout(0.2) Dense(128,10) Softmax.

    Glorot-uniform weights, zero biases, Adam(1e-3), categorical cross-entropy, float32:
    each choice is the Keras default the tutorial relied on. 101,770 parameters.
    """
    net = Sequential([Dense(784, 128), ReLU(), Dropout(0.2), Dense(128, 10), Softmax()],
                     rng=rng, dtype="float32")
    return net.compile("categorical_crossentropy", Adam(1e-3, epsilon=epsilon))


def small_model(rng=0) -> Sequential:
    """3Blue1Brown's 784-16-16-10 digit network (sigmoid hidden units): 13,002 parameters."""
    net = Sequential([Dense(784, 16), Sigmoid(), Dense(16, 16), Sigmoid(), Dense(16, 10), Softmax()],
                     rng=rng, dtype="float32")
    return net.compile("categorical_crossentropy", Adam(1e-3))


def wide_model(hidden=(256, 256), dropout=0.2, learning_rate=1e-3, rng=0) -> Sequential:
    """A deeper, wider ReLU network with dropout after every hidden layer, He-initialised."""
    layers, n_in = [], 784
    for width in hidden:
        layers += [Dense(n_in, width, weight_init="he"), ReLU(), Dropout(dropout)]
        n_in = width
    layers += [Dense(n_in, 10), Softmax()]
    net = Sequential(layers, rng=rng, dtype="float32")
    return net.compile("categorical_crossentropy", Adam(learning_rate))


# ------------------------------------------------------------------ training runs
def standardized_pair(X_train, X_other):
    """Both sets shifted and scaled by the *training* set's per-pixel mean and std, in float32.

    X_train : (n, 784), X_other : (m, 784)  ->  (X_train_std, X_other_std, mean, std).
    Pixels that are constant in the training set keep std 1. Each result is one new float32
    array (computed in place), so a 60,000-image set costs 188 MB once, not two or three times.
    """
    X_train = np.asarray(X_train, dtype=np.float32)
    # Sums in float64, a few thousand rows at a time: X.std(axis=0, dtype=float64) would build a
    # float64 copy of the whole set (376 MB for 60,000 images) just to square it.
    rows = range(0, len(X_train), 5_000)
    total = sum(X_train[i:i + 5_000].sum(axis=0, dtype=np.float64) for i in rows)
    mean64 = total / len(X_train)
    squares = sum(np.square(X_train[i:i + 5_000] - mean64).sum(axis=0) for i in rows)
    mean = mean64.astype(np.float32)
    std = np.sqrt(squares / len(X_train)).astype(np.float32)
    std[std == 0] = 1.0
    out = []
    for X in (X_train, X_other):
        Xs = np.subtract(X, mean, dtype=np.float32)
        Xs /= std
        out.append(Xs)
    return out[0], out[1], mean, std


def train_recipe(data, seed=0, epochs=5, batch_size=32, val_fraction=0.0, epsilon=1e-7,
                 cosine=False, standardized=False, progress=False, callbacks=()):
    """Train the seed model once and return (net, result).

    data : ((X_train, y_train), (X_test, y_test)). val_fraction > 0 holds out that share
    of the training set (as a validation split would) instead of training on all of it.
    cosine : decay the learning rate from 1e-3 towards 0 over the epochs.
    standardized : shift and scale every pixel by the training set's mean and std.
    result : {"seed", "test_loss", "test_accuracy", "seconds"}.
    """
    (X_train, y_train), (X_test, y_test) = data
    if val_fraction:
        (X_train, y_train), _ = train_val_split(X_train, y_train, val_fraction, rng=seed)
    if standardized:
        X_train, X_test, _, _ = standardized_pair(X_train, X_test)
    net = seed_model(rng=seed, epsilon=epsilon)
    callbacks = list(callbacks)
    if cosine:   # final > 0: the schedule is also asked for the rate after the last epoch
        callbacks.append(LearningRateSchedule(cosine_decay(1e-3, epochs, final=1e-6)))
    start = time.perf_counter()
    net.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, progress=progress,
            callbacks=callbacks)
    seconds = time.perf_counter() - start
    loss, acc = net.evaluate(X_test, y_test)
    return net, {"seed": seed, "test_loss": round(float(loss), 4),
                 "test_accuracy": round(float(acc), 4), "seconds": round(seconds, 1)}


def train_best(data, hidden=(256, 256), dropout=0.2, learning_rate=2e-3, batch_size=128,
               epochs=20, seed=0, standardized=True, cosine=True, on="test", progress=False,
               callbacks=()):
    """Train the course's best Fashion-MNIST network (or a variant of it); return (net, record).

    data : ((X_train, y_train), (X_eval, y_eval)). The recipe: ``wide_model``, inputs
    standardized with the training set's per-pixel mean and std, and Adam whose learning rate
    falls along a half cosine to almost 0 over the epochs (standardized=False / cosine=False
    switch a lever off). on="test" scores the finished network once on the second pair;
    on="val" treats it as a validation split and also records its accuracy after every epoch.
    record : the settings, "parameters", "seconds" (training only), "history" (per epoch) and
    "<on>_loss", "<on>_accuracy".
    """
    if on not in ("test", "val"):
        raise CourseError(f'on must be "test" (score once at the end) or "val" (a validation '
                          f'split, watched every epoch); got {on!r}.')
    (X_train, y_train), (X_eval, y_eval) = data
    if standardized:
        X_train, X_eval, _, _ = standardized_pair(X_train, X_eval)
    net = wide_model(hidden, dropout, learning_rate, rng=seed)
    callbacks = list(callbacks)
    if cosine:
        callbacks.insert(0, LearningRateSchedule(cosine_decay(learning_rate, epochs, final=1e-6)))
    start = time.perf_counter()
    history = net.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, progress=progress,
                      validation_data=(X_eval, y_eval) if on == "val" else None,
                      callbacks=callbacks)
    seconds = time.perf_counter() - start
    loss, acc = net.evaluate(X_eval, y_eval)
    record = {"hidden": list(hidden), "dropout": dropout, "learning_rate": learning_rate,
              "batch_size": batch_size, "epochs": epochs, "seed": seed,
              "standardized": standardized, "cosine": cosine,
              "parameters": net.count_params(), "seconds": round(seconds, 2),
              "history": {k: [round(float(v), 4) for v in vals] for k, vals in history.items()},
              f"{on}_loss": round(float(loss), 4), f"{on}_accuracy": round(float(acc), 4)}
    return net, record


RECIPES = {
    "keras defaults, all 60,000": {},
    "54,000 + validation split": {"val_fraction": 0.1},
    "Adam epsilon 1e-8": {"epsilon": 1e-8},
    "standardized inputs": {"standardized": True},
    "cosine learning-rate decay": {"cosine": True},
}


def seed_sweep(data, seeds=range(6), recipes=None, progress=True) -> dict:
    """Train the seed model once per (recipe, seed); return {recipe: [result, ...]}."""
    from tqdm.auto import tqdm
    recipes = RECIPES if recipes is None else recipes
    out = {}
    jobs = [(name, seed) for name in recipes for seed in seeds]
    for name, seed in tqdm(jobs, disable=not progress, desc="sweep"):
        out.setdefault(name, []).append(train_recipe(data, seed, **recipes[name])[1])
    return out


def summarize_sweep(sweep, target=0.8736, key="test") -> list[dict]:
    """Per recipe of ``sweep`` ({recipe: [result, ...]}, as seed_sweep returns it): mean, std, min,
    max accuracy, mean loss and how many seeds reach ``target``. key : "test" or "val", which
    of the results' "<key>_accuracy" / "<key>_loss" to summarize."""
    rows = []
    for name, results in sweep.items():
        acc = np.array([r[f"{key}_accuracy"] for r in results])
        loss = np.array([r[f"{key}_loss"] for r in results])
        rows.append({"recipe": name, "mean": float(acc.mean()), "std": float(acc.std(ddof=1)),
                     "min": float(acc.min()), "max": float(acc.max()),
                     "mean_loss": float(loss.mean()), "reach": int(np.sum(acc >= target)),
                     "runs": len(acc)})
    return rows


def compare_to(sweep, baseline, key="test") -> list[dict]:
    """Each recipe of ``sweep`` against the recipe ``baseline``, seed by seed.

    Returns one row per other recipe: "diff" (mean accuracy minus the baseline's), "t" (that
    difference over its standard error, sqrt(s1^2/n1 + s2^2/n2), as for two independent sets of
    runs), "t_paired" (the mean of the per-seed differences over its standard error: the runs of
    one seed share their initial weights and batch order), "loss_diff" (mean loss minus the
    baseline's) and "loss_higher" (in how many seeds the loss is higher than the baseline's).
    Runs are paired by their "seed"; both recipes must hold the same seeds.
    """
    def by_seed(results, what):
        return {r["seed"]: r[f"{key}_{what}"] for r in results}

    base_acc, base_loss = by_seed(sweep[baseline], "accuracy"), by_seed(sweep[baseline], "loss")
    rows = []
    for name, results in sweep.items():
        if name == baseline:
            continue
        acc, loss = by_seed(results, "accuracy"), by_seed(results, "loss")
        if set(acc) != set(base_acc):
            raise CourseError(f"{name!r} and {baseline!r} were run with different seeds "
                              f"({sorted(acc)} against {sorted(base_acc)}); pair them by seed.")
        seeds = sorted(acc)
        if len(seeds) < 2:
            raise CourseError(f"Comparing {name!r} with {baseline!r} needs at least two seeds: one "
                              f"run has no spread, so its difference has no standard error.")
        a = np.array([acc[s] for s in seeds])
        b = np.array([base_acc[s] for s in seeds])
        d = a - b
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        se_paired = d.std(ddof=1) / np.sqrt(len(d))
        loss_d = np.array([loss[s] - base_loss[s] for s in seeds])
        rows.append({"recipe": name, "diff": float(d.mean()),
                     "t": float(d.mean() / se) if se > 0 else 0.0,
                     "t_paired": float(d.mean() / se_paired) if se_paired > 0 else 0.0,
                     "loss_diff": float(loss_d.mean()), "loss_higher": int(np.sum(loss_d > 0)),
                     "runs": len(seeds)})
    return rows


# ------------------------------------------------------------------ choices on the validation split
ARCHITECTURES = {"784-128-10 ReLU (the tutorial's)": seed_model,
                 "784-16-16-10 sigmoid (3Blue1Brown's)": small_model}


def architecture_sweep(data, seeds=range(5), epochs=5, progress=True) -> dict:
    """The tutorial's network and 3Blue1Brown's small one, trained the tutorial's way (Adam 1e-3,
    batches of 32) on data's training pair and watched on its validation pair every epoch.

    data : ((X_train, y_train), (X_val, y_val)).
    Returns {architecture: [{"seed", "parameters", "val_accuracy" (per epoch), "val_loss"
    (per epoch), "seconds"}, ...]}.
    """
    from tqdm.auto import tqdm
    (X_train, y_train), (X_val, y_val) = data
    out = {}
    for name, seed in tqdm([(n, s) for n in ARCHITECTURES for s in seeds], disable=not progress,
                           desc="architectures"):
        net = ARCHITECTURES[name](rng=seed)
        start = time.perf_counter()
        history = net.fit(X_train, y_train, epochs=epochs, batch_size=32, progress=False,
                          validation_data=(X_val, y_val))
        out.setdefault(name, []).append({
            "seed": seed, "parameters": net.count_params(),
            "val_accuracy": [round(float(v), 4) for v in history["val_accuracy"]],
            "val_loss": [round(float(v), 4) for v in history["val_loss"]],
            "seconds": round(time.perf_counter() - start, 1)})
    return out


# Section 10's recipe, and each lever switched off in turn (arguments of train_best).
ABLATIONS = {
    "the recipe: 256-256, dropout, standardized, cosine": {},
    "one hidden layer of 512 instead of 256-256": {"hidden": (512,)},
    "no dropout": {"dropout": 0.0},
    "pixels in [0, 1], not standardized": {"standardized": False},
    "constant learning rate, no cosine": {"cosine": False},
}


def ablation_sweep(data, seeds=range(3), ablations=None, epochs=20, progress=True) -> dict:
    """Section 10's recipe and its ablations, each trained once per seed on data's training pair
    and watched on its validation pair after every epoch.

    data : ((X_train, y_train), (X_val, y_val)). Returns {ablation: [record, ...]}, records as
    ``train_best(..., on="val")`` makes them (without the training-set curves).
    """
    from tqdm.auto import tqdm
    ablations = ABLATIONS if ablations is None else ablations
    out = {}
    for name, seed in tqdm([(n, s) for n in ablations for s in seeds], disable=not progress,
                           desc="ablations"):
        _, record = train_best(data, epochs=epochs, seed=seed, on="val", **ablations[name])
        record["history"] = {k: v for k, v in record["history"].items() if k.startswith("val_")}
        out.setdefault(name, []).append(record)
    return out


def ablation_study(data, seeds=range(3), epochs=20, progress=True) -> dict:
    """What lesson 07 caches for section 10: {"runs": ablation_sweep(...), "epoch_seconds":
    epoch_seconds(...) on the same training pair}. data : ((X_train, y_train), (X_val, y_val))."""
    runs = ablation_sweep(data, seeds, epochs=epochs, progress=progress)
    return {"runs": runs, "epoch_seconds": epoch_seconds(*data[0])}


def epoch_seconds(X, y, batch_sizes=(32, 128), repeats=3, hidden=(256, 256)) -> dict:
    """Seconds for one training epoch of ``wide_model(hidden)`` over X (n, 784), y (n,) at each
    batch size, ``repeats`` times, interleaved so that a busy machine slows every size alike.
    Returns {batch_size: [seconds, ...]}."""
    times = {b: [] for b in batch_sizes}
    for _ in range(repeats):
        for b in batch_sizes:
            net = wide_model(hidden, rng=0)
            start = time.perf_counter()
            net.fit(X, y, epochs=1, batch_size=b, progress=False)
            times[b].append(round(time.perf_counter() - start, 2))
    return times


def pytorch_reference(name="accuracy_spread"):
    """The PyTorch runs of the seed recipe recorded by ``benchmarks/accuracy_spread.py``.

    Returns None when no such file is found (see ``course_lib.cache.find_result``) or it holds
    no PyTorch runs; else {"mean", "std", "runs", "at_least_keras", "path", "file", "made"}, where
    "made" is the file's record of how it was made (date, versions, machine), if any.
    """
    path = find_result(name)
    if path is None:
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CourseError(f"{path} is not a readable JSON results file ({exc}). Delete it, or "
                          f"rerun benchmarks/accuracy_spread.py to write it again.") from None
    results = payload.get("results", payload) if isinstance(payload, dict) else {}
    torch = results.get("torch") if isinstance(results, dict) else None
    if not isinstance(torch, dict) or "mean" not in torch:
        return None
    runs = torch.get("runs", len(torch.get("accuracies", [])))
    return {"mean": float(torch["mean"]), "std": float(torch.get("std", float("nan"))),
            "runs": int(runs), "at_least_keras": torch.get("at_least_keras"),
            "path": str(path), "file": path.name, "made": payload.get("made", {})}


def peak_memory_mb():
    """The largest resident memory this process has used so far, in MB (None where the
    operating system does not report it, e.g. on Windows)."""
    try:
        import resource
    except ImportError:
        return None
    import sys
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10   # bytes on macOS, KB elsewhere
