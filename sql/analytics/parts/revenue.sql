-- Magento revenue per channel: sum of grand_total of the day's orders.
SELECT date, channel AS campaign, SUM(grand_total) AS numerator, NULL::DOUBLE AS denominator
FROM magento_fivetran.sales_order
GROUP BY date, channel
