-- GA4 add-to-cart rate in percent: 100 × add_to_carts / sessions.
SELECT date, campaign, 100.0 * numerator AS numerator, 0.0 AS denominator
FROM analytics.parts_add_to_carts_ga4
UNION ALL
SELECT date, campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_sessions_ga4
