-- A metric's daily value: the sum of its numerator over the sum of its denominator across all rows
-- of the day (never an average of per-campaign ratios); a metric without denominator is a plain sum.
CREATE OR REPLACE VIEW analytics.v_metric_{metric_id} AS
SELECT
    date,
    CASE
        WHEN COUNT(denominator) = 0 THEN SUM(numerator)
        ELSE SUM(numerator) / NULLIF(SUM(denominator), 0)
    END AS value
FROM analytics.parts_{metric_id}
GROUP BY date
