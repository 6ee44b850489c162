"""Data: Fashion-MNIST from disk (or the official mirror), and small seeded toy sets.

Fashion-MNIST is looked for, in order, in:
  1. data/fashion-mnist/ in this repository;
  2. $COURSE_DATA_DIR;
  3. /usr/share/datasets/fashion-mnist (Debian package ``dataset-fashion-mnist``);
  4. the user's cache folder ($XDG_CACHE_HOME or ~/.cache, then course_lib/fashion-mnist);
  5. the official download, when a network exists, saved into data/fashion-mnist/ of the
     repository, or into the user's cache folder when course_lib is installed as a package.

The files may be gzipped (as published) or already decompressed (the same names without .gz).

Each file is verified by the SHA-256 of its *decompressed* bytes: Debian
recompressed the .gz files, so a checksum of the .gz itself would reject real data.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
import warnings
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ._validation import CourseError, as_generator, as_matrix, check_labels, check_positive

SIDE = 28   # Fashion-MNIST images are SIDE x SIDE pixels, stored as rows of SIDE * SIDE = 784
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# file name -> SHA-256 of the decompressed IDX bytes
FILES = {
    "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
MIRROR = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
REPO_DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "fashion-mnist"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
FIX = ("To fix it, do one of:\n"
       "  sudo apt-get install dataset-fashion-mnist      (Debian/Ubuntu; files land in "
       f"{DEBIAN_DIR})\n"
       f"  copy the four .gz files into {REPO_DATA_DIR}\n"
       "  export COURSE_DATA_DIR=/folder/with/the/files\n"
       f"  or connect to the internet and call load_fashion_mnist() again (it downloads from {MIRROR}).")


class DataError(CourseError):
    """Fashion-MNIST could not be found or failed verification."""


def user_cache_dir() -> Path:
    """Where an installed course_lib keeps its download: never inside site-packages."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "course_lib" / "fashion-mnist"


# A repository checkout (pyproject.toml beside the package), not an installed package.
IN_REPOSITORY = (Path(__file__).resolve().parents[1] / "pyproject.toml").exists()


def download_dir() -> Path:
    """data/fashion-mnist/ in a repository checkout; the user's cache folder otherwise."""
    return REPO_DATA_DIR if IN_REPOSITORY else user_cache_dir()


def candidate_dirs() -> list[Path]:
    """The folders searched, in order."""
    dirs = [REPO_DATA_DIR]
    if os.environ.get("COURSE_DATA_DIR"):
        dirs.append(Path(os.environ["COURSE_DATA_DIR"]).expanduser())   # "~/fm" works too
    dirs += [DEBIAN_DIR, user_cache_dir()]
    return list(dict.fromkeys(dirs))


def _file(directory: Path, name: str) -> Path | None:
    """The file ``name`` (x.gz) in ``directory``, or its decompressed twin (x), or None."""
    for path in (directory / name, directory / name.removesuffix(".gz")):
        if path.is_file():
            return path
    return None


GZIP_MAGIC = b"\x1f\x8b"   # the first two bytes of every gzip file


def _read_verified(path: Path, name: str | None = None) -> bytes:
    """The decompressed bytes of one file (gzipped or not), or DataError if truncated or corrupted.

    ``name`` is the file's official name, when it is not (yet) the path's own.
    """
    name = name or path.name
    try:
        data = path.read_bytes()
        raw = gzip.decompress(data) if data[:2] == GZIP_MAGIC else data
    except (EOFError, OSError, zlib.error) as exc:
        raise DataError(f"{path} is truncated or not a valid gzip file ({exc}). "
                        f"Delete it and load again.") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != FILES[name]:
        raise DataError(f"{path} is corrupted: the SHA-256 of its decompressed bytes is {digest}, "
                        f"expected {FILES[name]}. Delete it and load again.")
    return raw


