"""Deployment as documented: the systemd unit, the kiosk's command line, and the browser kiosk
(`thidua serve-web` on loopback, read back from a real headless Chromium). systemd's own
checks of every unit are in test_deploy_units.py."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from dashboard.cli import main
from tests.app_support import copy_sample

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "thidua-kiosk.service"
CHROMIUM = Path("/usr/bin/chromium")
AREAS = ("Kinh tế", "Văn hóa – Xã hội", "Cải cách hành chính", "Quốc phòng – An ninh")
TITLE = "Đợt thi đua cao điểm chào mừng Đại hội Đảng bộ tỉnh"


# -- the console kiosk's unit ---------------------------------------------------------------

def test_the_systemd_unit_runs_the_kiosk_on_tty1_and_restarts_it() -> None:
    text = UNIT.read_text(encoding="utf-8")
    assert "ExecStart=/opt/thidua/bin/thidua kiosk" in text
    for line in ("Restart=always", "TTYPath=/dev/tty1", "Conflicts=getty@tty1.service",
                 "StateDirectory=thidua", "WantedBy=multi-user.target"):
        assert line in text.splitlines()


# -- the command line ------------------------------------------------------------------------

def test_kiosk_options_are_checked_before_anything_runs(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    folder = copy_sample(tmp_path / "d")
    assert main(["kiosk", "--data", str(folder), "--dwell", "0"]) == 2
    assert "--dwell = 0.0 is out of range (allowed: a number of seconds from 1 to 3600)" in \
        capsys.readouterr().err
    assert main(["kiosk", "--data", str(folder), "--stale-after", "inf"]) == 2
    assert "--stale-after = inf is out of range" in capsys.readouterr().err
    assert main(["kiosk", "--data", str(folder), "--office-hours", "9-5"]) == 2
    assert "office hours" in capsys.readouterr().err
    assert main(["kiosk", "--data", str(tmp_path / "nowhere")]) == 2
    assert "data folder not found" in capsys.readouterr().err


def test_serve_web_binds_only_loopback_unless_told(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve-web", "--host", "0.0.0.0", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "--allow-remote" in err and "loopback" in err


# -- the browser kiosk -----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_http(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a process this test started, and every process it started."""
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


@pytest.fixture
def web_kiosk(tmp_path: Path) -> Iterator[str]:
    folder = copy_sample(tmp_path / "d")
    toml = folder / "campaign.toml"  # short slots, so the test sees the rotation happen
    toml.write_text(toml.read_text(encoding="utf-8")
                    + "\n[kiosk]\ndwell_seconds = 2\nbehind_bonus_seconds = 0\n",
                    encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve-web", "--data", str(folder),
         "--now", "2020-07-15T10:00", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_http(url)
        yield url
    finally:
        _stop(proc)
    kiosks = [p for p in psutil.process_iter(["cmdline"])
              if str(folder) in " ".join(p.info["cmdline"] or [])]
    assert not kiosks, "a kiosk process outlived the server"


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
  if (!t) return "";
  const b = t.buffer.active, lines = [];
  for (let i = 0; i < t.rows; i++) {
    const line = b.getLine(b.viewportY + i);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()
"""


class Devtools:
    """The few Chrome DevTools Protocol calls the test needs, over aiohttp's websocket."""

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

    async def screen(self) -> str:
        result = await self.call("Runtime.evaluate", expression=READ_SCREEN, returnByValue=True)
        return str(result.get("result", {}).get("value") or "")


async def _look(devtools_port: int, url: str, shot: Path) -> list[str]:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{devtools_port}/json/list") as response:
            targets = await response.json()
        page = next(t for t in targets if t["type"] == "page")
        async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            dt = Devtools(ws)
            await dt.call("Page.enable")
            await dt.call("Emulation.setDeviceMetricsOverride", width=1600, height=1000,
                          deviceScaleFactor=1, mobile=False)
            await dt.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
            await dt.call("Page.navigate", url=url)
            screens: list[str] = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                text = await dt.screen()
                if text and (not screens or text != screens[-1]):
                    screens.append(text)
                seen = "\n".join(screens)
                titles = [f"─ {a} ─" in seen for a in AREAS]
                if TITLE in text and all(a in text for a in AREAS) and sum(titles) >= 2:
                    break
                await asyncio.sleep(0.25)
            shot.write_bytes(base64.b64decode(
                (await dt.call("Page.captureScreenshot", format="png"))["data"]))
            return screens


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_the_browser_kiosk_shows_the_dashboard(web_kiosk: str, tmp_path: Path) -> None:
    profile = tmp_path / "chromium"
    chromium = subprocess.Popen(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "--window-size=1600,1000", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 20
        while not (active.exists() and active.read_text().strip()) and (
                time.monotonic() < deadline):
            time.sleep(0.1)
        port = int(active.read_text().splitlines()[0])
        shot = tmp_path / "kiosk.png"
        screens = asyncio.run(_look(port, web_kiosk, shot))
    finally:
        _stop(chromium)
    assert screens, "the page never showed a terminal"
    last = screens[-1]
    assert TITLE in last, last
    for area in AREAS:  # all named in the page indicator
        assert area in last, last
    assert "cập nhật lúc" in last and "●" in last
    spotlit = {a for a in AREAS if any(f"─ {a} ─" in s for s in screens)}
    assert len(spotlit) >= 2, f"the spotlight never moved: {screens}"
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1600, 1000)
