INSERT INTO targets SELECT unnest($ids::VARCHAR[]), unnest($aggregates::VARCHAR[])
