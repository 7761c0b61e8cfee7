"""Remote viewing over SSH: one engine per server, one viewer process per session."""
