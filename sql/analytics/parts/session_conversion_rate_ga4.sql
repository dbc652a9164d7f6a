-- GA4 session conversion rate in percent: 100 × purchases / sessions.
SELECT date, campaign, 100.0 * numerator AS numerator, 0.0 AS denominator
FROM analytics.parts_conversions_ga4
UNION ALL
SELECT date, campaign, 0.0 AS numerator, numerator AS denominator
FROM analytics.parts_sessions_ga4
