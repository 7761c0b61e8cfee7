"""The kiosk's settings: the `[kiosk]` table of campaign.toml, then the command line on top.

A kiosk runs for weeks without anyone reading its output, so a typo in the table is an error
at start (naming the key), not a silently ignored setting. No Textual here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dashboard.engine.campaign import Campaign
from dashboard.kiosk.office_hours import OfficeHours, parse_office_hours
from dashboard.usage_errors import UsageError

UNLOCK_ACTIONS = ("app", "exit", "off")
OPTIONS = {"dwell_seconds": "--dwell", "stale_after_hours": "--stale-after"}
"""The command-line options that override a number of the table."""
MAX_DWELL_FACTOR = 3.0
"""A view with many targets behind gets at most this many times the normal dwell."""


class KioskSettingsError(UsageError):
    """A bad `[kiosk]` value or kiosk option; the message names it."""


@dataclass(frozen=True)
class KioskSettings:
    dwell_seconds: float = 15.0
    """How long each view stays in the spotlight."""
    behind_bonus_seconds: float = 5.0
    """Extra seconds per target behind pace in an area's view (up to 3 × the dwell)."""
    highlight_seconds: float = 8.0
    """How long a view that new data interrupted to stays, its changes highlighted."""
    stale_after_hours: float = 192.0
    """Banner when the newest report is older than this while the campaign runs."""
    office_hours: OfficeHours = field(default_factory=OfficeHours)
    burn_in_minutes: float = 3.0
    """The night clock moves one cell this often."""
    unlock: str = "app"
    """What the unlock chord does: open the normal `app`, `exit` (code 0), or `off`."""

    def dwell_for(self, behind: int) -> float:
        """A view's slot: longer when targets there are behind pace."""
        longest = self.dwell_seconds * MAX_DWELL_FACTOR
        return min(longest, self.dwell_seconds + self.behind_bonus_seconds * max(0, behind))


_NUMBERS: dict[str, tuple[float, float, str]] = {
    "dwell_seconds": (1.0, 3600.0, "seconds"),
    "behind_bonus_seconds": (0.0, 600.0, "seconds"),
    "highlight_seconds": (1.0, 600.0, "seconds"),
    "stale_after_hours": (1.0, 24.0 * 367, "hours"),
    "burn_in_minutes": (0.1, 1440.0, "minutes"),
}
"""Each number's allowed range (inclusive) and unit: a timer of 1e308 s or NaN must be a
named error at start, not an OverflowError weeks later."""
_KEYS = (*_NUMBERS, "office_hours", "office_days", "unlock")


def kiosk_settings(campaign: Campaign, **overrides: Any) -> KioskSettings:
    """Defaults, then campaign.toml's `[kiosk]`, then `overrides` (None values are skipped).

    The stale threshold defaults to one reporting interval plus a day: with weekly reports on
    Fridays, a banner on Saturday evening when nothing came in.
    """
    table = campaign.settings.get("kiosk", {})
    if not isinstance(table, Mapping):
        raise KioskSettingsError.of("kiosk_not_table")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise KioskSettingsError.of("kiosk_unknown_keys", keys=", ".join(unknown),
                                    known=", ".join(_KEYS))
    base = KioskSettings(stale_after_hours=(campaign.reporting_interval_days + 1) * 24.0)
    given = {k: v for k, v in overrides.items() if v is not None}
    for key in set(_NUMBERS) & set(given):  # the option, not the table, is then to blame
        _number(key, given[key], OPTIONS.get(key, key))
    return _apply(base, {**table, **given}, hours_option="office_hours" in given)


def _apply(base: KioskSettings, values: Mapping[str, Any], *, hours_option: bool = False
           ) -> KioskSettings:
    """hours_option: the office hours come from --office-hours (the error then names it)."""
    changes: dict[str, Any] = {}
    for key in _NUMBERS:
        if key in values:
            changes[key] = _number(key, values[key], f"campaign.toml: [kiosk] {key}")
    if "office_hours" in values or "office_days" in values:
        hours = values.get("office_hours", "07:00-18:00")
        days = values.get("office_days")
        if not isinstance(hours, str):
            raise KioskSettingsError.of("kiosk_office_hours_text")
        if days is not None and not (isinstance(days, list)
                                     and all(isinstance(d, str) for d in days)):
            raise KioskSettingsError.of("kiosk_office_days_list")
        try:
            changes["office_hours"] = parse_office_hours(hours, days)
        except ValueError as e:
            where = "--office-hours" if hours_option else "campaign.toml [kiosk]"
            raise KioskSettingsError(f"{where}: {e}") from None
    if "unlock" in values:
        unlock = values["unlock"]
        if unlock not in UNLOCK_ACTIONS:
            raise KioskSettingsError.of("kiosk_unlock", value=_show(unlock),
                                        actions=", ".join(UNLOCK_ACTIONS))
        changes["unlock"] = unlock
    return replace(base, **changes)


def _number(key: str, value: Any, name: str) -> float:
    """`name` says where the value comes from (the table's key, or the option)."""
    low, high, unit = _NUMBERS[key]
    allowed = {"unit": unit, "low": f"{low:g}", "high": f"{high:g}"}
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise KioskSettingsError.of("setting_not_number", name=name, value=_show(value),
                                    **allowed)
    if not (math.isfinite(value) and low <= value <= high):
        raise KioskSettingsError.of("setting_out_of_range", name=name, value=_show(value),
                                    **allowed)
    return float(value)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
