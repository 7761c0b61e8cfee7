"""WCAG 2.x contrast read from a real screen: Textual's SVG export gives every text run's
fill (a CSS class) and the background rects behind it, cell by cell."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_CLASS = re.compile(r"\.(terminal-\d+-r\d+) \{ fill: (#[0-9a-fA-F]{6})")
_RECT = re.compile(r'<rect fill="(#[0-9a-fA-F]{6})" x="([\d.]+)" y="([\d.]+)" '
                   r'width="([\d.]+)" height="([\d.]+)" shape-rendering="crispEdges"/>')
_TEXT = re.compile(r'<text class="(terminal-\d+-r\d+)" x="([\d.]+)" y="([\d.]+)" '
                   r'textLength="([\d.]+)"[^>]*>(.*?)</text>', re.S)
CELL_W, CELL_H, TOP, BASELINE = 12.2, 24.4, 1.5, 18.5
DECORATION = set(map(chr, range(0x2500, 0x2580))) - {"┃", "━"} | {"░"}
"""Borders, rules and a bar's empty track: decoration (WCAG asks no contrast of them)."""
GRAPHICS = (range(0x2580, 0x25A0), range(0x2800, 0x2900), range(0x25A0, 0x2600),
            range(0x2500, 0x2580))
"""Bars, the pace marker, sparklines and the chart's lines: graphics (3:1)."""


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ratio(fg: str, bg: str) -> float:
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@dataclass(frozen=True)
class Finding:
    text: str
    fg: str
    bg: str
    ratio: float
    needed: float
    row: int


def findings(svg: str, within: tuple[int, int, int, int] | None = None,
             tracks: frozenset[str] = frozenset()) -> list[Finding]:
    """Every run of visible characters with its worst contrast against the cells behind it;
    only inside `within` (x, y, width, height in cells) when given, e.g. a dialog: the screen
    a modal dims behind it is not meant to be read. `tracks`: the colours of progress bars'
    empty part (Textual draws it as ━ in the bar's background colour), decoration."""
    fills = dict(_CLASS.findall(svg))
    background: dict[tuple[int, int], str] = {}
    for fill, x, y, w, _h in _RECT.findall(svg):
        row = round((float(y) - TOP) / CELL_H)
        first = round(float(x) / CELL_W)
        for col in range(first, first + round(float(w) / CELL_W)):
            background[row, col] = fill
    out: list[Finding] = []
    for cls, x, y, _w, raw in _TEXT.findall(svg):
        text = html.unescape(raw).replace("\xa0", " ")
        fg = fills.get(cls)
        if fg is None or (fg.lower() in tracks and set(text.strip()) == {"━"}):
            continue
        row = round((float(y) - BASELINE - TOP) / CELL_H)
        first = round(float(x) / CELL_W)
        worst: Finding | None = None
        for i, ch in enumerate(text):
            if within is not None and not (within[0] <= first + i < within[0] + within[2]
                                           and within[1] <= row < within[1] + within[3]):
                continue
            code = ord(ch)
            if ch.isspace() or ch in DECORATION:
                continue
            needed = 3.0 if any(code in r for r in GRAPHICS) else 4.5
            bg = background.get((row, first + i))
            if bg is None:
                continue
            r = ratio(fg, bg)
            if worst is None or r / needed < worst.ratio / worst.needed:
                worst = Finding(text.strip(), fg, bg, r, needed, row)
        if worst is not None:
            out.append(worst)
    return out


def failures(svg: str) -> list[Finding]:
    return [f for f in findings(svg) if f.ratio < f.needed]
