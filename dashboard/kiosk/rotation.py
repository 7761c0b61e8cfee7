"""Which view the kiosk's spotlight shows, as a function of time. No Textual here.

Times are seconds on any steady scale (the app passes its clock's timestamp), so tests step a
fixed clock and the rotation follows. A clock that jumps back re-arms the current slot instead of
freezing the rotation until the old deadline comes round again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class Rotation:
    """A cycle through `views`, each for its dwell time, that new data can interrupt.

    An interruption shows the views it names, each for `hold` seconds, then the rotation picks up
    where it left off: the interrupted view gets a full slot again.
    """

    def __init__(self, views: Sequence[str], dwell: Mapping[str, float] | float,
                 start: float) -> None:
        if not views:
            raise ValueError("a rotation needs at least one view")
        self.views: tuple[str, ...] = tuple(views)
        self._dwell: dict[str, float] = {}
        self.set_dwell(dwell)
        self._index = 0
        self._current = self.views[0]
        self._queue: list[tuple[str, float]] = []
        self._interrupted = False
        self._since = start
        self._deadline = start + self.dwell(self._current)
        self.changes = 0
        """How many times the view changed (the soak counts rotations with it)."""

    # -- reading ---------------------------------------------------------------------------

    @property
    def current(self) -> str:
        return self._current

    @property
    def index(self) -> int:
        """Position of the current view in `views`."""
        return self.views.index(self._current)

    @property
    def interrupted(self) -> bool:
        """True while the spotlight shows a view because its data just changed."""
        return self._interrupted

    @property
    def pending(self) -> tuple[str, ...]:
        """Views an interruption will still show after the current one."""
        return tuple(v for v, _ in self._queue)

    @property
    def deadline(self) -> float:
        """When the current view gives way to the next."""
        return self._deadline

    def dwell(self, view: str) -> float:
        return self._dwell.get(view, self._default)

    # -- changing --------------------------------------------------------------------------

    def set_dwell(self, dwell: Mapping[str, float] | float) -> None:
        """New dwell times; they apply from the next slot (the current one keeps its length)."""
        if isinstance(dwell, int | float):
            self._default = _positive(float(dwell))
            self._dwell = {}
        else:
            values = [_positive(float(v)) for v in dwell.values()]
            self._default = min(values) if values else 1.0
            self._dwell = {k: _positive(float(v)) for k, v in dwell.items()}

    def step(self, now: float) -> bool:
        """Move on if the current slot is over; True when the view changed."""
        if now < self._since:  # the clock went back: start this slot again from now
            self._arm(now, self._slot_length())
            return False
        if now < self._deadline:
            return False
        late = now - self._deadline
        if self._queue:
            view, hold = self._queue.pop(0)
            self._show(view, now, hold, late)
        elif self._interrupted:
            self._interrupted = False
            self._show(self.views[self._index], now, self.dwell(self.views[self._index]), late)
        else:
            self._index = (self._index + 1) % len(self.views)
            view = self.views[self._index]
            self._show(view, now, self.dwell(view), late)
        return True

    def interrupt(self, views: Sequence[str], now: float, hold: float) -> bool:
        """Show `views` now, `hold` seconds each; True when the spotlight moved."""
        wanted = [v for v in dict.fromkeys(views) if v in self.views]
        if not wanted:
            return False
        pending = [(v, h) for v, h in self._queue if v not in wanted]
        if self._interrupted and self._current not in wanted:
            pending.insert(0, (self._current, hold))  # cut short: it comes back after these
        first, *rest = wanted
        self._queue = [(v, hold) for v in rest] + pending
        self._interrupted = True
        moved = first != self._current
        self._show(first, now, hold, 0.0)
        return moved

    def set_views(self, views: Sequence[str], now: float) -> None:
        """The campaign's areas changed: cycle through `views` from now on. The current view
        stays on (with the rest of its slot) when it is still one of them."""
        if not views:
            raise ValueError("a rotation needs at least one view")
        resume = self.views[self._index]  # where the cycle goes on after an interruption
        self.views = tuple(views)
        self._queue = [(v, h) for v, h in self._queue if v in self.views]
        if self._current in self.views:
            self._index = (self.views.index(resume) if resume in self.views
                           else min(self._index, len(self.views) - 1))
        else:
            self._queue.clear()
            self._interrupted = False
            self._index = 0
            self._show(self.views[0], now, self.dwell(self.views[0]), 0.0)

    def restart(self, now: float) -> None:
        """Begin again at the first view (after the screen was off for the night)."""
        self._queue.clear()
        self._interrupted = False
        self._index = 0
        self._show(self.views[0], now, self.dwell(self.views[0]), 0.0)

    # -- inside ----------------------------------------------------------------------------

    def _show(self, view: str, now: float, length: float, late: float) -> None:
        if view != self._current:
            self.changes += 1
        self._current = view
        # keep the cadence when a tick came a little late, but never run slots back to back
        start = now - late if late < length else now
        self._arm(start, length)

    def _arm(self, start: float, length: float) -> None:
        self._since = start
        self._deadline = start + length

    def _slot_length(self) -> float:
        return self._deadline - self._since


def _positive(value: float) -> float:
    if not value > 0:
        raise ValueError(f"a dwell time must be positive, not {value}")
    return value
