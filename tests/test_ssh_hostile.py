"""Hostile SSH clients and hostile data, with real asyncssh clients over 127.0.0.1: one viewer's
fate never touches another's, no escape sequence from the data and no traceback reaches a
viewer, and a closed session leaves the client's terminal as it found it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shlex
import shutil
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from dashboard.engine import codec
from dashboard.engine.engine import Engine
from dashboard.engine.text_safety import safe_text
from dashboard.ssh import protocol
from dashboard.ssh.strings import duration, messages
from tests.app_support import copy_sample
from tests.hostile_support import AREA_VI, MARKUP, MARKUP_TARGET, PAYLOADS, REPORTER, make_hostile
from tests.test_ssh_openssh import CliServer, start_cli_server, stop
from tests.test_ssh_support import (
    AT,
    Served,
    ServerThread,
    Viewer,
    connect,
    make_keys,
    server_config,
    serving,
)
from tests.tmux_support import Pane

AREA = safe_text(AREA_VI)
"""The economy panel's title as the hostile data makes it: Kinh tế␛[2J␛c."""
GOODBYE = "thidua: máy chủ đang dừng; tạm biệt"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Hostile text in the data (tests/hostile_support.py) for every viewer."""
    root = tmp_path_factory.mktemp("hostile")
    with serving(root, make_hostile(root / "data")) as served:
        yield served


async def test_viewers_that_leave_at_once_do_not_end_the_others(served: Served) -> None:
    b = await Viewer.open(served.server.port, served.keys.viewer)
    try:
        await b.wait_for(AREA)
        for _ in range(6):  # open a session and hang up at once, with no delay
            conn = await connect(served.server.port, served.keys.viewer)
            await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
            conn.close()
        for _ in range(100):  # the hung-up sessions end and give their places back
            if served.server.call(lambda: len(served.server.server.slots)) == 1:
                break
            await asyncio.sleep(0.1)
        assert served.server.call(lambda: len(served.server.server.slots)) == 1
        assert b.proc.exit_status is None, "viewer B's session was ended"
        b.press("l")  # B still answers keys and still receives the dashboard
        await b.wait_for("Bảng xếp hạng đơn vị")
        c = await Viewer.open(served.server.port, served.keys.viewer)
        try:
            await c.wait_for(AREA)  # and a new viewer can still connect
        finally:
            await c.close()
        assert "fork server stopped" not in served.server.log_text()
    finally:
        await b.close()


async def test_a_viewer_gets_no_sequence_from_the_data_and_no_traceback(served: Served) -> None:
    v = await Viewer.open(served.server.port, served.keys.viewer, cols=200, rows=50)
    try:
        await v.wait_for(AREA)
        v.press("v")  # every title drawn again, in English
        await v.wait_for("Economy")
        v.press("v")
        await v.wait_for(AREA)
        v.press("\x1b[B" * 30 + "\r")  # ↓ to the economy panel's last target, KT99, and Enter
        screen = await v.wait_for(f"{MARKUP_TARGET} · {MARKUP}")  # the title as written
        await v.wait_for(safe_text("[bold" + REPORTER)[:30])  # its history arrived
        v.press("\x1b")  # and back: the session goes on
        await v.wait_for(AREA)
        assert v.proc.exit_status is None, screen
        got = bytes(v.received)
        for payload in PAYLOADS:  # OSC 52, C1 CSI, OSC 0, bidi: none from the data
            assert payload not in got
        assert b"Traceback" not in got and str(REPO).encode() not in got
        assert b"site-packages" not in got and str(served.data).encode() not in got
    finally:
        await v.close()


def openssh_in_tmux(server: CliServer, capture: Path) -> Pane:
    """The system's ssh client in a tmux pane; every byte the pane gets is copied to capture."""
    ssh = " ".join(shlex.quote(a) for a in server.ssh("-t", "viewer@127.0.0.1"))
    pane = Pane.start(["sh", "-c", f"{ssh}; echo SSH-ENDED; sleep 60"], size=(120, 40))
    pane.tmux("pipe-pane", "-o", "-t", pane.name, f"cat >> {shlex.quote(str(capture))}")
    return pane


@pytest.mark.skipif(shutil.which("ssh") is None or shutil.which("tmux") is None,
                    reason="needs the OpenSSH client and tmux")
def test_sigterm_restores_the_terminal_then_says_goodbye(tmp_path: Path) -> None:
    server = start_cli_server(tmp_path)
    capture = tmp_path / "pane.bytes"
    pane = openssh_in_tmux(server, capture)
    try:
        pane.wait_for("Bảng xếp hạng đơn vị", 30)
        server.proc.send_signal(signal.SIGTERM)
        screen = pane.wait_for("SSH-ENDED", 20)
        assert pane.show("#{alternate_on}") == "0", "the pane was left on the alternate screen"
        assert GOODBYE in screen
        assert "Bảng xếp hạng đơn vị" not in screen, "the old dashboard is still on screen"
        assert "Disconnected" not in screen  # the client was not cut off before the goodbye
        got = capture.read_bytes()
        last_line = got[got.rindex(b"\x1b[?1049l"):]
        assert last_line.startswith(b"\x1b[?1049l\r\n" + GOODBYE.encode()), last_line[:200]
    finally:
        pane.close()
        stop(server)


