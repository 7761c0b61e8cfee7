"""Screens: they turn engine snapshots into widget data and route the user's keys."""
