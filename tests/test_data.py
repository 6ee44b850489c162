"""Data: the Fashion-MNIST loader on small fake files (no network), the real data, and toy sets.

The fake files are real IDX files, gzipped, with course_lib.data.FILES patched to their
checksums, so every code path of the loader runs exactly as on the real data.
"""
import gzip
import hashlib
import io
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from course_lib import CLASS_NAMES, data
from course_lib.data import (
    DataError,
    load_fashion_mnist,
    make_house_prices,
    make_linearly_separable,
    make_moons,
    make_spirals,
    make_xor,
    normalize,
    one_hot,
    standardize,
    train_val_split,
)

NAMES = list(data.FILES)     # train images, train labels, test images, test labels


def idx_bytes(arr):
    """IDX format: magic 2051 (images) or 2049 (labels), big-endian sizes, then uint8 values."""
    magic = 2051 if arr.ndim == 3 else 2049
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in arr.shape)
    return header + arr.astype(np.uint8).tobytes()


class FakeFashion:
    """Six training and four test images, the folders the loader searches, and a fake network."""

    def __init__(self, tmp_path, monkeypatch):
        rng = np.random.default_rng(0)
        self.arrays = {NAMES[0]: rng.integers(0, 256, size=(6, 28, 28)),
                       NAMES[1]: np.array([0, 1, 9, 3, 4, 5]),
                       NAMES[2]: rng.integers(0, 256, size=(4, 28, 28)),
                       NAMES[3]: np.array([9, 8, 7, 0])}
        self.raw = {name: idx_bytes(arr) for name, arr in self.arrays.items()}
        for name, raw in self.raw.items():
            monkeypatch.setitem(data.FILES, name, hashlib.sha256(raw).hexdigest())
        self.repo, self.env, self.debian = tmp_path / "repo", tmp_path / "env", tmp_path / "debian"
        monkeypatch.setattr(data, "REPO_DATA_DIR", self.repo)
        monkeypatch.setattr(data, "DEBIAN_DIR", self.debian)
        monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
        self.cache = tmp_path / "cache" / "course_lib" / "fashion-mnist"
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        self.requests = []
        monkeypatch.setattr(urllib.request, "urlopen", self.no_network)

    def no_network(self, url, timeout=None):
        self.requests.append(url)
        raise urllib.error.URLError("no network in tests")

    def write(self, directory: Path, names=NAMES, corrupt=(), truncate=()):
        directory.mkdir(parents=True, exist_ok=True)
        for name in names:
            raw = self.raw[name]
            if name in corrupt:          # same length, one pixel changed: only the checksum can tell
                raw = raw[:-1] + bytes([(raw[-1] + 1) % 256])
            packed = gzip.compress(raw)
            if name in truncate:
                packed = packed[: len(packed) // 2]
            (directory / name).write_bytes(packed)
        return directory

    def serve(self, monkeypatch, corrupt=(), fail_midway=()):
        """Answer urlopen with the files' gzipped bytes, optionally corrupted or cut off."""
        fake = self

        class Response(io.BytesIO):
            def __init__(self, payload, fail):
                super().__init__(payload)
                self.headers = {"Content-Length": str(len(payload))}
                self.fail = fail

            def read(self, n=-1):
                chunk = super().read(min(n, 100) if n and n > 0 else n)
                if self.fail and self.tell() > 100:
                    raise ConnectionResetError("connection reset by peer")
                return chunk

        def urlopen(url, timeout=None):
            fake.requests.append(url)
            name = url.rsplit("/", 1)[-1]
            raw = fake.raw[name]
            if name in corrupt:
                raw = raw[:-1] + bytes([(raw[-1] + 1) % 256])
            return Response(gzip.compress(raw), name in fail_midway)

        monkeypatch.setattr(urllib.request, "urlopen", urlopen)


@pytest.fixture
def fake(tmp_path, monkeypatch):
    data._load_arrays.cache_clear()
    yield FakeFashion(tmp_path, monkeypatch)
    data._load_arrays.cache_clear()


def test_good_files_load_with_the_right_shapes_dtypes_and_scaling(fake):
    fake.write(fake.debian)
    (X_train, y_train), (X_test, y_test), names = load_fashion_mnist()
    assert X_train.shape == (6, 784) and X_test.shape == (4, 784)
    assert X_train.dtype == np.float32 and X_test.dtype == np.float32
    np.testing.assert_allclose(X_train, fake.arrays[NAMES[0]].reshape(6, 784) / 255, rtol=1e-6)
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0
    np.testing.assert_array_equal(y_train, [0, 1, 9, 3, 4, 5])
    np.testing.assert_array_equal(y_test, [9, 8, 7, 0])
    assert y_train.dtype == np.intp
    assert names == CLASS_NAMES and len(names) == 10
    assert fake.requests == []                       # found on disk: no download attempted


def test_uint8_and_float64_options(fake):
    fake.write(fake.debian)
    (X_raw, _), (X_test_raw, _), _ = load_fashion_mnist(scale=False)
    assert X_raw.dtype == np.uint8
    np.testing.assert_array_equal(X_raw, fake.arrays[NAMES[0]].reshape(6, 784))
    X_raw[0, 0] = 7                                  # a copy: the cached arrays are untouched
    (X64, _), _, _ = load_fashion_mnist(dtype="float64")
    assert X64.dtype == np.float64
    np.testing.assert_allclose(X64 * 255, fake.arrays[NAMES[0]].reshape(6, 784))


def test_search_order_repo_then_env_then_debian(fake, monkeypatch):
    fake.write(fake.debian)
    assert data.find_fashion_mnist(download=False) == fake.debian
    monkeypatch.setenv("COURSE_DATA_DIR", str(fake.write(fake.env)))
    assert data.candidate_dirs() == [fake.repo, fake.env, fake.debian, fake.cache]
    assert data.find_fashion_mnist(download=False) == fake.env
    fake.write(fake.repo)
    assert data.find_fashion_mnist(download=False) == fake.repo


def test_truncated_file(fake):
    fake.write(fake.debian, truncate=[NAMES[2]])
    with pytest.warns(UserWarning, match="Skipping"), \
            pytest.raises(DataError, match=r"t10k-images-idx3-ubyte\.gz is truncated or not a valid gzip"):
        load_fashion_mnist(download=False)


def test_corrupted_file_fails_its_checksum(fake):
    fake.write(fake.debian, corrupt=[NAMES[1]])
    with pytest.warns(UserWarning, match="Skipping"), \
            pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz is corrupted: the SHA-256"):
        load_fashion_mnist(download=False)


def test_missing_files_without_network_explain_where_and_how(fake):
    fake.write(fake.debian, names=NAMES[:2])
    with pytest.raises(DataError) as info:
        load_fashion_mnist()
    message = str(info.value)
    assert "Fashion-MNIST was not found. Looked in:" in message
    assert f"{fake.repo}: no files" in message
    assert f"{fake.debian}: missing t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz" in message
    assert "failed" in message and "no network in tests" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "COURSE_DATA_DIR" in message
    assert str(Path("data") / "fashion-mnist") in message
    assert len(fake.requests) == 1                   # it tried the mirror once, then gave up
    assert not any(fake.repo.iterdir())              # and left nothing behind


def test_download_false_does_not_touch_the_network(fake):
    with pytest.raises(DataError, match=r"download: not attempted \(download=False\)"):
        load_fashion_mnist(download=False)
    assert fake.requests == []


def test_a_corrupt_first_source_falls_through_to_a_good_second(fake):
    fake.write(fake.repo, corrupt=[NAMES[0]])
    fake.write(fake.debian)
    with pytest.warns(UserWarning, match=rf"Skipping {fake.repo}.*corrupted"):
        (X_train, _), _, _ = load_fashion_mnist()
    assert X_train.shape == (6, 784)
    assert fake.requests == []


def test_download_verifies_and_moves_files_into_place(fake, monkeypatch):
    fake.serve(monkeypatch)
    (X_train, y_train), (X_test, _), _ = load_fashion_mnist()
    assert X_train.shape == (6, 784) and X_test.shape == (4, 784)
    assert sorted(p.name for p in fake.repo.iterdir()) == sorted(NAMES)   # no .part files left
    assert len(fake.requests) == 4
    data._load_arrays.cache_clear()
    load_fashion_mnist()                             # now found on disk
    assert len(fake.requests) == 4


def test_a_download_that_fails_midway_leaves_no_file_under_the_real_name(fake, monkeypatch):
    fake.serve(monkeypatch, fail_midway=[NAMES[2]])
    with pytest.raises(DataError, match=r"download from .* failed \(connection reset by peer\)"):
        load_fashion_mnist()
    left = sorted(p.name for p in fake.repo.iterdir())
    assert left == sorted(NAMES[:2])                 # the two verified files, and no partial third


def test_a_corrupt_download_is_refused(fake, monkeypatch):
    fake.serve(monkeypatch, corrupt=[NAMES[3]])
    with pytest.raises(DataError, match=r"download from .*corrupted"):
        load_fashion_mnist()
    assert not (fake.repo / NAMES[3]).exists()
    assert not [p for p in fake.repo.iterdir() if p.name.endswith(".part")]


def test_idx_parser_rejects_bad_headers():
    with pytest.raises(DataError, match="not an IDX file"):
        data._parse_idx((1234).to_bytes(4, "big") + bytes(8), "x.gz")
    with pytest.raises(DataError, match=r"holds 3 values but its header promises \[5\]"):
        data._parse_idx(idx_bytes(np.zeros(5))[:-2], "y.gz")


def test_real_fashion_mnist_from_the_debian_package(tmp_path, monkeypatch):
    if not data.DEBIAN_DIR.is_dir():
        pytest.skip(f"{data.DEBIAN_DIR} is absent: install it with "
                    f"'sudo apt-get install dataset-fashion-mnist' to run this test")
    monkeypatch.setattr(data, "REPO_DATA_DIR", tmp_path / "empty")   # make sure the package is used
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    assert data.find_fashion_mnist(download=False) == data.DEBIAN_DIR
    (X_train, y_train), (X_test, y_test), names = load_fashion_mnist(download=False)
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.float32
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert X_test.min() == 0.0 and X_test.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)
    assert len(names) == 10 and names[0] == "T-shirt/top" and names[9] == "Ankle boot"


