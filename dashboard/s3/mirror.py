"""A bucket prefix copied into a folder thidua owns, for the local engine to read.

One `sync()` is one listing (ListObjectsV2, 1,000 keys a page) and a download for each object
that is new or whose ETag or size changed (WORKERS at a time: a first copy of 10,000 objects is
10,000 GETs); objects that left the bucket leave the copy. Only the
names the engine reads are copied (campaign.toml, targets, progress/**.parquet, by the engine's
own name rules), so hidden and temp names never cost a download. Each copy is written whole
(a temp name, then a rename) with the object's LastModified as its mtime, so the engine's rules
that look at file times (pending files) answer as they would for the same files on a disk.

The copy lives under $XDG_CACHE_HOME/thidua/s3/: never in the bucket, never in a user's
folder. A manifest beside it remembers each object's ETag and size, so a restart fetches only
what changed meanwhile, and a lock lets several thidua processes on one machine (serve-web's
kiosks) share one copy. Credentials, endpoint and region come from boto3's usual places: the
AWS_* variables, a profile (AWS_PROFILE) or the instance's role; never the command line.
"""

from __future__ import annotations

import bisect
import contextlib
import email.utils
import fcntl
import hashlib
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dashboard.atomic_files import write_atomic
from dashboard.engine.discovery import PROGRESS_DIR, TARGETS_DIR, TARGETS_FILE, is_candidate_name
from dashboard.engine.errors import ThiduaError
from dashboard.s3.location import S3Location, parse_location
from dashboard.s3.wire import Wire, WireError, parse_contents, plain_requests_fit
from dashboard.usage_errors import usage_message

log = logging.getLogger("thidua.s3")

CAMPAIGN_FILE = "campaign.toml"
CHUNK = 1 << 20
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
PAGE_KEYS = 1000
"""Keys a listing page (S3's most)."""
WORKERS = 16
"""Downloads at a time. Each GET of a small object is mostly waiting (a round trip, the
server's lookup): 16 at a time keep a 2-core machine and a loopback server busy."""
PROGRESS_SECONDS = 2.0
"""A long copy says how far it got (log, and `progress`) at most this often."""
MANIFEST_SECONDS = 10.0
"""A long copy saves the manifest this often, so a copy stopped by force resumes there."""

DENIED_RETRY_SECONDS = 60.0
"""An object whose GET was refused is asked for again this often (or when it changes), not at
every poll: a policy that denies a few objects costs no GET per poll."""
DENIED = "denied"
"""What _fetch says of an object the bucket does not let us read (AccessDenied)."""
DENIED_FILE = "denied.json"
"""Beside the copy: the objects the last sync could not read, for the commands that read the
copy (`check`, `snapshot`) to name them."""

Progress = Callable[[int, int], None]
"""progress(done, total): objects copied so far of those this sync copies."""


class BucketUnreachable(ThiduaError):
    """A listing or a download failed: the copy keeps what it had."""


class ObjectExists(Exception):
    """A conditional put found an object at that key already (its path under the prefix)."""


@dataclass(frozen=True, slots=True)
class RemoteObject:
    key: str
    etag: str
    size: int
    modified_ns: int


@dataclass(frozen=True)
class SyncResult:
    objects: int
    """Objects the engine reads, in the bucket now."""
    fetched: int
    removed: int
    requests: int
    """ListObjectsV2 pages plus GetObject calls."""
    paths: frozenset[str] = frozenset()
    """The files of the copy that came, changed or left (relative to it): those this sync
    wrote or removed, and those another process sharing the copy did meanwhile."""
    listing_changed: bool = True
    """False when every listing page was byte for byte the one of the last sync."""
    parsed: int = 0
    """Listing pages parsed (those that differed from the last sync's)."""

    @property
    def changed(self) -> bool:
        return bool(self.fetched or self.removed or self.paths)


@dataclass(frozen=True, slots=True)
class _PageMemo:
    """One listing page as the last sync saw it: the request (start_after), a hash of its
    <Contents> bytes, and what they said. A page whose hash is the same is not parsed again."""

    start_after: str
    max_keys: int
    digest: bytes
    keys: tuple[str, ...]
    """Every key of the page, those the engine does not read too."""
    objects: tuple[tuple[str, RemoteObject], ...]

    @property
    def last_key(self) -> str:
        return self.keys[-1] if self.keys else ""