async def test_stopping_the_server_leaves_the_alternate_screen_before_the_goodbye(
        tmp_path: Path) -> None:
    keys = make_keys(tmp_path / "keys")
    server = ServerThread(server_config(copy_sample(tmp_path / "data"), keys, tmp_path / "st"))
    v = await Viewer.open(server.port, keys.viewer)
    try:
        await v.wait_for("Kinh tế")
        await asyncio.to_thread(server.stop)
        await v.wait_exit()
        assert bytes(v.received).endswith(b"\x1b[?1049l\r\n" + GOODBYE.encode() + b"\r\n")
    finally:
        await v.close()


@pytest.mark.parametrize(("lang", "seconds", "said"), [
    ("vi", 2.0, "thidua: phiên đã đóng sau 2 giây không có thao tác"),
    ("en", 1.0, "thidua: session closed after 1 second without a key press"),
])
async def test_the_idle_message_names_the_configured_duration(
        tmp_path: Path, lang: str, seconds: float, said: str) -> None:
    keys = make_keys(tmp_path / "keys")
    server = ServerThread(server_config(copy_sample(tmp_path / "data"), keys, tmp_path / "st",
                                        idle_timeout=seconds, lang=lang))
    try:
        v = await Viewer.open(server.port, keys.viewer)
        try:
            assert await v.wait_exit(timeout=15) == 0  # no wait for the dashboard: at 1 s
            # a busy machine may close the session before it draws
            assert bytes(v.received).endswith(b"\x1b[?1049l\r\n" + said.encode() + b"\r\n")
        finally:
            await v.close()
    finally:
        server.stop()


@pytest.mark.parametrize(("lang", "seconds", "said"), [
    ("vi", 8, "8 giây"), ("vi", 90, "90 giây"), ("vi", 120, "2 phút"), ("vi", 28800, "8 giờ"),
    ("vi", 2.5, "2,5 giây"), ("en", 1, "1 second"), ("en", 8, "8 seconds"),
    ("en", 60, "1 minute"), ("en", 5400, "90 minutes"), ("en", 3600, "1 hour"),
    ("en", 28800, "8 hours"),
])
def test_durations_are_said_in_their_largest_whole_unit(lang: str, seconds: float,
                                                         said: str) -> None:
    assert duration(seconds, messages(lang)) == said


class BrokenHub:
    """A hub that says a proper hello (a real engine's snapshot) and then answers every
    request with a value no viewer can read: a peer gone wrong, for a viewer to survive."""

    def __init__(self, data: Path, folder: Path, *, broken_hello: bool = False) -> None:
        engine = Engine(data)
        engine.refresh()
        snap = engine.snapshot(codec.decode(datetime, AT))
        snapshot = b'{"nonsense": true}' if broken_hello else codec.to_json(snap).encode()
        self._hello = protocol.push(codec.to_json(engine.campaign).encode(), snapshot,
                                    kind="hello")
        engine.close()
        self.path = folder / "hub.sock"
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(str(self.path))
        self._sock.listen()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            conn, _ = self._sock.accept()
            conn.sendall(self._hello)
            for line in conn.makefile("rb"):
                request = json.loads(line)
                conn.sendall(protocol.frame({"type": "reply", "id": request["id"]},
                                            value=b'{"nonsense": true}'))

    def close(self) -> None:
        self._sock.close()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_broken_history_answer_stays_in_the_drill_down(tmp_path: Path) -> None:
    folder = tmp_path / "private"
    folder.mkdir(mode=0o700)
    hub = BrokenHub(copy_sample(tmp_path / "data"), folder)
    pane = Pane.start([sys.executable, "-m", "dashboard.ssh.viewer", "--socket", str(hub.path),
                       "--now", AT], report_exit=True,
                      env=f"PYTHONPATH={shlex.quote(str(REPO))}")
    try:
        pane.wait_for("Bảng xếp hạng đơn vị", 30)
        pane.keys("Enter")  # the drill-down asks the hub for the target's history
        pane.wait_for("Không tải được lịch sử báo cáo", 20)
        screen = pane.tmux("capture-pane", "-p", "-S", "-200", "-t", pane.name)
        assert "Traceback" not in screen and "exit status" not in screen
        pane.keys("Escape")
        pane.wait_for("Bảng xếp hạng đơn vị", 10)  # the viewer goes on
    finally:
        pane.close()
        hub.close()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_viewer_that_fails_shows_one_line_and_the_server_keeps_the_traceback(
        tmp_path: Path) -> None:
    folder = tmp_path / "private"
    folder.mkdir(mode=0o700)
    hub = BrokenHub(copy_sample(tmp_path / "data"), folder, broken_hello=True)
    pane = Pane.start([sys.executable, "-m", "dashboard.ssh.viewer", "--socket", str(hub.path),
                       "--now", AT], report_exit=True,
                      env=f"PYTHONPATH={shlex.quote(str(REPO))}")
    try:
        pane.wait_for("exit status 1", 30)
        screen = pane.tmux("capture-pane", "-p", "-S", "-200", "-t", pane.name)  # + scrollback
        assert messages("vi")("session.crashed") in screen
        assert "Traceback" not in screen and str(REPO) not in screen
        errors = list(folder.glob("viewer-*.error"))
        assert len(errors) == 1 and "Traceback" in errors[0].read_text(encoding="utf-8")
    finally:
        pane.close()
        hub.close()
