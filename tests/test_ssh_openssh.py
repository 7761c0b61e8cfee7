"""The real `thidua serve-ssh` command, driven by the system's OpenSSH client (under tmux,
read as a person would) and stopped with SIGTERM as a service manager would."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.app_support import copy_sample
from tests.test_ssh_support import Keys, Viewer, make_keys
from tests.tmux_support import Pane

pytestmark = pytest.mark.skipif(shutil.which("ssh") is None, reason="no OpenSSH client")
REPO = Path(__file__).resolve().parents[1]


@dataclass
class CliServer:
    proc: subprocess.Popen[str]
    port: int
    keys: Keys
    log: Path

    def ssh(self, *args: str) -> list[str]:
        return ["ssh", "-p", str(self.port), "-i", str(self.keys.viewer),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes", "-F", "/dev/null", *args]


def start_cli_server(root: Path, *extra: str) -> CliServer:
    keys = make_keys(root / "keys")
    data = copy_sample(root / "data")
    env = {**os.environ, "XDG_STATE_HOME": str(root / "state"), "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve-ssh", "--data", str(data),
         "--now", "2020-07-15T10:00", "--listen", "127.0.0.1:0",
         "--authorized-keys", str(keys.authorized), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=root)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"(?:on|tại) 127\.0\.0\.1:(\d+) ", line)  # vi or en
    if not match:
        proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        raise AssertionError(f"the server did not start: {line}{err}")
    return CliServer(proc, int(match.group(1)), keys, root / "state" / "thidua" / "ssh.log")


def stop(server: CliServer) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


@pytest.fixture(scope="module")
def cli_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliServer]:
    server = start_cli_server(tmp_path_factory.mktemp("openssh"))
    try:
        yield server
    finally:
        stop(server)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_openssh_client_under_tmux_shows_the_dashboard(cli_server: CliServer) -> None:
    term = Pane.start(cli_server.ssh("-tt", "viewer@127.0.0.1"), prefix="thidua-ssh",
                      size=(160, 48))
    name = term.name
    try:
        screen = term.wait_for("Quốc phòng – An ninh")
        screen = term.wait_for("còn lại đến 23:59 ngày 30/9/2020")
        assert any("Kinh tế" in ln and "Văn hóa – Xã hội" in ln for ln in screen.splitlines())
        term.tmux("resize-window", "-t", name, "-x", "90", "-y", "40")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # narrower than 120 columns: the panels stack
            lines = term.screen().splitlines()
            if (not any("Kinh tế" in ln and "Văn hóa" in ln for ln in lines)
                    and any("Kinh tế" in ln for ln in lines)):
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"the layout did not follow the resize:\n{term.screen()}")
        term.keys("v")
        term.wait_for("Economy")
        term.keys("q")
        deadline = time.monotonic() + 10
        while not term.dead() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert term.dead(), "q did not end the ssh session"
    finally:
        term.close()


def test_openssh_sees_only_public_key_auth_and_no_commands(cli_server: CliServer) -> None:
    no_key = subprocess.run(
        [*cli_server.ssh("-T", "-o", "BatchMode=yes", "-o", "PubkeyAuthentication=no",
                         "-o", "PreferredAuthentications=password,keyboard-interactive",
                         "viewer@127.0.0.1")],
        capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL, check=False)
    assert no_key.returncode == 255
    assert "Permission denied (publickey)" in no_key.stderr
    exec_ = subprocess.run(cli_server.ssh("-T", "viewer@127.0.0.1", "id"), capture_output=True,
                           text=True, timeout=20, stdin=subprocess.DEVNULL, check=False)
    assert exec_.returncode != 0 and "uid=" not in exec_.stdout
    assert "exec request failed" in exec_.stderr
    sftp = subprocess.run(
        ["sftp", "-b", "-", "-P", str(cli_server.port), "-i", str(cli_server.keys.viewer),
         "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-F",
         "/dev/null", "viewer@127.0.0.1"], input="ls\n", capture_output=True, text=True,
        timeout=20, check=False) if shutil.which("sftp") else None
    if sftp is not None:
        assert sftp.returncode != 0
    banner = socket.create_connection(("127.0.0.1", cli_server.port), timeout=5).recv(64)
    assert banner == b"SSH-2.0-thidua\r\n"


async def test_sigterm_says_goodbye_reaps_the_viewers_and_frees_the_port(tmp_path: Path) -> None:
    server = start_cli_server(tmp_path)
    try:
        viewers = [await Viewer.open(server.port, server.keys.viewer) for _ in range(2)]
        for v in viewers:
            await v.wait_for("Kinh tế")
        pids = [int(p) for p in re.findall(r", pid (\d+)", server.log.read_text())]
        assert len(pids) == 2
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(server.proc.pid)],
                                  capture_output=True, text=True, check=False).stdout.split()
        server.proc.send_signal(signal.SIGTERM)
        for v in viewers:
            assert await v.wait_exit(timeout=15) == 0
            assert "máy chủ đang dừng; tạm biệt" in v.received.decode(errors="replace")
            await v.close()
        assert await asyncio.to_thread(server.proc.wait, 15) == 0
        for pid in [*pids, *map(int, children)]:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", server.port), timeout=5)
        with socket.socket() as s:  # a restarted server can listen there again at once
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", server.port))
            s.listen()
        log = server.log.read_text()
        assert "signal received: stopping" in log and "stopped" in log
    finally:
        stop(server)
