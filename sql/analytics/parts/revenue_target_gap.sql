-- Revenue target gap: planned revenue - Magento revenue (negative = ahead).
SELECT date, NULL::VARCHAR AS campaign, numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_revenue_target
UNION ALL
SELECT date, NULL::VARCHAR AS campaign, -numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_revenue
