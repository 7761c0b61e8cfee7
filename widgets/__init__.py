"""Reusable Textual widgets for thidua. They take plain data and never read files or DuckDB."""
