-- Every row of one small file (the targets), for checks done row by row in Python.
SELECT * FROM read_parquet($files::VARCHAR[])
