-- Magento orders per channel and day.
SELECT date, channel AS campaign, COUNT(*)::DOUBLE AS numerator, NULL::DOUBLE AS denominator
FROM magento_fivetran.sales_order
GROUP BY date, channel
