"""The slide rules of tools/slides.py: lecture-sized slides, exercises on their own, idempotent."""
import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("course_slides_tool", ROOT / "tools" / "slides.py")
slides = importlib.util.module_from_spec(spec)
spec.loader.exec_module(slides)


def figure_cell(source="plot(x)"):
    return new_code_cell(source, outputs=[new_output("display_data", data={
        "image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})])


def kinds(cells):
    return slides.slide_types(cells)


def test_headings_open_slides_and_subslides():
    cells = [new_markdown_cell("# Title\n\nintro"), new_markdown_cell("## 1 · Section\n\ntext"),
             new_markdown_cell("### 1.1 · Part\n\nmore"), new_markdown_cell("plain prose")]
    assert kinds(cells) == ["slide", "slide", "subslide", "-"]


def test_the_import_cell_is_skipped_but_a_later_code_cell_is_not():
    cells = [new_markdown_cell("# T"), new_code_cell("import numpy as np\nfrom x import y\nrng = 0"),
             new_markdown_cell("text"), new_code_cell("import math\nprint(math.pi)\nx = 1\ny = 2")]
    assert kinds(cells) == ["slide", "skip", "-", "-"]


def test_setup_rule_needs_mostly_imports():
    assert not slides.is_setup(new_code_cell("x = 1\ny = 2\nimport numpy"))
    assert slides.is_setup(new_code_cell("# setup\nimport numpy as np\nrng = np.random.default_rng(0)"))


def test_a_figure_after_short_prose_is_a_fragment_and_a_second_figure_a_new_subslide():
    cells = [new_markdown_cell("## Section\n\nLook:"), figure_cell(), figure_cell("plot(y)")]
    assert kinds(cells) == ["slide", "fragment", "subslide"]


def test_a_figure_after_long_prose_gets_its_own_subslide():
    prose = "## Section\n\n" + "\n".join(f"line {i}" for i in range(slides.SLIDE_LINES))
    assert kinds([new_markdown_cell(prose), figure_cell()]) == ["slide", "subslide"]


def test_long_prose_overflows_into_a_subslide():
    long = "\n".join(f"sentence {i}" for i in range(slides.SLIDE_LINES - 2))
    cells = [new_markdown_cell("## S"), new_markdown_cell(long), new_markdown_cell(long)]
    assert kinds(cells) == ["slide", "-", "subslide"]


def test_each_exercise_is_its_own_subslide_with_its_intro_and_check():
    cells = [new_markdown_cell("## Exercises"),
             new_markdown_cell("Write a function."),
             new_code_cell("# Exercise 02.1: Write f.\ndef f():\n    return 1"),
             new_code_cell('# NBVAL_CHECK_OUTPUT\ncheck("02.1", f)'),
             new_code_cell("# Exercise 02.2: Write g.\ndef g():\n    return 2"),
             new_code_cell('# NBVAL_CHECK_OUTPUT\ncheck("02.2", g)'),
             new_markdown_cell("What next?")]
    assert kinds(cells) == ["slide", "subslide", "-", "-", "subslide", "-", "subslide"]


def test_an_exercise_under_a_heading_stays_on_the_heading_slide():
    cells = [new_markdown_cell("## 4 · Exercise 09.2: backward"),
             new_code_cell("# Exercise 09.2: Write backward.\ndef backward():\n    pass"),
             new_code_cell('check("09.2", backward)')]
    assert kinds(cells) == ["slide", "-", "-"]


def test_recognizers():
    assert slides.heading_level("\n## Two") == 2 and slides.heading_level("#hashtag") == 0
    assert slides.is_exercise(new_code_cell("# Exercise 03.2: Do it.\ndef f(): pass"))
    assert not slides.is_exercise(new_code_cell("# Exercises below\nx = 1"))
    assert slides.is_check(new_code_cell('# NBVAL_CHECK_OUTPUT\ncheck("03.2", f)'))
    assert not slides.is_check(new_code_cell('check("03.2", f)\nprint(1)'))


def test_the_slide_keep_tag_preserves_a_hand_set_type():
    nb = new_notebook(cells=[new_markdown_cell("# T"), new_markdown_cell("aside")])
    nb.cells[1].metadata = {"tags": ["slide-keep"], "slideshow": {"slide_type": "notes"}}
    slides.apply_slide_metadata(nb)
    assert nb.cells[1].metadata["slideshow"] == {"slide_type": "notes"}
    assert nb.cells[0].metadata["slideshow"] == {"slide_type": "slide"}


@pytest.mark.parametrize("lesson", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: p.stem)
def test_every_lesson_gets_slides_idempotently(tmp_path, lesson):
    copy = tmp_path / lesson.name
    shutil.copy(lesson, copy)
    assert slides.main(["metadata", str(copy)]) == 0
    first = copy.read_bytes()
    assert slides.main(["metadata", str(copy), "--check"]) == 0      # nothing left to change
    assert slides.main(["metadata", str(copy)]) == 0
    assert copy.read_bytes() == first
    nb = nbformat.read(copy, as_version=4)
    types = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    assert types[0] == "slide"
    assert set(types) <= {"slide", "subslide", "fragment", "-", "skip"}
    # One figure per (sub)slide.
    figures = 0
    for cell, kind in zip(nb.cells, types):
        if kind in ("slide", "subslide"):
            figures = 0
        figures += kind != "skip" and slides.has_figure(cell)
        assert figures <= 1, f"{lesson.name}: two figures on one slide at cell {nb.cells.index(cell)}"
    # Outputs and sources untouched.
    original = nbformat.read(lesson, as_version=4)
    assert [c.source for c in nb.cells] == [c.source for c in original.cells]
    assert [c.get("outputs") for c in nb.cells] == [c.get("outputs") for c in original.cells]
