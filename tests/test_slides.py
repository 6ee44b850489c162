"""The static lecture deck works offline: built with tools/slides.py, opened in headless Chromium
with every non-local request blocked, reveal.js starts, the maths renders, widgets display.

Needs Debian's chromium (`apt-get install chromium`; .ci/run installs it) and, the first time,
npm to fetch reveal.js, MathJax and the widget renderer into build/slides-vendor/.
"""
import importlib.util
import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium is absent (/usr/bin/chromium): `apt-get install -y chromium` to run the "
           "real-browser tests (.ci/run does)")


def load_slides_tool():
    spec = importlib.util.spec_from_file_location("course_slides_tool", ROOT / "tools" / "slides.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def smallest_lesson_with_maths():
    """The smallest lesson whose prose has maths, preferring one that saved widget state."""
    def score(path):
        nb = json.loads(path.read_text(encoding="utf-8"))
        maths = any("$" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        return (not maths, "widgets" not in nb["metadata"], path.stat().st_size)
    lessons = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert lessons, "no lesson notebooks in notebooks/"
    return min(lessons, key=score)


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("file", "data", "blob", "about") or (
        parsed.scheme in ("http", "https", "ws") and parsed.hostname in ("127.0.0.1", "localhost"))


def test_static_deck_opens_offline(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    slides = load_slides_tool()
    lesson = smallest_lesson_with_maths()
    deck = slides.build_deck(lesson, out=tmp_path)
    html = deck.read_text(encoding="utf-8")
    assert "https://" not in "".join(line for line in html.splitlines() if "<script src=" in line)
    has_widgets = "application/vnd.jupyter.widget-state+json" in html

    blocked, missing, errors = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})

            def route(r):
                if is_local(r.request.url):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()
            page.route("**/*", route)
            page.on("requestfailed", lambda req: is_local(req.url) and not req.url.startswith("data:")
                    and missing.append(req.url))
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(deck.as_uri())

            # reveal.js initialized (it marks its wrapper "ready" and reports isReady()).
            expect(page.locator(".reveal.ready")).to_have_count(1, timeout=90_000)
            ready = page.evaluate("""() => new Promise(done =>
                require(["vendor/reveal.js/dist/reveal.js"], R => done([R.isReady(), R.getTotalSlides()])))""")
            assert ready[0] is True, f"Reveal.isReady() is false in {deck.name}"
            assert ready[1] > 3, f"{deck.name} has only {ready[1]} slides"

            # MathJax typeset the prose's maths, without errors.
            page.wait_for_function(
                "() => document.querySelectorAll('.MathJax_CHTML, .MathJax, mjx-container').length > 0",
                timeout=90_000)
            assert page.locator(".MathJax_CHTML .merror, mjx-merror").count() == 0, "MathJax reported an error"

            if has_widgets:   # the saved widget state renders (its initial view, no kernel)
                expect(page.locator(".jupyter-widgets").first).to_be_attached(timeout=90_000)
                assert "Error displaying widget" not in page.content()

            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(1500)          # let the slide transition finish
            shots = ROOT / "build" / "screenshots"
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{lesson.stem}.slides.png"))
        finally:
            browser.close()

    assert not missing, f"the deck asked for local files that were not vendored: {missing}"
    assert not errors, f"JavaScript errors in {deck.name}: {errors}"
    assert not blocked, f"{deck.name} tried to reach the network: {sorted(set(blocked))}"
