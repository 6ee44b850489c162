"""The static lecture deck works offline: built with tools/slides.py, opened in headless Chromium
with every non-local request blocked, reveal.js starts, the maths renders, widgets display. An
audience reads it: no nbval marker lines, no code running off a slide's right edge.

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

needs_chromium = pytest.mark.skipif(
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


@needs_chromium
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


def test_marker_lines_are_left_out_and_nothing_else():
    slides = load_slides_tool()
    source = "# NBVAL_CHECK_OUTPUT\nx = 1  # NBVAL_IGNORE_OUTPUT stays: it is not alone\n  #  NBVAL_SKIP  \nprint(x)"
    assert slides.strip_test_markers(source) == "x = 1  # NBVAL_IGNORE_OUTPUT stays: it is not alone\nprint(x)"
    assert slides.strip_test_markers("# a comment\ny = 2") == "# a comment\ny = 2"


def lesson_with_the_longest_code_line():
    def longest(path):
        nb = json.loads(path.read_text(encoding="utf-8"))
        return max(len(line) for c in nb["cells"] if c["cell_type"] == "code"
                   for line in "".join(c["source"]).splitlines())
    return max(sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")), key=longest)


@needs_chromium
def test_an_audience_sees_no_test_markers_and_no_code_off_the_slide(tmp_path):
    """Every slide of the lesson with the longest code line: no marker, no horizontal overflow."""
    from playwright.sync_api import expect, sync_playwright

    slides = load_slides_tool()
    lesson = lesson_with_the_longest_code_line()
    source = lesson.read_text(encoding="utf-8")
    assert "nbval-check-output" in source, f"{lesson.name} has no nbval tag, so this test would prove nothing"
    deck = slides.build_deck(lesson, out=tmp_path)
    assert "NBVAL_" not in deck.read_text(encoding="utf-8")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.route("**/*", lambda r: r.continue_() if is_local(r.request.url) else r.abort())
            page.goto(deck.as_uri())
            expect(page.locator(".reveal.ready")).to_have_count(1, timeout=90_000)
            indices = page.evaluate("""() => new Promise(done =>
                require(["vendor/reveal.js/dist/reveal.js"], R => { window.Reveal = R;
                    done(R.getSlides().map(s => R.getIndices(s))); }))""")
            overflowing, widest = [], (0, None)
            for index in indices:
                page.evaluate("([h, v]) => Reveal.slide(h, v)", [index["h"], index.get("v") or 0])
                page.wait_for_timeout(150)
                # Lines that do not fit make a <pre> wider inside than its box.
                found = page.evaluate("""() => [...Reveal.getCurrentSlide().querySelectorAll('pre')]
                    .map(p => ({over: p.scrollWidth - p.clientWidth, text: p.textContent.slice(0, 50),
                                lines: p.textContent.split('\\n').reduce((m, l) => Math.max(m, l.length), 0)}))""")
                overflowing += [(index, f["text"]) for f in found if f["over"] > 1]
                longest = max((f["lines"] for f in found), default=0)
                if longest > widest[0]:
                    widest = (longest, index)
            assert widest[0] > 100, "no slide has a long code line to wrap"
            # The screenshot shows the slide with the longest line, wrapped.
            page.evaluate("([h, v]) => Reveal.slide(h, v)", [widest[1]["h"], widest[1].get("v") or 0])
            page.wait_for_timeout(1500)
            shots = ROOT / "build" / "screenshots"
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{lesson.stem}.long-lines.slides.png"))
        finally:
            browser.close()
    assert not overflowing, f"code runs off the slide in {deck.name}: {overflowing}"
