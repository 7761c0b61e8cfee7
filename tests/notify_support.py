"""The socket systemd listens on for sd_notify messages, owned by a test: an abstract datagram
socket that also learns each sender's pid (SO_PASSCRED)."""

from __future__ import annotations

import socket
import struct
import time
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    at: float
    """time.monotonic() when it arrived"""
    pid: int
    fields: dict[str, str]


class NotifySocket:
    def __init__(self) -> None:
        self.name = f"@thidua-test-{uuid.uuid4().hex[:12]}"
        """The value for $NOTIFY_SOCKET."""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind("\0" + self.name[1:])
        self.notices: list[Notice] = []

    def _receive(self, timeout: float) -> Notice | None:
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data, ancillary, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except TimeoutError:
            return None
        pid = next((struct.unpack("3i", d[:12])[0] for level, kind, d in ancillary
                    if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS), -1)
        fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
        notice = Notice(time.monotonic(), pid, fields)
        self.notices.append(notice)
        return notice

    def wait_for(self, field: str, timeout: float) -> Notice:
        """The first notice with `field` (e.g. READY=1)."""
        key, value = field.split("=", 1)
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            notice = self._receive(left)
            if notice is not None and notice.fields.get(key) == value:
                return notice
        raise AssertionError(f"no {field} within {timeout} s; got {self.notices}")

    def until(self, moment: float) -> list[Notice]:
        """Every notice that arrives before time.monotonic() reaches `moment`."""
        got = []
        while (left := moment - time.monotonic()) > 0:
            notice = self._receive(left)
            if notice is not None:
                got.append(notice)
        return got

    def close(self) -> None:
        self.sock.close()


def beats(notices: list[Notice]) -> list[Notice]:
    return [n for n in notices if n.fields.get("WATCHDOG") == "1"]
