"""Frozen dataclasses ↔ JSON, driven by their type hints.

Snapshots cross a process boundary to reach the SSH viewers; pickle would let whoever writes
the stream run code in the reader, so the wire format is plain JSON and the reader rebuilds
the dataclasses from the field types it already knows. No Textual, no DuckDB.

Datetimes keep their zone: `2020-07-15T10:00:00+07:00[Asia/Ho_Chi_Minh]` (RFC 9557 style), so
a decoded snapshot compares and formats exactly like the one the engine made. Values typed
`Any` (the free tables of campaign.toml) may hold TOML dates: those are tagged
(`{"$date": …}`), everything else is JSON as is.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date, datetime, time
from functools import cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

T = TypeVar("T")

_TAGS = ("$datetime", "$date", "$time")


class CodecError(ValueError):
    """The data does not fit the type it is decoded into."""


def to_json(obj: object) -> str:
    """One line of JSON (no raw newlines: the stream is newline-delimited)."""
    return json.dumps(encode(obj), ensure_ascii=False, separators=(",", ":"))


def from_json(cls: type[T], text: str | bytes) -> T:
    value: T = decode(cls, json.loads(text))
    return value


def encode(obj: object) -> Any:
    """A JSON-ready value: dataclasses become objects keyed by field name."""
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        hints = _hints(type(obj))
        return {f.name: _encode_typed(getattr(obj, f.name), hints[f.name])
                for f in dataclasses.fields(obj)}
    if isinstance(obj, datetime):
        return _datetime_text(obj)
    if isinstance(obj, date | time):
        return obj.isoformat()
    if isinstance(obj, list | tuple):
        return [encode(x) for x in obj]
    if isinstance(obj, dict):
        return {_key(k): encode(v) for k, v in obj.items()}
    raise CodecError(f"cannot encode a {type(obj).__name__}")


def decode(hint: Any, data: Any) -> Any:
    """Rebuild a value of type `hint` (a dataclass, a builtin or a typing form) from JSON."""
    if hint is Any:
        return _decode_any(data)
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _decode_union(hint, data)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _decode_dataclass(hint, data)
    if origin is tuple:
        return _decode_tuple(typing.get_args(hint), data)
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return [decode(item, x) for x in _expect(data, list, hint)]
    if origin is dict:
        key, value = typing.get_args(hint) or (str, Any)
        return {decode(key, k): decode(value, v) for k, v in _expect(data, dict, hint).items()}
    if hint is type(None):
        if data is not None:
            raise CodecError(f"expected null, got {data!r}")
        return None
    return _decode_scalar(hint, data)


# -- encoding helpers ----------------------------------------------------------------------

def _datetime_text(value: datetime) -> str:
    text = value.isoformat()
    if isinstance(value.tzinfo, ZoneInfo):
        text += f"[{value.tzinfo.key}]"
    return text


def _key(k: object) -> str:
    if isinstance(k, str):
        return k
    raise CodecError(f"dict keys must be strings, not {type(k).__name__}")


def _encode_typed(obj: object, hint: Any) -> Any:
    """Follow the declared type down to any `Any`, where values need their tags."""
    if hint is Any:
        return _encode_any(obj)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is dict and isinstance(obj, dict) and len(args) == 2:
        return {_key(k): _encode_typed(v, args[1]) for k, v in obj.items()}
    if origin in (list, tuple) and isinstance(obj, list | tuple) and args:
        if origin is list or (len(args) == 2 and args[1] is Ellipsis):
            return [_encode_typed(x, args[0]) for x in obj]
        if len(args) == len(obj):
            return [_encode_typed(x, a) for x, a in zip(obj, args, strict=True)]
    return encode(obj)


def _encode_any(obj: object) -> Any:
    """Like encode(), but dates inside untyped values are tagged so they come back as dates."""
    if isinstance(obj, datetime):
        return {"$datetime": _datetime_text(obj)}
    if isinstance(obj, date):
        return {"$date": obj.isoformat()}
    if isinstance(obj, time):
        return {"$time": obj.isoformat()}
    if isinstance(obj, list | tuple):
        return [_encode_any(x) for x in obj]
    if isinstance(obj, dict):
        return {_key(k): _encode_any(v) for k, v in obj.items()}
    return encode(obj)


# -- decoding helpers ----------------------------------------------------------------------

@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode_dataclass(cls: type, data: Any) -> Any:
    raw = _expect(data, dict, cls)
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.name not in raw:
            if (f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING):
                raise CodecError(f"{cls.__name__}: field {f.name!r} is missing")
            continue
        try:
            kwargs[f.name] = decode(hints[f.name], raw[f.name])
        except CodecError as e:
            raise CodecError(f"{cls.__name__}.{f.name}: {e}") from None
    return cls(**kwargs)


def _decode_union(hint: Any, data: Any) -> Any:
    args = typing.get_args(hint)
    if data is None and type(None) in args:
        return None
    errors: list[str] = []
    for arg in args:
        if arg is type(None):
            continue
        try:
            return decode(arg, data)
        except CodecError as e:
            errors.append(str(e))
    raise CodecError(f"{data!r} fits none of {hint}: {'; '.join(errors)}")


def _decode_tuple(args: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    items = _expect(data, list, tuple)
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(decode(args[0], x) for x in items)
    if not args:
        return tuple(_decode_any(x) for x in items)
    if len(args) != len(items):
        raise CodecError(f"expected {len(args)} items, got {len(items)}")
    return tuple(decode(a, x) for a, x in zip(args, items, strict=True))


def _decode_scalar(hint: Any, data: Any) -> Any:
    if hint is bool:
        return _expect(data, bool, bool)
    if hint is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise CodecError(f"expected an int, got {data!r}")
        return data
    if hint is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise CodecError(f"expected a number, got {data!r}")
        return float(data)
    if hint is str:
        return _expect(data, str, str)
    if hint is datetime:
        return _parse_datetime(_expect(data, str, datetime))
    if hint is date:
        return _parse(date.fromisoformat, _expect(data, str, date))
    if hint is time:
        return _parse(time.fromisoformat, _expect(data, str, time))
    raise CodecError(f"cannot decode into {hint!r}")


def _decode_any(data: Any) -> Any:
    if isinstance(data, list):
        return [_decode_any(x) for x in data]
    if isinstance(data, dict):
        if len(data) == 1:
            (tag, text), = data.items()
            if tag in _TAGS and isinstance(text, str):
                return {"$datetime": _parse_datetime, "$date": date.fromisoformat,
                        "$time": time.fromisoformat}[tag](text)
        return {k: _decode_any(v) for k, v in data.items()}
    return data


def _parse_datetime(text: str) -> datetime:
    zone: str | None = None
    if text.endswith("]") and "[" in text:
        text, zone = text[:-1].split("[", 1)
    value = _parse(datetime.fromisoformat, text)
    if zone is None:
        return value
    try:
        tz = ZoneInfo(zone)
    except (KeyError, ValueError) as e:
        raise CodecError(f"unknown time zone {zone!r}") from e
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value.astimezone(tz)


def _parse(parse: typing.Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except ValueError as e:
        raise CodecError(str(e)) from None


def _expect(data: Any, kind: type[T], hint: object) -> T:
    if not isinstance(data, kind):
        name = getattr(hint, "__name__", str(hint))
        raise CodecError(f"expected {kind.__name__} for {name}, got {type(data).__name__}")
    return data


__all__ = ["CodecError", "decode", "encode", "from_json", "to_json"]
