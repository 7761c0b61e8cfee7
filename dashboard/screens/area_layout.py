"""A panel per area, in campaign.toml's order, kept in step as the campaign changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.widget import Widget


async def arrange_area_panels(holder: Widget, before: Widget, old: Sequence[str],
                              new: Sequence[str], make: Callable[[str], Widget]) -> None:
    """Panels `#area-<id>` inside holder, ahead of `before`: those of areas no longer there go,
    new ones are made, and all stand in the order of `new`."""
    gone = [holder.query_one(f"#area-{a}") for a in old if a not in new]
    if gone:
        await holder.remove_children(gone)
    for area_id in new:
        found = holder.query(f"#area-{area_id}")
        if found:
            holder.move_child(found.first(), before=before)
        else:
            await holder.mount(make(area_id), before=before)
