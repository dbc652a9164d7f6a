-- Customer acquisition cost: paid spend / Magento new customers.
SELECT date, NULL::VARCHAR AS campaign, numerator, 0.0 AS denominator
FROM analytics.parts_spend
UNION ALL
SELECT date, NULL::VARCHAR AS campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_new_customers_magento
