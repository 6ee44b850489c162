"""The repository's promises: one dependency list in two files, two commands, CI runs the test one."""
import re
from pathlib import Path

import pytest
import yaml  # comes with JupyterLab (jupyter-events)

tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+")

ROOT = Path(__file__).resolve().parents[1]


def requirement_names(specs):
    return {re.split(r"[<>=!~ ]", s.strip(), maxsplit=1)[0].lower().replace("_", "-") for s in specs}


def test_environment_yml_and_pyproject_list_the_same_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_specs = project["dependencies"] + project["optional-dependencies"]["test"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda_specs = [d for d in env["dependencies"] if isinstance(d, str)]
    conda = requirement_names(conda_specs) - {"python", "pip"}
    assert conda == requirement_names(pip_specs)
    # Same version bounds too, not just the same names.
    assert {s.replace(" ", "") for s in pip_specs} == {s.replace(" ", "") for s in conda_specs
                                                      if not s.startswith(("python", "pip"))}


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert ci.strip().splitlines()[-1] == "make test"


def test_every_lesson_notebook_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert nb.name in readme, f"{nb.name} is missing from the README's lesson list"
