"""The server's host key and the viewers' authorized keys.

The host key is generated on first start (Ed25519, mode 0600) and kept, so that the clients'
known_hosts entries stay valid across restarts; a key file others can read is refused, as
OpenSSH does. The authorized keys file is read again whenever it changes, so adding a
viewer's key needs no restart.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import asyncssh

from dashboard.engine.errors import ThiduaError


class KeyFileError(ThiduaError):
    """A host key or authorized keys file that cannot be used (one-line message)."""


def load_or_create_host_key(path: Path) -> asyncssh.SSHKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = asyncssh.generate_private_key("ssh-ed25519", comment="thidua serve-ssh")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another server raced us to it: use theirs
            return load_or_create_host_key(path)
        with os.fdopen(fd, "wb") as f:
            f.write(key.export_private_key())
        return key
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"host key {path} is accessible by others (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}")
    try:
        return asyncssh.read_private_key(path)
    except (OSError, asyncssh.KeyImportError) as e:
        raise KeyFileError(f"host key {path}: cannot be read ({e})") from None


class AuthorizedKeys:
    """An OpenSSH authorized_keys file, re-read when its size or mtime changes."""

    LABEL = "authorized keys"
    """What the file is called in messages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._sig: tuple[int, int, int] | None = None
        self._keys: asyncssh.SSHAuthorizedKeys | None = None
        self._load()  # a missing or empty file stops the server at start-up

    def allows(self, key: asyncssh.SSHKey, host: str, addr: str) -> bool:
        with self._lock:
            try:
                self._load()
            except KeyFileError:
                return False  # broken or gone since start: nobody gets in
            return self._keys is not None and self._keys.validate(key, host, addr) is not None

    def _load(self) -> None:
        try:
            st = self.path.stat()
        except OSError as e:
            self._keys = None
            raise KeyFileError(f"{self.LABEL} {self.path}: {e.strerror or e}") from None
        if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            self._keys = None
            raise KeyFileError(f"{self.LABEL} {self.path} is writable by others; "
                               f"run: chmod go-w {self.path}")
        sig = (st.st_ino, st.st_size, st.st_mtime_ns)
        if sig == self._sig:
            return
        try:
            text = self.path.read_text(encoding="utf-8")
            if not any(ln.strip() and not ln.lstrip().startswith("#")
                       for ln in text.splitlines()):
                raise ValueError("lists no keys")
            self._keys = asyncssh.import_authorized_keys(
                "\n".join(_without_comment(ln) for ln in text.splitlines()))
            self._parsed(text)
        except (OSError, UnicodeDecodeError, ValueError) as e:
            self._keys = None
            raise KeyFileError(f"{self.LABEL} {self.path}: {e}") from None
        self._sig = sig

    def _parsed(self, text: str) -> None:
        """The file was read again (a subclass keeps more of it)."""


class PresenterKeys(AuthorizedKeys):
    """--presenter-keys: an authorized_keys file whose keys may also start a meeting. The
    presenter is named by the key's comment (`ssh-ed25519 AAAA… Chủ tịch UBND`)."""

    LABEL = "presenter keys"

    def __init__(self, path: Path) -> None:
        self._lines: list[tuple[asyncssh.SSHAuthorizedKeys, str]] = []
        super().__init__(path)

    def presenter(self, key: asyncssh.SSHKey, host: str, addr: str) -> str | None:
        """The presenter's name when this key (from this address) is listed, else None."""
        with self._lock:
            try:
                self._load()
            except KeyFileError:
                return None
            for entry, name in self._lines:
                if entry.validate(key, host, addr) is not None:
                    return name
            return None

    def _parsed(self, text: str) -> None:
        lines = []
        for line in text.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                entry = asyncssh.import_authorized_keys(_without_comment(line))
            except ValueError:
                continue
            lines.append((entry, _comment(line)))
        self._lines = lines


def _split(line: str) -> tuple[str, str]:
    """An authorized_keys line as (options and key, comment): the comment is what follows the
    base64 key blob. asyncssh reads comments as ASCII only, and a name in Vietnamese is not."""
    fields = line.split()
    for i, field in enumerate(fields[:-1]):
        if field.startswith(("ssh-", "ecdsa-", "sk-")) and fields[i + 1].startswith("AAAA"):
            end = line.index(fields[i + 1]) + len(fields[i + 1])
            return line[:end], line[end:].strip()
    return line, ""


def _comment(line: str) -> str:
    return _split(line)[1]


def _without_comment(line: str) -> str:
    return _split(line)[0]
