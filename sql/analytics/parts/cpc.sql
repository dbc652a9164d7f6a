-- Blended CPC: paid spend / paid clicks.
SELECT date, campaign, numerator, 0.0 AS denominator
FROM analytics.parts_spend
UNION ALL
SELECT date, campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_clicks
