-- GA4 checkout completion in percent: 100 × purchases / begin_checkouts.
SELECT
    date,
    session_source_medium AS campaign,
    100.0 * purchases AS numerator,
    begin_checkouts AS denominator
FROM ga4_fivetran.conversions_report
