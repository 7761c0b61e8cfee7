SELECT reporter, best.reported_at AS at_utc, best.value AS value
FROM patch
WHERE k = $k AND target_id = $target_id
ORDER BY best.reported_at, reporter
