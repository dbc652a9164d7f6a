-- Gross profit per channel: revenue - refunds - cost of goods.
SELECT date, campaign, numerator, NULL::DOUBLE AS denominator FROM analytics.parts_revenue
UNION ALL
SELECT date, campaign, -numerator, NULL::DOUBLE AS denominator FROM analytics.parts_refunds_magento
UNION ALL
SELECT date, campaign, -numerator, NULL::DOUBLE AS denominator FROM analytics.parts_cogs
