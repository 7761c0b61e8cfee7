-- Reports dated before 1900 or after 2999 cannot count (Python has no such dates). This runs
-- on the staged rows rather than inside the read: a file whose statistics claim sane dates
-- (a flipped bit in a page of a file without checksums) would have DuckDB fold the check
-- away there.
UPDATE stage
SET drop_reason = 'reported_at_out_of_range'
WHERE drop_reason IS NULL
    AND (day < DATE '1900-01-01' OR day > DATE '2999-12-31')
