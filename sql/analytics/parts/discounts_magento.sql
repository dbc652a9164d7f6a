-- Magento discounts given per channel, positive (discount_amount is negative).
SELECT date, channel AS campaign, -SUM(discount_amount) AS numerator, NULL::DOUBLE AS denominator
FROM magento_fivetran.sales_order
GROUP BY date, channel
