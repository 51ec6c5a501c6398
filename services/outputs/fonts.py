"""Find and embed a TrueType CJK font for reportlab, and teach its line breaker not to start a
line with full-width punctuation."""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from services.store.errors import N_, RevisitError

FONT_NAME = "RevisitCJK"
FONT_ENV = "REVISIT_CJK_FONT"
RESOURCE_FONTS = Path(__file__).resolve().parent.parent.parent / "resources" / "fonts"

# (path, subfont index). Noto CJK .ttc files are CFF outlines, which reportlab cannot embed.
_LINUX = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc", 0),
)
_WINDOWS_NAMES = (("msyh.ttc", 0), ("simsun.ttc", 0), ("simhei.ttf", 0), ("msyh.ttf", 0))
_MAC = (("/Library/Fonts/Arial Unicode.ttf", 0),
        ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", 0))

# reportlab's ALL_CANNOT_START lacks these; without them a line can start with "，" or "：".
EXTRA_CANNOT_START = "，：；！？、。）》」』】〕…"


def candidates() -> list[tuple[Path, int]]:
    found: list[tuple[Path, int]] = []
    env = os.environ.get(FONT_ENV)
    if env:
        found.append((Path(env), 0))
    if RESOURCE_FONTS.is_dir():
        found += [(p, 0) for p in sorted(RESOURCE_FONTS.glob("*.tt[fc]"))]
    if sys.platform.startswith("win"):
        windir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        found += [(windir / name, idx) for name, idx in _WINDOWS_NAMES]
    found += [(Path(p), i) for p, i in (*_LINUX, *_MAC)]
    return found


def _patch_kinsoku() -> None:
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    # paragraph copies the name from textsplit at import, so both modules' copies are patched. The
    # stubs declare it in textsplit only, as Final: through vars() is the honest way to rebind it.
    for module in (textsplit, paragraph):
        names = vars(module)
        current: str = names["ALL_CANNOT_START"]
        missing = "".join(ch for ch in EXTRA_CANNOT_START if ch not in current)
        if missing:
            names["ALL_CANNOT_START"] = current + missing


@cache
def cjk_font() -> str:
    """Register the first usable CJK TrueType font and return its reportlab name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    _patch_kinsoku()
    tried = []
    for path, index in candidates():
        if not path.is_file():
            continue
        try:
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=index))
        except TTFError as exc:
            tried.append(f"{path} ({exc})")
            continue
        return FONT_NAME
    raise RevisitError(
        N_("No Chinese TrueType font was found to print with. Install one (Linux: the package "
           "fonts-wqy-microhei; Windows has SimSun/Microsoft YaHei) or set {env} to a .ttf/.ttc "
           "file. Tried: {tried}"),
        env=FONT_ENV, tried="; ".join(tried) or "no candidate file exists",
    )
