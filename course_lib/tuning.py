"""Choosing hyper-parameters: a learning-rate range test, sweeps and a random search.

Every experiment here is described by a ``build(config, rng) -> compiled Sequential``
function and a ``config`` dict, so that a sweep, a random search and a cached
result all run exactly the same code. Results are plain dicts and lists of floats,
ready to be saved as JSON.
"""
from __future__ import annotations

import math
import time

import numpy as np

from ._validation import CourseError, check_positive
from .cache import jsonable
from .network import Sequential, TrainingDiverged, as_generator


# ------------------------------------------------------------ learning-rate range test
def lr_range_test(net: Sequential, X, y, lr_min=1e-4, lr_max=10.0, steps=100, batch_size=32,
                  rng=None, smoothing=0.9, stop_factor=4.0):
    """Raise the learning rate geometrically from lr_min to lr_max, one minibatch per step.

    Records the training cost after each step (Leslie Smith's range test). Stops early
    once the smoothed cost exceeds ``stop_factor`` times its best value or is not finite.
    The network's weights and its optimizer's learning rate are restored afterwards.

    X : (n, d). y : labels (n,) or targets (n, k).
    Returns {"learning_rate": [...], "loss": [...], "smoothed": [...]} (equal lengths).
    """
    X, Y = net.prepare_batch(X, y)
    check_positive(steps, "steps", integer=True)
    if not 0 < lr_min < lr_max:
        raise CourseError(f"Need 0 < lr_min < lr_max, but got lr_min={lr_min}, lr_max={lr_max}.")
    rng = as_generator(rng)
    saved = {name: p.copy() for name, p in net.parameters().items()}
    saved_lr = net.optimizer.learning_rate
    rates = lr_min * (lr_max / lr_min) ** (np.arange(steps) / max(steps - 1, 1))
    out = {"learning_rate": [], "loss": [], "smoothed": []}
    average, best = 0.0, math.inf
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            for i, lr in enumerate(rates):
                net.optimizer.learning_rate = lr
                idx = rng.choice(len(X), size=min(batch_size, len(X)), replace=False)
                cost, _ = net.train_step(X[idx], Y[idx])
                if not np.isfinite(cost):
                    break
                # Bias-corrected exponential moving average, as in Adam, so early values are fair.
                average = smoothing * average + (1 - smoothing) * cost
                smoothed = average / (1 - smoothing ** (i + 1))
                out["learning_rate"].append(float(lr))
                out["loss"].append(float(cost))
                out["smoothed"].append(float(smoothed))
                best = min(best, smoothed)
                if smoothed > stop_factor * best:
                    break
    finally:
        for name, p in net.parameters().items():
            p[...] = saved[name]
        net.optimizer.learning_rate = saved_lr
        net.optimizer.reset()
    return out


def suggest_learning_rate(result, factor=10.0) -> float:
    """A safe learning rate from a range test: where the smoothed cost is lowest, divided by ``factor``.

    At the minimum the cost is about to blow up, so training there is too aggressive.
    """
    smoothed = result["smoothed"]
    if not smoothed:
        raise CourseError("The range test recorded no steps; lower lr_min.")
    return float(result["learning_rate"][int(np.argmin(smoothed))] / factor)


# -------------------------------------------------------------- experiments and sweeps
def run_experiment(build, config, data, epochs, seed=0, callbacks=(), measure=None,
                   train_eval=None):
    """Build a network from ``config``, train it, and return its history as JSON-ready lists.

    build : function (config, rng) -> compiled Sequential.
    config : dict of hyper-parameters; "batch_size" (default 32) is used by fit.
    data : (X_train, y_train, X_val, y_val).
    Returns {"loss", "accuracy", "val_loss", "val_accuracy", "val_cost": per-epoch lists,
    "seconds": total, "diverged": bool}. "val_cost" is the validation cost without the
    L1/L2 penalty. A diverged run keeps the epochs it finished.
    train_eval : optional (X, y), evaluated after every epoch with dropout off, stored as
    "train_eval_accuracy" and "train_eval_cost" (no penalty). fit's own "accuracy" is a
    running mean over the epoch's minibatches with dropout on, on whatever it trained on
    (augmented copies included), so it is no measure of how well the net fits its data.
    measure : optional function net -> dict of numbers or lists, stored under "measure"
    after training (e.g. how many weights are near zero).
    """
    X_train, y_train, X_val, y_val = data
    rng = np.random.default_rng(seed)
    net = build(dict(config), rng)
    extra = {"val_cost": [], "train_eval_accuracy": [], "train_eval_cost": []}

    def record(net, epoch, logs):
        # fit's val_loss includes the L1/L2 penalty; the data cost alone is val_loss - penalty.
        penalty = net.penalty()
        extra["val_cost"].append(float(logs["val_loss"] - penalty))
        if train_eval is not None:
            cost, acc = net.evaluate(*train_eval)
            extra["train_eval_cost"].append(float(cost - penalty))
            extra["train_eval_accuracy"].append(float(acc))

    start = time.perf_counter()
    diverged = False
    try:
        net.fit(X_train, y_train, epochs=epochs, batch_size=int(config.get("batch_size", 32)),
                validation_data=(X_val, y_val), progress=False,
                callbacks=[record, *callbacks])
    except TrainingDiverged:
        diverged = True
    history = {key: [float(v) for v in values] for key, values in net.history.items()
               if key != "seconds"}
    done = len(history["val_accuracy"])
    history["val_cost"] = extra["val_cost"][:done]
    if train_eval is not None:
        history["train_eval_accuracy"] = extra["train_eval_accuracy"][:done]
        history["train_eval_cost"] = extra["train_eval_cost"][:done]
    history["seconds"] = time.perf_counter() - start
    history["diverged"] = diverged
    if measure is not None:
        history["measure"] = jsonable(measure(net))
    return history