def idx_header(raw: bytes) -> dict:
    """Decode an IDX file's header: a big-endian magic number, then one 4-byte size per axis.

    The magic's third byte is the value type (0x08 = unsigned byte), its fourth the number
    of axes. Returns {"magic", "type_code", "ndim", "dims", "header_bytes"}.
    """
    magic = int.from_bytes(raw[:4], "big")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return {"magic": magic, "type_code": raw[2], "ndim": ndim, "dims": dims,
            "header_bytes": 4 + 4 * ndim}


def _parse_idx(raw: bytes, name: str) -> np.ndarray:
    """An IDX file: magic (2049 labels / 2051 images), sizes, then uint8 values."""
    magic = int.from_bytes(raw[:4], "big")
    if magic not in (2049, 2051):
        raise DataError(f"{name} is not an IDX file (magic number {magic}).")
    header = idx_header(raw)
    dims = header["dims"]
    body = np.frombuffer(raw, dtype=np.uint8, offset=header["header_bytes"])
    if body.size != int(np.prod(dims)):
        raise DataError(f"{name} holds {body.size} values but its header promises {dims}.")
    return body.reshape(dims)


def raw_idx_bytes(name="t10k-labels-idx1-ubyte.gz", n=32) -> bytes:
    """The first ``n`` decompressed bytes of one of the four Fashion-MNIST files, found as
    load_fashion_mnist finds them (gzipped as published, or already decompressed)."""
    path = _file(find_fashion_mnist(), name)
    with open(path, "rb") as f:
        gzipped = f.read(2) == GZIP_MAGIC
    with (gzip.open if gzipped else open)(path, "rb") as f:
        return f.read(n)


