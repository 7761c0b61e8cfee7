"""Hostile SSH clients and hostile data, with real asyncssh clients over 127.0.0.1: one viewer's
fate never touches another's, no escape sequence from the data and no traceback reaches a
viewer, and a closed session leaves the client's terminal as it found it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.app_support import copy_sample
from tests.test_ssh_support import Keys, ServerThread, Viewer, connect, make_keys, server_config

AREA = "Kinh tế"


@dataclass
class Served:
    server: ServerThread
    keys: Keys
    data: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("hostile")
    data = copy_sample(root / "data")
    keys = make_keys(root / "keys")
    server = ServerThread(server_config(data, keys, root / "state"))
    try:
        yield Served(server, keys, data)
    finally:
        server.stop()


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
