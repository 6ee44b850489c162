"""Callbacks for Sequential.fit: each is called as callback(net, epoch, logs) after every epoch."""
from __future__ import annotations

import numpy as np

from ._validation import CourseError, check_positive


class EarlyStopping:
    """Stop when ``monitor`` has not improved for ``patience`` epochs; optionally restore the best weights."""

    def __init__(self, monitor="val_accuracy", patience=3, restore_best=True):
        if not isinstance(monitor, str):
            raise CourseError(f"monitor names a logged metric such as 'val_loss' or 'val_accuracy', "
                              f"but got {monitor!r}.")
        self.monitor = monitor
        self.patience = check_positive(patience, "patience", integer=True)
        self.restore_best = restore_best
        self.mode = "min" if monitor.endswith("loss") else "max"
        self.best = None
        self.best_epoch = None
        self._best_params = None

    def __call__(self, net, epoch, logs):
        if self.monitor not in logs:
            raise CourseError(f"EarlyStopping monitors {self.monitor!r}, but the epoch logs have only "
                              f"{sorted(logs)}. Pass validation_data to fit, or monitor 'loss'.")
        if epoch == 0:
            # A new fit: forget the best of an earlier one (maybe of another network, whose
            # weights would otherwise be "restored" into this one).
            self.best = self.best_epoch = self._best_params = None
        value = logs[self.monitor]
        better = self.best is None or (value < self.best if self.mode == "min" else value > self.best)
        if better:
            self.best, self.best_epoch = value, epoch
            if self.restore_best:
                self._best_params = {k: v.copy() for k, v in net.parameters().items()}
        elif epoch - self.best_epoch >= self.patience:
            net.stop_training = True
            if self.restore_best:
                for name, arr in net.parameters().items():
                    arr[...] = self._best_params[name]

    def __repr__(self):
        return f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience})"


class LearningRateSchedule:
    """Set the optimizer's learning rate before each next epoch: lr = schedule(epoch + 1)."""

    def __init__(self, schedule):
        if not callable(schedule):
            raise CourseError("LearningRateSchedule needs a function epoch -> learning rate.")
        self.schedule = schedule

    def __call__(self, net, epoch, logs):
        net.optimizer.learning_rate = self.schedule(epoch + 1)


def step_decay(initial, factor=0.5, every=2):
    """A schedule: multiply the learning rate by ``factor`` every ``every`` epochs."""
    check_positive(every, "every", integer=True, example=2)
    return lambda epoch: initial * factor ** (epoch // every)


def cosine_decay(initial, epochs, final=None):
    """A schedule: a half cosine from ``initial`` down to ``final`` over ``epochs`` epochs.

    ``final`` defaults to initial / 1000: a learning rate must stay positive, and the schedule is
    asked for one more epoch's rate after the last epoch ends.
    """
    check_positive(epochs, "epochs", integer=True, example=10)
    final = initial * 1e-3 if final is None else final
    return lambda epoch: final + 0.5 * (initial - final) * (1 + np.cos(np.pi * min(epoch, epochs) / epochs))
