"""Which files in a data folder are candidates, and how to tell that one changed."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from dashboard.engine.text_safety import safe_text

PROGRESS_DIR = "progress"
TARGETS_FILE = "targets.parquet"
TARGETS_DIR = "targets"
_TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".lock", ".swp")
UNSAFE_NAME = "name holds control or bidi characters (shown as ␛ or �): rename it"
"""A name is shown wherever problems are (`check`, the `p` list, exports): one that would
retitle or clear a terminal is not read, and is listed under its safe form instead."""


class FileSig(NamedTuple):
    """Inode, size and mtime: a file with the same three is the same file, already validated.

    A tuple, made and compared in C: a walk of 100,000 files makes and compares 100,000."""

    inode: int
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class FolderScan:
    """What listing one folder under progress/ found: enough to list that folder alone again."""

    files: tuple[str, ...]
    problems: tuple[str, ...]
    folders: tuple[str, ...]
    """Its sub-folders (real ones: a tree with a symlinked folder keeps no scans)."""


@dataclass(frozen=True)
class Listing:
    targets: dict[str, FileSig]
    progress: dict[str, FileSig]
    problems: dict[str, str]
    """Candidate paths that could not be looked at (e.g. an unreadable folder), with why."""
    folders: dict[str, FolderScan] | None = None
    """Each folder of progress/ as listed; None when one was reached through a symlink or
    could not be listed: then only a whole walk is exact (see relist)."""
    touched: frozenset[str] | None = None
    """After relist: the only progress files that may differ from the listing before (None:
    any may)."""


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
    folders: dict[str, FolderScan] = {}
    exact = _walk(folder, PROGRESS_DIR, progress, problems, recursive=True, folders=folders)
    return Listing(targets, progress, problems, folders if exact else None)


def relist(folder: Path, old: Listing, dirs: Iterable[str]) -> Listing | None:
    """`old` with only the folders `dirs` (under progress/) listed again, and any new
    sub-folder they now hold walked: what a watcher event needs, a stat per file of those
    folders instead of one per file of the whole tree. A folder gone takes its files along.

    None when that cannot give what a whole walk would (a folder not listed before, a
    symlinked folder, a folder that cannot be listed): walk everything then.
    """
    wanted = sorted(set(dirs))
    if old.folders is None or any(d not in old.folders for d in wanted):
        return None
    if not wanted:
        return replace(old, touched=frozenset())
    folders = dict(old.folders)
    progress = dict(old.progress)
    problems = dict(old.problems)
    touched: set[str] = set()
    for d in wanted:
        _forget(folders.pop(d), progress, problems, touched)
    fresh: dict[str, FolderScan] = {}
    if not _walk(folder, PROGRESS_DIR, progress, problems, recursive=True, folders=fresh,
                 start=wanted, known=set(folders) | set(wanted)):
        return None
    folders.update(fresh)
    for scan in fresh.values():
        touched.update(scan.files)
    for d in wanted:  # sub-folders that are gone (or d itself): their files with them
        kept = set(fresh[d].folders) if d in fresh else set()
        gone = [s for s in old.folders[d].folders if s not in kept]
        if d not in fresh:
            gone.append(d)
        for sub in gone:
            for k in [k for k in folders if k == sub or k.startswith(sub + "/")]:
                _forget(folders.pop(k), progress, problems, touched)
    return Listing(old.targets, progress, problems, folders, frozenset(touched))


def _forget(scan: FolderScan, progress: dict[str, FileSig], problems: dict[str, str],
            touched: set[str]) -> None:
    for rel in scan.files:
        progress.pop(rel, None)
        touched.add(rel)
    for key in scan.problems:
        problems.pop(key, None)


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
    folder: Path, sub: str, out: dict[str, FileSig], problems: dict[str, str], *,
    recursive: bool, folders: dict[str, FolderScan] | None = None,
    start: list[str] | None = None, known: set[str] | frozenset[str] = frozenset(),
) -> bool:
    """Real folders first, then folders reached through symlinks, each folder once.

    A symlinked folder is followed only when it stays inside the data folder (or inside `sub`
    itself, which may be a link to a share) and leads to a folder not read yet: a link to
    `..` or to itself would otherwise walk forever or count the same files twice.

    With `folders`, each folder listed is recorded there; start: the folders to list (default
    `sub`); known: sub-folders not to enter (listed already). Returns False when a folder was
    reached through a symlink or could not be listed (the records then are not enough to
    list one folder alone again).
    """
    inside = (os.path.realpath(folder), os.path.realpath(folder / sub))
    seen: dict[tuple[int, int], str] = {}
    stack = list(start) if start is not None else [sub]
    linked: list[str] = []
    exact = True
    while stack or linked:
        if not stack:
            exact = False
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
            n_problems = len(problems)
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            problems[rel_dir] = "is a file, not a folder"
            exact = False
            continue
        except PermissionError:
            problems[rel_dir + "/"] = "permission denied (folder)"
            exact = False
            continue
        except OSError as e:
            problems[shown(rel_dir) + "/"] = _folder_reason(e)
            exact = False
            continue
        here_files: list[str] = []
        here_dirs: list[str] = []
        for entry in entries:
            name = entry.name
            if name[0] in ".~_":
                continue
            candidate = is_candidate_name(name)
            try:
                is_dir = entry.is_dir()
                is_link = entry.is_symlink()
            except OSError:
                is_dir = is_link = False
            if not (is_dir or candidate):
                continue
            rel = f"{rel_dir}/{name}"
            plain = name.isascii() and name.isprintable()  # most names: neither check below
            if not plain and not _utf8(name):
                problems[shown(rel)] = "name is not valid UTF-8 (rename it)"
                continue
            if ((is_dir and recursive) or candidate) and not plain and safe_text(name) != name:
                problems[safe_text(rel) + ("/" if is_dir else "")] = UNSAFE_NAME
                continue
            if is_dir:
                if not recursive:
                    continue
                if not is_link:
                    here_dirs.append(rel)
                    if rel not in known:
                        stack.append(rel)
                    continue
                exact = False
                why = _link_problem(entry.path, inside)
                if why:
                    problems[rel + "/"] = why
                else:
                    linked.append(rel)
                continue
            if candidate:
                sig = _sig(entry, problems, rel)
                if sig:
                    out[rel] = sig
                    here_files.append(rel)
        if folders is not None:
            # a folder's problems are the keys it added last (each path is its own key)
            added = tuple(islice(reversed(problems), len(problems) - n_problems))
            folders[rel_dir] = FolderScan(tuple(here_files), added, tuple(here_dirs))
    return exact


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
