-- Each cursor works in the campaign's zone: a naive reported_at is already local wall time,
-- a zoned one casts to it, and local days are plain casts to DATE.
SET TimeZone = $tz
