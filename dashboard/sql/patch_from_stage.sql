-- The same keys as file_days_from_stage.sql makes (controls shown, NFC, trimmed).
INSERT INTO patch
SELECT $k AS k, t.target_id, p.reporter, max(p.best)
FROM (
    SELECT
        trim(nfc_normalize(CASE WHEN regexp_matches(s.target_id, $unsafe_re)
            THEN translate(s.target_id, $unsafe_chars, $shown_chars) ELSE s.target_id END))
            AS target_id,
        trim(nfc_normalize(CASE WHEN regexp_matches(s.reporter, $unsafe_re)
            THEN translate(s.reporter, $unsafe_chars, $shown_chars) ELSE s.reporter END))
            AS reporter,
        s.best
    FROM stage AS s
    WHERE s.drop_reason IS NULL AND s.day = $day
) AS p
JOIN targets AS t USING (target_id)
GROUP BY ALL
