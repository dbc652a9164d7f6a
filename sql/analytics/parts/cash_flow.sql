-- Operating cash flow for the day (finance daily plan).
SELECT
    date,
    NULL::VARCHAR AS campaign,
    operating_cash_flow AS numerator,
    NULL::DOUBLE AS denominator
FROM finance.daily_plan
