-- Cut-offs inside a day that has a later report: those days need the exact raw reports.
SELECT DISTINCT c.k, c.day
FROM daily AS d
JOIN (
    SELECT unnest($cuts::TIMESTAMPTZ[]) AS cut,
           unnest($days::DATE[]) AS day,
           generate_subscripts($cuts::TIMESTAMPTZ[], 1) AS k
) AS c
    ON d.day = c.day AND d.best.reported_at > c.cut
