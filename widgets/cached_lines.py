"""A widget drawn line by line (Textual's line API), each line kept until what it shows changes.

The dashboard's panels get a new snapshot on every data change, usually with one row changed.
Rendering a whole panel again costs a few milliseconds of Rich text and strips per panel, per
viewer (an SSH server runs one viewer process per session); repainting only the changed lines
costs a fraction of that.
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

_BEYOND = object()
"""The key of a line past the last one (the widget is taller than its lines)."""


class CachedLines(Widget):
    """Subclasses say how many lines there are, what identifies each line's look, and its text.

    `line_key(y, width)` must change whenever line y would look different (its data, cursor,
    highlight); the key of an unchanged line is compared, never its text. After new data, call
    `refresh_changed_lines()` instead of `refresh()`.
    """

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._strips: dict[int, tuple[Hashable, Strip]] = {}
        self._count = -1

    def line_count(self, width: int) -> int:
        raise NotImplementedError

    def line_key(self, y: int, width: int) -> Hashable:
        raise NotImplementedError

    def line_text(self, y: int, width: int) -> Text:
        raise NotImplementedError

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """The longest line (for `width: auto`), as Textual measures a renderable."""
        width = container.width
        lines = (self.line_text(y, width) for y in range(self.line_count(width)))
        return min(width, max((text.cell_len for text in lines), default=0))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width == self.size.width:
            self._count = self.line_count(width)
        return self.line_count(width)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        inside = y < self.line_count(width)
        key = (width, self.line_key(y, width) if inside else _BEYOND)
        kept = self._strips.get(y)
        if kept is not None and kept[0] == key:
            return kept[1]
        text = self.line_text(y, width) if inside else Text()
        text.end = ""
        text.truncate(width, overflow=text.overflow or "ellipsis", pad=True)
        strip = Strip(list(text.render(self.app.console)), width).apply_style(self.rich_style)
        self._strips[y] = (key, strip)
        return strip

    def refresh_lines_or_layout(self) -> None:
        """After new data: a layout pass when the number of lines changed, else only the
        changed lines are repainted."""
        count = self.line_count(self.size.width)
        if count != self._count:
            self._count = count
            self.refresh(layout=True)
        else:
            self.refresh_changed_lines()

    def refresh_changed_lines(self) -> None:
        """Repaint the lines whose key changed since they were drawn, and only those."""
        width = self.size.width
        count = self.line_count(width)
        for y in [y for y in self._strips if y >= count]:
            del self._strips[y]
        stale = [Region(0, y, width, 1) for y in range(count)
                 if self._strips.get(y, (None,))[0] != (width, self.line_key(y, width))]
        if stale:
            self.refresh(*stale)

    def shown_text(self) -> str:
        """Every line as plain text, at the widget's width (what a reader of the screen sees)."""
        width = self.size.width or 80
        return "\n".join(self.line_text(y, width).plain for y in range(self.line_count(width)))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # a theme or a pseudo-class (focus) changed the styles
