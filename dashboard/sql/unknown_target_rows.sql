-- Rows of the given files (all files when $ids is NULL) whose target_id is not a target.
SELECT file_id, sum(n) AS rows
FROM file_days
WHERE target_id NOT IN (SELECT target_id FROM targets)
    AND ($ids::INTEGER[] IS NULL OR list_contains($ids::INTEGER[], file_id))
GROUP BY file_id
