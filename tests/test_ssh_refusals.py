"""Everything `thidua serve-ssh` refuses, each asserted with a real asyncssh client: a session
is a PTY shell with a listed key, and nothing else."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from tests.app_support import copy_sample
from tests.test_ssh_support import (
    Served,
    ServerThread,
    Viewer,
    connect,
    make_keys,
    server_config,
    serving,
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One place only, and a one-second login timeout."""
    root = tmp_path_factory.mktemp("refusals")
    with serving(root, copy_sample(root / "data"), max_sessions=1, login_timeout=1.0) as served:
        yield served


async def test_password_and_keyboard_interactive_are_refused(served: Served) -> None:
    for options in ({"password": "viewer"}, {"kbdint_auth": True, "password": "viewer"}):
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(served.server.port, None, **options)


async def test_an_unknown_key_and_a_wrong_user_get_the_same_answer(served: Served) -> None:
    with pytest.raises(asyncssh.PermissionDenied) as unknown_key:
        await connect(served.server.port, served.keys.stranger)
    with pytest.raises(asyncssh.PermissionDenied) as wrong_user:
        await connect(served.server.port, served.keys.viewer, user="root")
    assert unknown_key.value.code == wrong_user.value.code
    assert str(unknown_key.value) == str(wrong_user.value).replace("root", "viewer")
    log = served.server.wait_log("user 'root'")
    assert "auth failure: user 'viewer', key SHA256:" in log


async def test_three_failed_keys_drop_the_connection(served: Served, tmp_path: Path) -> None:
    strangers = make_keys(tmp_path / "more")
    keys = [str(strangers.viewer), str(strangers.stranger), str(served.keys.stranger),
            str(served.keys.viewer)]  # the right key comes fourth: too late
    with pytest.raises((asyncssh.DisconnectError, asyncssh.PermissionDenied)):
        await connect(served.server.port, None, client_keys=keys)
    assert "after 3 failed keys" in served.server.wait_log("failed keys")


async def test_a_connection_that_never_authenticates_is_dropped(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.server.port), timeout=10) as s:
        banner = s.recv(256)
        assert banner.startswith(b"SSH-2.0-thidua\r\n"), banner  # no library, no version
        started = time.monotonic()
        while s.recv(4096):  # the server's key exchange offer, then nothing: we stay silent
            pass
        assert time.monotonic() - started < 5, "the login timeout (1 s) did not apply"


async def test_exec_is_refused(served: Served) -> None:
    async with await connect(served.server.port, served.keys.viewer) as conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.run("id")
    assert "refused exec" in served.server.wait_log("refused exec")


async def test_sftp_and_scp_are_refused(served: Served) -> None:
    async with await connect(served.server.port, served.keys.viewer) as conn:
        with pytest.raises(asyncssh.Error):
            await conn.start_sftp_client()
    async with await connect(served.server.port, served.keys.viewer) as conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.run("scp -t /tmp")  # what `scp file host:` runs on the server
    assert "refused subsystem 'sftp'" in served.server.wait_log("refused subsystem")


async def test_port_forwarding_is_refused(served: Served) -> None:
    async with await connect(served.server.port, served.keys.viewer) as conn:
        with pytest.raises(asyncssh.ChannelOpenError):  # -L and -D open direct-tcpip
            await conn.open_connection("127.0.0.1", served.server.port)
        with pytest.raises(asyncssh.ChannelListenError):  # -R
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 22)
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.open_unix_connection("/run/dbus/system_bus_socket")
    log = served.server.wait_log("refused remote forwarding")
    assert f"refused forwarding to 127.0.0.1:{served.server.port}" in log


async def test_agent_and_x11_forwarding_are_refused(served: Served, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="asyncssh")
    served.server.wait_idle()
    agent = tmp_path / "agent.sock"  # never contacted: the server must not ask for it
    v = await Viewer.open(served.server.port, served.keys.viewer, agent_forwarding=True,
                          agent_path=str(agent))
    try:
        await v.wait_for("Kinh tế")
        session = served.server.call(lambda: next(iter(served.server.server.sessions)))
        assert session.agent_path is None
        assert "SSH_AUTH_SOCK" not in session.env
        assert any("Agent forwarding request denied" in r.getMessage() for r in caplog.records)
    finally:
        await v.close()
    (tmp_path / "Xauthority").write_bytes(b"")
    async with await connect(served.server.port, served.keys.viewer) as conn:
        with pytest.raises(asyncssh.ChannelOpenError, match="X11"):
            await conn.create_process(term_type="xterm", x11_forwarding=True,
                                      x11_display="localhost:0",
                                      x11_auth_path=str(tmp_path / "Xauthority"))


async def test_a_shell_without_a_terminal_is_refused_with_a_message(served: Served) -> None:
    async with await connect(served.server.port, served.keys.viewer) as conn:
        result = await conn.run()  # `ssh -T host`: a shell, no pty
        assert result.exit_status == 1
        assert "ssh -t" in str(result.stderr)
    assert "refused a session without a terminal" in served.server.wait_log("without a term")


async def test_one_session_per_connection(served: Served) -> None:
    served.server.wait_idle()
    v = await Viewer.open(served.server.port, served.keys.viewer)
    try:
        await v.wait_for("Kinh tế")
        with pytest.raises(asyncssh.ChannelOpenError):
            await v.conn.create_process(term_type="xterm")
    finally:
        await v.close()


async def test_more_sessions_than_the_cap_are_refused_with_a_message(served: Served) -> None:
    served.server.wait_idle()
    first = await Viewer.open(served.server.port, served.keys.viewer)
    try:
        await first.wait_for("Kinh tế")
        second = await Viewer.open(served.server.port, served.keys.viewer)
        try:
            assert await second.wait_exit() == 1
            assert "đã đủ 1 người xem" in second.received.decode()
        finally:
            await second.close()
        first.press("l")  # the one inside is not disturbed
        await first.wait_for("Bảng xếp hạng đơn vị")
    finally:
        await first.close()
    assert "all 1 places taken" in served.server.wait_log("places taken")


async def test_a_new_connection_storm_is_rate_limited(tmp_path: Path) -> None:
    keys = make_keys(tmp_path / "keys")
    data = copy_sample(tmp_path / "data")
    server = ServerThread(server_config(data, keys, tmp_path / "state", rate_limit=2))
    try:
        for _ in range(2):
            async with await connect(server.port, keys.viewer):
                pass
        with pytest.raises((ConnectionError, asyncssh.Error, OSError)):
            await asyncio.wait_for(connect(server.port, keys.viewer), 10)
        assert "rate limit: refused a connection from 127.0.0.1" in server.wait_log("rate")
    finally:
        server.stop()


async def test_an_idle_session_is_closed_with_a_message(tmp_path: Path) -> None:
    keys = make_keys(tmp_path / "keys")
    data = copy_sample(tmp_path / "data")
    server = ServerThread(server_config(data, keys, tmp_path / "state", idle_timeout=1.0))
    try:
        v = await Viewer.open(server.port, keys.viewer)
        try:
            await v.wait_for("Kinh tế")
            assert await v.wait_exit(timeout=10) == 0
            assert "không có thao tác" in v.received.decode(errors="replace")
        finally:
            await v.close()
        assert "không có thao tác" in server.wait_log("end: user viewer")  # logged with its reason
    finally:
        server.stop()
