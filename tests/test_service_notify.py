"""systemd's view of the kiosk and the servers (Type=notify, WatchdogSec): READY=1 once the
first screen or the listener is up, then WATCHDOG=1 from the UI or asyncio loop — and none
once that loop is blocked, which is what makes systemd restart a frozen kiosk. Real processes,
a real datagram socket in systemd's place."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from dashboard.kiosk.kiosk_app import FREEZE_AFTER
from dashboard.sd_notify import Notifier
from tests.app_support import copy_sample
from tests.notify_support import NotifySocket, beats
from tests.test_kiosk_deploy import TITLE
from tests.test_ssh_support import make_keys
from tests.tmux_support import Pane
from tools.browser_kiosk import free_port as _free_port
from tools.browser_kiosk import stop as _stop

NOW = "2020-07-15T10:00"


@pytest.fixture
def notify() -> Iterator[NotifySocket]:
    sock = NotifySocket()
    try:
        yield sock
    finally:
        sock.close()


def test_a_frozen_kiosk_stops_its_heartbeat(tmp_path: Path, notify: NotifySocket) -> None:
    folder = copy_sample(tmp_path / "d")
    env = (f"NOTIFY_SOCKET={notify.name} WATCHDOG_USEC=1000000 {FREEZE_AFTER}=5 "
           f"XDG_STATE_HOME={tmp_path / 'state'}")
    pane = Pane.start([sys.executable, "-m", "dashboard", "kiosk", "--data", str(folder),
                       "--now", NOW], env=env, size=(120, 40))
    try:
        ready = notify.wait_for("READY=1", timeout=60)
        pane.wait_for(TITLE, timeout=3)  # READY=1 came with the first screen
        alive = beats(notify.until(ready.at + 4.5))
        assert len(alive) >= 4, notify.notices  # every 0.5 s, half the 1 s watchdog
        frozen = notify.until(ready.at + 9)  # the UI loop sleeps from 5 s on
        late = [n for n in beats(frozen) if n.at > ready.at + 5.8]
        assert not late, f"heartbeats from a frozen UI loop: {late}"
        assert not pane.dead()  # alive but stuck: only the watchdog notices
    finally:
        pane.close()


def test_serve_ssh_is_ready_once_it_listens(tmp_path: Path, notify: NotifySocket) -> None:
    keys = make_keys(tmp_path / "keys")
    data = copy_sample(tmp_path / "data")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"),
           "NOTIFY_SOCKET": notify.name, "WATCHDOG_USEC": "600000"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve-ssh", "--data", str(data), "--now", NOW,
         "--listen", "127.0.0.1:0", "--authorized-keys", str(keys.authorized)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    try:
        ready = notify.wait_for("READY=1", timeout=60)
        match = re.search(r"127\.0\.0\.1:(\d+)", ready.fields.get("STATUS", ""))
        assert match, ready
        with socket.create_connection(("127.0.0.1", int(match.group(1))), timeout=5) as c:
            assert c.recv(64).startswith(b"SSH-2.0-thidua")
        alive = beats(notify.until(time.monotonic() + 1.5))
        assert len(alive) >= 2, notify.notices
        assert {n.pid for n in notify.notices} == {proc.pid}
        for child in psutil.Process(proc.pid).children(recursive=True):
            assert "NOTIFY_SOCKET" not in child.environ(), child.cmdline()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def test_serve_web_is_ready_once_the_port_answers(tmp_path: Path,
                                                  notify: NotifySocket) -> None:
    folder = copy_sample(tmp_path / "d")
    port = _free_port()
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"),
           "NOTIFY_SOCKET": notify.name, "WATCHDOG_USEC": "600000"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve-web", "--data", str(folder), "--now", NOW,
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        notify.wait_for("READY=1", timeout=60)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert page.status == 200  # at once: READY=1 means the port answers
        alive = beats(notify.until(time.monotonic() + 1.5))
        assert len(alive) >= 2, notify.notices
        assert {n.pid for n in notify.notices} == {proc.pid}
    finally:
        _stop(proc)


def test_only_the_process_systemd_watches_feeds_the_watchdog() -> None:
    env = {"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1", "HOME": "/"}
    other = Notifier.from_environment(env)
    assert other.heartbeat_seconds is None and env == {"HOME": "/"}  # and kept from children
    mine = Notifier.from_environment({"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "30000000",
                                      "WATCHDOG_PID": str(os.getpid())})
    assert mine.heartbeat_seconds == 15.0
    assert Notifier.from_environment({}).heartbeat_seconds is None
    assert not Notifier.from_environment({}).send("READY=1")
