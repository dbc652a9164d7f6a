-- Orders per customer over the trailing 365 days: orders / distinct customers, per day.
WITH customer_days AS (SELECT DISTINCT customer_id, date FROM magento_fivetran.sales_order),
-- a customer counts from an order day until the next one or 365 days later, whichever comes first
spans AS (
    SELECT
        date AS starts,
        LEAST(date + 365, COALESCE(LEAD(date) OVER (PARTITION BY customer_id ORDER BY date), date + 365))
            AS ends
    FROM customer_days
),
customer_moves AS (
    SELECT starts AS date, 1 AS change FROM spans
    UNION ALL
    SELECT ends AS date, -1 AS change FROM spans
),
order_moves AS (
    SELECT date, COUNT(*) AS change FROM magento_fivetran.sales_order GROUP BY date
    UNION ALL
    SELECT date + 365 AS date, -COUNT(*) AS change FROM magento_fivetran.sales_order GROUP BY date
),
customers AS (
    SELECT date, SUM(SUM(change)) OVER (ORDER BY date) AS customers_365 FROM customer_moves GROUP BY date
),
orders AS (
    SELECT date, SUM(SUM(change)) OVER (ORDER BY date) AS orders_365 FROM order_moves GROUP BY date
),
days AS (SELECT DISTINCT date FROM magento_fivetran.sales_order)
SELECT
    date,
    NULL::VARCHAR AS campaign,
    o.orders_365::DOUBLE AS numerator,
    c.customers_365::DOUBLE AS denominator
FROM days AS d
JOIN orders AS o USING (date)
JOIN customers AS c USING (date)