def wanted_path(rel: str) -> str | None:
    """Where an object (key relative to the prefix) goes in the copy, or None when the engine
    would not read it: the engine's own rules (hidden, temp and lock names are not read), and
    keys that cannot be a file name (empty parts, '.', '..', NUL) are never copied."""
    parts = rel.split("/")
    if "\x00" in rel or any(p in ("", ".", "..") for p in parts):
        return None
    if any(p[0] in ".~_" for p in parts) or any(len(p.encode()) > 255 for p in parts):
        return None
    if rel in (CAMPAIGN_FILE, TARGETS_FILE):
        return rel
    if parts[0] == TARGETS_DIR and len(parts) == 2 and is_candidate_name(parts[1]):
        return rel
    if parts[0] == PROGRESS_DIR and len(parts) >= 2 and is_candidate_name(parts[-1]):
        return rel
    return None


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "thidua" / "s3"


def make_client() -> Any:
    """An S3 client from the environment. A custom endpoint (AWS_ENDPOINT_URL: MinIO, Ceph,
    SeaweedFS, a provider's) is addressed path-style, which they all understand."""
    import boto3
    import botocore.session
    from botocore.config import Config

    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    config = Config(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                    retries={"max_attempts": 2, "mode": "standard"},
                    max_pool_connections=WORKERS,
                    s3={"addressing_style": "path" if endpoint else "auto"})
    core = botocore.session.get_session()
    core.get_component("response_parser_factory").set_parser_defaults(
        timestamp_parser=_timestamp)
    session = boto3.session.Session(
        botocore_session=core,
        region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))
    return session.client("s3", endpoint_url=endpoint or None, config=config)


