-- Each used progress file reduced to its last report per (target, reporter, local day);
-- first_at, the day's first report, tells whether a cut-off inside the day needs the raw rows.
CREATE TABLE file_days (
    file_id INTEGER NOT NULL,
    target_id VARCHAR NOT NULL,
    reporter VARCHAR NOT NULL,
    day DATE NOT NULL,
    best STRUCT(reported_at TIMESTAMPTZ, value DOUBLE) NOT NULL,
    note VARCHAR,
    n BIGINT NOT NULL,
    first_at TIMESTAMPTZ NOT NULL
)
