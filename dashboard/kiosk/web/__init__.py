"""`thidua serve-web`: the kiosk in a browser, through textual-serve.

textual-serve starts one kiosk process per browser connection and relays its terminal to
xterm.js. It has no authentication of any kind, so it binds to loopback unless told otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import shlex
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dashboard.sd_notify import notifier

TEMPLATES = Path(__file__).parent / "templates"


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_url(host: str, port: int, given: str | None) -> str:
    """The address browsers use; for a wildcard bind (0.0.0.0, ::) this machine's name, since
    the page tells the browser where to open its websocket."""
    if given:
        return given.rstrip("/")
    shown = host
    try:
        if ipaddress.ip_address(host).is_unspecified:
            shown = socket.getfqdn()
    except ValueError:
        pass
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def kiosk_command(argv: Sequence[str]) -> str:
    """The shell command textual-serve runs for each browser: this Python, `thidua kiosk`."""
    return shlex.join([sys.executable, "-m", "dashboard", "kiosk", *argv])


def serve(command: str, host: str, port: int, url: str, title: str) -> None:
    """Serve until SIGINT/SIGTERM (textual-serve installs those handlers itself), telling
    systemd once the port answers and feeding its watchdog from the server's loop."""
    import textual_serve
    from textual_serve.server import Server

    class NotifyingServer(Server):
        async def on_startup(self, app: Any) -> None:
            await super().on_startup(app)
            loop = asyncio.get_running_loop()
            notifier().beat_on(loop)
            self.announcing = loop.create_task(_ready_when_listening(host, port))

    statics = Path(textual_serve.__file__).parent / "static"
    server = NotifyingServer(command, host=host, port=port, title=title, public_url=url,
                             statics_path=statics, templates_path=TEMPLATES)
    server.serve()


async def _ready_when_listening(host: str, port: int) -> None:
    """READY=1 once a connection to the port succeeds (aiohttp binds after on_startup)."""
    probe = host
    with contextlib.suppress(ValueError):
        address = ipaddress.ip_address(host)
        if address.is_unspecified:  # a wildcard bind answers on loopback too
            probe = "::1" if address.version == 6 else "127.0.0.1"
    while True:
        try:
            _, writer = await asyncio.open_connection(probe, port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        notifier().ready(f"serving browsers on port {port}")
        return
