"""The hub ↔ viewer stream: newline-delimited JSON over a Unix socket.

hub → viewer
  {"type": "hello", "campaign": …, "snapshot": …}        first line after connecting
  {"type": "push", "campaign": …, "snapshot": …}         a new live snapshot (data changed)
  {"type": "reply", "id": N, "value": …}                 answer to a request
  {"type": "reply", "id": N, "error": "…"}
  {"type": "meeting", "meeting": {…} | null}              meeting mode: started, moved, ended
viewer → hub
  {"id": N, "op": "snapshot", "as_of": "…"}              a past instant (time travel)
  {"id": N, "op": "history", "target_id": "…", "as_of": "…"}
  {"id": N, "op": "meeting_start", "token": "…", "view": {…}}   a presenter's viewer only
  {"id": N, "op": "meeting_view", "view": {…}}          the presenter's view changed
  {"id": N, "op": "meeting_end"}

Pushes and cached replies are built by splicing already-encoded JSON, so a snapshot is encoded
once per change however many viewers receive it.
"""

from __future__ import annotations

import json
from typing import Any

MAX_LINE = 64 * 1024 * 1024
"""A line longer than this is a broken peer, not a big campaign (a snapshot is ~25 kB)."""


def frame(fields: dict[str, Any], **encoded: bytes) -> bytes:
    """One line: `fields` as JSON plus members whose values are JSON already (no re-encoding)."""
    head = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
    if not encoded:
        return head + b"\n"
    parts = [head[:-1]]
    for name, value in encoded.items():
        parts.append(b',"' + name.encode() + b'":' + value)
    return b"".join(parts) + b"}\n"


def push(campaign: bytes, snapshot: bytes, *, kind: str = "push") -> bytes:
    return frame({"type": kind}, campaign=campaign, snapshot=snapshot)


def reply(request_id: int, value: bytes) -> bytes:
    return frame({"type": "reply", "id": request_id}, value=value)


def failure(request_id: int, error: str) -> bytes:
    return frame({"type": "reply", "id": request_id, "error": error})


def meeting(state: bytes) -> bytes:
    """The meeting's state (JSON already, `null` when none runs) for every viewer."""
    return frame({"type": "meeting"}, meeting=state)


def request(request_id: int, op: str, **fields: Any) -> bytes:
    return frame({"id": request_id, "op": op, **fields})
