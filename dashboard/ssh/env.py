"""The environment a viewer gets: built from an allow-list, never copied from the client.

SSH clients may send any variable (asyncssh accepts them all): LD_PRELOAD would load code into
the viewer, TEXTUAL_DRIVER or TEXTUAL_DEVTOOLS would change how it runs, COLUMNS/LINES would
pin its size (Textual prefers them over the pty's). Only the terminal's type, colours and
locale come from the client, and only in a plain shape.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

FROM_CLIENT = re.compile(r"^(LANG|LC_[A-Z]+|COLORTERM)$")
SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.@+-]{1,64}$")
FROM_SERVER = ("PATH", "HOME", "USER", "LOGNAME", "TZ", "TMPDIR")
DEFAULT_TERM = "xterm-256color"


def package_root() -> Path:
    """The folder that holds the `dashboard` package, for PYTHONPATH."""
    return Path(__file__).resolve().parents[2]


def server_env(server: Mapping[str, str] | None = None) -> dict[str, str]:
    """The fork server's environment: the server's basics, UTF-8 stdio, one BLAS thread
    (a forked process must not depend on threads it did not inherit)."""
    server = os.environ if server is None else server
    env = {k: server[k] for k in FROM_SERVER if k in server}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.update({
        "PYTHONPATH": str(package_root()),
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "LANG": "C.UTF-8",
    })
    return env


def viewer_env(client: Mapping[str, str], term_type: str | None,
               server: Mapping[str, str] | None = None) -> dict[str, str]:
    """The viewer's environment: the fork server's, plus what the client may choose."""
    env = server_env(server)
    for key, value in client.items():
        if FROM_CLIENT.match(key) and SAFE_VALUE.match(value):
            env[key] = value
    term = term_type or ""
    env["TERM"] = term if SAFE_VALUE.match(term) else DEFAULT_TERM
    return env
