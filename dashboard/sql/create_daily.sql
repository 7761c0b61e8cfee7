-- The winning report per (known target, reporter, local day) over all used files.
CREATE TABLE daily (
    target_id VARCHAR NOT NULL,
    reporter VARCHAR NOT NULL,
    day DATE NOT NULL,
    best STRUCT(reported_at TIMESTAMPTZ, value DOUBLE) NOT NULL,
    note VARCHAR,
    first_at TIMESTAMPTZ NOT NULL
)
