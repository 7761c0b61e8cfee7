"""Snapshot → what the kiosk shows beyond the dashboard's own presenters. Pure functions.

The area panels, the leaderboard and the countdown use dashboard.screens.presenters as they
are; these add the kiosk's parts: the views and their dwell, what new data interrupts, the
stale banner, the "refreshed at" line and the night clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dashboard import numbers_dates, reasons
from dashboard.engine import semantics as rules
from dashboard.engine.campaign import Campaign
from dashboard.engine.model import Snapshot
from dashboard.i18n import Catalogue, catalogue
from dashboard.kiosk.settings import KioskSettings
from dashboard.meeting.strings import meeting_strings
from dashboard.screens import meeting_presenters, presenters
from widgets.night_clock import NightClockData
from widgets.page_indicator import PageIndicatorData

LEADERBOARD = "_leaderboard"
"""The view id of the leaderboard; every other view is an area id (those start with a letter,
so they never clash with it)."""


LATE = "_late"
"""The view id of the late units, in the rotation only while someone is late."""


def view_ids(campaign: Campaign, snap: Snapshot | None = None) -> tuple[str, ...]:
    """The rotation: the areas in campaign.toml's order, then the leaderboard, then the late
    units when someone is late."""
    late = (LATE,) if snap is not None and meeting_presenters.late_count(snap) else ()
    return (*(a.id for a in campaign.areas), LEADERBOARD, *late)


def page_data(campaign: Campaign, current: str, ktr: Catalogue,
              views: tuple[str, ...] | None = None) -> PageIndicatorData:
    views = views or view_ids(campaign)
    labels = (*(a.name(ktr.lang) for a in campaign.areas), ktr("kiosk.leaderboard"),
              *([meeting_strings(ktr.lang)("late.title")] if LATE in views else []))
    index = views.index(current) if current in views else 0
    return PageIndicatorData(labels=labels, current=index,
                             position=ktr("kiosk.page", n=index + 1, total=len(views)))


def dwell_by_view(snap: Snapshot | None, settings: KioskSettings,
                  views: tuple[str, ...]) -> dict[str, float]:
    """Each view's slot; areas with targets behind pace get longer ones."""
    behind = {a.id: a.summary.behind for a in snap.areas} if snap else {}
    return {v: settings.dwell_for(behind.get(v, 0)) for v in views}


@dataclass(frozen=True)
class Interruption:
    """A view to show at once because its data changed."""

    view: str
    changed: frozenset[str]
    """Target ids whose value or status changed (highlighted)."""
    slipped: frozenset[str] = frozenset()
    """Of those, the ones that just fell behind pace."""


def interruptions(old: Snapshot | None, new: Snapshot) -> tuple[Interruption, ...]:
    """Areas with changed targets (those where a target fell behind first), then the
    leaderboard if the order of units changed. Nothing for the first snapshot."""
    if old is None:
        return ()
    changed = presenters.changed_targets(old, new)
    areas: list[Interruption] = []
    for area in new.areas:
        ids = frozenset(t.target_id for t in area.targets if t.target_id in changed)
        if not ids:
            continue
        slipped = set()
        for t in area.targets:
            before = old.target(t.target_id)
            if t.target_id in ids and t.status == "behind" and (
                    before is None or before.status != "behind"):
                slipped.add(t.target_id)
        areas.append(Interruption(area.id, ids, frozenset(slipped)))
    areas.sort(key=lambda i: not i.slipped)  # stable: campaign order within each group
    out = tuple(areas)
    if [r.owner for r in old.leaderboard] != [r.owner for r in new.leaderboard]:
        out += (Interruption(LEADERBOARD, frozenset()),)
    return out


def interruption_text(item: Interruption, campaign: Campaign, ktr: Catalogue) -> str:
    if item.view == LEADERBOARD:
        return ktr("kiosk.ranks_changed")
    area = campaign.area(item.view)
    name = area.name(ktr.lang) if area else item.view
    text = ktr("kiosk.new_data", view=name, n=len(item.changed))
    if item.slipped:
        text += ktr("kiosk.slipped", n=len(item.slipped))
    return text


def newest_report(snap: Snapshot) -> datetime | None:
    times = [t.last_report_at for a in snap.areas for t in a.targets if t.last_report_at]
    return max(times, default=None)


def stale_banner(snap: Snapshot, campaign: Campaign, now: datetime,
                 settings: KioskSettings, ktr: Catalogue) -> str | None:
    """Why the figures may be out of date, or None.

    Failing refreshes (a missing or unreadable folder, an engine error) come first; otherwise
    the newest report being older than the threshold while the campaign runs (before the
    start and after the deadline no reports are expected, so age means nothing there).
    """
    tz = campaign.tz
    if snap.error:
        since = numbers_dates.hm(snap.stale_since, tz) if snap.stale_since else "?"
        error = reasons.say(snap.error, catalogue(ktr.lang))
        return (ktr("kiosk.stale_error", since=since, error=error) + "\n"
                + ktr("kiosk.stale_last_good", time=numbers_dates.hm(snap.computed_at, tz)))
    if rules.countdown(campaign, now).state != "running":
        return None
    newest = newest_report(snap) or campaign.starts_at
    age_hours = (now - newest).total_seconds() / 3600.0
    if age_hours <= settings.stale_after_hours:
        return None
    return ktr("kiosk.stale_reports", moment=numbers_dates.moment(newest, ktr.lang, tz),
               hours=numbers_dates.number(settings.stale_after_hours, ktr.lang))


def updated_text(snap: Snapshot, campaign: Campaign, ktr: Catalogue) -> str:
    """"… cập nhật lúc HH:MM": when the figures on screen were last computed."""
    tz = campaign.tz
    return ktr("kiosk.updated", as_of=numbers_dates.moment(snap.as_of, ktr.lang, tz),
               time=numbers_dates.hm(snap.computed_at, tz))


def night_data(campaign: Campaign, now: datetime, as_of: datetime, tr: Catalogue,
               ktr: Catalogue) -> NightClockData:
    """The night screen: the time now and the countdown to the minute (seconds would make it
    repaint every second for nobody)."""
    tz = campaign.tz
    lang = ktr.lang
    digits, _caption, _days, _elapsed, _words, _ended = presenters.countdown_texts(
        campaign, as_of, tr)
    state = rules.countdown(campaign, as_of).state
    deadline = numbers_dates.day(campaign.end, lang)
    if state == "ended":
        caption = ktr("night.ended", deadline=deadline)
    elif state == "not_started":
        caption = ktr("night.to_start", start=numbers_dates.day(campaign.start, lang))
    else:
        caption = ktr("night.countdown", deadline=deadline)
    local = now.astimezone(tz)
    return NightClockData(
        time_text=numbers_dates.hm(local),
        time_caption=ktr("night.clock", day=numbers_dates.day(local.date(), lang)),
        countdown=digits.rsplit(":", 1)[0],
        countdown_caption=caption,
        note=ktr("night.caption"),
    )