def _download(directory: Path) -> None:
    """Fetch the missing files into ``directory``; each is verified, then moved into place atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        target = directory / name
        if target.exists():
            continue
        fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(MIRROR + name, timeout=30) as resp:
                total = int(resp.headers.get("Content-Length") or 0) or None
                with tqdm(total=total, unit="B", unit_scale=True, desc=name) as bar:
                    while chunk := resp.read(1 << 16):
                        out.write(chunk)
                        bar.update(len(chunk))
            _read_verified(tmp, name)
            os.replace(tmp, target)   # atomic: a partial download is never seen under the real name
        finally:
            tmp.unlink(missing_ok=True)


@lru_cache(maxsize=2)
def _load_arrays(directory: str) -> tuple[np.ndarray, ...]:
    d = Path(directory)
    out = []
    for name in FILES:
        arr = _parse_idx(_read_verified(_file(d, name), name), name)
        arr.flags.writeable = False
        out.append(arr)
    return tuple(out)


def find_fashion_mnist(download: bool = True) -> Path:
    """Return the first folder holding all four verified files, downloading if needed and allowed."""
    problems = []
    for d in candidate_dirs():
        present = {name: _file(d, name) for name in FILES}
        if not any(present.values()):
            problems.append(f"  {d}: no files")
            continue
        if not all(present.values()):
            missing = sorted(name for name, path in present.items() if path is None)
            problems.append(f"  {d}: missing {', '.join(missing)}")
            continue
        try:
            _load_arrays(str(d))
            return d
        except DataError as exc:
            problems.append(f"  {d}: {exc}")
            warnings.warn(f"Skipping {d}: {exc}", stacklevel=2)
    if download:
        target = download_dir()
        try:
            _download(target)
            _load_arrays(str(target))
            return target
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            problems.append(f"  download from {MIRROR}: failed ({exc})")
        except DataError as exc:
            problems.append(f"  download from {MIRROR}: {exc}")
    else:
        problems.append("  download: not attempted (download=False)")
    raise DataError("Fashion-MNIST was not found. Looked in:\n" + "\n".join(problems) + "\n" + FIX)


def load_fashion_mnist(scale: bool = True, dtype="float32", download: bool = True):
    """Return (X_train, y_train), (X_test, y_test), class_names.

    X_train : (60000, 784) and X_test : (10000, 784), pixels in [0, 1] as ``dtype``
    (or raw uint8 0..255 when scale=False). y : integer labels 0..9, shape (n,).
    """
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if scale and (dt is None or dt.kind != "f"):
        raise CourseError(f"dtype={dtype!r}: scaled pixels are fractions in [0, 1], so dtype must "
                          f"be 'float32' (the default) or 'float64'. For raw 0..255 integers use "
                          f"scale=False.")
    directory = find_fashion_mnist(download=download)
    train_x, train_y, test_x, test_y = _load_arrays(str(directory))

    def prep(images):
        flat = images.reshape(len(images), -1)
        return flat.astype(dt) / dt.type(255) if scale else flat.copy()

    return ((prep(train_x), train_y.astype(np.intp)), (prep(test_x), test_y.astype(np.intp)),
            CLASS_NAMES)


# ---------------------------------------------------------------- small data sets
_rng = as_generator


def make_linearly_separable(n=100, margin=0.3, rng=None):
    """Two classes in 2-D split by the line x1 + x2 = 0 with a gap; returns X (n, 2), y (n,) in {0, 1}."""
    check_positive(n, "n", integer=True)
    rng = _rng(rng)
    X = rng.uniform(-1, 1, size=(4 * n, 2))
    s = X.sum(axis=1) / np.sqrt(2)       # signed distance to the line
    X = X[np.abs(s) > margin / 2][:n]
    return X, (X.sum(axis=1) > 0).astype(np.intp)


def make_xor(n=None, noise=0.1, rng=None):
    """XOR. With n=None, the four-row truth table; else n noisy points around the four corners."""
    table = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    labels = np.array([0, 1, 1, 0], dtype=np.intp)
    if n is None:
        return table, labels
    check_positive(n, "n", integer=True)
    rng = _rng(rng)
    corner = rng.integers(0, 4, size=n)
    return table[corner] + rng.normal(0, noise, size=(n, 2)), labels[corner]


def make_moons(n=200, noise=0.1, rng=None):
    """Two interleaving half circles; returns X (n, 2), y (n,) in {0, 1}."""
    check_positive(n, "n", integer=True)
    rng = _rng(rng)
    y = rng.integers(0, 2, size=n)
    t = rng.uniform(0, np.pi, size=n)
    X = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))
    return X + rng.normal(0, noise, size=X.shape), y.astype(np.intp)


def make_spirals(n=300, n_classes=3, noise=0.2, rng=None):
    """cs231n's interleaved spirals: n points split over n_classes arms; X (n, 2), y (n,)."""
    check_positive(n, "n", integer=True)
    rng = _rng(rng)
    y = np.arange(n) % n_classes
    r = rng.uniform(0.05, 1.0, size=n)
    theta = y * 2 * np.pi / n_classes + 4 * r + rng.normal(0, noise, size=n)
    return np.column_stack([r * np.sin(theta), r * np.cos(theta)]), y.astype(np.intp)


HOUSE_FEATURES = ("area_m2", "bedrooms", "distance_km", "age_years")


def make_house_prices(n=500, noise=20.0, rng=None):
    """A synthetic housing table: X (n, 4) with HOUSE_FEATURES, y (n,) price in thousands.

    The price is not linear in the inputs: the value of space falls with distance to
    the city, and old houses lose value only after a renovation age. A hidden layer
    can discover such combinations; a linear model cannot.
    """
    check_positive(n, "n", integer=True)
    rng = _rng(rng)
    area = rng.uniform(40, 250, size=n)
    bedrooms = np.clip(np.round(area / 45 + rng.normal(0, 0.7, size=n)), 1, 6)
    distance = rng.gamma(2.0, 6.0, size=n)
    age = rng.uniform(0, 80, size=n)
    price = (80 + 4.0 * area * np.exp(-distance / 15) + 1.0 * area + 15 * bedrooms
             - 2.0 * np.maximum(age - 30, 0) + rng.normal(0, noise, size=n))
    return np.column_stack([area, bedrooms, distance, age]), price


