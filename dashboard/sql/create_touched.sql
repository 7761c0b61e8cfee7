-- Keys whose daily winner must be recomputed in this refresh.
CREATE TABLE touched (target_id VARCHAR, reporter VARCHAR, day DATE)
