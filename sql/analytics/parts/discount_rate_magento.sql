-- Discount rate in percent: 100 × discounts / revenue, per channel.
SELECT date, campaign, 100.0 * numerator AS numerator, 0.0 AS denominator
FROM analytics.parts_discounts_magento
UNION ALL
SELECT date, campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_revenue
