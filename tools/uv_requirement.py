"""Print uv's pin from uv.lock as a hash-checked pip requirement (the bootstrap's first step).

The Makefile installs the uv that uv.lock itself records, with every hash the lock holds for
it, so a bare machine needs nothing but Python and make: `pip install --require-hashes` then
refuses any other file. Standard library only; it runs before anything is installed.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path


def uv_requirement(lock_text: str) -> str:
    lock = tomllib.loads(lock_text)
    found = [p for p in lock.get("package", []) if p.get("name") == "uv"]
    if len(found) != 1:
        raise SystemExit("uv.lock pins no single uv: add it to [dependency-groups] dev")
    uv = found[0]
    files = [*uv.get("wheels", []), *([uv["sdist"]] if "sdist" in uv else [])]
    hashes = " ".join(f"--hash={f['hash']}" for f in files)
    return f"uv=={uv['version']} {hashes}\n"


def main(argv: list[str]) -> int:
    lock = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "uv.lock"
    sys.stdout.write(uv_requirement(lock.read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