# ---------------------------------------------------------------- small data sets
def test_linearly_separable_has_its_margin():
    X, y = make_linearly_separable(80, margin=0.3, rng=0)
    assert X.shape == (80, 2) and set(np.unique(y)) == {0, 1}
    distance = X.sum(axis=1) / np.sqrt(2)
    assert np.all(np.abs(distance) > 0.15)
    np.testing.assert_array_equal(y, distance > 0)


def test_xor_table_and_noisy_xor():
    X, y = make_xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    Xn, yn = make_xor(50, noise=0.05, rng=1)
    assert Xn.shape == (50, 2)
    np.testing.assert_array_equal(yn, np.logical_xor(Xn[:, 0] > 0.5, Xn[:, 1] > 0.5))


@pytest.mark.parametrize("make, shape", [
    (lambda rng: make_moons(40, rng=rng), (40, 2)),
    (lambda rng: make_spirals(60, n_classes=3, rng=rng), (60, 2)),
    (lambda rng: make_house_prices(30, rng=rng), (30, 4)),
    (lambda rng: make_linearly_separable(20, rng=rng), (20, 2)),
])
def test_toy_sets_are_seeded(make, shape):
    X1, y1 = make(5)
    X2, y2 = make(np.random.default_rng(5))
    X3, _ = make(6)
    assert X1.shape == shape and len(y1) == shape[0]
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_spirals_have_balanced_classes():
    _, y = make_spirals(300, n_classes=3, rng=0)
    np.testing.assert_array_equal(np.bincount(y), [100, 100, 100])


