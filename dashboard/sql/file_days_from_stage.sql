-- Strings are NFC-normalised here, after the reduction, so it costs one call per group.
INSERT INTO file_days
SELECT
    m.file_id,
    nfc_normalize(trim(s.target_id)) AS target_id,
    nfc_normalize(trim(s.reporter)) AS reporter,
    s.day,
    max(s.best) AS best,
    arg_max(nfc_normalize(s.note), s.best) AS note,
    sum(s.n) AS n,
    min(s.first_at) AS first_at
FROM stage AS s
JOIN (SELECT unnest($paths::VARCHAR[]) AS file, unnest($ids::INTEGER[]) AS file_id) AS m
    USING (file)
WHERE s.drop_reason IS NULL
GROUP BY ALL
