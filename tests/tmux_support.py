"""A real terminal for the tests: one pane on a private tmux server, read as a person would."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import time
import uuid
from collections.abc import Sequence

import psutil

# An explicit environment: a library may have put COLUMNS/LINES into this process's C-level
# environment (readline does), which a child would inherit and believe over its terminal.
TMUX_ENV = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


class Pane:
    """One pane on a private tmux server (its own socket): nobody else's sessions are near."""

    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def start(cls, command: Sequence[str], *, prefix: str = "thidua-test", env: str = "",
              size: tuple[int, int] = (120, 40), report_exit: bool = False) -> Pane:
        """Run command in a new pane that stays after it ends (to read how it ended).

        report_exit: a wrapper shell prints "exit status N" when the command ends.
        """
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        cmd = " ".join(shlex.quote(a) for a in command)
        script = f"TERM=xterm-256color {env} {cmd}"
        if report_exit:
            script += '; rc=$?; echo "exit status $rc"; exit $rc'
        subprocess.run(["tmux", "-L", name, "new-session", "-d", "-s", name,
                        "-x", str(size[0]), "-y", str(size[1]), script, ";",
                        "set-option", "-t", name, "remain-on-exit", "on"],
                       env=TMUX_ENV, check=True)
        return cls(name)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.name, *args], capture_output=True,
                              text=True, env=TMUX_ENV, check=False).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", self.name, key)
            time.sleep(0.15)  # one key at a time, as a person would (Escape needs a gap)

    def show(self, fmt: str) -> str:
        return self.tmux("display-message", "-p", "-t", self.name, fmt).strip()

    def dead(self) -> bool:
        return self.show("#{pane_dead}") == "1"

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{screen}")

    def close(self) -> None:
        """Stop the tmux server and whatever ran in the pane: a process that cannot take the
        hang-up (a kiosk whose UI loop a test froze) must not outlive the test."""
        procs: list[psutil.Process] = []
        with contextlib.suppress(Exception):
            root = psutil.Process(int(self.show("#{pane_pid}")))
            procs = [root, *root.children(recursive=True)]
        self.tmux("kill-server")
        _gone, alive = psutil.wait_procs(procs, timeout=3)
        for proc in alive:
            with contextlib.suppress(psutil.Error):
                proc.kill()
