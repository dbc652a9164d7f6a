-- GA4 abandoned carts: add_to_cart - purchase events, floored at zero.
SELECT
    date,
    session_source_medium AS campaign,
    GREATEST(add_to_carts - purchases, 0)::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM ga4_fivetran.conversions_report
