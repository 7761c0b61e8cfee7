INSERT INTO touched SELECT DISTINCT target_id, reporter, day FROM file_days
UNION SELECT target_id, reporter, day FROM daily
