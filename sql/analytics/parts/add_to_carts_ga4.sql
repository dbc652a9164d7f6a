-- GA4 add_to_cart events per source/medium.
SELECT
    date,
    session_source_medium AS campaign,
    add_to_carts::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM ga4_fivetran.conversions_report
