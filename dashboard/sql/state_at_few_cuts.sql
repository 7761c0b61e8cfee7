-- state_at_cuts for a few cut-offs (a refresh usually needs only "now" and "now - 7 days";
-- the week ends are kept): a join of the daily winners with each cut-off, aggregated per
-- key, is 12-20 ms at 10M rows against 33 ms for the ASOF join, which sorts every daily row.
-- From 4 cut-offs on the ASOF join is the cheaper one. The two must give the same answers
-- (tests/test_incremental.py compares warm and cold engines over random cut-offs); from
-- per_reporter on the two are the same text: change both (one statement per file).
WITH cuts AS (
    SELECT unnest($cuts::TIMESTAMPTZ[]) AS cut, generate_subscripts($cuts::TIMESTAMPTZ[], 1) AS k
),
candidates AS (
    SELECT c.k, d.target_id, d.reporter, max(d.best) AS best
    FROM daily AS d JOIN cuts AS c ON d.best.reported_at <= c.cut
    GROUP BY ALL
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
