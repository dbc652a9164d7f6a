-- Units per order: items sold / orders, per channel.
SELECT date, campaign, numerator, 0.0 AS denominator
FROM analytics.parts_items_sold_magento
UNION ALL
SELECT date, campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_orders_magento
