-- Contribution margin: gross profit - paid spend (no per-campaign split).
SELECT date, NULL::VARCHAR AS campaign, numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_gross_profit
UNION ALL
SELECT date, NULL::VARCHAR AS campaign, -numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_spend
