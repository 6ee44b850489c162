"""Shared test set-up: a headless matplotlib and a private exercise-progress file."""
import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_progress_file(tmp_path, monkeypatch):
    """Checks record results; keep them out of the repository during tests."""
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
