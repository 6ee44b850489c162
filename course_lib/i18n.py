"""The language course_lib speaks to a learner: English by default, Chinese in the 中文 edition.

    from course_lib import i18n
    i18n.set_language("zh_CN")     # the first line of every lesson in the Chinese edition

Strings a learner reads (checkers' hints, widget labels, figure titles, progress reports, the
errors a learner is likely to meet) are written in English and passed through ``_``:

    raise Hint(_("at z = {z}, your derivative is {got}, not {want}").format(z=z, got=g, want=w))

``_`` returns the translation from ``course_lib/locale/<lang>.json`` (compiled from
``i18n/<lang>/course_lib.po`` by ``python tools/i18n.py compile``), or the English itself when
there is none. Choosing Chinese also makes matplotlib draw with a CJK font when one is installed
(``fonts-noto-cjk`` on Debian), so figure text renders as characters, not boxes.
"""
from __future__ import annotations

import json
import os
import warnings
from functools import lru_cache
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
    if lang != "en":
        use_cjk_font()


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """English -> translation for ``lang``; empty when no catalog ships."""
    path = LOCALE_DIR / f"{lang}.json"
    if lang == "en" or not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _(message: str) -> str:
    """``message`` in the current language (the English itself where there is no translation)."""
    if _language == "en":
        return message
    return catalog(_language).get(message) or message


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
