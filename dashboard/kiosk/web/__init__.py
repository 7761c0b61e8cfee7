"""`thidua serve-web`: the kiosk in a browser, through textual-serve.

textual-serve starts one kiosk process per browser connection and relays its terminal to
xterm.js. It has no authentication of any kind, so it binds to loopback unless told otherwise.
"""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

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
    """Serve until SIGINT/SIGTERM (textual-serve installs those handlers itself)."""
    import textual_serve
    from textual_serve.server import Server

    statics = Path(textual_serve.__file__).parent / "static"
    server = Server(command, host=host, port=port, title=title, public_url=url,
                    statics_path=statics, templates_path=TEMPLATES)
    server.serve()
