-- Only reports on known targets enter the daily table; ties on time take the larger value.
INSERT INTO daily
SELECT f.target_id, f.reporter, f.day, max(f.best) AS best, arg_max(f.note, f.best) AS note,
       min(f.first_at) AS first_at
FROM file_days AS f
JOIN (SELECT DISTINCT target_id, reporter, day FROM touched) AS t USING (target_id, reporter, day)
JOIN targets USING (target_id)
GROUP BY ALL
