"""Translated editions of the lessons, from the one English source.

    python tools/i18n.py update     # sync i18n/zh_CN/NN_*.po with the English lessons
    python tools/i18n.py check      # exit 1, naming lesson, cell and English, if a translation
                                    # is missing, stale or inconsistent with the term list
    python tools/i18n.py build      # write the Chinese lessons into build/zh_CN/notebooks/
    python tools/i18n.py glossary   # rewrite every lesson's glossary cell from i18n/terms.tsv
    python tools/i18n.py stats      # how many segments each lesson has and how many are done

The English notebooks stay the only source of code and structure. Their text is cut into
segments: each block of a markdown cell (paragraph, list, table, heading, separated by blank
lines) and each string a learner reads in a code cell (print, figure titles, axis labels,
legends, widget descriptions). A gettext catalog per lesson, ``i18n/<lang>/NN_name.po``, holds
one entry per segment whose msgid is the exact English it translates. So when the English
changes, its entry no longer matches: ``update`` carries the old translation over, marked
fuzzy, with the old English beside it (``#| msgid``), and ``check`` fails until a translator
has revised it and removed the fuzzy flag. ``check`` also requires every formula (``$...$``)
and code span of a segment to appear unchanged in its translation, every f-string placeholder
of a code string to survive, and every term of i18n/terms.tsv that a segment uses to be
translated by the term list's word.

Glossary cells (tagged ``glossary``, with the terms in their metadata) are generated from
i18n/terms.tsv, in both editions; they are not translated segment by segment.
"""
from __future__ import annotations

import argparse
import ast
import csv
import difflib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import polib

from course_lib.exercises import drop_tag

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
I18N = ROOT / "i18n"
TERMS = I18N / "terms.tsv"
LANGUAGES = {"zh_CN": "中文"}
DEFAULT_LANG = "zh_CN"

CODE_CONTEXT = "code"          # msgctxt of strings from code cells
TEXT_CALLS = {"print", "set_title", "set_xlabel", "set_ylabel", "suptitle", "title", "xlabel",
              "ylabel", "text", "annotate", "Markdown", "set_text"}
TEXT_KEYWORDS = {"label", "title", "xlabel", "ylabel", "description"}
GLOSSARY_TAG = "glossary"
GLOSSARY_HEADINGS = {"en": ("## Glossary", "| English | 中文 | meaning |"),
                     "zh_CN": ("## 术语表", "| 中文 | English | 含义 |")}
SET_LANGUAGE = 'from course_lib import i18n; i18n.set_language("{lang}")  # 本课程的中文版\n'

_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+?\$", re.S)   # a formula may wrap over lines
_CODE_SPAN = re.compile(r"`[^`]+`")   # a code span may wrap over lines too
_FENCE = re.compile(r"^(```|~~~)")
_WORDS = re.compile(r"[A-Za-z]{2,}")


# ----------------------------------------------------------------------------- segments
@dataclass(frozen=True)
class Segment:
    """One piece of English to translate: ``text`` exactly as it stands in the notebook."""
    text: str
    cell: int            # index of the cell in the notebook
    cell_id: str
    context: str | None  # None for markdown, CODE_CONTEXT for a string in a code cell
    start: int = 0       # for code strings: offsets of the literal in the cell's source
    end: int = 0

    def where(self, lesson: str) -> str:
        kind = "code" if self.context == CODE_CONTEXT else "markdown"
        return f"{lesson}, cell {self.cell + 1} ({kind}, id {self.cell_id})"


def markdown_blocks(source: str) -> list[str]:
    """The blocks of a markdown cell, split at blank lines outside fenced code."""
    blocks, current, fenced = [], [], False
    for line in source.split("\n"):
        if _FENCE.match(line.strip()):
            fenced = not fenced
        if not line.strip() and not fenced:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def needs_translation(block: str) -> bool:
    """False for blocks that hold no prose: formulas, code, images, rules."""
    if _FENCE.match(block.strip()):
        return False
    prose = _CODE_SPAN.sub(" ", _MATH.sub(" ", block))
    prose = re.sub(r"\]\([^)]*\)|https?://\S+|<[^>]+>", " ", prose)
    return bool(_WORDS.search(prose))


