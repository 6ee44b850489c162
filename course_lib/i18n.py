"""The language course_lib speaks to a learner: English by default, Chinese in the 中文 edition.

    from course_lib import i18n
    i18n.set_language("zh_CN")     # the first line of every lesson in the Chinese edition

course_lib's own code stays plain English, f-strings and all, so that it reads like the maths.
The strings a learner reads (checkers' hints, CourseError messages, figure titles, axis labels,
legends, widget descriptions) are translated where they reach the learner: ``translate`` matches
an English message against the templates of ``course_lib/locale/<lang>.json`` (compiled from
``i18n/<lang>/course_lib.po`` by ``python tools/i18n.py compile``; each template is the text of
an f-string in course_lib, placeholders included) and fills the translated template with the
values the English carried. A message with no template stays English.

Where it happens: ``check`` results and ``progress`` tables (checks/core.py), ``CourseError``
messages (when shown), widget descriptions (``widgets.live_demo``), and every matplotlib text:
with a language other than English, ``Text.set_text`` translates what it is given. Choosing
Chinese also makes matplotlib draw with a CJK font when one is installed (``fonts-noto-cjk`` on
Debian), so figure text renders as characters, not boxes.
"""
from __future__ import annotations

import json
import os
import re
import string
import warnings
from functools import cache
from pathlib import Path

from ._validation import CourseError

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh_CN")
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC")

_language = os.environ.get("COURSE_LANG", "en") if os.environ.get("COURSE_LANG") in LANGUAGES \
    else "en"


def get_language() -> str:
    return _language


def set_language(lang: str) -> None:
    """Speak ``lang`` ('en' or 'zh_CN') from now on, and pick a font that can draw it."""
    global _language
    if lang not in LANGUAGES:
        raise CourseError(f"course_lib speaks {' and '.join(LANGUAGES)}; got {lang!r}. "
                          f"Use i18n.set_language('zh_CN') for the Chinese edition.")
    _language = lang
    _translate_figure_text(lang != "en")
    if lang != "en":
        use_cjk_font()


@cache
def catalog(lang: str) -> dict[str, str]:
    """English template -> translated template for ``lang``; empty when no catalog ships."""
    path = LOCALE_DIR / f"{lang}.json"
    if lang == "en" or not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _fields(template: str) -> list[tuple[str, str | None]]:
    """(literal text, placeholder or None) pieces of a str.format-style template."""
    try:
        return [(literal, None if name is None else "{" + name + (f"!{conv}" if conv else "")
                 + (f":{spec}" if spec else "") + "}")
                for literal, name, spec, conv in string.Formatter().parse(template)]
    except ValueError:
        return [(template, None)]


@cache
def _patterns(lang: str) -> list[tuple[re.Pattern, list[str], str]]:
    """Each template with placeholders as a regular expression, the most specific first."""
    out = []
    for english, translated in catalog(lang).items():
        pieces = _fields(english)
        holes = [hole for _, hole in pieces if hole]
        if not holes:
            continue
        regex = "".join(re.escape(lit) + (f"(?P<p{i}>.+?)" if hole else "")
                        for i, (lit, hole) in enumerate(pieces))
        out.append((re.compile(regex + r"\Z", re.S), [h for _, h in pieces], translated))
    out.sort(key=lambda item: -len(item[0].pattern))
    return out


def translate(message: str, lang: str | None = None, _depth: int = 0) -> str:
    """``message`` in ``lang`` (default: the current language), or unchanged if no template fits."""
    lang = lang or _language
    if lang == "en" or not isinstance(message, str) or not message or _depth > 3:
        return message
    table = catalog(lang)
    exact = table.get(message.replace("{", "{{").replace("}", "}}"))
    if exact is not None:
        return exact.replace("{{", "{").replace("}}", "}")
    for pattern, holes, translated in _patterns(lang):
        match = pattern.match(message)
        if match is None:
            continue
        values = {}
        for i, hole in enumerate(holes):
            if hole is not None:
                values.setdefault(hole, translate(match.group(f"p{i}"), lang, _depth + 1))
        return "".join(lit + (values.get(hole, hole) if hole else "")
                       for lit, hole in _fields(translated))
    return message


_original_set_text = None


def _translate_figure_text(on: bool) -> None:
    """Make matplotlib translate every text it is given (titles, labels, legends), or stop."""
    global _original_set_text
    from matplotlib.text import Text

    if on and _original_set_text is None:
        _original_set_text = Text.set_text

        def set_text(self, s):
            return _original_set_text(self, translate(s) if isinstance(s, str) else s)

        Text.set_text = set_text
    elif not on and _original_set_text is not None:
        Text.set_text, _original_set_text = _original_set_text, None


def use_cjk_font() -> str | None:
    """Put the first installed CJK font in front of matplotlib's sans-serif list; return its name.

    Without one, Chinese figure text would render as boxes: say so once, with the fix.
    """
    import matplotlib
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    if not installed.intersection(CJK_FONTS):
        # A font installed after matplotlib built its font cache is not in the list yet.
        for path in font_manager.findSystemFonts():
            if "cjk" in Path(path).name.lower() or "wqy" in Path(path).name.lower():
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            current = [f for f in matplotlib.rcParams["font.sans-serif"] if f != name]
            matplotlib.rcParams["font.sans-serif"] = [name, *current]
            matplotlib.rcParams["font.family"] = "sans-serif"
            matplotlib.rcParams["axes.unicode_minus"] = False   # CJK fonts often lack U+2212
            return name
    warnings.warn("No Chinese font found, so figure text may show as boxes. Install one, e.g. "
                  "`sudo apt-get install fonts-noto-cjk` (make lab-zh does it when it can), then "
                  "restart the kernel.", stacklevel=2)
    return None
