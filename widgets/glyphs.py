"""Text renderings shared by the widgets: completion bars with a pace marker, sparklines."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

_EIGHTHS = " ▏▎▍▌▋▊▉█"
_SPARKS = "▁▂▃▄▅▆▇█"


def completion_bar(
    fraction: float | None, pace: float | None, width: int, *,
    fill: Style, empty: Style, marker: Style,
) -> Text:
    """A bar `width` cells wide filled to `fraction` (0–1), ┃ where the pace says it should be."""
    width = max(1, width)
    f = 0.0 if fraction is None or not math.isfinite(fraction) else min(1.0, max(0.0, fraction))
    eighths = round(f * width * 8)
    full, part = divmod(eighths, 8)
    cells = ["█"] * full + ([_EIGHTHS[part]] if part and full < width else [])
    cells += [" "] * (width - len(cells))
    text = Text()
    mark = None if pace is None else min(width - 1, max(0, math.floor(pace * width)))
    for i, ch in enumerate(cells):
        if i == mark:
            text.append("┃", marker)
        elif ch == " ":
            text.append("░", empty)
        else:
            text.append(ch, fill)
    return text


def sparkline(values: Sequence[float | None], width: int, *, top: float | None = None) -> str:
    """The last `width` values as ▁…█, scaled to `top` (or the largest value); gaps as space."""
    vals = list(values)[-width:] if width > 0 else []
    real = [v for v in vals if v is not None and math.isfinite(v)]
    if not real:
        return " " * len(vals)
    hi = max(top if top else max(real), max(real))
    lo = min(0.0, min(real))
    span = hi - lo or 1.0
    out = []
    for v in vals:
        if v is None or not math.isfinite(v):
            out.append(" ")
        else:
            out.append(_SPARKS[min(7, max(0, int((v - lo) / span * 7.999)))])
    return "".join(out)
