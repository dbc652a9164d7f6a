-- GA4 purchase events per source/medium (CONVERSIONS_REPORT).
SELECT
    date,
    session_source_medium AS campaign,
    purchases::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM ga4_fivetran.conversions_report