class Mirror:
    def __init__(self, location: S3Location, *, client: Any | None = None,
                 root: Path | None = None) -> None:
        self.location = location
        self._client = client
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        tag = hashlib.sha256(f"{endpoint or ''}\n{location.url}".encode()).hexdigest()[:16]
        self.home = (root or cache_root()) / location.bucket / tag
        self.folder = self.home / "campaign"
        """The copy: a campaign folder the engine reads."""
        self._manifest = self.home / "manifest.json"
        self._swept = False
        self._manifest_at = 0.0
        self._wire: Wire | None = None
        self._wire_off = False
        self._boto_page: tuple[list[tuple[str, str, int, str]], bool] | None = None
        self._pages: tuple[_PageMemo, ...] = ()
        """The last listing's pages."""
        self._objects: dict[str, RemoteObject] | None = None
        """What they say (never changed in place: a sync's listing is its own)."""
        self._known: dict[str, list[Any]] | None = None
        self._known_sig: tuple[int, int, int] | None = None
        """The manifest as this process last read or wrote it, and that file's stat."""
        self._settled = False
        """The last sync ended with the copy matching its listing."""
        self._denied: dict[str, tuple[str, int, float]] = {}
        """rel → ETag, size, when: objects whose GET was refused (AccessDenied)."""

    @classmethod
    def open(cls, url: str) -> Mirror:
        return cls(parse_location(url))

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = make_client()
        return self._client

    @property
    def url(self) -> str:
        return self.location.url

    def _unreachable(self, e: Exception) -> BucketUnreachable:
        return BucketUnreachable(usage_message("bucket_unreachable", bucket=self.url,
                                               detail=_detail(e)))

    def synced_at(self) -> datetime | None:
        """When the copy last matched the bucket (None: there is no copy yet)."""
        try:
            if not (self.folder / CAMPAIGN_FILE).is_file():
                return None
            return datetime.fromtimestamp((self.home / "synced").stat().st_mtime, UTC)
        except OSError:
            return None

    def sync(self, progress: Progress | None = None) -> SyncResult:
        """Bring the copy up to the bucket; BucketUnreachable when it cannot (the copy keeps
        every object it had, and those fetched before the failure). progress: called now and
        then while a long copy runs (see PROGRESS_SECONDS), from this thread.

        A sync whose listing pages are all the last sync's, byte for byte, with the manifest
        as this process left it, does nothing else: no parsing, no comparing."""
        from botocore.exceptions import BotoCoreError, ClientError

        self.home.mkdir(parents=True, exist_ok=True)
        self.folder.mkdir(exist_ok=True)
        with self._locked():
            known, others = self._current_manifest()
            requests = 0
            fetched = removed = 0
            paths: set[str] = set(others)
            dirty = False
            try:
                listing, requests, parsed = self._list()
                if not parsed and self._settled and not others and not self._denied_due():
                    (self.home / "synced").touch()
                    return SyncResult(len(listing), 0, 0, requests, listing_changed=False)
                self._settled = False
                check_files = not self._swept  # a process trusts the copy it keeps itself
                denied_before = dict(self._denied)
                self._denied = {rel: d for rel, d in self._denied.items() if rel in listing
                                and d[:2] == (listing[rel].etag, listing[rel].size)
                                and time.monotonic() - d[2] < DENIED_RETRY_SECONDS}
                todo = [(rel, obj) for rel, obj in listing.items()
                        if rel not in self._denied and (
                            known.get(rel) != [obj.etag, obj.size]
                            or (check_files and not (self.folder / rel).is_file()))]
                unsettled = False
                for rel, got in self._fetch_all(todo, progress):
                    requests += 1
                    if got == DENIED:  # this object stays out; the others are brought up
                        obj = listing[rel]
                        self._denied[rel] = (obj.etag, obj.size, time.monotonic())
                        if known.pop(rel, None) is not None:  # its old copy leaves
                            removed += 1
                            dirty = True
                        self._remove(rel)
                        paths.add(rel)
                    elif isinstance(got, list):
                        known[rel] = got
                        fetched += 1
                        paths.add(rel)
                        dirty = True
                    else:
                        unsettled = True  # looked at again at the next sync
                    if dirty and self._manifest_due():
                        self._save_manifest(known)
                        dirty = False
                for rel in sorted(set(known) - set(listing)):
                    self._remove(rel)
                    del known[rel]
                    removed += 1
                    paths.add(rel)
                    dirty = True
                if not self._swept:  # once per process: what a crash may have left behind
                    gone = self._sweep(set(listing))
                    removed += len(gone)
                    paths.update(gone)
                    self._swept = True
                self._settled = not unsettled
                self._save_denied()
                paths.update(set(self._denied) ^ set(denied_before))
            except (BotoCoreError, ClientError, OSError) as e:
                raise self._unreachable(e) from None
            finally:  # also on Ctrl-C: what was copied stays copied
                if dirty:
                    self._save_manifest(known)
            (self.home / "synced").touch()
        return SyncResult(len(listing), fetched, removed, requests, frozenset(paths),
                          parsed=parsed)

    @property
    def denied(self) -> dict[str, str]:
        """Objects the bucket does not let us read (relative to the copy) → why, in English
        (dashboard/reasons.py shows it in the viewer's language)."""
        why = usage_message("object_denied")
        return {rel: why for rel in sorted(self._denied)}

    def _denied_due(self) -> bool:
        now = time.monotonic()
        return any(now - d[2] >= DENIED_RETRY_SECONDS for d in self._denied.values())

    def _save_denied(self) -> None:
        """Written when it says something else than the file there (for the commands that
        read this copy), removed when no object is denied."""
        path = self.home / DENIED_FILE
        if not self._denied:
            path.unlink(missing_ok=True)
            return
        text = json.dumps(self.denied, ensure_ascii=False)
        with contextlib.suppress(OSError):
            if path.read_text(encoding="utf-8") == text:
                return
        write_atomic(path, lambda f: f.write(text.encode("utf-8")))

    def _fetch_all(self, todo: list[tuple[str, RemoteObject]],
                   progress: Progress | None) -> Iterator[tuple[str, list[Any] | str | None]]:
        """Download `todo`, WORKERS at a time; (rel, [ETag, size] or None) as each one ends.
        The first failure stops the rest: those not started are never started, those
        running end (whole or not at all) and are yielded before the failure is raised."""
        if not todo:
            return
        total = len(todo)
        started = last = time.monotonic()
        self._manifest_at = started
        if total > 100:
            log.info("%s: copying %d objects", self.url, total)
        client = self.client  # made here, once: the workers share it (boto3 clients are)
        if total == 1:
            rel, obj = todo[0]
            yield rel, self._fetch(obj, rel, client)
            return
        done = 0
        failure: BaseException | None = None
        pool = ThreadPoolExecutor(max_workers=min(WORKERS, total),
                                  thread_name_prefix="thidua-s3-get")
        try:
            pending: dict[Future[list[Any] | str | None], str] = {}
            queue = iter(todo)
            for rel, obj in queue:  # at most 2 × WORKERS in flight: memory stays flat
                pending[pool.submit(self._fetch, obj, rel, client)] = rel
                if len(pending) >= 2 * WORKERS:
                    break
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    rel = pending.pop(future)
                    if future.cancelled():
                        continue
                    try:
                        got = future.result()
                    except BaseException as e:  # raised below, once the running ones end
                        if failure is None:
                            failure = e
                            for waiting in pending:  # those not started never start
                                waiting.cancel()
                        continue
                    done += 1
                    yield rel, got
                    if failure is None:
                        for rel_next, obj_next in queue:
                            pending[pool.submit(self._fetch, obj_next, rel_next, client)] = (
                                rel_next)
                            break
                now = time.monotonic()
                if now - last >= PROGRESS_SECONDS and pending:
                    last = now
                    log.info("%s: %d of %d objects copied (%.0f s)", self.url, done, total,
                             now - started)
                    if progress is not None:
                        progress(done, total)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if failure is not None:
            raise failure
        if total > 100:
            log.info("%s: %d objects copied in %.1f s", self.url, done,
                     time.monotonic() - started)
        if progress is not None and last != started:
            progress(done, total)

    def _manifest_due(self) -> bool:
        now = time.monotonic()
        if now - self._manifest_at < MANIFEST_SECONDS:
            return False
        self._manifest_at = now
        return True

    def put_new(self, rel: str, data: bytes) -> str:
        """Put one new object at PREFIX/rel with a conditional write (If-None-Match: *): it
        is never put over an object already there (ObjectExists). Its key."""
        from botocore.exceptions import BotoCoreError, ClientError

        key = self.location.prefix + rel
        try:
            self.client.put_object(Bucket=self.location.bucket, Key=key, Body=data,
                                   IfNoneMatch="*")
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412",
                                                           "ConditionalRequestConflict"):
                raise ObjectExists(rel) from None
            raise self._unreachable(e) from None
        except BotoCoreError as e:
            raise self._unreachable(e) from None
        return key

    def _list(self) -> tuple[dict[str, RemoteObject], int, int]:
        """The objects the engine reads, the pages it took, and how many of them differed
        from the last listing's and were parsed (0: nothing changed).

        Each page is the question the last listing asked (StartAfter, MaxKeys), so a bucket
        where nothing changed answers the same bytes; each page's hash is kept, and a page
        whose hash is the last one's says what it said then. A page that differs (an object
        came, changed or left in its range: any change of ETag, size or time changes its
        bytes) is parsed; when that moved its last key, the next page asks for just as many
        keys as the last listing had up to its next page boundary, so the pages after it are
        the same questions again and are not parsed (a new object costs two pages parsed,
        not every page after it)."""
        memo = {m.start_after: m for m in self._pages}
        bounds: list[str] | None = None
        old_keys: list[str] | None = None
        pages: list[_PageMemo] = []
        parsed = 0
        start, ask = "", PAGE_KEYS
        while True:
            known = memo.get(start)
            if known is not None:
                ask = known.max_keys
            page = self._list_page(start, ask)
            if page is None or known is None or known.digest != page[0]:
                parsed += 1
                known = self._parse_page(start, ask, page)
            pages.append(known)
            truncated = page[1] if page is not None else known.digest[-1:] == b"T"
            if not truncated or not known.last_key or known.last_key <= start:
                break
            start, ask = known.last_key, PAGE_KEYS
            if start not in memo and memo:  # off the last listing's page boundaries
                if bounds is None:
                    bounds = sorted(memo)
                    old_keys = [k for m in self._pages for k in m.keys]
                at = bisect.bisect_right(bounds, start)
                if at < len(bounds) and old_keys is not None:
                    back = bisect.bisect_right(old_keys, bounds[at]) - bisect.bisect_right(
                        old_keys, start)
                    ask = min(max(back, 1), PAGE_KEYS)
        if len(pages) != len(self._pages):
            parsed = max(parsed, 1)
        self._pages = tuple(pages)
        if parsed or self._objects is None:
            self._objects = {rel: obj for m in pages for rel, obj in m.objects}
        return self._objects, len(pages), parsed

    def _list_page(self, start: str, max_keys: int) -> tuple[bytes, bool, bytes] | None:
        """(hash, truncated, <Contents> bytes) of the page after `start`; None when the page
        was asked through boto3 instead (this bucket does not answer the plain request)."""
        wire = self._wire_or_none()
        if wire is None:
            return None
        try:
            page = wire.list_page(self.location.prefix, start, max_keys)
        except WireError as e:
            self._boto_page = self._boto_list(start, max_keys)  # its error is botocore's
            if e.status is not None:  # boto3 understood a reply the plain request did not
                self._wire_off = True
                log.warning("%s: listing through boto3 from now on (HTTP %s)", self.url,
                            e.status)
            return None
        digest = hashlib.sha256(page.body).digest() + (b"T" if page.truncated else b"F")
        return digest, page.truncated, page.body

    def _parse_page(self, start: str, max_keys: int,
                    page: tuple[bytes, bool, bytes] | None) -> _PageMemo:
        prefix = self.location.prefix
        if page is None:
            items = (self._boto_page if self._boto_page is not None
                     else self._boto_list(start, max_keys))
            self._boto_page = None
            digest = b"boto3" + (b"T" if items[1] else b"F")  # never equal to a real hash
            rows = items[0]
        else:
            digest = page[0]
            rows = parse_contents(page[2])
        objects = []
        for key, etag, size, modified in rows:
            rel = wanted_path(key[len(prefix):]) if key.startswith(prefix) else None
            if rel is not None:
                objects.append((rel, RemoteObject(key, etag, size, _ns(_timestamp(modified)))))
        return _PageMemo(start, max_keys, digest, tuple(r[0] for r in rows), tuple(objects))

    def _boto_list(self, start: str,
                   max_keys: int) -> tuple[list[tuple[str, str, int, str]], bool]:
        kwargs: dict[str, Any] = {"Bucket": self.location.bucket,
                                  "Prefix": self.location.prefix, "MaxKeys": max_keys}
        if start:
            kwargs["StartAfter"] = start
        page = self.client.list_objects_v2(**kwargs)
        rows = [(item["Key"], item["ETag"], int(item["Size"]),
                 item["LastModified"].isoformat()) for item in page.get("Contents", ())]
        return rows, bool(page.get("IsTruncated"))

    def _wire_or_none(self) -> Wire | None:
        if self._wire_off:
            return None
        if self._wire is None:
            if not plain_requests_fit(self.client):
                self._wire_off = True
                return None
            self._wire = Wire(self.client, self.location.bucket, workers=WORKERS,
                              connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT)
        return self._wire

    def _fetch(self, obj: RemoteObject, rel: str, client: Any) -> list[Any] | str | None:
        """Download one object into the copy; its [ETag, size], DENIED when the bucket does
        not let us read it (AccessDenied), or None when it left the bucket meanwhile or cannot
        be a file here (a name that is a folder too, say).
        Through the plain GET (wire.py); through boto3 when that fails, for botocore's
        answer and error."""
        wire = self._wire_or_none()
        if wire is not None:
            try:
                return self._fetch_wire(obj, rel, wire)
            except WireError:
                pass
        return self._fetch_boto(obj, rel, client)

    def _fetch_wire(self, obj: RemoteObject, rel: str, wire: Wire) -> list[Any] | str | None:
        import urllib3

        reply = wire.get(obj.key)
        try:
            if reply.status == 403 and b"<Code>AccessDenied</Code>" in reply.read(65536):
                return DENIED
            if reply.status != 200:
                raise WireError(f"HTTP {reply.status}", reply.status)
            modified = _ns(_timestamp(reply.headers.get("Last-Modified", "")))
            got = self._write(rel, obj, reply, modified)
            size = reply.headers.get("Content-Length")
            return None if got is None else [reply.headers.get("ETag", obj.etag),
                                             int(size) if size else obj.size]
        except (urllib3.exceptions.HTTPError, ValueError) as e:
            raise WireError(str(e)) from None
        finally:
            reply.release_conn()

    def _fetch_boto(self, obj: RemoteObject, rel: str, client: Any) -> list[Any] | str | None:
        from botocore.exceptions import ClientError

        try:
            reply = client.get_object(Bucket=self.location.bucket, Key=obj.key)
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404"):
                return None
            if code == "AccessDenied":
                return DENIED
            raise
        body = reply["Body"]
        try:
            got = self._write(rel, obj, body, _ns(reply["LastModified"]))
        finally:
            body.close()
        return None if got is None else [reply.get("ETag", obj.etag),
                                         int(reply.get("ContentLength", obj.size))]

    def _write(self, rel: str, obj: RemoteObject, body: Any, modified: int) -> bool | None:
        """The object's bytes as the copy's file `rel`, with `modified` as its mtime: True,
        or None when it cannot be a file here."""
        path = self.folder / rel
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:  # whole or not at all: a temp name, then a rename (made durable by _save_manifest)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "xb") as f:
                shutil.copyfileobj(body, f, CHUNK)
            os.utime(tmp, ns=(modified, modified))
            os.replace(tmp, path)
        except (IsADirectoryError, NotADirectoryError, FileExistsError) as e:
            log.warning("%s: not copied (%s)", obj.key, e)
            return None
        finally:
            tmp.unlink(missing_ok=True)
        return True

    def _sweep(self, keep: set[str]) -> list[str]:
        """Remove files of the copy that no object stands for (a temp file of a download
        that was killed, a file whose manifest entry was never saved); their paths."""
        gone: list[str] = []
        for path in sorted(self.folder.rglob("*"), reverse=True):
            rel = path.relative_to(self.folder).as_posix()
            if path.is_dir() and not path.is_symlink():
                with contextlib.suppress(OSError):
                    path.rmdir()  # only when empty
            elif rel not in keep:
                path.unlink(missing_ok=True)
                gone.append(rel)
        return gone

    def _remove(self, rel: str) -> None:
        path = self.folder / rel
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != self.folder:  # folders the object alone made
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.home / "lock", "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def _current_manifest(self) -> tuple[dict[str, list[Any]], set[str]]:
        """The manifest, read again only when another process sharing the copy wrote it
        since; and the files that process fetched or removed meanwhile."""
        sig = self._manifest_sig()
        if self._known is not None and sig == self._known_sig:
            return self._known, set()
        fresh = self._load_manifest()
        old, self._known, self._known_sig = self._known, fresh, sig
        if old is None:
            return fresh, set()
        self._settled = False
        return fresh, {rel for rel in old.keys() | fresh.keys() if old.get(rel) != fresh.get(rel)}

    def _manifest_sig(self) -> tuple[int, int, int] | None:
        try:
            st = self._manifest.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size, st.st_ino

    def _load_manifest(self) -> dict[str, list[Any]]:
        try:
            data = json.loads(self._manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        objects = data.get("objects") if isinstance(data, dict) else None
        return dict(objects) if isinstance(objects, dict) else {}

    def _save_manifest(self, known: dict[str, list[Any]]) -> None:
        """The manifest says a file is whole only once it is on disk: the copies are written
        without an fsync each (two fsyncs per small object cost more than its download), and
        one sync() here makes them durable before the manifest names them."""
        os.sync()
        text = json.dumps({"bucket": self.url, "objects": known}, ensure_ascii=False)
        write_atomic(self._manifest, lambda f: f.write(text.encode("utf-8")))
        self._known, self._known_sig = known, self._manifest_sig()


def denied_in_copy(folder: Path) -> dict[str, str]:
    """The objects a mirror's last sync could not read, for the copy `folder` (a
    mirror's): rel → why. {} for any other folder."""
    try:
        data = json.loads((folder.parent / DENIED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or not (folder.parent / "manifest.json").is_file():
        return {}
    return {str(k): str(v) for k, v in data.items()}


def _timestamp(text: str) -> datetime:
    """botocore's timestamps, fast: a listing's LastModified is ISO 8601 (fromisoformat, in
    C), a GET's header an HTTP date; botocore's own parser (dateutil: ~0.1 ms each, the most
    of an idle poll's CPU) for anything else."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            from botocore.utils import parse_timestamp

            parsed: datetime = parse_timestamp(text)
            return parsed
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _ns(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000) * 1000


def _detail(e: Exception) -> str:
    """Why, in a few fixed words where botocore's error is a known kind (dashboard/reasons.py
    shows those in the viewer's language), else botocore's words without the URL."""
    from botocore import exceptions as bx

    if isinstance(e, bx.ClientError):
        err = e.response.get("Error", {})
        code = str(err.get("Code") or "")
        if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
            return "access denied"
        if code in ("NoSuchBucket", "404"):
            return "no such bucket"
        return code or str(err.get("Message") or e)
    if isinstance(e, bx.ReadTimeoutError | bx.ConnectTimeoutError):
        return "timed out"
    if isinstance(e, bx.EndpointConnectionError | bx.ConnectionClosedError):
        return "no connection"
    if isinstance(e, bx.NoCredentialsError | bx.PartialCredentialsError):
        return "no credentials"
    if isinstance(e, OSError):
        return e.strerror or type(e).__name__
    return str(e).split(":")[0]
