SELECT DISTINCT file_id FROM file_days WHERE day = $day
