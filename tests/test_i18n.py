"""The translation pipeline: a stale or missing translation fails, naming lesson, cell and English."""
import importlib.util
import sys
from pathlib import Path

import nbformat
import polib
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("course_i18n_tool", ROOT / "tools" / "i18n.py")
i18n = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = i18n   # dataclasses look their module up there
spec.loader.exec_module(i18n)

TERMS = ("term\tzh\tmeaning\tmeaning_zh\n"
         "learning rate\t学习率\tthe step size\t步长\n"
         "epoch\t轮\tone pass over the data\t遍历一次训练集\n")
ZH = {
    "# 01 · A tiny lesson": "# 01 · 一个小课",
    "The learning rate $\\eta$ sets the step.": "学习率 $\\eta$ 决定步长。",
    'f"loss after {n} steps: {loss:.3f}"': 'f"{n} 步之后的损失：{loss:.3f}"',
    "Train for one epoch.": "训练一轮。",
    '"epochs"': '"轮"',
}


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A one-lesson course with its own term list and catalogs."""
    src = tmp_path / "notebooks"
    src.mkdir()
    glossary = new_markdown_cell("", metadata={"tags": ["glossary"],
                                               "glossary": ["learning rate", "epoch"]})
    nb = new_notebook(cells=[
        new_markdown_cell("# 01 · A tiny lesson\n\nThe learning rate $\\eta$ sets the step."),
        new_code_cell("import numpy as np\nn, loss = 3, 0.25\n"
                      "print(f\"loss after {n} steps: {loss:.3f}\")"),
        new_markdown_cell("$$w \\leftarrow w - \\eta g$$\n\nTrain for one epoch."),
        new_code_cell("ax.set_xlabel(\"epochs\")  # a label the learner reads\nlabel = \"x\""),
        glossary])
    nbformat.write(nb, src / "01_tiny.ipynb")
    monkeypatch.setattr(i18n, "I18N", tmp_path / "i18n")
    monkeypatch.setattr(i18n, "library_problems", lambda *args, **kwargs: [])
    monkeypatch.setattr(i18n, "TERMS", tmp_path / "i18n" / "terms.tsv")
    (tmp_path / "i18n").mkdir()
    (tmp_path / "i18n" / "terms.tsv").write_text(TERMS, encoding="utf-8")
    i18n.write_glossaries(src)
    return src


def _translate(src, table=ZH):
    i18n.update(src=src)
    path = i18n.I18N / "zh_CN" / "01_tiny.po"
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save(str(path))
    return path


def test_segments_are_prose_blocks_and_the_strings_a_learner_reads(course):
    nb = nbformat.read(course / "01_tiny.ipynb", as_version=4)
    assert [s.text for s in i18n.segments(nb)] == list(ZH)   # not the formula, "x", or the glossary


def test_a_complete_translation_passes_and_builds(course, tmp_path):
    _translate(course)
    assert i18n.check(src=course) == []
    out = i18n.build(src=course, dest=tmp_path / "zh")[0]
    nb = nbformat.read(out, as_version=4)
    assert nb.cells[0].source == "# 01 · 一个小课\n\n学习率 $\\eta$ 决定步长。"
    assert nb.cells[1].source.startswith('from course_lib import i18n; i18n.set_language("zh_CN")')
    assert 'print(f"{n} 步之后的损失：{loss:.3f}")' in nb.cells[1].source
    assert 'ax.set_xlabel("轮")' in nb.cells[3].source and 'label = "x"' in nb.cells[3].source
    assert nb.cells[4].source.startswith("## 术语表") and "| 学习率 | learning rate | 步长 |" in nb.cells[4].source


def test_a_missing_translation_fails_and_says_where(course):
    _translate(course, {k: v for k, v in ZH.items() if k != "Train for one epoch."})
    problems = i18n.check(src=course)
    assert len(problems) == 1
    assert "01_tiny.ipynb, cell 3 (markdown" in problems[0] and "no translation" in problems[0]
    assert "Train for one epoch." in problems[0]


def test_editing_one_english_sentence_fails_until_the_translation_is_updated(course):
    _translate(course)
    path = course / "01_tiny.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].source = nb.cells[2].source.replace("one epoch", "two epochs")
    nbformat.write(nb, path)
    problems = i18n.check(src=course)
    assert len(problems) == 1 and "English changed" in problems[0]
    assert "was: 'Train for one epoch.'" in problems[0] and "now: 'Train for two epochs.'" in problems[0]

    i18n.update(src=course)            # the old translation comes back, marked fuzzy
    problems = i18n.check(src=course)
    assert len(problems) == 1 and "out of date (fuzzy)" in problems[0] and "cell 3" in problems[0]

    _translate(course, {"Train for two epochs.": "训练两轮。"})
    assert i18n.check(src=course) == []


@pytest.mark.parametrize("english, chinese, complaint", [
    ("The learning rate $\\eta$ sets the step.", "学习率 $\\alpha$ 决定步长。", "every formula"),
    ("The learning rate $\\eta$ sets the step.", "步长 $\\eta$ 决定一切。", "'learning rate' should be"),
    ('f"loss after {n} steps: {loss:.3f}"', 'f"损失：{loss:.3f}"', "keep the placeholders"),
    ('f"loss after {n} steps: {loss:.3f}"', '"损失"', "f-string literal"),
    ('"epochs"', '"周期"', "'epoch' should be rendered as 轮"),
])
def test_a_translation_that_changes_formulas_placeholders_or_terms_fails(course, english, chinese,
                                                                         complaint):
    _translate(course, {**ZH, english: chinese})
    problems = i18n.check(src=course)
    assert len(problems) == 1 and complaint in problems[0], problems


def test_a_glossary_edited_by_hand_fails(course):
    path = course / "01_tiny.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[4].source += "\n| extra | 额外 | typed by hand |"
    nbformat.write(nb, path)
    _translate(course)
    assert any("glossary differs from i18n/terms.tsv" in p for p in i18n.check(src=course))


# ------------------------------------------------------------------ course_lib's own strings
@pytest.fixture
def chinese(monkeypatch):
    """course_lib speaking Chinese with a small catalog of its own templates."""
    from course_lib import i18n as lib
    table = {
        "The first layer must fix the input size, like Dense(784, 128), but it is {layer!r}.":
            "第一层必须确定输入大小，例如 Dense(784, 128)，而它是 {layer!r}。",
        "{_SYMBOL[self.status]} Exercise {self.exercise} {self.status}: {self.message}":
            "{_SYMBOL[self.status]} 练习 {self.exercise} {self.status}：{self.message}",
        "failed": "未通过",
        "at z = {z:.3g} you return {got:.4g}, not {want:.4g}": "在 z = {z:.3g} 处你返回 {got:.4g}，而不是 {want:.4g}",
        "cross-entropy": "交叉熵",
        "a {{literal}} brace": "一个 {{literal}} 花括号",
    }
    monkeypatch.setattr(lib, "catalog", lambda lang: table)
    lib._patterns.cache_clear()
    lib.set_language("zh_CN")
    yield lib
    lib.set_language("en")
    lib._patterns.cache_clear()


def test_templates_translate_messages_with_their_values(chinese):
    assert chinese.translate("at z = -3 you return 0.25, not 0.1") == "在 z = -3 处你返回 0.25，而不是 0.1"
    assert chinese.translate("a {literal} brace") == "一个 {literal} 花括号"
    assert chinese.translate("no template fits this") == "no template fits this"
    assert chinese.translate("at z = -3 you return 0.25, not 0.1", lang="en").startswith("at z")


def test_errors_results_and_figures_speak_chinese(chinese):
    import matplotlib.pyplot as plt

    import course_lib as cl
    from course_lib.checks.core import CheckResult

    with pytest.raises(cl.CourseError) as info:
        cl.Sequential([cl.ReLU()])
    assert str(info.value) == "第一层必须确定输入大小，例如 Dense(784, 128)，而它是 ReLU()。"
    assert info.value.args[0].startswith("The first layer")          # the English is kept
    result = CheckResult("02.1", "failed", "at z = 1 you return 2, not 3")
    assert repr(result) == "❌ 练习 02.1 未通过：在 z = 1 处你返回 2，而不是 3"
    fig, ax = plt.subplots()
    ax.set_title("cross-entropy")
    ax.plot([0, 1], label="cross-entropy")
    assert ax.get_title() == "交叉熵" and ax.legend().get_texts()[0].get_text() == "交叉熵"
    plt.close(fig)


def test_english_is_untouched_after_switching_back(chinese):
    import matplotlib.pyplot as plt
    chinese.set_language("en")
    fig, ax = plt.subplots()
    ax.set_title("cross-entropy")
    assert ax.get_title() == "cross-entropy"
    plt.close(fig)


def test_an_unknown_language_is_refused():
    from course_lib import CourseError
    from course_lib import i18n as lib
    with pytest.raises(CourseError, match="zh_CN"):
        lib.set_language("fr")


def test_library_strings_cover_hints_errors_and_figure_text():
    found = {template for template, _ in i18n.library_strings()}
    assert "The first layer must fix the input size, like Dense(784, 128), but it is {layer!r}." in found
    assert any("Exercise {self.exercise}" in t for t in found)
    assert all(not t.startswith("{") or " " in t for t in found)


def test_the_course_translations_are_current():
    """The real thing: every lesson segment and course_lib string translated, none stale, the
    compiled catalog in step with its .po, every glossary generated from the term list."""
    problems = i18n.check()
    assert not problems, f"{len(problems)} translation problems; the first:\n{problems[0]}"
