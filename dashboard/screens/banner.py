"""Banners: one line of words that hides when there are none."""

from __future__ import annotations

from textual.widgets import Static


def show_banner(banner: Static, text: str | None) -> None:
    """A banner shows `text`, or hides when there is none. Unchanged words cost nothing: an
    update re-arranges the whole screen (the banner's height may change), which is most of
    what a new snapshot would otherwise cost to draw."""
    if str(banner.content) != (text or ""):
        banner.update(text or "")
    banner.display = bool(text)
