-- Revenue target attainment in percent: 100 × revenue / planned revenue.
SELECT date, NULL::VARCHAR AS campaign, 100.0 * numerator AS numerator, 0.0 AS denominator
FROM analytics.parts_revenue
UNION ALL
SELECT date, NULL::VARCHAR AS campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_revenue_target