def _parsable(source: str) -> str:
    """The cell with IPython magics and shell lines commented out, offsets unchanged."""
    return "\n".join("#" + line[1:] if line.lstrip().startswith(("%", "!")) else line
                     for line in source.split("\n"))


def _offsets(source: str) -> list[int]:
    starts, total = [], 0
    for line in source.split("\n"):
        starts.append(total)
        total += len(line) + 1
    return starts


def _text_literals(tree):
    """String literals (plain or f-strings) that a learner reads: arguments of print and of
    matplotlib's text functions, and label/title/description keyword values."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        candidates = list(node.args) if name in TEXT_CALLS else []
        candidates += [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        for value in candidates:
            if isinstance(value, ast.JoinedStr) or (isinstance(value, ast.Constant)
                                                    and isinstance(value.value, str)):
                yield value


def code_strings(source: str) -> list[tuple[int, int, str]]:
    """(start, end, literal source) of each learner-facing string in a code cell."""
    try:
        tree = ast.parse(_parsable(source))
    except SyntaxError:
        return []
    starts, lines, found = _offsets(source), source.split("\n"), []

    def position(lineno, col):   # ast counts columns in UTF-8 bytes; Python strings in characters
        line = lines[lineno - 1]
        return starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))

    for node in _text_literals(tree):
        start = position(node.lineno, node.col_offset)
        end = position(node.end_lineno, node.end_col_offset)
        literal = source[start:end]
        words = literal if isinstance(node, ast.Constant) else "".join(
            v.value for v in node.values if isinstance(v, ast.Constant))
        if _WORDS.search(words):
            found.append((start, end, literal))
    return sorted(set(found))


def is_glossary(cell) -> bool:
    return GLOSSARY_TAG in cell.get("metadata", {}).get("tags", [])


def segments(nb) -> list[Segment]:
    """Every segment of a notebook, in order."""
    out = []
    for i, cell in enumerate(nb.cells):
        cid = cell.get("id", "")
        if cell.cell_type == "markdown" and not is_glossary(cell):
            out += [Segment(b, i, cid, None) for b in markdown_blocks(cell.source)
                    if needs_translation(b)]
        elif cell.cell_type == "code":
            out += [Segment(lit, i, cid, CODE_CONTEXT, s, e) for s, e, lit in code_strings(cell.source)]
    return out


def lessons(src=NOTEBOOKS) -> list[Path]:
    return sorted(Path(src).glob("[0-9][0-9]_*.ipynb"))


def catalog_path(lesson: Path, lang: str) -> Path:
    return I18N / lang / f"{lesson.stem}.po"


def _load(path: Path, lang: str) -> polib.POFile:
    if path.exists():
        return polib.pofile(str(path), wrapwidth=0)
    po = polib.POFile(wrapwidth=0)
    po.metadata = {"Project-Id-Version": "Neural Networks from Scratch", "Language": lang,
                   "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
                   "Content-Transfer-Encoding": "8bit"}
    return po


def _key(entry_or_segment):
    ctx = getattr(entry_or_segment, "msgctxt", getattr(entry_or_segment, "context", None))
    text = getattr(entry_or_segment, "msgid", None)
    return ctx or None, text if text is not None else entry_or_segment.text


# ----------------------------------------------------------------------------- course_lib
LIBRARY = ROOT / "course_lib"
LIBRARY_CATALOG = "course_lib"            # i18n/<lang>/course_lib.po
LOCALE = LIBRARY / "locale"               # compiled: course_lib/locale/<lang>.json
FIGURE_CALLS = {"set_title", "set_xlabel", "set_ylabel", "suptitle", "title", "xlabel", "ylabel"}
MESSAGE_CALLS = {"Hint", "CourseError", "translate", "warn", "print", *TEXT_CALLS}


def template_of(node) -> str | None:
    """The str.format template an expression builds: f-string text with its placeholders, plain
    strings with braces doubled, a concatenation joined, any other operand of a concatenation as a
    placeholder. None for an expression that is no string at all."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value.replace("{", "{{").replace("}", "}}"))
            else:
                conv = f"!{chr(value.conversion)}" if value.conversion > 0 else ""
                spec = ""
                if value.format_spec is not None:
                    spec = ":" + "".join(v.value if isinstance(v, ast.Constant)
                                         else "{" + ast.unparse(v.value) + "}"
                                         for v in value.format_spec.values)
                parts.append("{" + ast.unparse(value.value) + conv + spec + "}")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = template_of(node.left), template_of(node.right)
        if left is None and right is None:
            return None
        return ((left if left is not None else "{" + ast.unparse(node.left) + "}")
                + (right if right is not None else "{" + ast.unparse(node.right) + "}"))
    return None


