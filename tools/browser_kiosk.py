"""The browser kiosk as a wall screen shows it: `thidua serve-web` on loopback, read by a real
headless Chromium over the DevTools protocol. Used by tests/test_kiosk_deploy.py and to take
docs/screens/kiosk-browser-1920x1080.png with the share of the screen it uses:

    .venv/bin/python -m tools.browser_kiosk [OUT.png] [WIDTHxHEIGHT] [--fontsize N]
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

CHROMIUM = Path("/usr/bin/chromium")
SAMPLE = Path(__file__).resolve().parents[1] / "data"

# xterm.js draws on a canvas, so the text is not in the DOM: catch the page's Terminal as it
# is built (its constructor assigns `this._core`) and read its buffer, the cells it draws.
CATCH_TERMINAL = """
(() => {
  const found = [];
  window.__terminals = found;
  Object.defineProperty(Object.prototype, "_core", {
    configurable: true,
    get() { return undefined; },
    set(value) {
      Object.defineProperty(this, "_core", {value, writable: true, configurable: true});
      found.push(this);
    },
  });
})();
"""
READ_SCREEN = """
(() => {
  const t = (window.__terminals || []).find(t => t.buffer && t.buffer.active);
  if (!t) return {lines: [], box: null};
  const b = t.buffer.active, lines = [];
  for (let i = 0; i < t.rows; i++) {
    const line = b.getLine(b.viewportY + i);
    lines.push(line ? line.translateToString(true) : "");
  }
  const s = document.querySelector(".xterm-screen");
  const r = s ? s.getBoundingClientRect() : null;
  return {lines, box: r ? [r.x, r.y, r.width, r.height] : null};
})()
"""


@dataclass(frozen=True)
class Look:
    """What the page showed: each distinct screen (text lines), the last screen's terminal box
    in CSS pixels (x, y, width, height), the viewport, and a PNG of the page."""

    screens: list[list[str]]
    box: tuple[float, float, float, float] | None
    viewport: tuple[int, int]
    png: bytes

    @property
    def last(self) -> str:
        return "\n".join(self.screens[-1]) if self.screens else ""

    def used_area(self) -> float:
        """The share of the page covered by terminal rows that show something: the terminal's
        width × the height of one row × the rows with any character on them."""
        if not self.screens or self.box is None:
            return 0.0
        lines = self.screens[-1]
        shown = sum(1 for line in lines if line.strip())
        _x, _y, width, height = self.box
        return width * height * shown / len(lines) / (self.viewport[0] * self.viewport[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_http(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a process we started, and every process it started."""
    try:
        family = [proc.pid, *(c.pid for c in psutil.Process(proc.pid).children(recursive=True))]
    except psutil.NoSuchProcess:
        family = [proc.pid]
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for pid in family[1:]:
        try:
            psutil.Process(pid).wait(timeout=10)
        except psutil.NoSuchProcess:
            pass
        except psutil.TimeoutExpired:
            os.kill(pid, signal.SIGKILL)


@contextmanager
def serve_web(data: Path | str, state: Path, now: str = "2020-07-15T10:00",
              options: tuple[str, ...] = ()) -> Iterator[str]:
    """`thidua serve-web` on a free loopback port (data: a folder or an s3:// address, with
    more of its options); yields its URL."""
    port = free_port()
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve-web", "--data", str(data), "--now", now,
         "--host", "127.0.0.1", "--port", str(port), *options],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_http(url)
        yield url
    finally:
        stop(proc)


class Devtools:
    """The few Chrome DevTools Protocol calls we need, over aiohttp's websocket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        while True:
            message = json.loads((await self.ws.receive()).data)
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    async def screen(self) -> tuple[list[str], tuple[float, float, float, float] | None]:
        result = await self.call("Runtime.evaluate", expression=READ_SCREEN, returnByValue=True)
        value = result.get("result", {}).get("value") or {}
        box = value.get("box")
        return list(value.get("lines") or []), (tuple(box) if box else None)  # type: ignore[return-value]


async def _look(devtools_port: int, url: str, viewport: tuple[int, int],
                done: Callable[[list[list[str]]], bool], timeout: float) -> Look:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{devtools_port}/json/list") as response:
            targets = await response.json()
        page = next(t for t in targets if t["type"] == "page")
        async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            dt = Devtools(ws)
            await dt.call("Page.enable")
            await dt.call("Emulation.setDeviceMetricsOverride", width=viewport[0],
                          height=viewport[1], deviceScaleFactor=1, mobile=False)
            await dt.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
            await dt.call("Page.navigate", url=url)
            screens: list[list[str]] = []
            box = None
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                lines, box = await dt.screen()
                if any(lines) and (not screens or lines != screens[-1]):
                    screens.append(lines)
                if screens and done(screens):
                    break
                await asyncio.sleep(0.25)
            png = base64.b64decode(
                (await dt.call("Page.captureScreenshot", format="png"))["data"])
            return Look(screens, box, viewport, png)


def look(url: str, viewport: tuple[int, int], done: Callable[[list[list[str]]], bool],
         profile: Path, timeout: float = 30.0) -> Look:
    """Open url in a headless Chromium with this viewport; read the terminal until done(screens)
    (or timeout), then take a picture of the page."""
    chromium = subprocess.Popen(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--remote-debugging-port=0",
         f"--window-size={viewport[0]},{viewport[1]}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 20
        while not (active.exists() and active.read_text().strip()) and (
                time.monotonic() < deadline):
            time.sleep(0.1)
        port = int(active.read_text().splitlines()[0])
        return asyncio.run(_look(port, url, viewport, done, timeout))
    finally:
        stop(chromium)


def _settled(screens: list[list[str]]) -> bool:
    """The dashboard is drawn: the campaign title, every area and the leaderboard's last row."""
    text = "\n".join(screens[-1])
    return "Đợt thi đua" in text and "18." in text


def main(argv: list[str]) -> int:
    import shutil

    out = Path(argv[0]) if argv else Path("docs/screens/kiosk-browser-1920x1080.png")
    w, h = (int(x) for x in (argv[1] if len(argv) > 1 else "1920x1080").split("x"))
    query = f"?fontsize={argv[argv.index('--fontsize') + 1]}" if "--fontsize" in argv else ""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "d"
        shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("README.md"))
        with serve_web(folder, Path(tmp) / "state", now="2020-07-22T12:00") as url:
            seen = look(url + query, (w, h), _settled, Path(tmp) / "chromium")
    out.write_bytes(seen.png)
    rows = len(seen.screens[-1]) if seen.screens else 0
    print(f"{out}: {w}x{h}, {rows} terminal rows, used area {100 * seen.used_area():.0f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
