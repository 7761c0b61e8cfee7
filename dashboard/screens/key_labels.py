"""Key labels (the footer, the help) in the viewer's language: bindings are declared once in
code and relabelled from the catalogue's [keys] when the app starts and when `v` switches."""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from dashboard.i18n import Catalogue

LABELS = {
    "quit": "keys.quit", "help": "keys.help", "leaderboard": "keys.leaderboard",
    "language": "keys.language", "theme": "keys.theme", "export": "keys.export",
    "problems": "keys.problems", "travel(-1)": "keys.back_day", "travel(1)": "keys.forward_day",
    "travel(-7)": "keys.back_week", "travel(7)": "keys.forward_week", "goto": "keys.goto",
    "live": "keys.live", "app.pop_screen": "keys.back", "unzoom": "keys.back",
    "dismiss": "keys.close", "cancel": "keys.cancel", "app.focus_next": "keys.next_panel",
    "app.focus_previous": "keys.prev_panel",
    **{f"zoom({n})": "keys.zoom" for n in range(1, 10)},
}
"""Binding action → catalogue key."""


def relabel(node: DOMNode, tr: Catalogue) -> None:
    """Give every binding of `node` (an app or a screen) its label in tr's language."""
    table = node._bindings.key_to_bindings
    for key, bindings in list(table.items()):
        table[key] = [replace(b, description=tr(LABELS[b.action])) if b.action in LABELS else b
                      for b in bindings]
