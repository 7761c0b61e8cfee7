-- Bytes DuckDB holds in memory now (buffers, tables, caches), for soaks and diagnostics.
SELECT coalesce(sum(memory_usage_bytes), 0)::BIGINT FROM duckdb_memory()
