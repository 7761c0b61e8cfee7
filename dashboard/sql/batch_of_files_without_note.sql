-- As batch_of_files_with_note.sql, for files with no note column that can be used.
CREATE OR REPLACE TEMP VIEW batch AS
SELECT target_id, reporter, reported_at, value, CAST(NULL AS VARCHAR) AS note, filename AS file
FROM parquet_files
