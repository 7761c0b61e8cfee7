-- Per cut-off k and target: the value as of that instant, its newest counted report, the
-- reporters counted and each one's newest counted report (for late units). latest: the
-- newest report over all reporters; sum: each reporter's newest report, summed.
-- Ties on time take the larger value (struct order: at, then value).
-- An ASOF join finds each (target, reporter)'s last daily winner at or before each cut-off,
-- so the cost follows keys × cut-offs, not the length of the history. For up to 3 cut-offs
-- state_at_few_cuts.sql is faster; from per_reporter on the two are the same: change both.
WITH cuts AS (
    SELECT unnest($cuts::TIMESTAMPTZ[]) AS cut, generate_subscripts($cuts::TIMESTAMPTZ[], 1) AS k
),
grid AS (
    SELECT c.k, c.cut, keys.target_id, keys.reporter
    FROM (SELECT DISTINCT target_id, reporter FROM daily) AS keys
    CROSS JOIN cuts AS c
),
days AS (
    SELECT target_id, reporter, best.reported_at AS at, best FROM daily
),
candidates AS (
    SELECT g.k, g.target_id, g.reporter, d.best
    FROM grid AS g
    ASOF JOIN days AS d
        ON g.target_id = d.target_id AND g.reporter = d.reporter AND g.cut >= d.at
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
    list(p.reporter ORDER BY p.reporter) AS reporters,
    list(p.best.reported_at ORDER BY p.reporter) AS reporter_last
FROM per_reporter AS p
JOIN targets AS t USING (target_id)
GROUP BY p.k, p.target_id, t.aggregate
