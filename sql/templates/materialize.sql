-- The table every read serves from: computed values, except where an imported value exists for
-- the same metric, day and campaign ('' is the metric's total).
CREATE OR REPLACE TABLE analytics.metric_values AS
WITH imported AS (
    SELECT metric_id, date, dimension_value AS campaign, value
    FROM analytics.imported_values
),
computed AS (
    SELECT metric_id, date, campaign, value
    FROM analytics.v_metric_values
    WHERE value IS NOT NULL AND isfinite(value)
)
SELECT metric_id, date, campaign, value FROM imported
UNION ALL
SELECT c.metric_id, c.date, c.campaign, c.value
FROM computed AS c
ANTI JOIN imported AS i USING (metric_id, date, campaign)
ORDER BY metric_id, campaign, date
