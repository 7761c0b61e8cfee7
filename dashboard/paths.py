"""Where the campaign is: --data, else $THIDUA_DATA, else ./data with a campaign.toml, else the
sample shipped inside the package (so an installed thidua runs anywhere)."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "THIDUA_DATA"


def bundled_sample() -> Path:
    packaged = Path(__file__).parent / "bundled_campaign"
    if (packaged / "campaign.toml").is_file():
        return packaged
    return Path(__file__).resolve().parents[1] / "data"


def remote_data(option: str | None) -> str | None:
    """The s3:// address when --data (else $THIDUA_DATA) names one: see dashboard/s3/."""
    text = option or os.environ.get(ENV_VAR) or ""
    return text if text.startswith("s3://") else None


def resolve_data_dir(option: str | None) -> Path:
    if remote_data(option):
        from dashboard.usage_errors import UsageError

        raise UsageError.of("s3_needs_folder", value=remote_data(option))
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    local = Path.cwd() / "data"
    if (local / "campaign.toml").is_file():
        return local
    return bundled_sample()


def state_dir() -> Path:
    """Where thidua keeps its own files (logs, host keys): never inside a data folder."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "thidua"
