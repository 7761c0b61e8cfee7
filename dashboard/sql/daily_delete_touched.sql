DELETE FROM daily AS d
USING touched AS t
WHERE d.target_id = t.target_id AND d.reporter = t.reporter AND d.day = t.day
