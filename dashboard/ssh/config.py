"""What `thidua serve-ssh` was told: one frozen record, shared by the server and the tests."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.paths import state_dir
from dashboard.usage_errors import UsageError

DEFAULT_LISTEN = "127.0.0.1:2222"


@dataclass(frozen=True)
class ServerConfig:
    data: Path
    authorized_keys: Path
    host: str = "127.0.0.1"
    port: int = 2222
    """0 picks a free port (tests); SshServer.port tells which."""
    host_key: Path | None = None
    """Default: state_dir()/ssh_host_ed25519_key."""
    user: str = "viewer"
    presenter_keys: Path | None = None
    """Keys that may also start a meeting (authorized_keys format); None: no meetings."""
    meeting_title: str | None = None
    """The meetings' name on the banner; None: "the meeting of <day>" in each language."""
    meeting_feed: tuple[str, int] | None = None
    """Where kiosks read the meeting's state (`thidua kiosk --follow`); port 0 picks one."""
    lang: str = "vi"
    now: str | None = None
    """A fixed instant for every viewer and the hub (ISO 8601, as the codec writes it)."""
    replay: float | None = None
    max_sessions: int = 20
    idle_timeout: float = 8 * 3600.0
    """Seconds without a key press before a session is closed; 0 never."""
    login_timeout: float = 30.0
    rate_limit: int = 20
    """New connections per minute per client address."""
    keepalive_interval: float = 30.0
    keepalive_count_max: int = 3
    kill_grace: float = 3.0
    """Seconds a viewer has to exit after SIGTERM before SIGKILL."""
    log_file: Path | None = None
    """Default: state_dir()/ssh.log."""
    live_seconds: float = 30.0
    """With the real clock, a fresh live snapshot this often even without new files."""
    rescan_seconds: float = 3.0
    watch: bool = True
    freshness: Any = None
    """For s3:// data, the mirror's poller (dashboard/s3/poller.py): it tells the hub of new
    objects and marks the live snapshot stale while the bucket cannot be reached."""

    @property
    def host_key_path(self) -> Path:
        return self.host_key or state_dir() / "ssh_host_ed25519_key"

    @property
    def log_path(self) -> Path:
        return self.log_file or state_dir() / "ssh.log"


def parse_listen(text: str, flag: str = "--listen") -> tuple[str, int]:
    """HOST:PORT, [IPv6]:PORT or :PORT (loopback)."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise UsageError.of("listen_address", option=flag, value=repr(text))
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port_text)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve beyond this machine
