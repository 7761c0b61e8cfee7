-- The rows reduce_progress.sql reads, from files DuckDB reads itself (`parquet_files`, a
-- relation over the batch's files made by ProgressStore._reduce_files).
CREATE OR REPLACE TEMP VIEW batch AS
SELECT target_id, reporter, reported_at, value, note, filename AS file
FROM parquet_files
