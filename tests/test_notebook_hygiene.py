"""The lessons as committed: nothing meant for the tests shows in a learner's or an audience's view."""
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _normalize_tool():
    spec = importlib.util.spec_from_file_location("normalize_notebooks",
                                                  ROOT / "tools" / "normalize_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_nbval_markers_are_cell_tags_not_comment_lines(lesson):
    nb = nbformat.read(lesson, as_version=4)
    marked = [i for i, c in enumerate(nb.cells)
              if c.cell_type == "code" and re.search(r"^\s*#\s*NBVAL_", c.source, re.M)]
    assert not marked, (f"{lesson.name}: cells {marked} carry an nbval comment line, which RISE and "
                        f"JupyterLab show to learners; run `make normalize` to turn it into a tag")


def test_markers_become_tags_that_nbval_reads():
    tool = _normalize_tool()
    cell = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)  # NBVAL_IGNORE_OUTPUT stays\n")
    tool.markers_to_tags(cell)
    assert cell.source == "print(1)  # NBVAL_IGNORE_OUTPUT stays\n"
    assert cell.metadata["tags"] == ["nbval-check-output"]
    from nbval.plugin import find_metadata_tags
    assert dict(find_metadata_tags(cell.metadata)) == {"check": True}
