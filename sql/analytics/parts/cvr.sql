-- Blended paid conversion rate in percent: 100 × conversions / clicks.
SELECT date, campaign, 100.0 * numerator AS numerator, 0.0 AS denominator
FROM analytics.parts_conversions
UNION ALL
SELECT date, campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_clicks
