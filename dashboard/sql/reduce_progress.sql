-- Read every value of a batch of files once and reduce it to the last report per
-- (file, target, reporter, local day); rows that cannot count are grouped by their reason.
-- The cursor's TimeZone is the campaign's, so CAST(reported_at AS TIMESTAMP) is local wall
-- time for naive and zoned columns alike; only each group's winner becomes an instant.
-- `batch` is a view of the rows of a batch of files: of an Arrow table of small files
-- already read (batch_of_rows.sql), or of files DuckDB reads itself (batch_of_files_*.sql). Either way files of one schema, so no union_by_name (which would
-- read every footer once more).
INSERT INTO stage
SELECT
    file,
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
        file,
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
            file,
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
    WHERE drop_reason IS NOT NULL
        OR local_at <= CAST(coalesce($cut::TIMESTAMPTZ, 'infinity'::TIMESTAMPTZ) AS TIMESTAMP)
    GROUP BY ALL
)
