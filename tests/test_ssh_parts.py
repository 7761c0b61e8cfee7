"""The SSH server's small parts: environment allow-list, limits, keys, listen address, the
stream's framing, the command line, and what a viewer process loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import asyncssh
import pytest

from dashboard.cli import build_parser, main
from dashboard.ssh import protocol
from dashboard.ssh.config import is_loopback, parse_listen
from dashboard.ssh.env import viewer_env
from dashboard.ssh.keys import AuthorizedKeys, KeyFileError, load_or_create_host_key
from dashboard.ssh.limits import RateLimiter, SessionSlots
from tests.test_ssh_support import make_keys

REPO = Path(__file__).resolve().parents[1]


def test_the_viewer_environment_is_an_allow_list() -> None:
    client = {"LANG": "vi_VN.UTF-8", "LC_ALL": "C.UTF-8", "COLORTERM": "truecolor",
              "LD_PRELOAD": "/tmp/x.so", "TEXTUAL_DRIVER": "x", "TEXTUAL": "devtools",
              "COLUMNS": "20", "LINES": "5", "PATH": "/tmp/evil", "PYTHONPATH": "/tmp/evil",
              "LC_CTYPE": "$(reboot)", "TERM": "dumb"}
    env = viewer_env(client, "xterm-kitty", {"PATH": "/usr/bin", "HOME": "/home/srv",
                                             "SECRET_TOKEN": "s"})
    assert env["TERM"] == "xterm-kitty"  # the pty request's type, not a TERM variable
    assert env["LANG"] == "vi_VN.UTF-8" and env["LC_ALL"] == "C.UTF-8"
    assert env["COLORTERM"] == "truecolor" and env["PATH"] == "/usr/bin"
    for bad in ("LD_PRELOAD", "TEXTUAL_DRIVER", "TEXTUAL", "COLUMNS", "LINES", "LC_CTYPE",
                "SECRET_TOKEN"):
        assert bad not in env
    assert "/tmp/evil" not in env["PYTHONPATH"]
    assert viewer_env({}, "bad term\x1b[")["TERM"] == "xterm-256color"


def test_the_rate_limit_is_per_address_over_a_sliding_minute() -> None:
    now = [0.0]
    rate = RateLimiter(2, monotonic=lambda: now[0])
    assert rate.allow("a") and rate.allow("a") and not rate.allow("a")
    assert rate.allow("b")
    now[0] = 59.9
    assert not rate.allow("a")
    now[0] = 60.0
    assert rate.allow("a")


def test_session_places() -> None:
    slots = SessionSlots(2)
    a, b = slots.take(), slots.take()
    assert a is not None and b is not None and slots.take() is None
    slots.give_back(a)
    assert slots.take() is not None and len(slots) == 2


def test_the_host_key_is_made_once_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "state" / "host_key"
    key = load_or_create_host_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_host_key(path).get_fingerprint() == key.get_fingerprint()
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_or_create_host_key(path)


def test_authorized_keys_are_read_again_when_the_file_changes(tmp_path: Path) -> None:
    keys = make_keys(tmp_path)
    viewer = asyncssh.read_public_key(tmp_path / "viewer.pub")  # as the client offers it
    stranger = asyncssh.read_public_key(tmp_path / "stranger.pub")
    allowed = AuthorizedKeys(keys.authorized)
    assert allowed.allows(viewer, "127.0.0.1", "127.0.0.1")
    assert not allowed.allows(stranger, "127.0.0.1", "127.0.0.1")
    with keys.authorized.open("ab") as f:  # adding a viewer needs no restart
        f.write((tmp_path / "stranger.pub").read_bytes())
    assert allowed.allows(stranger, "127.0.0.1", "127.0.0.1")
    keys.authorized.write_text(
        'from="10.0.0.1" ' + (tmp_path / "viewer.pub").read_text(encoding="utf-8"))
    assert not allowed.allows(viewer, "127.0.0.1", "127.0.0.1")  # OpenSSH options apply
    keys.authorized.chmod(0o666)
    assert not allowed.allows(viewer, "10.0.0.1", "10.0.0.1")  # writable by others: no one
    empty = tmp_path / "empty"
    empty.write_text("")
    with pytest.raises(KeyFileError):
        AuthorizedKeys(empty)


def test_listen_addresses() -> None:
    assert parse_listen("127.0.0.1:2222") == ("127.0.0.1", 2222)
    assert parse_listen("[::1]:22") == ("::1", 22)
    assert parse_listen(":2222") == ("127.0.0.1", 2222)
    for bad in ("2222", "host:port", "1.2.3.4:70000"):
        with pytest.raises(ValueError):
            parse_listen(bad)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")


def test_spliced_frames_are_valid_json_lines() -> None:
    line = protocol.push(b'{"id":"c"}', b'{"as_of":"x"}')
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == {"type": "push", "campaign": {"id": "c"},
                                "snapshot": {"as_of": "x"}}
    assert json.loads(protocol.reply(7, b"[1,2]")) == {"type": "reply", "id": 7, "value": [1, 2]}
    assert json.loads(protocol.failure(7, "bad\nthing"))["error"] == "bad\nthing"


def test_serve_ssh_needs_authorized_keys_and_stays_on_loopback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve-ssh"])
    keys = make_keys(tmp_path)
    code = main(["serve-ssh", "--listen", "0.0.0.0:2222", "--authorized-keys",
                 str(keys.authorized)])
    assert code == 2 and "--allow-remote" in capsys.readouterr().err
    args = build_parser().parse_args(["serve-ssh", "--authorized-keys", "k", "--max-sessions",
                                      "5", "--idle-timeout", "0", "--rate-limit", "3"])
    assert (args.listen, args.max_sessions, args.idle_timeout, args.rate_limit) == (
        "127.0.0.1:2222", 5, 0.0, 3)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve-ssh", "--authorized-keys", "k", "--max-sessions",
                                   "0"])


def test_a_viewer_process_loads_no_duckdb_and_no_server_parts() -> None:
    code = ("import sys\n"
            "import dashboard.ssh.forkserver as f\n"
            "f.preload()\n"
            "bad = [m for m in ('duckdb', 'asyncssh', 'dashboard.ssh.hub', 'watchfiles')"
            " if m in sys.modules]\n"
            "assert not bad, bad\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=False)
    assert run.returncode == 0, run.stderr
