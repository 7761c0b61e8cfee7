-- A target's reports up to T, one per reporter and local day (the day's last one).
SELECT reporter, day, best.reported_at AS at_utc, best.value AS value, note
FROM daily
WHERE target_id = $target_id AND best.reported_at <= $cut::TIMESTAMPTZ
ORDER BY best.reported_at, reporter
