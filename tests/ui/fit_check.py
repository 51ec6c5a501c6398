"""Finds text a widget cannot show whole: labels, buttons, tabs, header sections and table
cells narrower than their text. Used by the small-screen test in both languages."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTabBar,
    QTableView,
    QToolButton,
    QWidget,
)

CELL_PADDING = 6
ROWS_CHECKED = 25
# A view may mark free-text columns (address, what they said) as elided on purpose:
# view.setProperty(ELIDED_COLUMNS, [3, 6]); the full text is in the cell's tooltip.
ELIDED_COLUMNS = "elidedColumns"


def _name(widget: QWidget) -> str:
    names = []
    while widget is not None and len(names) < 3:
        names.append(widget.objectName() or type(widget).__name__)
        widget = widget.parentWidget()
    return "/".join(reversed(names))


def _text_width(widget: QWidget, text: str) -> int:
    metrics = widget.fontMetrics()
    return max((metrics.horizontalAdvance(line) for line in text.split("\n")), default=0)


def _shown(text: str) -> str:
    """What a label or button shows: "&F" is an underlined F, "&&" an ampersand."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def clipped(root: QWidget) -> list[str]:
    """Every piece of visible text under `root` that does not fit, described for a failure."""
    found: list[str] = []
    for label in root.findChildren(QLabel):
        if not label.isVisibleTo(root) or label.wordWrap() or not label.text():
            continue
        if label.textFormat() == Qt.TextFormat.RichText or label.text().lstrip().startswith("<"):
            continue
        room = label.contentsRect().width() - 2 * label.margin() - max(label.indent(), 0)
        need = _text_width(label, _shown(label.text()))
        if need > room + 1:
            found.append(f"label {_name(label)} {label.text()!r}: needs {need}, has {room}")
    for button in root.findChildren(QAbstractButton):
        if not button.isVisibleTo(root) or not button.text() or isinstance(button, QToolButton):
            continue
        if button.width() + 1 < button.sizeHint().width():
            found.append(
                f"button {_name(button)} {button.text()!r}: needs {button.sizeHint().width()}, "
                f"has {button.width()}"
            )
    for bar in root.findChildren(QTabBar):
        if not bar.isVisibleTo(root):
            continue
        for i in range(bar.count()):
            rect = bar.tabRect(i)
            if rect.width() + 1 < bar.tabSizeHint(i).width() or rect.right() > bar.width():
                found.append(f"tab {_name(bar)} {bar.tabText(i)!r} is cut or scrolled away")
    for view in root.findChildren(QAbstractItemView):
        if isinstance(view, QTableView) and view.isVisibleTo(root) and view.model() is not None:
            found += _table_clipped(view)
    return found


def _table_clipped(view: QTableView) -> list[str]:
    found = []
    model = view.model()
    header: QHeaderView = view.horizontalHeader()
    elided = set(view.property(ELIDED_COLUMNS) or ())
    for column in range(model.columnCount()):
        if view.isColumnHidden(column):
            continue
        width = header.sectionSize(column)
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        # The header's own hint: its text, the style's margins and the sort arrow if shown.
        need = header.sectionSizeHint(column)
        if header.isVisible() and need > width + 1:
            found.append(f"header {_name(view)} {title!r}: needs {need}, has {width}")
        if column in elided:
            continue
        for row in range(min(model.rowCount(), ROWS_CHECKED)):
            text = model.data(model.index(row, column))
            if text is None or text == "":
                continue
            need = _text_width(view, str(text)) + CELL_PADDING
            if need > width + 1:
                found.append(f"cell {_name(view)} {title!r} {text!s}: needs {need}, has {width}")
                break
    return found
