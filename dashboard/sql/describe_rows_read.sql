-- The columns of an Arrow table pyarrow read (registered as rows_read), with DuckDB's type for
-- each.
DESCRIBE SELECT * FROM rows_read
