-- Exact winners for a cut-off that falls inside a day with later reports on that day.
CREATE TABLE patch (
    k INTEGER NOT NULL,
    target_id VARCHAR NOT NULL,
    reporter VARCHAR NOT NULL,
    best STRUCT(reported_at TIMESTAMPTZ, value DOUBLE) NOT NULL
)