def _worth_translating(template: str) -> bool:
    literal = "".join(lit for lit, _, _, _ in _format_pieces(template))
    return bool(_WORDS.search(literal)) and not re.fullmatch(r"[\w.]+", literal.strip())


def _format_pieces(template):
    import string
    try:
        return list(string.Formatter().parse(template))
    except ValueError:
        return [(template, None, None, None)]


def library_strings(root=LIBRARY) -> list[tuple[str, str]]:
    """(template, where) for every string of course_lib a learner reads: hints, errors, warnings,
    printed reports, figure text, widget descriptions, checkers' success details and titles."""
    found = []
    for path in sorted(Path(root).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(Path(root).parent).as_posix()
        in_checks = "checks" in path.parts
        candidates = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in MESSAGE_CALLS or (name or "").endswith(("Error", "Diverged", "Exercise")):
                    candidates += node.args
                elif name == "exercise" and len(node.args) == 2:
                    candidates.append(node.args[1])
                candidates += [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
                # One-word figure text too: axis labels such as "epoch".
                figure_text = (list(node.args) if name in FIGURE_CALLS else []) + [
                    k.value for k in node.keywords if k.arg in ("label", "xlabel", "ylabel", "title")]
                found += [(cand.value, f"{rel}:{cand.lineno}") for cand in figure_text
                          if isinstance(cand, ast.Constant) and isinstance(cand.value, str)
                          and re.fullmatch(r"[A-Za-z][a-z]{2,}", cand.value)]
            elif in_checks and isinstance(node, ast.Return) and node.value is not None:
                candidates.append(node.value)
            elif (in_checks and path.name == "core.py" and isinstance(node, ast.Assign)
                  and all(isinstance(t, (ast.Name, ast.Tuple)) for t in node.targets)):
                value = node.value
                candidates += list(value.elts) if isinstance(value, ast.Tuple) else [value]
        for cand in candidates:
            template = template_of(cand)
            if template is not None and _worth_translating(template):
                found.append((template, f"{rel}:{cand.lineno}"))
    return found


def _update_library(lang) -> dict[str, int]:
    path = I18N / lang / f"{LIBRARY_CATALOG}.po"
    old = _load(path, lang)
    existing = {e.msgid: e for e in old if not e.obsolete}
    leftovers = dict(existing)
    po = _load(Path("/nonexistent"), lang)
    po.metadata = old.metadata or po.metadata
    counts = {"kept": 0, "fuzzy": 0, "new": 0}
    entries = {}
    for template, where in library_strings():
        if template in entries:
            entries[template].occurrences.append((where, ""))
            continue
        entry = polib.POEntry(msgid=template, msgstr="", occurrences=[(where, "")])
        if template in existing:
            entry.msgstr, entry.flags = existing[template].msgstr, list(existing[template].flags)
            entry.previous_msgid = existing[template].previous_msgid
            leftovers.pop(template, None)
            counts["kept"] += 1
        else:
            match = _closest(template, [e for e in leftovers.values() if e.msgstr])
            if match is not None:
                entry.msgstr, entry.flags, entry.previous_msgid = match.msgstr, ["fuzzy"], match.msgid
                leftovers.pop(match.msgid, None)
                counts["fuzzy"] += 1
            else:
                counts["new"] += 1
        entries[template] = entry
    for entry in entries.values():
        po.append(entry)
    for entry in leftovers.values():
        if entry.msgstr:
            entry.obsolete = True
            po.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))
    return counts


def _placeholders(template):
    return sorted("{" + (name or "") + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
                  for _, name, spec, conv in _format_pieces(template) if name is not None)


