"""A small class on a real JupyterHub (benchmarks/classroom.py): two learners run lesson 06 at
once and a third runs a notebook that fails, through the hub's login form, its REST API and the
kernels' websockets; then nothing the run started is left behind. And deploy/config.yaml: Zero
to JupyterHub's keys, the README's sizing.

Needs Node.js and npm the first time (configurable-http-proxy is installed into build/proxy/;
.ci/run installs Debian's nodejs and npm) and jupyterhub from the [test] extra.
"""
import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import classroom  # noqa: E402


def proxy_or_skip() -> Path:
    try:
        return classroom.ensure_proxy()
    except classroom.ClassroomError as exc:
        if shutil.which("npm") is None:
            pytest.skip(f"{exc} (.ci/run installs them)")
        raise


def test_lessons_are_found_by_number_and_a_wrong_one_is_named():
    assert classroom.find_lesson("06").name.startswith("06_")
    with pytest.raises(classroom.ClassroomError, match="'99'"):
        classroom.find_lesson("99")


def test_a_small_class_runs_a_lesson_and_leaves_nothing_behind(tmp_path):
    proxy = proxy_or_skip()
    lesson = classroom.find_lesson("06")
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("x / 0"),
        nbformat.v4.new_code_cell("never = True"),
    ]), broken)

    started = {}
    report = classroom.run_class([lesson, lesson, broken], timeout=300, start_timeout=180,
                                 proxy=proxy, logs=tmp_path / "logs",
                                 on_hub=lambda hub, sampler: started.update(hub=hub, sampler=sampler))
    assert json.loads(json.dumps(report)) == report          # one JSON line, as printed

    n_cells = len(classroom.code_cells(lesson))
    first, second, third = report["per_learner"]
    assert report["learners"] == 3
    for learner in (first, second):
        assert learner["cells"] == f"{n_cells}/{n_cells}", report["failures"]
        assert learner["kernel_transport"] == ["ipc"]         # no TCP port to race for
        # A Python kernel with NumPy and matplotlib, and a Jupyter server, each hold tens of MB.
        assert learner["kernel_peak_mb"] > 40 and learner["server_peak_mb"] > 40
        assert 0 < learner["learner_peak_mb"] <= learner["kernel_peak_mb"] + learner["server_peak_mb"] + 1
        assert learner["kernel_cpu_s"] > 0 and learner["run_s"] > 0
    # The failing notebook stops at its first error, and the report names the cell and the error.
    assert third["cells"] == "1/3"
    assert report["failures"] == ["learner03: code cell 2: ZeroDivisionError: division by zero"]
    assert len(list((tmp_path / "logs").glob("*.log"))) == 1, "a failed run keeps the hub's log"
    assert report["wall_s"] >= max(first["run_s"], second["run_s"]) - 0.1

    hub, sampler = started["hub"], started["sampler"]
    assert hub.process.poll() is not None, "the hub is still running"
    assert len(sampler.handles) >= 7          # the proxy, three servers, three kernels
    assert sampler.alive() == [], "processes outlived the run"
    assert not hub.folder.exists(), "the run's temporary folder was left behind"


# --------------------------------------------------------------------------- deploy/config.yaml
# The keys deploy/config.yaml may use, as Zero to JupyterHub's values schema names them (chart
# 4.x, jupyterhub/values.schema.yaml); "*" is a free name (an environment variable, a file).
Z2JH_KEYS = {
    "singleuser.image.name", "singleuser.image.tag", "singleuser.defaultUrl",
    "singleuser.memory.guarantee", "singleuser.memory.limit",
    "singleuser.cpu.guarantee", "singleuser.cpu.limit",
    "singleuser.extraEnv.*", "singleuser.storage.capacity",
    "singleuser.extraFiles.*.mountPath", "singleuser.extraFiles.*.data",
    "cull.enabled", "cull.timeout", "cull.every",
}
FREE = {"singleuser.extraEnv", "singleuser.extraFiles"}
UNITS = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}   # KubeSpawner's ByteSpecification


