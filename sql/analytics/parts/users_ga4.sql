-- GA4 active users per source/medium (user-days over a window).
SELECT
    date,
    session_source_medium AS campaign,
    total_users::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM ga4_fivetran.traffic_source
