-- Platform-claimed share of orders in percent: 100 × paid conversions / Magento orders.
SELECT date, NULL::VARCHAR AS campaign, 100.0 * numerator AS numerator, 0.0 AS denominator
FROM analytics.parts_conversions
UNION ALL
SELECT date, NULL::VARCHAR AS campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_orders_magento
