-- Magento orders with a grand total of 500 or more, per channel.
SELECT
    date,
    channel AS campaign,
    COUNT(*) FILTER (WHERE grand_total >= 500)::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM magento_fivetran.sales_order
GROUP BY date, channel
