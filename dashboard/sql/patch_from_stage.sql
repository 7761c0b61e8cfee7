INSERT INTO patch
SELECT $k AS k, nfc_normalize(trim(s.target_id)), nfc_normalize(trim(s.reporter)), max(s.best)
FROM stage AS s
JOIN targets AS t ON t.target_id = nfc_normalize(trim(s.target_id))
WHERE s.drop_reason IS NULL AND s.day = $day
GROUP BY ALL
