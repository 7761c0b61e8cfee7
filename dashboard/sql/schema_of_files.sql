-- Footers only: the columns of each file, in schema order, with DuckDB's type for each.
SELECT file_name, name, duckdb_type, num_children
FROM parquet_schema($files::VARCHAR[])