def library_problems(lang=DEFAULT_LANG, terms=None) -> list[str]:
    path = I18N / lang / f"{LIBRARY_CATALOG}.po"
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    po = _load(path, lang)
    entries = {e.msgid: e for e in po if not e.obsolete}
    problems, seen = [], set()
    for template, where in library_strings():
        if template in seen:
            continue
        seen.add(template)
        entry = entries.get(template)
        if entry is None or not entry.msgstr:
            problems.append(f"{where}: no translation for {template!r}\n  fix: python tools/i18n.py "
                            f"update, then translate it in {rel}")
        elif "fuzzy" in entry.flags:
            problems.append(f"{where}: the translation is out of date (fuzzy): the English changed."
                            f"\n  was: {entry.previous_msgid!r}\n  now: {template!r}\n  fix: "
                            f"revise it in {rel} and remove its fuzzy flag")
        elif _placeholders(entry.msgstr) != _placeholders(template):
            problems.append(f"{where}: the translation must keep the placeholders "
                            f"{_placeholders(template)}, but has {_placeholders(entry.msgstr)}\n"
                            f"  English: {template!r}\n  in {rel}")
    compiled = LOCALE / f"{lang}.json"
    if not problems and (not compiled.exists() or json.loads(compiled.read_text(encoding="utf-8"))
                         != compiled_catalog(lang)):
        problems.append(f"{compiled.relative_to(ROOT)} is out of date with {rel}: run python "
                        f"tools/i18n.py compile")
    return problems


def compiled_catalog(lang=DEFAULT_LANG) -> dict[str, str]:
    po = _load(I18N / lang / f"{LIBRARY_CATALOG}.po", lang)
    return {e.msgid: e.msgstr for e in po
            if not e.obsolete and e.msgstr and "fuzzy" not in e.flags}


