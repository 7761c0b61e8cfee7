"""An s3:// address: bucket and prefix, never credentials (those come from the environment)."""

from __future__ import annotations

import re
from dataclasses import dataclass

SCHEME = "s3://"
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
"""S3's bucket naming rules (3–63 characters: lowercase letters, digits, dots, hyphens)."""


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str
    """'' for the whole bucket, else ends with '/'."""

    @property
    def url(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.prefix}"


def is_s3(text: str | None) -> bool:
    return bool(text) and str(text).startswith(SCHEME)


def parse_location(text: str) -> S3Location:
    """s3://bucket or s3://bucket/prefix; ValueError (one line) for anything else."""
    if not is_s3(text):
        raise ValueError(f"--data {text}: not an s3:// address")
    bucket, _, prefix = text[len(SCHEME):].partition("/")
    if "@" in bucket or ":" in bucket:
        raise ValueError(f"--data {text.split('@')[-1]}: credentials and endpoints never go "
                         "on the command line (use AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
                         "AWS_ENDPOINT_URL or a profile)")
    if not _BUCKET.fullmatch(bucket):
        raise ValueError(f"--data {text}: {bucket!r} is not a bucket name")
    parts = [p for p in prefix.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise ValueError(f"--data {text}: the prefix may not hold . or ..")
    return S3Location(bucket, "".join(f"{p}/" for p in parts))
