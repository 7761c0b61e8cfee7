-- The columns of an Arrow table pyarrow read (registered as batch), with DuckDB's type for each.
DESCRIBE SELECT * FROM batch