def test_house_prices_are_plausible():
    X, price = make_house_prices(500, rng=0)
    assert list(data.HOUSE_FEATURES) == ["area_m2", "bedrooms", "distance_km", "age_years"]
    assert np.all((X[:, 1] >= 1) & (X[:, 1] <= 6))
    assert np.corrcoef(X[:, 0], price)[0, 1] > 0.5          # bigger houses cost more


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2, 0, 1])), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert one_hot(np.array([1]), n_classes=4).shape == (1, 4)


def test_standardize_and_normalize():
    X = np.array([[1.0, 5.0, 2.0], [3.0, 5.0, 4.0], [5.0, 5.0, 9.0]])
    Z, mean, std = standardize(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(Z.std(axis=0), [1, 0, 1])       # a constant column stays finite
    Z2, _, _ = standardize(X[:1], mean, std)                  # the training set's statistics
    np.testing.assert_allclose(Z2, Z[:1])
    N, low, high = normalize(X)
    np.testing.assert_allclose(N.min(axis=0), [0, 0, 0])
    np.testing.assert_allclose(N.max(axis=0), [1, 0, 1])
    np.testing.assert_allclose(normalize(X[1:], low, high)[0], N[1:])


def test_train_val_split():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    (X_tr, y_tr), (X_val, y_val) = train_val_split(X, y, val_size=0.3, rng=0)
    assert len(X_val) == 3 and len(X_tr) == 7
    assert sorted(np.concatenate([y_tr, y_val]).tolist()) == list(range(10))
    np.testing.assert_array_equal(X_tr[:, 0] // 2, y_tr)     # rows stay paired with their labels
    (_, y_tr2), _ = train_val_split(X, y, val_size=0.3, rng=0)
    np.testing.assert_array_equal(y_tr, y_tr2)
    _, (X_val4, _) = train_val_split(X, y, val_size=4, rng=1)
    assert len(X_val4) == 4


def test_a_data_dir_with_a_tilde_is_expanded(fake, monkeypatch):
    monkeypatch.setenv("HOME", str(fake.env.parent))
    fake.write(fake.env)
    monkeypatch.setenv("COURSE_DATA_DIR", "~/" + fake.env.name)
    assert data.find_fashion_mnist(download=False) == fake.env


def test_already_decompressed_idx_files_are_found_and_verified(fake, monkeypatch):
    fake.env.mkdir()
    for name in NAMES:
        (fake.env / name.removesuffix(".gz")).write_bytes(fake.raw[name])
    monkeypatch.setenv("COURSE_DATA_DIR", str(fake.env))
    assert data.find_fashion_mnist(download=False) == fake.env
    (X_train, y_train), _, _ = load_fashion_mnist()
    np.testing.assert_array_equal(y_train, fake.arrays[NAMES[1]])
    # Lesson 07 reads the headers through raw_idx_bytes: it must find the same files.
    assert data.raw_idx_bytes(NAMES[1], n=8) == fake.raw[NAMES[1]][:8]
    data._load_arrays.cache_clear()
    name = NAMES[0].removesuffix(".gz")
    raw = fake.raw[NAMES[0]]
    (fake.env / name).write_bytes(raw[:-1] + bytes([(raw[-1] + 1) % 256]))
    with pytest.warns(UserWarning, match="Skipping"), pytest.raises(data.DataError, match="corrupted"):
        load_fashion_mnist(download=False)


def test_an_installed_package_downloads_into_the_user_cache(fake, monkeypatch):
    monkeypatch.setattr(data, "IN_REPOSITORY", False)
    fake.serve(monkeypatch)
    assert data.find_fashion_mnist() == fake.cache
    assert sorted(p.name for p in fake.cache.iterdir()) == sorted(NAMES)
    assert not fake.repo.exists()
