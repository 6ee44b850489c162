"""Student and solution editions, built from the one source: the instructor notebooks.

The notebooks in notebooks/ are complete. Each exercise's worked solution sits between
nbgrader's markers ``### BEGIN SOLUTION`` and ``### END SOLUTION``, in a code cell whose
first line is ``# Exercise NN.k: <one-line task>``. This module writes:

- the student edition: every solution region replaced by
  ``raise NotImplementedError("Exercise NN.k: <task>")``, every output cleared;
- a solutions notebook (and HTML page) per lesson: just the exercises, solved, for
  self-learners to look up after trying;
- with ``--nbgrader COURSE_DIR``, an nbgrader course: ``COURSE_DIR/source/lessonNN/`` holds each
  lesson with nbgrader's cell metadata (exercise cells are solution cells; each check cell is a
  locked, graded test worth one point that raises unless the exercise passes; every other cell
  is locked), ready for ``nbgrader generate_assignment lessonNN``.

    python -m course_lib.exercises                          # notebooks/ -> student/ (+ solutions/)
    python -m course_lib.exercises --nbgrader build/nbgrader  # an nbgrader course folder
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from ._validation import CourseError

try:
    import nbformat
except ImportError:   # course_lib alone has only its run-time dependencies
    raise CourseError("Building the student edition or an nbgrader course reads notebooks with "
                      "nbformat, which comes with the [lab] extra: pip install 'course_lib[lab]' "
                      "(make exercises and make test install it).") from None

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HEADER = re.compile(r"^# Exercise (\d\d\.\d+): (.+)$")
CHECK_CALL = re.compile(r'^check\("(\d\d\.\d+)", ([^()#]+)\)(\s*#.*)?$')
NBVAL_MARKERS = ("# NBVAL_CHECK_OUTPUT", "# NBVAL_IGNORE_OUTPUT")
ROOT = Path(__file__).resolve().parents[1]


def exercise_header(source: str) -> tuple[str, str] | None:
    """The (id, task) of an exercise cell, from its first line, or None."""
    match = HEADER.match(source.split("\n", 1)[0].strip())
    return (match.group(1), match.group(2).strip()) if match else None


def solution_regions(source: str) -> list[tuple[int, int]]:
    """Line-index pairs (begin, end) of each marked region, markers included."""
    lines, regions, start = source.split("\n"), [], None
    for i, line in enumerate(lines):
        if line.strip() == BEGIN:
            if start is not None:
                raise CourseError(f"Nested {BEGIN} at line {i + 1}; close the first region first.")
            start = i
        elif line.strip() == END:
            if start is None:
                raise CourseError(f"{END} at line {i + 1} has no {BEGIN} before it.")
            regions.append((start, i))
            start = None
    if start is not None:
        raise CourseError(f"{BEGIN} at line {start + 1} is never closed with {END}.")
    return regions


def strip_solutions(source: str, where: str = "a cell") -> str:
    """Replace each solution region of a code cell with a stub that raises NotImplementedError."""
    regions = solution_regions(source)
    if not regions:
        return source
    header = exercise_header(source)
    if header is None:
        raise CourseError(f"{where} has a solution region but no first line "
                          f"'# Exercise NN.k: <task>' to name it in the stub.")
    ex_id, task = header
    message = f"Exercise {ex_id}: {task}".replace("\\", "\\\\").replace('"', '\\"')
    lines = source.split("\n")
    for begin, end in reversed(regions):
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        lines[begin:end + 1] = [f'{indent}raise NotImplementedError("{message}")']
    return "\n".join(lines)


def strip_markdown_solutions(source: str) -> str:
    """Replace each solution region of a markdown cell with a prompt to write the answer."""
    lines = source.split("\n")
    for begin, end in reversed(solution_regions(source)):
        lines[begin:end + 1] = ["_Write your answer here._"]
    return "\n".join(lines)


def student_notebook(nb, where="notebook"):
    """A copy of ``nb`` with solutions stubbed out and every output cleared."""
    nb = nbformat.from_dict(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, f"{where}, cell {i + 1}")
            # The saved outputs are gone, so there is nothing for nbval to compare against.
            cell.source = "\n".join(line for line in cell.source.split("\n")
                                     if line.strip() != "# NBVAL_CHECK_OUTPUT")
            drop_tag(cell, "nbval-check-output")
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            cell.source = strip_markdown_solutions(cell.source)
    nb.metadata.pop("widgets", None)
    return nb


def drop_tag(cell, tag: str) -> None:
    """Remove ``tag`` from a cell's tags (and the tags list once empty)."""
    tags = cell.metadata.get("tags")
    if tags and tag in tags:
        tags.remove(tag)
        if not tags:
            del cell.metadata["tags"]


