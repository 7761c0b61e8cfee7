"""Which files in a data folder are candidates, and how to tell that one changed."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from dashboard.engine.text_safety import safe_text

PROGRESS_DIR = "progress"
TARGETS_FILE = "targets.parquet"
TARGETS_DIR = "targets"
_TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".lock", ".swp")
UNSAFE_NAME = "name holds control or bidi characters (shown as ␛ or �): rename it"
"""A name is shown wherever problems are (`check`, the `p` list, exports): one that would
retitle or clear a terminal is not read, and is listed under its safe form instead."""


@dataclass(frozen=True)
class FileSig:
    """Inode, size and mtime: a file with the same three is the same file, already validated."""

    inode: int
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Listing:
    targets: dict[str, FileSig]
    progress: dict[str, FileSig]
    problems: dict[str, str]
    """Candidate paths that could not be looked at (e.g. an unreadable folder), with why."""


def is_candidate_name(name: str) -> bool:
    """A regular Parquet file name the engine reads; hidden, temp and lock names are not."""
    if not name.endswith(".parquet") or name[0] in ".~_":
        return False
    stem = name[: -len(".parquet")]
    return bool(stem) and not stem.lower().endswith(_TEMP_SUFFIXES)


def list_candidates(folder: Path) -> Listing:
    """Every candidate file under folder, keyed by its path relative to folder (with /)."""
    problems: dict[str, str] = {}
    targets: dict[str, FileSig] = {}
    progress: dict[str, FileSig] = {}
    one = folder / TARGETS_FILE
    sig = _sig(one, problems, TARGETS_FILE)
    if sig:
        targets[TARGETS_FILE] = sig
    _walk(folder, TARGETS_DIR, targets, problems, recursive=False)
    _walk(folder, PROGRESS_DIR, progress, problems, recursive=True)
    return Listing(targets, progress, problems)


def is_watched_path(folder: Path, path: str) -> bool:
    """Whether a changed path can matter to the engine (for filtering watcher events)."""
    try:
        rel = Path(path).resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return False
    parts = rel.parts
    if not parts:
        return True
    if any(p[0] in ".~_" for p in parts[:-1]):
        return False
    if parts == ("campaign.toml",) or (parts[0] in (PROGRESS_DIR, TARGETS_DIR) and len(parts) == 1):
        return True
    return parts[0] in (PROGRESS_DIR, TARGETS_DIR, TARGETS_FILE) and (
        is_candidate_name(parts[-1]) or "." not in parts[-1]
    )


def _walk(
    folder: Path, sub: str, out: dict[str, FileSig], problems: dict[str, str], *, recursive: bool
) -> None:
    """Real folders first, then folders reached through symlinks, each folder once.

    A symlinked folder is followed only when it stays inside the data folder (or inside `sub`
    itself, which may be a link to a share) and leads to a folder not read yet: a link to
    `..` or to itself would otherwise walk forever or count the same files twice.
    """
    inside = (os.path.realpath(folder), os.path.realpath(folder / sub))
    seen: dict[tuple[int, int], str] = {}
    stack = [sub]
    linked: list[str] = []
    while stack or linked:
        rel_dir = stack.pop() if stack else linked.pop(0)
        try:
            st = os.stat(folder / rel_dir)
            if stat.S_ISDIR(st.st_mode) and seen.setdefault((st.st_dev, st.st_ino),
                                                            rel_dir) != rel_dir:
                problems[shown(rel_dir) + "/"] = (
                    f"symlink to a folder already read ({shown(seen[st.st_dev, st.st_ino])}/)")
                continue
            with os.scandir(folder / rel_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            problems[rel_dir] = "is a file, not a folder"
            continue
        except PermissionError:
            problems[rel_dir + "/"] = "permission denied (folder)"
            continue
        except OSError as e:
            problems[shown(rel_dir) + "/"] = _folder_reason(e)
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}"
            if entry.name[0] in ".~_":
                continue
            try:
                is_dir = entry.is_dir()
                is_link = entry.is_symlink()
            except OSError:
                is_dir = is_link = False
            if not _utf8(entry.name) and (is_dir or is_candidate_name(entry.name)):
                problems[shown(rel)] = "name is not valid UTF-8 (rename it)"
                continue
            if ((is_dir and recursive) or is_candidate_name(entry.name)) and (
                    safe_text(entry.name) != entry.name):
                problems[safe_text(rel) + ("/" if is_dir else "")] = UNSAFE_NAME
                continue
            if is_dir:
                if not recursive:
                    continue
                if not is_link:
                    stack.append(rel)
                    continue
                why = _link_problem(entry.path, inside)
                if why:
                    problems[rel + "/"] = why
                else:
                    linked.append(rel)
                continue
            if is_candidate_name(entry.name):
                sig = _sig(entry, problems, rel)
                if sig:
                    out[rel] = sig


def shown(rel: str) -> str:
    """A path for people: bytes that are not UTF-8 as visible escapes (\\xff)."""
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.scandir keeps undecodable bytes as surrogates
        return False
    return True


def _link_problem(path: str, inside: tuple[str, ...]) -> str | None:
    """Why a symlinked folder is not followed, or None."""
    real = os.path.realpath(path)
    parent = os.path.realpath(os.path.dirname(path))
    if parent == real or parent.startswith(real + os.sep):
        return "symlink loop (it points to a folder that contains it)"
    if not any(real == root or real.startswith(root + os.sep) for root in inside):
        return "symlink points outside the data folder (not followed)"
    return None


def _folder_reason(e: OSError) -> str:
    if e.errno == errno.ELOOP:
        return "symlink loop"
    return f"cannot list folder ({e.strerror or e})"


def _sig(path: Path | os.DirEntry[str], problems: dict[str, str], rel: str) -> FileSig | None:
    """A DirEntry from the walk saves building a Path per file (a tenth of a refresh at 1000
    files); its stat() follows symlinks like Path.stat()."""
    try:
        st = path.stat()
    except FileNotFoundError:
        if os.path.islink(path):
            problems[rel] = "broken link (it points to a file that does not exist)"
        return None
    except PermissionError:
        problems[rel] = "permission denied"
        return None
    except OSError as e:
        problems[rel] = "symlink loop" if e.errno == errno.ELOOP else (
            f"cannot be read ({e.strerror or e})")
        return None
    if not stat.S_ISREG(st.st_mode):
        if path.name == TARGETS_FILE and stat.S_ISDIR(st.st_mode):
            return None
        problems[rel] = "not a regular file"
        return None
    return FileSig(st.st_ino, st.st_size, st.st_mtime_ns)
