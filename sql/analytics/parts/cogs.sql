-- Landed product cost of the day's orders per channel (Magento sales_order.cost_of_goods).
SELECT date, channel AS campaign, SUM(cost_of_goods) AS numerator, NULL::DOUBLE AS denominator
FROM magento_fivetran.sales_order
GROUP BY date, channel
