"""thidua: a live terminal dashboard for emulation campaigns (đợt thi đua)."""

__version__ = "0.1.0"
