-- Planned paid-media budget for the day (finance daily plan).
SELECT date, NULL::VARCHAR AS campaign, marketing_budget AS numerator, NULL::DOUBLE AS denominator
FROM finance.daily_plan
