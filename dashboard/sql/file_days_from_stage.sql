-- Strings are NFC-normalised here, after the reduction, so it costs one call per group, and
-- their controls shown visibly (the table of dashboard/text_safety.py, bound as parameters;
-- the regexp test spares the slow translate() the strings with nothing to replace).
INSERT INTO file_days
SELECT
    m.file_id,
    trim(nfc_normalize(CASE WHEN regexp_matches(s.target_id, $unsafe_re)
        THEN translate(s.target_id, $unsafe_chars, $shown_chars) ELSE s.target_id END))
        AS target_id,
    trim(nfc_normalize(CASE WHEN regexp_matches(s.reporter, $unsafe_re)
        THEN translate(s.reporter, $unsafe_chars, $shown_chars) ELSE s.reporter END))
        AS reporter,
    s.day,
    max(s.best) AS best,
    arg_max(nfc_normalize(CASE WHEN regexp_matches(s.note, $unsafe_re)
        THEN translate(s.note, $unsafe_chars, $shown_chars) ELSE s.note END), s.best) AS note,
    sum(s.n) AS n,
    min(s.first_at) AS first_at
FROM stage AS s
JOIN (SELECT unnest($paths::VARCHAR[]) AS file, unnest($ids::INTEGER[]) AS file_id) AS m
    USING (file)
WHERE s.drop_reason IS NULL
GROUP BY ALL
