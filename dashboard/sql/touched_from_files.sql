INSERT INTO touched
SELECT DISTINCT target_id, reporter, day FROM file_days WHERE list_contains($ids::INTEGER[], file_id)
