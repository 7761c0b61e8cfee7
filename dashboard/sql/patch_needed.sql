-- Cut-offs that fall between the first and the last report of a day: only those days need
-- the exact raw reports (the daily table keeps just the day's last one).
SELECT DISTINCT c.k, c.day
FROM daily AS d
JOIN (
    SELECT unnest($cuts::TIMESTAMPTZ[]) AS cut,
           unnest($days::DATE[]) AS day,
           generate_subscripts($cuts::TIMESTAMPTZ[], 1) AS k
) AS c
    ON d.day = c.day AND d.first_at <= c.cut AND d.best.reported_at > c.cut
