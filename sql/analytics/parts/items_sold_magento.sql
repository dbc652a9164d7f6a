-- Magento items sold per channel (total_item_count).
SELECT
    date,
    channel AS campaign,
    SUM(total_item_count)::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM magento_fivetran.sales_order
GROUP BY date, channel
