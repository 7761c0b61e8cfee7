-- Read every value of a batch of files once and reduce it to the last report per
-- (file, target, reporter, local day); rows that cannot count are grouped by their reason.
-- $tz_in: the zone the stored wall time is in (campaign zone for naive values, UTC for zoned).
INSERT INTO stage
SELECT
    file,
    drop_reason,
    target_id,
    reporter,
    CAST(timezone($tz, at_utc) AS DATE) AS day,
    count(*) AS n,
    max(struct_pack(reported_at := at_utc, value := value)) AS best,
    arg_max(note, struct_pack(reported_at := at_utc, value := value)) AS note
FROM (
    SELECT
        filename AS file,
        target_id,
        reporter,
        note,
        timezone($tz_in, CAST(reported_at AS TIMESTAMP)) AS at_utc,
        CAST(value AS DOUBLE) AS value,
        CASE
            WHEN target_id IS NULL OR trim(target_id) = '' THEN 'null_target_id'
            WHEN reporter IS NULL OR trim(reporter) = '' THEN 'null_reporter'
            WHEN reported_at IS NULL THEN 'null_reported_at'
            WHEN value IS NULL THEN 'null_value'
            WHEN NOT isfinite(CAST(value AS DOUBLE)) THEN 'non_finite_value'
        END AS drop_reason
    FROM (
        SELECT target_id, reporter, reported_at, value, note, filename
        FROM read_parquet($files::VARCHAR[], filename = true, union_by_name = true)
    )
)
WHERE drop_reason IS NOT NULL OR at_utc <= coalesce($cut::TIMESTAMPTZ, 'infinity'::TIMESTAMPTZ)
GROUP BY ALL
