-- Strings are NFC-normalised here, after the reduction, so it costs one call per group, and
-- their controls shown visibly ($unsafe_chars → $shown_chars: dashboard/text_safety.py).
INSERT INTO file_days
SELECT
    m.file_id,
    trim(translate(nfc_normalize(s.target_id), $unsafe_chars, $shown_chars)) AS target_id,
    trim(translate(nfc_normalize(s.reporter), $unsafe_chars, $shown_chars)) AS reporter,
    s.day,
    max(s.best) AS best,
    arg_max(translate(nfc_normalize(s.note), $unsafe_chars, $shown_chars), s.best) AS note,
    sum(s.n) AS n,
    min(s.first_at) AS first_at
FROM stage AS s
JOIN (SELECT unnest($paths::VARCHAR[]) AS file, unnest($ids::INTEGER[]) AS file_id) AS m
    USING (file)
WHERE s.drop_reason IS NULL
GROUP BY ALL
