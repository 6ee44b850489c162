"""Saving and loading a Sequential network: an .npz file with a JSON config and the weights.

    path = net.save("model.npz")       # or save_model(net, "model.npz")
    net = load_model(path)             # or Sequential.load(path)

No pickle anywhere: the file holds one JSON string (the layers' constructor arguments,
the dtype and, after compile, the loss and penalties) and one plain array per parameter,
so loading a file from elsewhere cannot run code.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from ._validation import CourseError
from .initializers import INITIALIZERS
from .layers import LAYERS
from .losses import LOSSES

FORMAT = "course_lib.Sequential/1"


def save_model(net, path) -> Path:
    """Write ``net``'s layers and weights to an .npz file; return the path written.

    NumPy adds the suffix .npz when ``path`` lacks it, and so does the returned path.
    """
    path = _as_path(path)
    config = {"format": FORMAT, "dtype": net.dtype.name,
              "layers": [{"type": type(layer).__name__, "config": layer.config()}
                         for layer in net.layers]}
    if net.loss is not None:
        # The loss decides what predict and evaluate return, so a round trip must keep it.
        config.update(loss=net.loss.name, l1=net.l1, l2=net.l2)
    arrays = {f"param:{name}": arr for name, arr in net.parameters().items()}
    if not path.parent.is_dir():
        raise CourseError(f"Cannot save to {path}: the folder {path.parent} does not exist. "
                          f"Create it first, e.g. Path({str(path.parent)!r}).mkdir(parents=True), "
                          f"or save into an existing folder.")
    written = path if path.suffix == ".npz" else path.with_name(path.name + ".npz")
    folder = path if path.is_dir() else written
    if folder.is_dir():
        raise CourseError(f"Cannot save to {folder}: it is a folder. Give a file name inside it, "
                          f"e.g. net.save({str(folder / 'model.npz')!r}).")
    try:
        np.savez(path, config=np.array(json.dumps(config)), **arrays)
    except OSError as exc:   # a read-only folder, a full disk, ...
        raise CourseError(f"Cannot save to {written}: {exc.strerror or exc}. Choose a folder you "
                          f"can write to (and check that the disk is not full).") from None
    return written


def _as_path(path) -> Path:
    """A file name as a Path, with ~ expanded as a shell would; a CourseError for anything else."""
    if not isinstance(path, (str, Path)) and not hasattr(path, "__fspath__"):
        raise CourseError(f"path must be a file name such as 'model.npz' (a str or Path), but got "
                          f"{type(path).__name__} {path!r}.")
    return Path(path).expanduser()


def load_model(path, rng=None, *, network_class=None):
    """Load a network written by save_model (or net.save). Refuses anything else with a clear message.

    A network saved after compile comes back compiled with the same loss and penalties
    (and a fresh SGD optimizer), so predict and evaluate behave exactly as before.
    rng seeds what happens next (shuffling, dropout); the weights come from the file.
    """
    if network_class is None:
        from .network import Sequential  # imported here because network.py imports this module
        network_class = Sequential
    path = _existing_model_file(_as_path(path))
    config, arrays = _read(path)
    net = network_class(_build_layers(config, path), rng=rng, dtype=config["dtype"])
    params = net.parameters()
    if set(params) != set(arrays):
        raise CourseError(f"{path} does not match its own layer list: expected parameters "
                          f"{sorted(params)}, found {sorted(arrays)}.")
    for name, arr in arrays.items():
        if arr.shape != params[name].shape:
            raise CourseError(f"{path}: parameter {name} has shape {arr.shape}, "
                              f"expected {params[name].shape}.")
        params[name][...] = arr
    if config.get("loss") in LOSSES:
        net.compile(loss=config["loss"], l1=config.get("l1", 0.0), l2=config.get("l2", 0.0))
    return net


def _existing_model_file(path: Path) -> Path:
    if not path.exists() and path.suffix != ".npz" and path.with_name(path.name + ".npz").exists():
        path = path.with_name(path.name + ".npz")   # save_model added the suffix
    if not path.exists():
        raise CourseError(f"No model file at {path}. Save one first with net.save({str(path)!r}).")
    return path


def _read(path: Path):
    """Return (config, {parameter name: array}) from a model file, or a CourseError."""
    try:
        with np.load(path, allow_pickle=False) as data:
            config = json.loads(str(data["config"]))
            arrays = {k[len("param:"):]: data[k] for k in data.files if k.startswith("param:")}
    # EOFError: an empty file. TypeError: a lone .npy array, which is no archive.
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, TypeError, EOFError,
            json.JSONDecodeError) as exc:
        raise CourseError(f"{path} is not a model saved by course_lib's Sequential.save "
                          f"({type(exc).__name__}: {exc}).") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise CourseError(f"{path} is not a model saved by course_lib (format marker missing).")
    return config, arrays


def _build_layers(config, path):
    """Fresh layers from the saved constructor arguments (their weights are overwritten next)."""
    layers = []
    try:
        for spec in config["layers"]:
            layer_cls = LAYERS.get(spec["type"])
            if layer_cls is None:
                raise CourseError(f"{path} uses an unknown layer type {spec['type']!r}.")
            layers.append(layer_cls(**_with_saved_inits(spec["config"])))
    except (KeyError, TypeError) as exc:
        raise CourseError(f"{path} has a damaged layer list ({type(exc).__name__}: {exc}).") from None
    return layers


def _with_saved_inits(config):
    """Layer arguments with initializers that were saved by name only (callables) made loadable.

    The saved weights replace the initial ones anyway, so a stand-in that keeps the name will do.
    """
    def stand_in(name):
        def init(shape, rng=None):
            return np.zeros(shape)
        init.__name__ = name
        return init

    return {k: stand_in(v) if k.endswith("_init") and isinstance(v, str)
            and v.lower().replace("-", "_") not in INITIALIZERS else v
            for k, v in config.items()}
