-- The rows reduce_progress.sql reads, from an Arrow table of small files already read
-- (`rows_read`, registered by ProgressStore._reduce_rows; dashboard/engine/row_batches.py).
CREATE OR REPLACE TEMP VIEW batch AS
SELECT target_id, reporter, reported_at, value, note, file
FROM rows_read
