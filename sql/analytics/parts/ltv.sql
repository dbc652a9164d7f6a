-- 12-month LTV: AOV × orders per customer (365 d) = revenue × orders_365 / (orders × customers_365).
WITH revenue AS (SELECT date, SUM(numerator) AS revenue FROM analytics.parts_revenue GROUP BY date),
orders AS (SELECT date, SUM(numerator) AS orders FROM analytics.parts_orders_magento GROUP BY date),
frequency AS (
    SELECT date, SUM(numerator) AS orders_365, SUM(denominator) AS customers_365
    FROM analytics.parts_orders_per_customer_magento
    GROUP BY date
)
SELECT
    date,
    NULL::VARCHAR AS campaign,
    revenue * orders_365 AS numerator,
    orders * customers_365 AS denominator
FROM revenue JOIN orders USING (date) JOIN frequency USING (date)
