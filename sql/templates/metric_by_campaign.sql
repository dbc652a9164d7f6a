-- A metric's daily value per campaign, for the rows that name one.
CREATE OR REPLACE VIEW analytics.v_metric_{metric_id}_by_campaign AS
SELECT
    date,
    campaign,
    CASE
        WHEN COUNT(denominator) = 0 THEN SUM(numerator)
        ELSE SUM(numerator) / NULLIF(SUM(denominator), 0)
    END AS value
FROM analytics.parts_{metric_id}
WHERE campaign IS NOT NULL
GROUP BY date, campaign
