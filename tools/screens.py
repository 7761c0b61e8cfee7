"""Screenshots of the sample campaign for docs/screens/ (Textual's SVG, turned into PNG by
rsvg-convert; the SVG is kept only where there is no rsvg-convert) and the share of rows each
screen uses, at 22/7/2020 12:00. Run: .venv/bin/python -m tools.screens [out_dir] [kind…]."""

from __future__ import annotations

import asyncio
import html
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dashboard.app import AppOptions, ThiduaApp
from dashboard.clock import FixedClock
from dashboard.frontends import create_app
from dashboard.kiosk.settings import kiosk_settings
from dashboard.source import EngineSource

SAMPLE = Path(__file__).resolve().parents[1] / "data"
AT = datetime(2020, 7, 22, 12, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
SIZES = [(80, 24), (120, 40), (160, 48), (240, 67)]


def rows_used(svg: str, height: int) -> int:
    """Rows that show any character other than a space (Textual's SVG has one <text> per run)."""
    used = set()
    for m in re.finditer(r'<text[^>]*\by="([\d.]+)"[^>]*>(.*?)</text>', svg, flags=re.S):
        if html.unescape(m.group(2)).replace("\xa0", " ").strip():
            used.add(float(m.group(1)))
    return min(len(used), height)


def keep_spaces(svg: str) -> str:
    """Textual's SVG with its runs' spaces kept by every renderer: without xml:space, librsvg
    drops the no-break space that starts a run, so each such run moved a cell left and the
    compact footer read "escQuay lại" in the pictures (a terminal and a browser show the
    space)."""
    return svg.replace("<svg ", '<svg xml:space="preserve" ', 1)


def to_png(svg: str, png: Path) -> None:
    """The picture of a screen, by rsvg-convert (which must be on PATH)."""
    svg_file = png.with_suffix(".svg")
    svg_file.write_text(keep_spaces(svg), encoding="utf-8")
    try:
        subprocess.run(["rsvg-convert", "-o", str(png), str(svg_file)], check=True)
    finally:
        svg_file.unlink()


def _app(folder: Path, kind: str, lang: str) -> ThiduaApp:
    source = EngineSource(folder, wall=lambda: AT.timestamp())
    options = AppOptions(lang=lang, watch=False, rescan_seconds=3600)
    if kind == "kiosk":
        return create_app(source, clock=FixedClock(AT), options=options,
                          kiosk=kiosk_settings(source.campaign, dwell_seconds=3600,
                                               office_hours="always"))
    return create_app(source, clock=FixedClock(AT), options=options)


async def shoot(folder: Path, kind: str, size: tuple[int, int], lang: str) -> str:
    app = _app(folder, kind, lang)
    async with app.run_test(size=size) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        if kind == "detail":
            await pilot.press("down", "enter")
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause(0.1)
        return app.export_screenshot()


async def main(out: Path, kinds: tuple[str, ...] = ("dashboard", "kiosk", "detail")) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "d"
        shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("README.md"))
        for kind in kinds:
            for w, h in SIZES:
                for lang in ("vi", "en") if (w, h) == (160, 48) else ("vi",):
                    svg = await shoot(folder, kind, (w, h), lang)
                    name = f"{kind}-{w}x{h}" + ("" if lang == "vi" else "-en")
                    if shutil.which("rsvg-convert"):
                        to_png(svg, out / f"{name}.png")
                    else:
                        (out / f"{name}.svg").write_text(keep_spaces(svg), encoding="utf-8")
                    used = rows_used(svg, h)
                    print(f"{name}: {used}/{h} rows used ({100 * used / h:.0f} %)")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screens"),
                     tuple(sys.argv[2:]) or ("dashboard", "kiosk", "detail")))
