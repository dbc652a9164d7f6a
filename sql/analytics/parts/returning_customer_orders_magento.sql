-- Magento orders from returning customers per channel.
SELECT
    date,
    channel AS campaign,
    COUNT(*) FILTER (WHERE NOT customer_is_new)::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM magento_fivetran.sales_order
GROUP BY date, channel
