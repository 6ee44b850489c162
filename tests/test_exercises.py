"""The student-edition builder: stubs, cleared outputs, solutions pages, and no lost work."""
import nbformat
import pytest

from course_lib import CourseError
from course_lib.exercises import (
    build_editions,
    exercise_header,
    solutions_notebook,
    strip_solutions,
    student_notebook,
)

EXERCISE = '''# Exercise 02.1: Write leaky_relu(z, alpha), "leaky" below zero.
def leaky_relu(z, alpha=0.01):
    """Docstring stays."""
    ### BEGIN SOLUTION
    secret_line = np.where(z > 0, z, alpha * z)
    return secret_line
    ### END SOLUTION'''


def make_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Lesson"),
                nbformat.v4.new_code_cell("import numpy as np"),
                nbformat.v4.new_code_cell(EXERCISE),
                nbformat.v4.new_code_cell('check("02.1", leaky_relu)')]
    for cell in nb.cells[1:]:
        cell.outputs = [nbformat.v4.new_output("stream", text="old output")]
        cell.execution_count = 3
    return nb


def test_header_is_parsed():
    assert exercise_header(EXERCISE) == ("02.1", 'Write leaky_relu(z, alpha), "leaky" below zero.')
    assert exercise_header("x = 1") is None


def test_solution_becomes_an_indented_stub_that_compiles():
    out = strip_solutions(EXERCISE)
    assert "secret_line" not in out and "BEGIN SOLUTION" not in out
    assert '    raise NotImplementedError("Exercise 02.1: Write leaky_relu(z, alpha), \\"leaky\\" below zero.")' in out
    assert '"""Docstring stays."""' in out
    namespace = {}
    exec(compile(out, "cell", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="Exercise 02.1"):
        namespace["leaky_relu"](1.0)


def test_two_regions_in_one_cell_both_become_stubs():
    src = EXERCISE + "\n\ndef other():\n        ### BEGIN SOLUTION\n        return 2\n        ### END SOLUTION"
    out = strip_solutions(src)
    assert out.count("raise NotImplementedError") == 2
    assert "return 2" not in out


@pytest.mark.parametrize("bad, message", [
    ("# Exercise 01.1: x\n### BEGIN SOLUTION\nx = 1", "never closed"),
    ("# Exercise 01.1: x\n### END SOLUTION", "has no"),
    ("# Exercise 01.1: x\n### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "Nested"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", "no first line"),
])
def test_malformed_regions_are_reported(bad, message):
    with pytest.raises(CourseError, match=message):
        strip_solutions(bad)


def test_student_notebook_clears_outputs_and_keeps_the_rest():
    nb = student_notebook(make_notebook())
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert nb.cells[1].source == "import numpy as np"
    assert nb.cells[3].source == 'check("02.1", leaky_relu)'


def test_solutions_notebook_holds_only_exercises_and_their_checks():
    nb = solutions_notebook(make_notebook(), "02 activations")
    sources = [c.source for c in nb.cells]
    assert any("secret_line" in s for s in sources)
    assert 'check("02.1", leaky_relu)' in sources
    assert "import numpy as np" not in sources


def test_build_keeps_a_learners_work(tmp_path, capsys):
    src = tmp_path / "notebooks"
    src.mkdir()
    nbformat.write(make_notebook(), src / "02_demo.ipynb")
    dest = tmp_path / "student"
    build_editions(src, dest, html=False)
    mine = dest / "02_demo.ipynb"
    nb = nbformat.read(mine, as_version=4)
    nb.cells[2].source = nb.cells[2].source.replace("raise NotImplementedError", "return z  # mine")
    nbformat.write(nb, mine)
    build_editions(src, dest, html=False)
    assert "# mine" in mine.read_text()
    assert "kept" in capsys.readouterr().out
    build_editions(src, dest, html=False, force=True)
    assert "# mine" not in mine.read_text()
    assert (dest / "solutions" / "02_demo_solutions.ipynb").exists()


def test_build_without_notebooks_says_so(tmp_path):
    with pytest.raises(CourseError, match="No lesson notebooks"):
        build_editions(tmp_path, tmp_path / "out", html=False)
