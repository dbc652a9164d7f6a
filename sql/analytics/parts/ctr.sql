-- Blended CTR in percent: 100 × paid clicks / paid impressions.
SELECT date, campaign, 100.0 * numerator AS numerator, 0.0 AS denominator
FROM analytics.parts_clicks
UNION ALL
SELECT date, campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_impressions
