-- Average order value: Magento revenue / orders, per channel.
SELECT date, campaign, numerator, 0.0 AS denominator
FROM analytics.parts_revenue
UNION ALL
SELECT date, campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_orders_magento
