"""Every file thidua writes appears whole or not at all: the sample, the Excel template, and
the one file an import adds to a data folder."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, write: Callable[[BinaryIO], object], *,
                 publish: Callable[[Path, Path], None] = os.replace) -> None:
    """Write into a hidden temp name beside `path` (the engine ignores names that start with
    a dot), fsync, then publish it: rename over `path` by default, or e.g. a hard link that
    never replaces an existing file. The temp name never stays behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """`data` as the whole of `path`, replacing what was there."""
    write_atomic(path, lambda f: f.write(data))


def fsync_dir(path: Path) -> None:
    """Make a rename or link in `path` durable (where the file system allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_new_numbered(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """`data` as a new file `stem.suffix` in `folder`, or `stem-2.suffix`, `stem-3.suffix`…
    when that name is taken: an existing file is never replaced (two exports of the same
    instant keep both)."""
    for n in range(1, 1000):
        path = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        try:
            write_atomic(path, lambda f: f.write(data), publish=os.link)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(folder / f"{stem}{suffix}")
