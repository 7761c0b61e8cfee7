-- Read every value of a batch of files once and reduce it to the last report per
-- (file, target, reporter, local day); rows that cannot count are grouped by their reason.
-- The cursor's TimeZone is the campaign's, so CAST(reported_at AS TIMESTAMP) is local wall
-- time for naive and zoned columns alike; only each group's winner becomes an instant.
-- `batch` is an Arrow table of small files already read (dashboard/engine/row_batches.py):
-- file_idx is each row's file's place in $paths. Larger files, and a day read again up to a
-- cut-off, go through reduce_progress_with_note.sql, which DuckDB reads from the files.
INSERT INTO stage
SELECT
    list_extract($paths::VARCHAR[], file_idx + 1) AS file,
    drop_reason,
    target_id,
    reporter,
    day,
    n,
    struct_pack(reported_at := CAST(last.local_at AS TIMESTAMPTZ), value := last.value) AS best,
    note,
    CAST(first_local_at AS TIMESTAMPTZ) AS first_at
FROM (
    SELECT
        file_idx,
        drop_reason,
        target_id,
        reporter,
        CAST(local_at AS DATE) AS day,
        count(*) AS n,
        max(struct_pack(local_at := local_at, value := value)) AS last,
        arg_max(note, struct_pack(local_at := local_at, value := value)) AS note,
        min(local_at) AS first_local_at
    FROM (
        SELECT
            file_idx,
            target_id,
            reporter,
            note,
            CAST(reported_at AS TIMESTAMP) AS local_at,
            CAST(value AS DOUBLE) AS value,
            CASE
                WHEN target_id IS NULL OR trim(target_id) = '' THEN 'null_target_id'
                WHEN reporter IS NULL OR trim(reporter) = '' THEN 'null_reporter'
                WHEN reported_at IS NULL THEN 'null_reported_at'
                WHEN value IS NULL THEN 'null_value'
                WHEN NOT isfinite(CAST(value AS DOUBLE)) THEN 'non_finite_value'
            END AS drop_reason
        FROM batch
    )
    GROUP BY ALL
)
