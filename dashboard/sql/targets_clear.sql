DELETE FROM targets
