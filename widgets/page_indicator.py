"""Where the rotation is: ● ○ ○ ○ ○, with the views' names when the width allows."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

CURRENT, OTHER = "●", "○"


@dataclass(frozen=True)
class PageIndicatorData:
    labels: tuple[str, ...]
    """One name per view, in rotation order."""
    current: int
    position: str = ""
    """The position in words, e.g. "2/5"."""


class PageIndicator(Widget):
    """One line. Wide: every name, the current one marked ●; narrow: dots and the name."""

    DEFAULT_CSS = """
    PageIndicator {
        height: 1;
        width: 1fr;
    }
    PageIndicator > .page-indicator--current { color: $text-accent; text-style: bold; }
    PageIndicator > .page-indicator--other { color: $text-muted; }
    """

    COMPONENT_CLASSES = {"page-indicator--current", "page-indicator--other"}

    data: reactive[PageIndicatorData | None] = reactive(None)
    """What to show; an equal value does not repaint."""

    def __init__(self, data: PageIndicatorData | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(PageIndicator.data, data)

    def _style(self, part: str) -> Style:
        return self.get_component_rich_style(f"page-indicator--{part}", partial=True)

    def render(self) -> Text:
        data = self.data
        text = Text(no_wrap=True, overflow="ellipsis")
        if data is None or not data.labels:
            return text
        width = self.size.width
        full = sum(cell_len(label) + 2 for label in data.labels) + 3 * (len(data.labels) - 1)
        if full <= width:
            for i, label in enumerate(data.labels):
                if i:
                    text.append("   ")
                mark, part = (CURRENT, "current") if i == data.current else (OTHER, "other")
                text.append(f"{mark} {label}", self._style(part))
            return text
        for i in range(len(data.labels)):
            if i:
                text.append(" ")
            if i == data.current:
                text.append(CURRENT, self._style("current"))
            else:
                text.append(OTHER, self._style("other"))
        current = data.labels[data.current] if 0 <= data.current < len(data.labels) else ""
        text.append(f"  {current}", self._style("current"))
        if data.position:
            text.append(f"  {data.position}", self._style("other"))
        return text
