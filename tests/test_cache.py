"""course_lib.cache: results found from any folder, written only inside the learner's folder."""
import json

import numpy as np
import pytest

from course_lib import CourseError, cache


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """An empty working folder far from the repository, with no results variable set."""
    folder = tmp_path / "home" / "learner"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("COURSE_RESULTS_DIR", raising=False)
    monkeypatch.delenv("COURSE_RECOMPUTE", raising=False)
    return folder


def _counting(result):
    calls = []

    def compute():
        calls.append(1)
        return result
    return compute, calls


def test_every_shipped_result_is_found_from_an_empty_folder(elsewhere):
    shipped = sorted(cache.PACKAGE_RESULTS.glob("*.json"))
    assert shipped, "course_lib/results/ should ship the lessons' cached sweeps"
    for path in shipped:
        compute, calls = _counting({})
        results, record = cache.load_or_compute(path.stem, compute)
        assert calls == [] and results and record["path"] == str(path)
        assert {"date", "git_commit"} <= set(record["made"]) and record["seconds"] > 0
    assert list(elsewhere.iterdir()) == []          # nothing written anywhere


def test_compute_once_then_read_back_the_same(elsewhere):
    compute, calls = _counting({"values": np.arange(3), "nested": {"x": np.float32(0.5)}})
    first, record = cache.load_or_compute("unit_test_result", compute, seeds=range(2))
    second, again = cache.load_or_compute("unit_test_result", compute)
    assert calls == [1] and first == second == {"values": [0, 1, 2], "nested": {"x": 0.5}}
    path = elsewhere / "course_results" / "unit_test_result.json"
    assert record["path"] == again["path"] == str(path)
    payload = json.loads(path.read_text())
    assert payload["seeds"] == [0, 1] and payload["made"]["numpy"] == np.__version__
    cache.load_or_compute("unit_test_result", compute, recompute=True)
    assert calls == [1, 1]


def test_a_learners_recomputation_is_preferred_and_stays_in_their_folder(elsewhere):
    name = sorted(cache.PACKAGE_RESULTS.glob("*.json"))[0].stem
    compute, calls = _counting({"mine": 1})
    results, record = cache.load_or_compute(name, compute, recompute=True)
    assert results == {"mine": 1} and record["path"].startswith(str(elsewhere))
    results, _ = cache.load_or_compute(name, compute)          # later runs read the learner's copy
    assert results == {"mine": 1} and calls == [1]


def test_environment_variables_choose_the_folder_and_force_recomputing(elsewhere, tmp_path,
                                                                        monkeypatch):
    target = tmp_path / "shared results"
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(target))
    monkeypatch.setenv("COURSE_RECOMPUTE", "1")
    compute, calls = _counting({"a": 1})
    cache.load_or_compute("env_result", compute)
    cache.load_or_compute("env_result", compute)
    assert calls == [1, 1] and (target / "env_result.json").is_file()
    assert not (elsewhere / "course_results").exists()


@pytest.mark.parametrize("name", ["", "../escape", "sub/name", ".hidden", 7, None])
def test_a_name_with_folders_is_refused(elsewhere, name):
    with pytest.raises(CourseError, match="plain file name"):
        cache.load_or_compute(name, dict)


def test_bad_compute_functions_are_named(elsewhere):
    with pytest.raises(CourseError, match="without calling it"):
        cache.load_or_compute("x", {"a": 1})
    with pytest.raises(CourseError, match="must return a dict"):
        cache.load_or_compute("x", lambda: [1, 2])
    assert not (elsewhere / "course_results" / "x.json").exists()


def test_a_foreign_file_is_refused_with_the_fix(elsewhere):
    folder = elsewhere / "course_results"
    folder.mkdir()
    (folder / "foreign.json").write_text("[1, 2]")
    with pytest.raises(CourseError, match="not a results file.*recompute=True"):
        cache.load_or_compute("foreign", dict)


def test_an_unwritable_folder_gets_a_clear_error(elsewhere, monkeypatch, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(blocker / "inside"))
    with pytest.raises(CourseError, match="COURSE_RESULTS_DIR"):
        cache.load_or_compute("y", lambda: {"a": 1})
