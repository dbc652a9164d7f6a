-- Magento refunded amounts per channel, by order day.
SELECT date, channel AS campaign, SUM(refunded_amount) AS numerator, NULL::DOUBLE AS denominator
FROM magento_fivetran.sales_order
GROUP BY date, channel
