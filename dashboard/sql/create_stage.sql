-- Scratch table: one row per (file, drop reason, target, reporter, local day) of a read batch.
CREATE TABLE stage (
    file VARCHAR,
    drop_reason VARCHAR,
    target_id VARCHAR,
    reporter VARCHAR,
    day DATE,
    n BIGINT,
    best STRUCT(reported_at TIMESTAMPTZ, value DOUBLE),
    note VARCHAR,
    first_at TIMESTAMPTZ
)
