"""The unlock chord: the one way through the kiosk's locked keyboard. No Textual.

Ctrl+U three times within two seconds. It is hard to hit by accident (a cleaner's cloth, a cat,
a presenter's clicker) and easy to give an operator over the phone; any other key in between
starts the count again.
"""

from __future__ import annotations

UNLOCK_KEY = "ctrl+u"
UNLOCK_PRESSES = 3
UNLOCK_WINDOW_SECONDS = 2.0


class UnlockChord:
    """Feed it every key with its time; it says when the chord is complete."""

    def __init__(self, key: str = UNLOCK_KEY, presses: int = UNLOCK_PRESSES,
                 window: float = UNLOCK_WINDOW_SECONDS) -> None:
        self.key = key
        self.presses = presses
        self.window = window
        self._times: list[float] = []

    def press(self, key: str, at: float) -> bool:
        """True when this key completes the chord (then the count starts again)."""
        if key != self.key:
            self._times.clear()
            return False
        self._times = [t for t in self._times if at - t <= self.window] + [at]
        if len(self._times) >= self.presses:
            self._times.clear()
            return True
        return False
