-- Store conversion rate in percent: 100 × Magento orders / GA4 sessions.
SELECT date, NULL::VARCHAR AS campaign, 100.0 * numerator AS numerator, 0.0 AS denominator
FROM analytics.parts_orders_magento
UNION ALL
SELECT date, NULL::VARCHAR AS campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_sessions_ga4
