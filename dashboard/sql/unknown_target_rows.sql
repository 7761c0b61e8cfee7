SELECT file_id, sum(n) AS rows
FROM file_days
WHERE target_id NOT IN (SELECT target_id FROM targets)
GROUP BY file_id
