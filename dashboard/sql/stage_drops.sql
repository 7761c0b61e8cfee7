SELECT file, drop_reason, sum(n) AS rows
FROM stage
WHERE drop_reason IS NOT NULL
GROUP BY ALL
