-- Blended ROAS: platform-reported conversion value / paid spend.
SELECT date, campaign, numerator, 0.0 AS denominator
FROM analytics.parts_conversion_value
UNION ALL
SELECT date, campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_spend
