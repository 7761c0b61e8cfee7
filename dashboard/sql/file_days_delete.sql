DELETE FROM file_days WHERE list_contains($ids::INTEGER[], file_id)
