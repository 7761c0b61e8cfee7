"""An s3:// address: bucket and prefix, never credentials (those come from the environment)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.usage_errors import UsageError

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
    """s3://bucket or s3://bucket/prefix; UsageError (one line) for anything else."""
    if not is_s3(text):
        raise UsageError.of("s3_needs_folder", value=text)
    bucket, _, prefix = text[len(SCHEME):].partition("/")
    if "@" in bucket or ":" in bucket:  # never echo what stood before the @
        raise UsageError.of("s3_credentials_in_address", value=(
            SCHEME + "…@" + bucket.rpartition("@")[2] if "@" in bucket else text))
    if not _BUCKET.fullmatch(bucket):
        raise UsageError.of("s3_bucket_name", value=text, bucket=repr(bucket))
    parts = [p for p in prefix.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise UsageError.of("s3_prefix_dots", value=text)
    return S3Location(bucket, "".join(f"{p}/" for p in parts))