def run_seeds(build, config, data, epochs, seeds, **kwargs) -> list[dict]:
    """``run_experiment`` once per seed: a list of histories, one per seed, in order.

    The seed sets the initial weights, the order of the minibatches and the dropout masks;
    the data stay the same. kwargs go to run_experiment (callbacks, measure, train_eval).
    """
    seeds = list(seeds)
    if not seeds:
        raise CourseError("run_seeds needs at least one seed, e.g. seeds=[0, 1, 2].")
    return [run_experiment(build, config, data, epochs, seed=int(s), **kwargs) for s in seeds]


def trim(history, keys=("val_accuracy", "val_cost", "train_eval_accuracy"), digits=5) -> dict:
    """A smaller copy of a history for a cache: the per-epoch ``keys`` rounded to ``digits``
    decimals, plus "diverged", "seconds" and "measure" when present."""
    out = {key: [round(float(v), digits) for v in history[key]] for key in keys if key in history}
    for key in ("diverged", "seconds", "measure"):
        if key in history:
            out[key] = history[key]
    return out


def sweep(build, name, values, data, epochs, base=None, seed=0, measure=None):
    """Train once per value of one hyper-parameter; return {str(value): history}.

    Every run uses the same seed, so the runs differ only in ``name``.
    """
    base = dict(base or {})
    return {str(value): run_experiment(build, {**base, name: value}, data, epochs, seed,
                                       measure=measure)
            for value in values}


def summarize(history, last=5) -> dict:
    """Headline numbers of one run: final accuracies averaged over the ``last`` epochs, and the best.

    Averaging the last few epochs removes most of the epoch-to-epoch noise of SGD. The
    training accuracy is "train_eval_accuracy" (dropout off, see run_experiment) when the
    history has it, else fit's running "accuracy". With a "val_cost" list the summary also
    has "min_val_cost", its epoch "min_cost_epoch" and the "final_val_cost".
    """
    val = history["val_accuracy"]
    train_key = "train_eval_accuracy" if history.get("train_eval_accuracy") else "accuracy"
    if not val:
        out = {"train_accuracy": math.nan, "val_accuracy": math.nan, "gap": math.nan,
               "best_val_accuracy": math.nan, "best_epoch": 0}
        if "val_cost" in history:
            out.update(min_val_cost=math.nan, min_cost_epoch=0, final_val_cost=math.nan)
        return out
    train = float(np.mean(history[train_key][-last:]))
    final = float(np.mean(val[-last:]))
    out = {"train_accuracy": train, "val_accuracy": final, "gap": train - final,
           "best_val_accuracy": float(max(val)), "best_epoch": int(np.argmax(val)) + 1}
    cost = history.get("val_cost")
    if cost:
        out.update(min_val_cost=float(min(cost)), min_cost_epoch=int(np.argmin(cost)) + 1,
                   final_val_cost=float(cost[-1]))
    return out