def solutions_notebook(nb, title: str):
    """Just the exercises of a lesson, solved, with their check cells and outputs."""
    cells = [nbformat.v4.new_markdown_cell(
        f"# Solutions: {title}\n\nWorked solutions to this lesson's exercises. Try each one "
        f"yourself first: the check cell tells you whether your own answer works.")]
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        header = exercise_header(cell.source)
        if header is None:
            continue
        cells.append(nbformat.v4.new_markdown_cell(f"## Exercise {header[0]}\n\n{header[1]}"))
        cells.append(cell)
        if i + 1 < len(code) and f'check("{header[0]}"' in code[i + 1].source:
            cells.append(code[i + 1])
    out = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
    out.metadata.pop("widgets", None)
    return out


def check_cell_exercise(source: str) -> str | None:
    """The exercise id of a check cell (``check("NN.k", answer)`` after any nbval marker), or None."""
    lines = [line.strip() for line in source.split("\n")
             if line.strip() and line.strip() not in NBVAL_MARKERS]
    match = CHECK_CALL.match(lines[0]) if len(lines) == 1 else None
    return match.group(1) if match else None


def _nbgrader_meta(grade_id, *, solution=False, grade=False, locked=True, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def nbgrader_notebook(nb, where="notebook", points=1):
    """A copy of ``nb`` with nbgrader's cell metadata, for ``nbgrader generate_assignment``.

    - An exercise cell becomes a solution cell (nbgrader replaces each marked region with its
      stub in the students' copy).
    - Its check cell becomes a locked, graded test worth ``points``. It calls
      ``check(..., graded=True)``, which raises unless the exercise passes, so an untouched or
      wrong answer scores 0 (a plain ``check`` only prints, and nbgrader would give full marks).
    - Every other cell is locked: nbgrader restores it from this source when it autogrades.
    nbval's marker lines are dropped; outputs are kept (generate_assignment clears them).
    """
    nb = nbformat.from_dict(nb)
    for i, cell in enumerate(nb.cells):
        cell.source = "\n".join(line for line in cell.source.split("\n")
                                if line.strip() not in NBVAL_MARKERS)
        header = exercise_header(cell.source) if cell.cell_type == "code" else None
        checked = check_cell_exercise(cell.source) if cell.cell_type == "code" else None
        if header and solution_regions(cell.source):
            meta = _nbgrader_meta(f"exercise-{header[0].replace('.', '_')}", solution=True, locked=False)
        elif checked:
            cell.source = CHECK_CALL.sub(r'check("\1", \2, graded=True)\3', cell.source.strip())
            meta = _nbgrader_meta(f"check-{checked.replace('.', '_')}", grade=True, points=points)
        elif "BEGIN SOLUTION" in cell.source or "END SOLUTION" in cell.source:
            raise CourseError(f"{where}, cell {i + 1} mentions a solution marker outside an exercise "
                              f"cell. nbgrader takes any line containing 'BEGIN SOLUTION' or 'END "
                              f"SOLUTION' for a marker: rephrase the text, or make the cell an "
                              f"exercise ('# Exercise NN.k: <task>' on its first line).")
        else:
            meta = _nbgrader_meta(f"cell-{i + 1:03d}")
        cell.metadata["nbgrader"] = meta
    nb.metadata.pop("widgets", None)
    return nb


NBGRADER_CONFIG = """\
# nbgrader configuration for "Neural Networks from Scratch" (written by course_lib.exercises).
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "nnfs"
c.CourseDirectory.root = {root!r}
# One lesson can train for a minute (lesson 07); give each cell time.
c.Execute.timeout = 600
"""


def build_nbgrader_course(src=ROOT / "notebooks", course=ROOT / "build" / "nbgrader",
                          lessons=None) -> list[Path]:
    """Write ``course/source/lessonNN/NN_name.ipynb`` for each lesson, and nbgrader_config.py.

    lessons : lesson numbers such as ["03", "06"]; all lessons by default.
    """
    src, course = Path(src), Path(course).resolve()
    notebooks = sorted(src.glob("[0-9][0-9]_*.ipynb"))
    if lessons is not None:
        notebooks = [p for p in notebooks if p.name[:2] in set(lessons)]
    if not notebooks:
        raise CourseError(f"No lesson notebooks (NN_name.ipynb) in {src}"
                          + (f" for lessons {list(lessons)}." if lessons is not None else "."))
    written = []
    for path in notebooks:
        target = course / "source" / f"lesson{path.name[:2]}" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbgrader_notebook(nbformat.read(path, as_version=4), path.name), target)
        written.append(target)
    config = course / "nbgrader_config.py"
    config.write_text(NBGRADER_CONFIG.format(root=str(course)), encoding="utf-8")
    return [*written, config]


