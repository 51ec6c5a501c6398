"""The label and envelope layouts (resources/layouts/labels.json) and their names for people:
plain data, read by the window's layout chooser without loading the PDF writer (reportlab
took 0.5 s of opening the Lists area on a slow VM)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from services.store.errors import N_, RevisitError

LAYOUTS_FILE = Path(__file__).resolve().parent.parent.parent / "resources" / "layouts" / \
    "labels.json"
DEFAULT_LAYOUT = "a4-3x8"


@cache
def layouts() -> dict[str, dict[str, Any]]:
    data = json.loads(LAYOUTS_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


# Paper a layout is printed on, by its size in mm, for the English names.
_PAPER = {(210, 297): "A4", (220, 110): "DL"}


def _mm(value: float) -> str:
    return f"{value:g}"


def layout_title(name: str, lang: str = "zh") -> str:
    """A layout's name for people, "zh" or "en" (as services/labels.py `text`): its title in
    labels.json, or for English its "title_en" there, else one made from its sizes: "A4 3×8
    labels 70×37 mm", "DL envelope 220×110 mm". An unknown layout reads as its key."""
    spec = layouts().get(name)
    if spec is None:
        return name
    if lang.lower().startswith("zh"):
        return spec.get("title", name)
    if spec.get("title_en"):
        return spec["title_en"]
    w, h = spec["page"]
    paper = _PAPER.get((w, h), f"{_mm(w)}×{_mm(h)} mm")
    if spec.get("envelope"):
        return f"{paper} envelope {_mm(w)}×{_mm(h)} mm"
    return (f"{paper} {spec['columns']}×{spec['rows']} labels "
            f"{_mm(spec['width'])}×{_mm(spec['height'])} mm")


def layout(name: str) -> dict[str, Any]:
    found = layouts().get(name)
    if found is None:
        raise RevisitError(N_("There is no label layout '{name}' (known: {known})."),
                           name=name, known=", ".join(layouts()))
    return found