def compile_catalog(lang=DEFAULT_LANG) -> Path:
    LOCALE.mkdir(parents=True, exist_ok=True)
    path = LOCALE / f"{lang}.json"
    path.write_text(json.dumps(compiled_catalog(lang), ensure_ascii=False, indent=0, sort_keys=True)
                    + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- update
def update(lang=DEFAULT_LANG, src=NOTEBOOKS) -> dict[str, dict[str, int]]:
    """Bring every catalog in line with the English: new segments added (a changed one with its
    old translation, marked fuzzy), unused ones kept as obsolete. Returns counts per lesson."""
    report = {}
    for lesson in lessons(src):
        path = catalog_path(lesson, lang)
        old = _load(path, lang)
        existing = {_key(e): e for e in old if not e.obsolete}
        leftovers = {k: e for k, e in existing.items()}
        po = _load(Path("/nonexistent"), lang)
        po.metadata = old.metadata or po.metadata
        counts = {"kept": 0, "fuzzy": 0, "new": 0}
        entries: dict = {}
        for seg in segments(nbformat.read(lesson, as_version=4)):
            key = _key(seg)
            if key in entries:
                entries[key].occurrences.append((lesson.name, str(seg.cell + 1)))
                continue
            entry = polib.POEntry(msgid=seg.text, msgstr="", msgctxt=seg.context,
                                  occurrences=[(lesson.name, str(seg.cell + 1))])
            if key in existing:
                entry.msgstr, entry.flags = existing[key].msgstr, list(existing[key].flags)
                entry.previous_msgid = existing[key].previous_msgid
                entry.tcomment = existing[key].tcomment
                leftovers.pop(key, None)
                counts["kept"] += 1
            else:
                match = _closest(seg.text, [e for k, e in leftovers.items() if k[0] == seg.context
                                            and e.msgstr])
                if match is not None:
                    entry.msgstr, entry.flags = match.msgstr, ["fuzzy"]
                    entry.previous_msgid = match.msgid
                    leftovers.pop(_key(match), None)
                    counts["fuzzy"] += 1
                else:
                    counts["new"] += 1
            entries[key] = entry
        for entry in entries.values():
            po.append(entry)
        for entry in leftovers.values():
            if entry.msgstr:
                entry.obsolete = True
                po.append(entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
        report[lesson.stem] = counts
    report[LIBRARY_CATALOG] = _update_library(lang)
    return report


def _closest(text, candidates, cutoff=0.6):
    best, best_ratio = None, cutoff
    for entry in candidates:
        ratio = difflib.SequenceMatcher(None, text, entry.msgid, autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = entry, ratio
    return best


# ----------------------------------------------------------------------------- terms
def load_terms(path=None) -> dict[str, dict[str, str]]:
    """The course's term list: {English term: {"zh", "meaning", "meaning_zh"}}."""
    path = path or TERMS
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    terms = {}
    for line, row in enumerate(rows, start=2):
        term = (row.get("term") or "").strip()
        if not term or not (row.get("zh") or "").strip():
            raise SystemExit(f"{path}, line {line}: every row needs a term and its 中文.")
        if term in terms:
            raise SystemExit(f"{path}, line {line}: {term!r} is listed twice.")
        terms[term] = {k: (row.get(k) or "").strip() for k in ("zh", "meaning", "meaning_zh")}
    return terms


def zh_alternatives(zh: str) -> list[str]:
    """The accepted Chinese renderings of a term: '随机失活 / Dropout' accepts either."""
    return [alt.strip() for alt in re.split(r"\s*/\s*", re.sub(r"[（(].*?[)）]", "", zh))
            if alt.strip()]


# English phrases that contain a listed term without meaning it: "in place of" is "instead of".
NOT_THE_TERM = {"in place": r"(?!\s+of\b)"}


def _term_pattern(term: str):
    plural = r"(?:s|es)?" if re.fullmatch(r"[A-Za-z -]+", term) else ""
    return re.compile(r"(?<![A-Za-z])" + re.escape(term) + plural + r"(?![A-Za-z])"
                      + NOT_THE_TERM.get(term, ""), re.I)


def term_errors(english: str, chinese: str, terms) -> list[str]:
    """Terms of the list that the English uses (outside formulas and code) and the Chinese
    does not render with the listed word."""
    prose = _CODE_SPAN.sub(" ", _MATH.sub(" ", english))
    missing = []
    # Longest terms first, each removed once matched: "activation function" is not also a use of
    # "activation", nor "Leaky ReLU" of "ReLU".
    for term, row in sorted(terms.items(), key=lambda item: -len(item[0])):
        pattern = _term_pattern(term)
        if pattern.search(prose):
            prose = pattern.sub(" ", prose)
            alternatives = zh_alternatives(row["zh"])
            if not any(alt.lower() in chinese.lower() for alt in alternatives):
                missing.append(f"'{term}' should be rendered as {' or '.join(alternatives)}")
    return missing


# ----------------------------------------------------------------------------- check
def _literal_fields(literal: str):
    """(kind, sorted placeholder sources) of a string literal's source, or None if it is not one."""
    try:   # in parentheses, as in its call: literals joined across lines parse too
        node = ast.parse("(" + literal.strip() + ")", mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return "str", []
    if isinstance(node, ast.JoinedStr):
        return "f-string", sorted(ast.unparse(v) for v in node.values
                                  if isinstance(v, ast.FormattedValue))
    return None


def segment_errors(seg: Segment, translation: str, terms) -> list[str]:
    """What is wrong with a translation other than being missing or stale."""
    errors = []
    if seg.context == CODE_CONTEXT:
        want, got = _literal_fields(seg.text), _literal_fields(translation)
        if want is None:
            want = ("str", [])
        if got is None or got[0] != want[0]:
            errors.append(f"the translation must be a Python {want[0]} literal like the English, "
                          f"quotes included")
        elif got[1] != want[1]:
            errors.append(f"the translation must keep the placeholders {want[1]}, but has {got[1]}")
    else:
        for name, pattern in (("formula", _MATH), ("code span", _CODE_SPAN)):
            if sorted(pattern.findall(seg.text)) != sorted(pattern.findall(translation)):
                lost = sorted(set(pattern.findall(seg.text)) - set(pattern.findall(translation)))
                errors.append(f"every {name} must appear unchanged in the translation"
                              + (f"; missing: {', '.join(lost)}" if lost else ""))
    errors += term_errors(seg.text if seg.context is None else _literal_words(seg.text),
                          translation, terms)
    return errors


def _literal_words(literal: str) -> str:
    return re.sub(r"\{[^{}]*\}", " ", literal)


def check(lang=DEFAULT_LANG, src=NOTEBOOKS, terms=None, only=None) -> list[str]:
    """Every problem with the translations, as messages that say where and how to fix it.
    ``only``: lesson prefixes ("04") or "course_lib", to check just those catalogs."""
    terms = load_terms() if terms is None else terms
    problems = []
    for lesson in lessons(src):
        if only and not any(lesson.name.startswith(o) for o in only):
            continue
        path = catalog_path(lesson, lang)
        po = _load(path, lang)
        entries = {_key(e): e for e in po if not e.obsolete}
        unused = [e for e in po if e.obsolete] + list(entries.values())
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        for seg in segments(nbformat.read(lesson, as_version=4)):
            where = seg.where(lesson.name)
            entry = entries.get(_key(seg))
            if entry is None or not entry.msgstr:
                old = entry is None and _closest(seg.text, [e for e in unused
                                                            if e.msgctxt == seg.context and e.msgstr])
                if old:
                    problems.append(f"{where}: the English changed since it was translated.\n"
                                    f"  was: {old.msgid!r}\n  now: {seg.text!r}\n"
                                    f"  fix: python tools/i18n.py update, then revise the fuzzy "
                                    f"entry in {rel}")
                else:
                    problems.append(f"{where}: no translation for {seg.text!r}\n"
                                    f"  fix: python tools/i18n.py update, then translate it in {rel}")
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{where}: the translation is out of date (fuzzy): the English "
                                f"changed.\n  was: {entry.previous_msgid!r}\n  now: {seg.text!r}\n"
                                f"  fix: revise it in {rel} and remove its fuzzy flag")
                continue
            for error in segment_errors(seg, entry.msgstr, terms):
                problems.append(f"{where}: {error}\n  English: {seg.text!r}\n  in {rel}")
    if not only:
        problems += glossary_problems(src, terms)
    if not only or "course_lib" in only:
        problems += library_problems(lang, terms)
    return problems


# ----------------------------------------------------------------------------- glossary
def glossary_markdown(term_names, terms, lang="en") -> str:
    """A lesson's glossary table, generated from the term list."""
    heading, header = GLOSSARY_HEADINGS[lang]
    rows = []
    for name in term_names:
        row = terms[name]
        if lang == "en":
            rows.append(f"| {name} | {row['zh']} | {row['meaning']} |")
        else:
            rows.append(f"| {row['zh']} | {name} | {row['meaning_zh'] or row['meaning']} |")
    return "\n".join([heading, "", header, "| --- | --- | --- |", *rows])


def glossary_problems(src=NOTEBOOKS, terms=None) -> list[str]:
    terms = load_terms() if terms is None else terms
    problems = []
    for lesson in lessons(src):
        nb = nbformat.read(lesson, as_version=4)
        cells = [(i, c) for i, c in enumerate(nb.cells) if is_glossary(c)]
        if not cells:
            problems.append(f"{lesson.name}: no glossary cell (a markdown cell tagged 'glossary' "
                            f"whose metadata lists its terms).")
        for i, cell in cells:
            names = cell.metadata.get("glossary", [])
            unknown = [n for n in names if n not in terms]
            if unknown:
                problems.append(f"{lesson.name}, cell {i + 1}: glossary terms not in "
                                f"i18n/terms.tsv: {', '.join(unknown)}")
            elif cell.source != glossary_markdown(names, terms):
                problems.append(f"{lesson.name}, cell {i + 1}: the glossary differs from "
                                f"i18n/terms.tsv; run python tools/i18n.py glossary")
            for name in names:
                if name in terms and not terms[name]["meaning_zh"]:
                    problems.append(f"i18n/terms.tsv: {name!r} has no meaning_zh (used by "
                                    f"{lesson.name})")
    return problems


def write_glossaries(src=NOTEBOOKS, terms=None) -> list[Path]:
    terms = load_terms() if terms is None else terms
    changed = []
    for lesson in lessons(src):
        nb = nbformat.read(lesson, as_version=4)
        dirty = False
        for cell in nb.cells:
            if is_glossary(cell):
                text = glossary_markdown(cell.metadata.get("glossary", []), terms)
                if cell.source != text:
                    cell.source, dirty = text, True
        if dirty:
            nbformat.write(nb, lesson)
            changed.append(lesson)
    return changed


# ----------------------------------------------------------------------------- build
def translate_notebook(nb, po: polib.POFile, terms, lang=DEFAULT_LANG):
    """A translated copy of ``nb`` (outputs kept as they are; run it to refresh them)."""
    nb = nbformat.from_dict(nb)
    table = {_key(e): e.msgstr for e in po if not e.obsolete and e.msgstr and "fuzzy" not in e.flags}
    first_code = True
    for cell in nb.cells:
        if is_glossary(cell):
            cell.source = glossary_markdown(cell.metadata.get("glossary", []), terms, lang)
        elif cell.cell_type == "markdown":
            cell.source = "\n\n".join(table.get((None, b), b) if needs_translation(b) else b
                                      for b in markdown_blocks(cell.source))
        elif cell.cell_type == "code":
            source = cell.source
            for start, end, literal in reversed(code_strings(source)):
                source = source[:start] + table.get((CODE_CONTEXT, literal), literal) + source[end:]
            # Stored outputs are the English ones, and course_lib prints Chinese here: the English
            # edition compares those outputs; this one is checked for running without errors.
            drop_tag(cell, "nbval-check-output")
            if first_code:
                source, first_code = SET_LANGUAGE.format(lang=lang) + source, False
            cell.source = source
    nb.metadata["language"] = lang
    return nb


def build(lang=DEFAULT_LANG, src=NOTEBOOKS, dest=None, strict=True) -> list[Path]:
    """Write the translated lessons. With strict=True, refuse while ``check`` finds problems."""
    terms = load_terms()
    if strict:
        problems = check(lang, src, terms)
        if problems:
            raise SystemExit(f"{len(problems)} translation problems; the first:\n{problems[0]}")
    dest = Path(dest or ROOT / "build" / lang / "notebooks")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for lesson in lessons(src):
        po = _load(catalog_path(lesson, lang), lang)
        nb = translate_notebook(nbformat.read(lesson, as_version=4), po, terms, lang)
        nbformat.write(nb, dest / lesson.name)
        written.append(dest / lesson.name)
    return written


def stats(lang=DEFAULT_LANG, src=NOTEBOOKS) -> list[tuple[str, int, int]]:
    rows = []
    for lesson in lessons(src):
        po = _load(catalog_path(lesson, lang), lang)
        table = {_key(e) for e in po if not e.obsolete and e.msgstr and "fuzzy" not in e.flags}
        segs = {_key(s) for s in segments(nbformat.read(lesson, as_version=4))}
        rows.append((lesson.stem, len(segs), len(segs & table)))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update", "check", "build", "glossary", "stats",
                                            "compile"])
    parser.add_argument("--lang", default=DEFAULT_LANG, choices=sorted(LANGUAGES))
    parser.add_argument("--src", type=Path, default=NOTEBOOKS)
    parser.add_argument("--dest", type=Path, default=None)
    parser.add_argument("--only", nargs="+", default=None,
                        help="check: just these lessons (e.g. 04 05) and/or course_lib")
    args = parser.parse_args(argv)
    if args.command == "update":
        for lesson, counts in update(args.lang, args.src).items():
            print(f"{lesson}: {counts['kept']} kept, {counts['fuzzy']} changed (fuzzy), "
                  f"{counts['new']} new")
    elif args.command == "check":
        problems = check(args.lang, args.src, only=args.only)
        for problem in problems:
            print(problem, end="\n\n")
        print(f"{len(problems)} problems." if problems else "All translations are current.")
        return 1 if problems else 0
    elif args.command == "build":
        written = build(args.lang, args.src, args.dest)
        print(f"{len(written)} lessons written to {written[0].parent}/")
    elif args.command == "compile":
        print(f"wrote {compile_catalog(args.lang).relative_to(ROOT)}")
    elif args.command == "glossary":
        changed = write_glossaries(args.src)
        print(f"{len(changed)} glossaries rewritten" + (f": {', '.join(p.name for p in changed)}"
                                                        if changed else "."))
    else:
        total = done = 0
        for lesson, n, k in stats(args.lang, args.src):
            print(f"{lesson:32s} {k:4d} of {n:4d} segments translated")
            total, done = total + n, done + k
        print(f"{'all lessons':32s} {done:4d} of {total:4d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
