-- The long view while no metric has a model yet.
CREATE OR REPLACE VIEW analytics.v_metric_values AS
SELECT
    CAST(NULL AS VARCHAR) AS metric_id,
    CAST(NULL AS DATE) AS date,
    CAST(NULL AS VARCHAR) AS campaign,
    CAST(NULL AS DOUBLE) AS value
WHERE 1 = 0
