"""The weekly meeting: what changed since the last one, who is late, and the briefing on paper."""
