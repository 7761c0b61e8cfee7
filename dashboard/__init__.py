"""thidua: a live terminal dashboard for emulation campaigns (đợt thi đua)."""

from importlib.metadata import PackageNotFoundError, version

try:  # the one source is pyproject.toml's [project] version, as installed
    __version__ = version("thidua")
except PackageNotFoundError:  # pragma: no cover - run from a bare checkout, never installed
    __version__ = "0+unknown"
