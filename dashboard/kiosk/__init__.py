"""Kiosk mode: the dashboard on a meeting-room screen, unattended for weeks."""
