-- Marketing efficiency: Magento revenue / paid spend (no per-campaign split).
SELECT date, NULL::VARCHAR AS campaign, numerator, 0.0 AS denominator
FROM analytics.parts_revenue
UNION ALL
SELECT date, NULL::VARCHAR AS campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_spend
