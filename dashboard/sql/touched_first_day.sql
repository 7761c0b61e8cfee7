-- The earliest local day whose winners this refresh recomputed: answers as of any instant
-- before that day are still valid.
SELECT min(day) FROM touched
