DELETE FROM touched