# ------------------------------------------------------------------ over seeds
def mean_std(values) -> tuple[float, float]:
    """(mean, standard deviation) of per-seed values; the std uses n - 1 (the sample std).

    One value has no spread: its std is nan, which says so rather than pretending it is 0.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise CourseError(f"mean_std needs a flat, non-empty list of numbers, got shape {values.shape}.")
    std = float(values.std(ddof=1)) if values.size > 1 else math.nan
    return float(values.mean()), std


def summarize_seeds(histories, last=5) -> dict:
    """``summarize`` every run, then each number's mean and std over the runs.

    histories : list of histories of one configuration, one per seed.
    Returns {name: {"mean", "std", "values"}} for every key summarize gives, e.g.
    out["val_accuracy"]["mean"].
    """
    if not histories:
        raise CourseError("summarize_seeds needs at least one history.")
    rows = [summarize(h, last) for h in histories]
    out = {}
    for key in rows[0]:
        values = [float(r[key]) for r in rows]
        mean, std = mean_std(values)
        out[key] = {"mean": mean, "std": std, "values": values}
    return out


def paired_difference(a, b) -> dict:
    """Per-seed differences a_i - b_i of two configurations run with the same seeds.

    Returns {"mean", "se", "n", "values"}: the mean difference and its standard error,
    std(differences, ddof=1) / sqrt(n). Pairing by seed removes what the two runs share
    (same initial weights, same minibatch order), so it sees smaller effects than comparing
    the two means. |mean| < 2 se: the runs cannot tell the two apart.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or a.size < 2:
        raise CourseError(f"paired_difference needs two equally long lists of per-seed values, at "
                          f"least 2 each, but got {a.size} and {b.size}.")
    d = a - b
    return {"mean": float(d.mean()), "se": float(d.std(ddof=1) / np.sqrt(d.size)), "n": int(d.size),
            "values": [float(v) for v in d]}


def mean_curve(histories, key) -> tuple[list[float], list[float]]:
    """Epoch by epoch, the mean and std over seeds of ``key`` (runs cut to the shortest)."""
    curves = [h[key] for h in histories if h.get(key)]
    if not curves:
        raise CourseError(f"None of the histories has a {key!r} curve.")
    n = min(len(c) for c in curves)
    values = np.array([c[:n] for c in curves], dtype=float)
    std = values.std(axis=0, ddof=1) if len(values) > 1 else np.full(n, math.nan)
    return [float(v) for v in values.mean(axis=0)], [float(v) for v in std]


def pm(mean, std, digits=3) -> str:
    """'0.792 ± 0.004': a mean and its spread over seeds, as a table cell.

    A single run has no spread (std nan): it is shown as '0.102 (1 run)'.
    """
    if not math.isfinite(std):
        return f"{mean:.{digits}f} (1 run)"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


# ------------------------------------------------------------------ random search
def sample_config(space, rng) -> dict:
    """Draw one configuration from a search space.

    Each entry of ``space`` is a list of choices, ("log", low, high) for a log-uniform
    number (learning rates, penalties), ("uniform", low, high), or ("int", low, high)
    for an integer in [low, high].
    """
    config = {}
    for name, spec in space.items():
        if isinstance(spec, list):
            config[name] = spec[int(rng.integers(len(spec)))]
        elif isinstance(spec, tuple) and len(spec) == 3 and spec[0] in ("log", "uniform", "int"):
            kind, low, high = spec
            if kind == "log":
                config[name] = float(np.exp(rng.uniform(np.log(low), np.log(high))))
            elif kind == "uniform":
                config[name] = float(rng.uniform(low, high))
            else:
                config[name] = int(rng.integers(low, high + 1))
        else:
            raise CourseError(f"Search-space entry {name!r} must be a list of choices or a tuple "
                              f"('log' | 'uniform' | 'int', low, high), but it is {spec!r}.")
    return config


def random_search(build, space, data, n_trials, epochs, rng, seed=0, **kwargs):
    """Try ``n_trials`` random configurations; return one row per trial, best first.

    Each row holds the configuration, the summary of its run (see ``summarize``) and
    its seconds. Rows are sorted by final validation accuracy, so ``data`` must hold a
    validation split, never the test set. kwargs go to run_experiment (e.g. train_eval).
    """
    check_positive(n_trials, "n_trials", integer=True)
    rows = []
    for trial in range(n_trials):
        config = sample_config(space, rng)
        history = run_experiment(build, config, data, epochs, seed, **kwargs)
        rows.append({"trial": trial + 1, **config, **summarize(history),
                     "seconds": history["seconds"]})
    return sorted(rows, key=lambda r: -np.nan_to_num(r["val_accuracy"], nan=-1.0))


def format_table(rows, columns=None, digits=3) -> str:
    """A plain-text table of a list of dicts; floats are rounded to ``digits`` significant digits."""
    if not rows:
        return "(no rows)"
    columns = list(columns or rows[0].keys())

    def cell(value):
        if isinstance(value, float):
            return f"{value:.{digits}g}" if abs(value) < 1e-2 or abs(value) >= 1e4 else \
                f"{value:.{digits}f}"
        return str(value)

    table = [columns] + [[cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    lines = ["  ".join(text.rjust(w) for text, w in zip(line, widths)) for line in table]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])
