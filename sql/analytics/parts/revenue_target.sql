-- Planned revenue for the day (finance daily plan).
SELECT date, NULL::VARCHAR AS campaign, revenue_target AS numerator, NULL::DOUBLE AS denominator
FROM finance.daily_plan
