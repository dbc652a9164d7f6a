-- GA4 tracking coverage in percent: 100 × GA4 purchases / Magento orders.
SELECT date, NULL::VARCHAR AS campaign, 100.0 * numerator AS numerator, 0.0 AS denominator
FROM analytics.parts_conversions_ga4
UNION ALL
SELECT date, NULL::VARCHAR AS campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_orders_magento
