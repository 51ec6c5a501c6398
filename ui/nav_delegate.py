"""The navigation list's items: the area's name, and under it in small grey type the keys that
open it (Ctrl+1 …), so the shortcut is seen where it is used."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

SHORTCUT_ROLE = Qt.ItemDataRole.UserRole + 1
PADDING = 10


class NavigationDelegate(QStyledItemDelegate):
    def _small(self, option: QStyleOptionViewItem) -> QFont:
        font = QFont(option.font)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.72))
        return font

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        self.initStyleOption(option, index)
        title = QFontMetrics(option.font)
        small = QFontMetrics(self._small(option))
        keys = index.data(SHORTCUT_ROLE) or ""
        width = max(title.horizontalAdvance(option.text), small.horizontalAdvance(keys))
        return QSize(width + 2 * PADDING, title.height() + small.height() + 2 * PADDING - 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        self.initStyleOption(option, index)
        title_text, option.text = option.text, ""
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:  # background, selection and focus as the style draws them
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = option.rect.adjusted(PADDING, PADDING // 2, -PADDING, -PADDING // 2)
        title = QFontMetrics(option.font)
        painter.save()
        painter.setFont(option.font)
        painter.setPen(option.palette.color(group))
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), title.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            title_text,
        )
        painter.setFont(self._small(option))
        painter.setPen(
            option.palette.color(group)
            if selected
            else option.palette.color(QPalette.ColorRole.PlaceholderText)
        )
        painter.drawText(
            QRect(
                rect.left(),
                rect.top() + title.height(),
                rect.width(),
                rect.height() - title.height(),
            ),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
            index.data(SHORTCUT_ROLE) or "",
        )
        painter.restore()
