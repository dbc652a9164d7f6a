-- GA4 cart abandonment in percent: 100 × abandoned carts / add_to_carts.
SELECT
    date,
    session_source_medium AS campaign,
    100.0 * GREATEST(add_to_carts - purchases, 0) AS numerator,
    add_to_carts AS denominator
FROM ga4_fivetran.conversions_report
