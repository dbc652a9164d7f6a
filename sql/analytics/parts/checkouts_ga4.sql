-- GA4 begin_checkout events per source/medium.
SELECT
    date,
    session_source_medium AS campaign,
    begin_checkouts::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM ga4_fivetran.conversions_report
