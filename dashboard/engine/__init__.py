"""The data engine: Parquet files in, frozen snapshots out. Never imports Textual.

Import from the modules (`dashboard.engine.engine.Engine`, `dashboard.engine.model`): the
model and the rules load without DuckDB, so viewer processes fed by a stream need none.
"""
