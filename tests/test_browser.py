"""Every lesson, as a learner meets it: JupyterLab in headless Chromium, run through the UI.

For each notebook: open it (fresh workspace, `?reset`), Run → Run All Cells, wait for the
status bar's "Idle" with every cell executed, assert there is no error output and no
"Error displaying widget", move one widget with the keyboard and see its output change, save
a screenshot to build/screenshots/, and shut the kernel down.

One JupyterLab server (127.0.0.1, a free port, a random token) serves a temporary copy of
notebooks/ and data/ (JupyterLab autosaves) with fresh settings, workspaces and runtime
folders. Needs Debian's chromium (`apt-get install -y chromium`; .ci/run installs it): the
tests skip, saying so, only when /usr/bin/chromium is absent. Playwright never downloads a
browser here. COURSE_BROWSER_TIMEOUT (seconds, default 900) bounds one notebook's run.
"""
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
RUN_TIMEOUT_S = float(os.environ.get("COURSE_BROWSER_TIMEOUT", 900))
UI_TIMEOUT_MS = 120_000   # opening a notebook, a widget update: slow on a loaded machine

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium is absent (/usr/bin/chromium): `apt-get install -y chromium` to run the "
           "real-browser tests (.ci/run does)")

# JupyterLab settings for a quiet, predictable UI: no news pop-up, every cell in the DOM.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

# True when the run is over: the status bar says Idle, no cell is queued or running ([*]), and
# every non-empty code cell has a number, or an error stopped the run.
RUN_FINISHED_JS = """expected => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const status = document.querySelector('#jp-main-statusbar');
  if (!panel || !status || !/\\bIdle/.test(status.textContent)) return false;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
  if (prompts.some(t => t.includes('*'))) return false;
  if (panel.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
      && /Traceback/.test(panel.textContent)) return true;     // stopped by an error
  return prompts.filter(t => /^\\[\\d+\\]:$/.test(t.trim())).length >= expected;
}"""

PROMPTS_JS = """() => [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim())"""

TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s*[A-Za-z_.]*(Error|Exception)\b.*$",
                       re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base, token, path, method="GET"):
    request = urllib.request.Request(f"{base}{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


def copy_course(dest: Path) -> Path:
    """notebooks/ alone: a lesson finds its data and cached results through course_lib."""
    shutil.copytree(ROOT / "notebooks", dest / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab server for every notebook: yields (base_url, token)."""
    home = tmp_path_factory.mktemp("jupyterlab")
    course = copy_course(home / "course")
    settings = home / "settings"
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.update({
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "COURSE_PROGRESS_FILE": str(home / "progress.json"),
        "OPENBLAS_NUM_THREADS": "1",    # many threads crawl on a shared, loaded machine
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    })
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = (home / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=course)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited ({server.returncode}):\n"
                            f"{(home / 'server.log').read_text()[-3000:]}")
            try:
                api(base, token, "/api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer on {base} within 180 s:\n"
                                f"{(home / 'server.log').read_text()[-3000:]}")
                time.sleep(1)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shut_down_kernels(base, token):
    for session in api(base, token, "/api/sessions") or []:
        api(base, token, f"/api/sessions/{session['id']}", method="DELETE")


def menu(page, title, item):
    """Click a main-menu item, as a learner would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{title}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def code_cells(path: Path) -> int:
    """How many code cells JupyterLab will execute (it skips empty ones)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return sum(c["cell_type"] == "code" and "".join(c["source"]).strip() != "" for c in cells)


def uses_widgets(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return any(key in text for key in ("live_demo", "ipywidgets", "interact(",
                                        "application/vnd.jupyter.widget-view+json"))


def output_of(control):
    """The output area that a control drives: its interact box's output (or the notebook cell's)."""
    box = control.locator("xpath=ancestor::*[contains(@class,'widget-interact')][1]")
    if box.count():
        return box.locator(".jp-OutputArea, .widget-output").last
    return control.locator("xpath=ancestor::*[contains(@class,'jp-Cell')][1]").locator(".jp-OutputArea").last


def snapshot(area):
    img = area.locator("img")
    if img.count():
        return "img", img.first.get_attribute("src")
    return "text", area.inner_text()


def move_one_widget(page, name):
    """Move the first slider (or dropdown) with the keyboard; assert that its output changes."""
    from playwright.sync_api import expect

    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    sliders = panel.locator(".widget-slider .noUi-handle")
    dropdowns = panel.locator(".widget-dropdown select")
    if sliders.count():
        control = sliders.first
        control.scroll_into_view_if_needed()
        area = output_of(control)
        kind, before = snapshot(area)
        now, top = control.get_attribute("aria-valuenow"), control.get_attribute("aria-valuemax")
        key = "ArrowLeft" if now is not None and now == top else "ArrowRight"
        control.focus()
        for _ in range(5):
            control.press(key)
            page.wait_for_timeout(200)
    elif dropdowns.count():
        control = dropdowns.first
        control.scroll_into_view_if_needed()
        area = output_of(control)
        kind, before = snapshot(area)
        control.focus()
        control.press("ArrowDown")
    else:
        pytest.fail(f"{name}: its code uses widgets but no slider or dropdown is displayed")
    if kind == "img":
        expect(area.locator("img").first).not_to_have_attribute(
            "src", before, timeout=UI_TIMEOUT_MS), f"{name}: the widget's figure did not change"
    else:
        expect(area).not_to_have_text(before, timeout=UI_TIMEOUT_MS)
    return control


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lesson_runs_in_jupyterlab(lab, browser, notebook):
    from playwright.sync_api import expect

    base, token = lab
    name = notebook.name
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(UI_TIMEOUT_MS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.goto(f"{base}/lab/tree/notebooks/{name}?reset&token={token}")
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        expect(panel.locator(".jp-Cell").first).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=UI_TIMEOUT_MS)

        # Clear the saved outputs and numbers first, so that everything checked below comes from
        # this run in the browser.
        menu(page, "Edit", "Clear Outputs of All Cells")
        expect(panel.locator(".jp-OutputArea-output")).to_have_count(0)
        start = time.monotonic()
        menu(page, "Run", "Run All Cells")
        try:
            page.wait_for_function(RUN_FINISHED_JS, arg=code_cells(notebook),
                                   timeout=RUN_TIMEOUT_S * 1000, polling=1000)
        except Exception as exc:   # playwright's TimeoutError
            prompts = page.evaluate(PROMPTS_JS)
            page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}.timeout.png"))
            pytest.fail(f"{name}: Run All Cells did not finish within {RUN_TIMEOUT_S:.0f} s "
                        f"(prompts: {prompts}): {exc}")
        seconds = time.monotonic() - start
        print(f"{name}: ran in JupyterLab in {seconds:.1f} s")

        errors = [text for text in panel.locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
            if TRACEBACK.search(text)]
        assert not errors, f"{name}: error output after Run All Cells:\n" + "\n---\n".join(
            e[-1500:] for e in errors)
        assert "Error displaying widget" not in panel.inner_text(), \
            f"{name}: a widget failed to display ('Error displaying widget')"

        if uses_widgets(notebook) or panel.locator(".jupyter-widgets").count():
            control = move_one_widget(page, name)
            control.scroll_into_view_if_needed()
        else:
            warnings.warn(f"{name} has no widget, so none was moved in the browser test", stacklevel=2)
        page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}.png"))
    finally:
        try:
            shut_down_kernels(base, token)
        finally:
            page.close()
