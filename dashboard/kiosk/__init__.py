"""Kiosk mode: the dashboard on a meeting-room screen, unattended for weeks.

Pure rules (rotation, office hours, burn-in, the unlock chord, settings) live in modules with no
Textual import, so tests can pin them directly; `kiosk_screen` and `kiosk_app` put them on
screen; `cli` adds `thidua kiosk` and `thidua serve-web`.
"""
