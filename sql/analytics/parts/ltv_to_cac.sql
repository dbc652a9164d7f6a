-- LTV / CAC = (ltv numerator × new customers) / (ltv denominator × paid spend), per day.
WITH ltv AS (
    SELECT date, SUM(numerator) AS value, SUM(denominator) AS per FROM analytics.parts_ltv GROUP BY date
),
spend AS (SELECT date, SUM(numerator) AS spend FROM analytics.parts_spend GROUP BY date),
acquired AS (
    SELECT date, SUM(numerator) AS customers FROM analytics.parts_new_customers_magento GROUP BY date
)
SELECT date, NULL::VARCHAR AS campaign, value * customers AS numerator, per * spend AS denominator
FROM ltv JOIN spend USING (date) JOIN acquired USING (date)