# ---------------------------------------------------------------- preprocessing
def one_hot(y, n_classes=None) -> np.ndarray:
    """Integer labels (n,) -> one-hot rows (n, n_classes)."""
    if n_classes is not None:
        check_positive(n_classes, "n_classes", integer=True, example=10)
    y = check_labels(y, n_classes=n_classes)
    k = n_classes if n_classes is not None else int(y.max()) + 1
    return np.eye(k)[y]


def standardize(X, mean=None, std=None):
    """Shift each column to mean 0 and scale it to variance 1; return (X_std, mean, std).

    Pass the training set's mean and std to transform test data the same way.
    Constant columns keep std 1 so that nothing divides by zero.
    """
    X = as_matrix(X, "X")
    _both_or_neither(mean, std, "mean", "std", "standardize")
    mean = X.mean(axis=0) if mean is None else _column_stats(mean, "mean", X)
    std = X.std(axis=0) if std is None else _column_stats(std, "std", X)
    std = np.where(std > 0, std, 1.0)
    return (X - mean) / std, mean, std


def _both_or_neither(first, second, name1, name2, fn):
    """Training statistics come in pairs: one from the training data and one from X is a mix-up."""
    if (first is None) != (second is None):
        given, missing = (name1, name2) if second is None else (name2, name1)
        raise CourseError(f"{fn} got {given} but not {missing}, so {missing} would come from this X "
                          f"while {given} comes from elsewhere. Pass both from the training data: "
                          f"{fn}(X_test, {name1}, {name2}), with {name1} and {name2} as {fn}(X_train) "
                          f"returned them.")


def _column_stats(values, name, X):
    """Per-column statistics passed in by the learner: one number per column of X."""
    arr = np.asarray(values, dtype=float)
    if arr.shape not in ((X.shape[1],), (1, X.shape[1]), ()):
        raise CourseError(f"{name} has shape {arr.shape}, but X has {X.shape[1]} columns: pass the "
                          f"{name} returned for the training data, one value per column "
                          f"(shape ({X.shape[1]},)).")
    return arr


def normalize(X, low=None, high=None):
    """Rescale each column to [0, 1] by its min and max; return (X_norm, low, high)."""
    X = as_matrix(X, "X")
    _both_or_neither(low, high, "low", "high", "normalize")
    low = X.min(axis=0) if low is None else _column_stats(low, "low", X)
    high = X.max(axis=0) if high is None else _column_stats(high, "high", X)
    return (X - low) / np.where(high > low, high - low, 1.0), low, high


def train_val_split(X, y, val_size=0.1, rng=None):
    """Shuffle and split into (X_train, y_train), (X_val, y_val); val_size is a fraction or a count."""
    X = np.asarray(X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise CourseError(f"X has {len(X)} rows but y has {len(y)}; they must match.")
    n_val = int(round(val_size * len(X))) if isinstance(val_size, (float, np.floating)) else val_size
    if isinstance(n_val, bool) or not isinstance(n_val, (int, np.integer)) or not 0 < n_val < len(X):
        raise CourseError(f"val_size must be a fraction in (0, 1) or a count in 1..{len(X) - 1}, "
                          f"got {val_size!r}.")
    order = _rng(rng).permutation(len(X))
    val, train = order[:n_val], order[n_val:]
    return (X[train], y[train]), (X[val], y[val])


def main(argv=None):
    """`python -m course_lib.data [--offline]`: make sure Fashion-MNIST is available, say where."""
    import argparse
    parser = argparse.ArgumentParser(description="Find (or download) and verify Fashion-MNIST.")
    parser.add_argument("--offline", action="store_true", help="look on disk only; never download")
    args = parser.parse_args(argv)
    try:
        print(f"Fashion-MNIST: verified files in {find_fashion_mnist(download=not args.offline)}")
    except DataError as exc:
        raise SystemExit(str(exc)) from None


if __name__ == "__main__":
    main()
