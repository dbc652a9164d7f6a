-- Values imported by `kg-service import-values`; they take precedence over computed values.
CREATE TABLE IF NOT EXISTS analytics.imported_values (
    metric_id VARCHAR NOT NULL,
    date DATE NOT NULL,
    dimension VARCHAR NOT NULL DEFAULT '',
    dimension_value VARCHAR NOT NULL DEFAULT '',
    value DOUBLE NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (metric_id, date, dimension, dimension_value)
);
