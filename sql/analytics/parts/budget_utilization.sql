-- Budget utilisation in percent: 100 × paid spend / planned budget.
SELECT date, NULL::VARCHAR AS campaign, 100.0 * numerator AS numerator, 0.0 AS denominator
FROM analytics.parts_spend
UNION ALL
SELECT date, NULL::VARCHAR AS campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_marketing_budget
