"""The repository's promises: course_lib installs on its own, environment.yml and pyproject.toml
agree, two commands, CI runs the test one."""
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml  # comes with JupyterLab (jupyter-events)

tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+")

ROOT = Path(__file__).resolve().parents[1]


def requirement_names(specs):
    return {re.split(r"[<>=!~ ]", s.strip(), maxsplit=1)[0].lower().replace("_", "-") for s in specs}


RUNTIME = {"numpy", "matplotlib", "ipywidgets", "tqdm"}
# What course_lib must never pull in at import time: a second Jupyter stack on Colab or a hub.
JUPYTER_STACK = ("jupyter_client", "jupyter_server", "jupyterlab", "jupyterlab_rise", "notebook",
                 "nbformat", "nbclient", "nbconvert", "ipykernel", "nbval", "jupyterhub", "zmq")


def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_course_lib_depends_only_on_what_the_lessons_import():
    assert requirement_names(project()["dependencies"]) == RUNTIME
    extras = project()["optional-dependencies"]
    assert {"lab", "test"} <= set(extras)
    # nbconvert: course_lib.exercises (solutions' HTML) and tools/slides.py use it.
    assert {"jupyterlab", "jupyterlab-rise", "ipykernel", "nbformat", "nbclient",
            "nbconvert"} <= requirement_names(extras["lab"])
    assert {"pytest", "nbval", "hypothesis", "playwright", "jupyterhub"} <= requirement_names(extras["test"])


def test_environment_yml_is_the_learners_image_and_agrees_with_pyproject():
    """environment.yml = run-time dependencies + [lab] + [hub], same bounds, no test packages."""
    extras = project()["optional-dependencies"]
    pip_specs = project()["dependencies"] + extras["lab"] + extras.get("hub", [])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda_specs = [d for d in env["dependencies"] if isinstance(d, str)]
    conda = requirement_names(conda_specs) - {"python", "pip"}
    assert conda == requirement_names(pip_specs)
    assert not conda & requirement_names(extras["test"]), "test packages in the learners' image"
    # Same version bounds too, not just the same names.
    assert {s.replace(" ", "") for s in pip_specs} == {s.replace(" ", "") for s in conda_specs
                                                      if not s.startswith(("python", "pip"))}
    # One Python minor version, or repo2docker picks its own default.
    python = [s for s in conda_specs if s.startswith("python")]
    assert len(python) == 1 and re.fullmatch(r"python=3\.\d+", python[0]), python


def test_binder_runs_with_one_blas_thread():
    start = ROOT / "start"
    assert start.stat().st_mode & 0o111, "repo2docker runs ./start only if it is executable"
    text = start.read_text()
    assert re.search(r"^export OPENBLAS_NUM_THREADS=.*1", text, re.MULTILINE)
    assert text.rstrip().splitlines()[-1] == 'exec "$@"'


def test_the_wheel_requires_exactly_the_four_runtime_packages(tmp_path):
    """Build the wheel as pip would (from a copy: the build writes into the source tree) and read
    its metadata: the run-time requirements, the extras, the shipped cached results."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "course_lib", source / "course_lib",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "--wheel-dir", str(tmp_path / "dist"), str(source)],
                           check=False, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("course_lib-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines()
                if line.startswith("Requires-Dist:")]
    runtime = [r for r in requires if "extra ==" not in r]
    assert requirement_names(runtime) == RUNTIME, runtime
    assert {"lab", "test"} <= {line.split(":", 1)[1].strip() for line in metadata.splitlines()
                               if line.startswith("Provides-Extra:")}
    assert any(n.startswith("course_lib/results/") and n.endswith(".json") for n in names)
    assert any(n.endswith("LICENSE") for n in names)

    # Installed alone (no dependencies), with the Jupyter stack made unimportable, course_lib
    # and what the lessons use of it still import: a learner on Colab or a hub needs no more.
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",
                    str(site), str(wheel)], check=True, timeout=300)
    probe = f"""
import importlib.abc, sys
BLOCKED = {JUPYTER_STACK!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{{name}} is blocked: course_lib must not need it")
sys.meta_path.insert(0, Block())
import course_lib, course_lib.checks, course_lib.widgets, course_lib.cache, course_lib.plotting
assert course_lib.__file__.startswith({str(site)!r}), course_lib.__file__
print(sorted({{m.split(".")[0] for m in sys.modules}} & set(BLOCKED)))
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    env["MPLBACKEND"] = "Agg"
    result = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert ci.strip().splitlines()[-1] == "make test"


def test_every_lesson_notebook_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert nb.name in readme, f"{nb.name} is missing from the README's lesson list"


def test_make_help_lists_every_target_and_clean_removes_what_make_test_leaves():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    help_rule = re.search(r"^help:\n((?:\t.*\n)+)", makefile, re.M).group(1)
    unlisted = [t for t in phony if not re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", help_rule)]
    assert unlisted == [], f"make help does not list {unlisted}"
    clean = re.search(r"^clean:\n((?:\t.*\n)+)", makefile, re.M).group(1)
    made_by_test = re.search(r"^test:.*\n(?:\t.*\n)*?\trm -rf (.*)\n", makefile, re.M).group(1).split()
    assert ".student-edition" in made_by_test
    assert [d for d in made_by_test if d not in clean.split()] == []


def test_the_package_docstring_names_every_module():
    import course_lib
    modules = sorted(p.stem if p.is_file() else p.name for p in (ROOT / "course_lib").iterdir()
                     if (p.suffix == ".py" or (p / "__init__.py").exists()) and not p.name.startswith("_"))
    assert [m for m in modules if not re.search(rf"\b{m}\b", course_lib.__doc__)] == []