def key_paths(node, prefix=""):
    for key, value in node.items():
        path = f"{prefix}{key}"
        if prefix.rstrip(".") in FREE:
            path = f"{prefix}*"
        if path.endswith(".data") or not isinstance(value, dict):
            yield path
        else:
            yield from key_paths(value, path + ".")


def to_bytes(text) -> float:
    text = str(text)
    return float(text[:-1]) * UNITS[text[-1]] if text[-1] in UNITS else float(text)


def deploy_config():
    import yaml
    return yaml.safe_load((ROOT / "deploy" / "config.yaml").read_text())


def readme_class_section():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Running the course for a class")
    return text[start:text.index("\n## ", start + 1)]


def test_deploy_config_uses_only_zero_to_jupyterhub_keys():
    config = deploy_config()
    unknown = sorted(set(key_paths(config)) - Z2JH_KEYS)
    assert not unknown, f"not keys of the Zero to JupyterHub chart: {unknown}"
    single = config["singleuser"]
    assert all(isinstance(v, str) for v in single["extraEnv"].values()), "Kubernetes wants strings"
    assert single["extraEnv"]["OPENBLAS_NUM_THREADS"] == "1"
    assert single["extraEnv"]["COURSE_DATA_DIR"].startswith("/srv/nnfs/")
    assert "--target-repo-dir /srv/nnfs" in readme_class_section()
    assert to_bytes(single["memory"]["guarantee"]) <= to_bytes(single["memory"]["limit"])
    assert 0 < single["cpu"]["guarantee"] <= single["cpu"]["limit"]
    # The folder nbgitpuller clones into is the one PYTHONPATH names, as the README's link says.
    link_folder = re.search(r"urlpath=lab/tree/([^/]+)/notebooks", readme_class_section())[1]
    assert single["extraEnv"]["PYTHONPATH"] == f"/home/jovyan/{link_folder}" or \
        single["extraEnv"]["PYTHONPATH"] == "/home/jovyan/<repo>"


def test_deploy_config_is_the_readme_sizing_and_covers_the_measured_peak():
    section = readme_class_section()
    config = deploy_config()
    rows = re.findall(r"^\| [^|]+ \| `([a-zA-Z.]+(?:\.[A-Z_]+)?)` \| ([^|]+) \|", section, re.MULTILINE)
    assert len(rows) >= 5, "the README's sizing table is missing"
    for key, value in rows:
        node = config
        for part in key.split("."):
            node = node[part]
        assert to_bytes(node) == to_bytes(value.strip()), f"{key}: README says {value.strip()}, config {node}"
    # Every lesson measured in the README (kernel + server peak, in MB) fits in the guarantee.
    measured = re.findall(r"^\| \d+ \| \d\d \| [^|]+ \| ([\d,]+) MB[^|]* \| ([\d,]+) MB \|", section, re.MULTILINE)
    assert measured, "the README's measured table is missing"
    peak = max(int(k.replace(",", "")) + int(s.replace(",", "")) for k, s in measured) * 2**20
    assert peak <= to_bytes(config["singleuser"]["memory"]["guarantee"])


@pytest.mark.skipif(not os.environ.get("Z2JH_CHART"), reason="set Z2JH_CHART to a checkout of "
                    "zero-to-jupyterhub-k8s/jupyterhub to validate against the chart's own schema")
def test_deploy_config_validates_against_the_chart_schema():
    import jsonschema
    import yaml
    chart = Path(os.environ["Z2JH_CHART"])
    schema = yaml.safe_load((chart / "values.schema.yaml").read_text())
    defaults = yaml.safe_load((chart / "values.yaml").read_text())

    def merge(a, b):
        return {**a, **{k: merge(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict)
                        else v for k, v in b.items()}}
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(
        merge(defaults, deploy_config()))]
    assert not errors