def build_editions(src=ROOT / "notebooks", dest=ROOT / "student", html=True,
                   force=False) -> list[Path]:
    """Write the student edition into ``dest`` and the solutions into ``dest/solutions``.

    A student notebook that already exists and differs from a fresh copy holds a learner's
    work: it is kept, and reported, unless ``force`` is set.
    """
    src, dest = Path(src), Path(dest)
    notebooks = sorted(src.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise CourseError(f"No lesson notebooks (NN_name.ipynb) in {src}.")
    (dest / "solutions").mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        target = dest / path.name
        fresh = nbformat.writes(student_notebook(nb, path.name))
        if target.exists() and target.read_text(encoding="utf-8") != fresh and not force:
            print(f"kept {target}: it holds changes (your work?). Use --force to overwrite it.")
        else:
            target.write_text(fresh, encoding="utf-8")
            written.append(target)
        solved = solutions_notebook(nb, path.stem.replace("_", " ", 1))
        sol_path = dest / "solutions" / f"{path.stem}_solutions.ipynb"
        nbformat.write(solved, sol_path)
        written.append(sol_path)
        if html:
            from nbconvert import HTMLExporter
            body, _ = HTMLExporter().from_notebook_node(solved)
            sol_html = sol_path.with_suffix(".html")
            sol_html.write_text(body, encoding="utf-8")
            written.append(sol_html)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build the student edition and the solutions.")
    parser.add_argument("--src", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--dest", type=Path, default=ROOT / "student")
    parser.add_argument("--no-html", action="store_true", help="skip the HTML solution pages")
    parser.add_argument("--force", action="store_true",
                        help="overwrite student notebooks even if they hold changes")
    parser.add_argument("--nbgrader", type=Path, metavar="COURSE_DIR",
                        help="instead, write an nbgrader course (source/lessonNN/) into COURSE_DIR")
    args = parser.parse_args(argv)
    if args.nbgrader is not None:
        try:
            written = build_nbgrader_course(args.src, args.nbgrader)
        except CourseError as exc:
            raise SystemExit(f"error: {exc}") from None
        print(f"nbgrader course: {len(written) - 1} lessons in {args.nbgrader / 'source'}/. Next:\n"
              f"  cd {args.nbgrader} && nbgrader generate_assignment lesson06")
        return
    try:
        written = build_editions(args.src, args.dest, html=not args.no_html, force=args.force)
    except CourseError as exc:
        raise SystemExit(f"error: {exc}") from None
    lessons = sum(1 for p in written if p.parent == args.dest)
    print(f"Student edition: {lessons} notebooks written to {args.dest}/; "
          f"solutions in {args.dest / 'solutions'}/")


if __name__ == "__main__":
    main()
