"""Shared test set-up: a headless matplotlib, a private exercise-progress file, toy images."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_progress_file(tmp_path, monkeypatch):
    """Checks record results; keep them out of the repository during tests."""
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))


@pytest.fixture(scope="session")
def band_images():
    """600 synthetic 28x28 'images' (rows of 784) whose class 0-9 is a bright horizontal band at
    rows 2k..2k+1 on faint noise: (X, y), learnable in seconds, for the Fashion-MNIST demos."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 600)
    X = rng.random((600, 784), dtype=np.float32) * 0.2
    images = X.reshape(-1, 28, 28)
    for i, label in enumerate(y):
        images[i, 2 + 2 * label:4 + 2 * label, :] = 1.0
    return X, y


def _stub(*args, **kwargs):
    raise NotImplementedError("Exercise: student edition")


@pytest.fixture
def stub():
    """What the student edition leaves in place of a solution: raises NotImplementedError."""
    return _stub


@pytest.fixture
def assert_hint():
    """assert_hint(exercise_id, answer, *fragments): the check fails, and its hint contains
    every fragment (case-sensitive), so a test states which mistake the hint must name."""
    from course_lib.checks import check

    def assert_fails(exercise_id, answer, *fragments):
        result = check(exercise_id, answer)
        assert result.status == "failed", f"{exercise_id}: expected a hint, got {result!r}"
        for fragment in fragments:
            assert fragment in result.message, f"{exercise_id}: {fragment!r} not in {result.message!r}"
        return result
    return assert_fails
