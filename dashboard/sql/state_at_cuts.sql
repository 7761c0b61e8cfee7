-- Per cut-off k and target: the value as of that instant, its newest counted report and
-- the reporters counted. latest: the newest report over all reporters; sum: each reporter's
-- newest report, summed. Ties on time take the larger value (struct order: at, then value).
WITH cuts AS (
    SELECT unnest($cuts::TIMESTAMPTZ[]) AS cut, generate_subscripts($cuts::TIMESTAMPTZ[], 1) AS k
),
candidates AS (
    SELECT c.k, d.target_id, d.reporter, d.best
    FROM daily AS d
    JOIN cuts AS c ON d.best.reported_at <= c.cut
    UNION ALL
    SELECT k, target_id, reporter, best FROM patch
),
per_reporter AS (
    SELECT k, target_id, reporter, max(best) AS best
    FROM candidates
    GROUP BY ALL
)
SELECT
    p.k,
    p.target_id,
    CASE WHEN t.aggregate = 'sum' THEN sum(p.best.value) ELSE max(p.best).value END AS value,
    max(p.best.reported_at) AS last_at,
    list(p.reporter ORDER BY p.reporter) AS reporters
FROM per_reporter AS p
JOIN targets AS t USING (target_id)
GROUP BY p.k, p.target_id, t.aggregate
