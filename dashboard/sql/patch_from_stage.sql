-- The same keys as file_days_from_stage.sql makes (NFC, controls shown, trimmed).
INSERT INTO patch
SELECT
    $k AS k,
    trim(translate(nfc_normalize(s.target_id), $unsafe_chars, $shown_chars)) AS target_id,
    trim(translate(nfc_normalize(s.reporter), $unsafe_chars, $shown_chars)) AS reporter,
    max(s.best)
FROM stage AS s
JOIN targets AS t
    ON t.target_id = trim(translate(nfc_normalize(s.target_id), $unsafe_chars, $shown_chars))
WHERE s.drop_reason IS NULL AND s.day = $day
GROUP BY ALL
